# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Bringing a register extract into the data contract
#
# opgang-eval reads extracts in one agreed form, the **data contract**
# (`docs/data-contract.md`): a `families` table, `parents`, `children` and one
# status per parent and month in `parent_status`, using a small vocabulary
# (`job`, `flexjob`, `cash_benefit`, …). What a municipality actually receives
# looks different:
#
# * the **case system** (fagsystemet) exports semicolon-separated files with
#   Danish headings, decimal commas and its own labels for benefits and
#   measures, often as spells (forløb) with a start and an end date;
# * Danmarks Statistik's **SOCIO13** gives one socio-economic code per person
#   and *year*;
# * the Ministry of Employment's **DREAM** register gives one benefit code per
#   person and *week*, and a monthly employment rate.
#
# This notebook takes a tiny made-up extract of each kind — four families —
# through the steps: read the Danish CSV, map every code to the contract's
# status through an **editable mapping table**, turn years and weeks into
# months, put the pieces together and load the result with `oe.load`.
#
# The mapping is where an evaluation makes its judgement calls (is a
# subsidised job work?), so keep the mapping tables you used with the
# evaluation and say in the report how codes were mapped.
#
# All files are written to a temporary folder. Ids are pseudonymised keys
# (P01, F01): never bring CPR numbers into an extract — `oe.load` refuses them.

# %%
import tempfile
from pathlib import Path

import pandas as pd

import opgang_eval as oe
from opgang_eval.registers import dream_months, map_status, status_mapping

pd.set_option("display.max_colwidth", 100)
work = tempfile.TemporaryDirectory(prefix="opgang-registers-")
raw = Path(work.name) / "raw"
raw.mkdir()

# %% [markdown]
# ## 1. The case system's export (udtræk fra fagsystemet)
#
# Two files as a case system might write them: semicolon-separated, Danish
# headings, dates as DD-MM-YYYY, amounts with `.` as thousands separator and
# a decimal comma. The first has one row per person with the family's group
# (indsats / kontrol), visitation date and area; the second has benefit
# spells (ydelsesforløb) with the monthly amount paid.

# %%
(raw / "borgere.csv").write_text(
    """familie;gruppe;visitationsdato;bydel;rolle;person;fødselsår;køn
F01;Indsats;15-01-2020;Tilst;Forælder;P01;1984;K
F01;Indsats;15-01-2020;Tilst;Forælder;P02;1981;M
F01;Indsats;15-01-2020;Tilst;Barn;P03;2010;M
F01;Indsats;15-01-2020;Tilst;Barn;P04;2014;K
F02;Indsats;03-02-2020;Tilst;Forælder;P05;1990;K
F02;Indsats;03-02-2020;Tilst;Barn;P06;2012;K
F03;Kontrol;20-01-2020;Tilst;Forælder;P07;1986;K
F03;Kontrol;20-01-2020;Tilst;Forælder;P08;1983;M
F03;Kontrol;20-01-2020;Tilst;Barn;P09;2011;M
F04;Kontrol;10-02-2020;Tilst;Forælder;P10;1979;K
F04;Kontrol;10-02-2020;Tilst;Barn;P11;2008;K
F04;Kontrol;10-02-2020;Tilst;Barn;P12;2016;M
""",
    encoding="utf-8",
)
(raw / "ydelsesforloeb.csv").write_text(
    """person;ydelse;fra;til;beløb pr. md.
P01;Kontanthjælp, aktivitetsparat;01-01-2020;31-10-2020;12.480,00
P01;Job med løntilskud;01-11-2020;30-04-2021;0,00
P01;Ordinær beskæftigelse;01-05-2021;30-06-2021;0,00
P02;Ressourceforløb;01-01-2020;31-12-2020;14.310,50
P02;Ledighedsydelse;01-01-2021;31-03-2021;15.020,75
P02;Fleksjob;01-04-2021;30-06-2021;6.405,25
P05;Uddannelseshjælp;01-01-2020;31-08-2020;7.380,00
P05;SU;01-09-2020;30-06-2021;0,00
P07;Kontanthjælp, aktivitetsparat;01-01-2020;30-06-2021;12.480,00
P08;Sygedagpenge;01-01-2020;31-05-2020;16.900,00
P08;Revalidering;01-06-2020;30-06-2021;15.110,00
P10;Jobafklaringsforløb;01-01-2020;31-12-2020;14.310,50
P10;Førtidspension;01-01-2021;30-06-2021;18.520,00
""",
    encoding="utf-8",
)
sorted(path.name for path in raw.iterdir())

# %% [markdown]
# Read them with pandas' Danish settings: `sep=";"`, `decimal=","`,
# `thousands="."`. Ids and dates are read as text (`dtype=str` for those
# columns), so nothing is guessed.

# %%
people = pd.read_csv(raw / "borgere.csv", sep=";", dtype=str, encoding="utf-8")
spells = pd.read_csv(
    raw / "ydelsesforloeb.csv",
    sep=";",
    decimal=",",
    thousands=".",
    dtype={"person": str, "ydelse": str, "fra": str, "til": str},
    encoding="utf-8",
)
spells

# %% [markdown]
# ## 2. The contract's families, parents and children
#
# The contract accepts the Danish words for groups (`indsats`, `kontrol`) and
# sex (`K`, `M`) and Danish dates (DD-MM-YYYY), so we only rename and select
# columns. Only contract columns may be in a file — `oe.load` refuses any
# other column, so personal data that is not needed cannot slip in.

# %%
families = (
    people[["familie", "gruppe", "visitationsdato", "bydel"]]
    .drop_duplicates()
    .rename(columns={"familie": "family_id", "gruppe": "arm", "visitationsdato": "enrolled_on", "bydel": "site"})
)
persons = people.rename(
    columns={"person": "person_id", "familie": "family_id", "fødselsår": "birth_year", "køn": "sex"}
)
columns = ["person_id", "family_id", "birth_year", "sex"]
parents = persons.loc[persons["rolle"] == "Forælder", columns]
children = persons.loc[persons["rolle"] == "Barn", columns]
families

# %% [markdown]
# ## 3. The case system's labels: an editable mapping table
#
# A mapping table has one row per code (here: the case system's label) and
# the contract status it counts as. `status` may be the contract's code or its
# Danish label (`fleksjob`, `kontanthjælp`, …). Labels match regardless of
# case and surrounding spaces.

# %%
case_mapping = pd.DataFrame(
    [
        ("Kontanthjælp, aktivitetsparat", "cash_benefit", ""),
        ("Uddannelseshjælp", "cash_benefit", ""),
        ("Ressourceforløb", "resource_course", ""),
        ("Jobafklaringsforløb", "job_clarification", ""),
        ("Sygedagpenge", "sickness_benefit", ""),
        ("Ledighedsydelse", "flexjob_waiting", ""),
        ("Fleksjob", "fleksjob", ""),
        ("Ordinær beskæftigelse", "job", ""),
        ("Job med løntilskud", "job", ""),
        ("SU", "education", ""),
        ("Førtidspension", "early_retirement", ""),
    ],
    columns=["code", "status", "judgement"],
)
case_mapping

# %% [markdown]
# **Editing a row.** Is a job with wage subsidy (løntilskud) *work*? It is an
# employment measure paid for by the jobcenter, and many evaluations do not
# count it as ordinary employment. That is a judgement call; here we decide
# not to count it, and say why in the table:

# %%
subsidised = case_mapping["code"] == "Job med løntilskud"
case_mapping.loc[subsidised, "status"] = "other"
case_mapping.loc[subsidised, "judgement"] = "Subsidised job: an employment measure, not counted as work."
case_mapping[subsidised]

# %% [markdown]
# **A label the table does not know is refused, never guessed.** The extract
# has a spell of *Revalidering*, which is not in the table. `map_status`
# raises one `ValidationError` listing every unknown code with how many rows
# carry it:

# %%
try:
    map_status(spells["ydelse"], case_mapping)
except oe.ValidationError as error:
    problem = error
problem.counts[["column", "rule", "n", "hint"]]

# %% [markdown]
# Add the missing row and map again. Revalidering (vocational
# rehabilitation) has no category of its own in the contract, so it is
# `other`:

# %%
new_row = pd.DataFrame(
    [("Revalidering", "other", "Vocational rehabilitation: no contract category.")], columns=case_mapping.columns
)
case_mapping = pd.concat([case_mapping, new_row], ignore_index=True)
spells["status"] = map_status(spells["ydelse"], case_mapping)
spells[["person", "ydelse", "status"]]

# %% [markdown]
# The contract wants one status per parent and **month**, so each spell is
# spread over the months it covers. (Here spells change at month ends. When
# they change mid-month, decide which spell a month belongs to — e.g. the one
# covering most of its days — and write that rule down.)

# %%
spells["months"] = [
    pd.period_range(pd.to_datetime(start, dayfirst=True), pd.to_datetime(end, dayfirst=True), freq="M")
    for start, end in zip(spells["fra"], spells["til"], strict=True)
]
case_months = spells.explode("months").rename(columns={"person": "person_id", "months": "month"})
case_months["month"] = case_months["month"].astype(str)
case_months = case_months[["person_id", "month", "status", "beløb pr. md."]]
case_months.head()

# %% [markdown]
# The amounts paid become the contract's `expenditure` table: public
# expenditure per **family** and month, by domain (`beskæftigelse` =
# employment).

# %%
expenditure = (
    case_months.merge(parents[["person_id", "family_id"]], on="person_id")
    .groupby(["family_id", "month"], as_index=False)["beløb pr. md."]
    .sum()
    .rename(columns={"beløb pr. md.": "amount_dkk"})
    .assign(domain="beskæftigelse")[["family_id", "month", "domain", "amount_dkk"]]
)
expenditure.head()

# %% [markdown]
# ## 4. SOCIO13: one status per year (2017–2018)
#
# For the years before the case system's history we have Danmarks Statistik's
# SOCIO13 code per parent and year. The package ships a proposed mapping of
# SOCIO13 onto the contract; `status_mapping("socio13")` gives it as a frame to
# read, edit and pass back. Rows with a `judgement` note are choices an
# evaluator may make differently.

# %%
socio13_mapping = status_mapping("socio13")
socio13_mapping[socio13_mapping["judgement"] != ""][["code", "title_da", "status", "judgement"]]

# %% [markdown]
# The families in this programme are far from the labour market: a parent
# who was unemployed most of the year (code 210) is far more likely to have
# been on cash benefit than on unemployment insurance (dagpenge). We edit that
# row accordingly — and would state it in the evaluation:

# %%
unemployed = socio13_mapping["code"] == "210"
socio13_mapping.loc[unemployed, "status"] = "cash_benefit"
socio13_mapping.loc[unemployed, "judgement"] = "Edited: in this population the unemployed are mostly on cash benefit."
socio13_mapping[unemployed]

# %%
socio13 = pd.DataFrame(
    {
        "person_id": ["P01", "P01", "P02", "P02", "P05", "P05", "P07", "P07", "P08", "P08", "P10", "P10"],
        "year": [2017, 2018] * 6,
        "socio13": [330, 330, 220, 330, 310, 330, 330, 330, 135, 210, 330, 220],
    }
)
socio13["status"] = map_status(socio13["socio13"], socio13_mapping)
socio13

# %% [markdown]
# SOCIO13 is annual, the contract is monthly. Here each year's status is given
# to all twelve of its months — a strong simplification (a parent who found a
# job in October counts as unemployed all year). Use it only where nothing
# finer exists, and prefer DREAM, as for 2019 below.

# %%
socio13_months = socio13.assign(month=[[f"{y}-{m:02d}" for m in range(1, 13)] for y in socio13["year"]]).explode(
    "month"
)[["person_id", "month", "status"]]
socio13_months.head(3)

# %% [markdown]
# ## 5. DREAM: weeks to months (2019)
#
# DREAM is wide: one row per person, a column `y_YYWW` per week holding that
# week's benefit code (empty = no benefit), and — from 2008 — monthly
# employment rates `grad_YYYY_MM`. We build a tiny table for 2019 from spells
# of weeks. **The codes here are made up for the example (K1, S1, …)**: no
# DREAM code list ships with the package, because it changes with
# legislation; write the mapping table for your extract from the DREAM
# documentation.

# %%
dream_mapping = pd.DataFrame(
    {
        "code": ["K1", "R1", "S1", "U1", "L1"],
        "title_da": ["Kontanthjælp", "Ressourceforløb", "Sygedagpenge", "Uddannelseshjælp", "Ledighedsydelse"],
        "status": ["cash_benefit", "resource_course", "sickness_benefit", "cash_benefit", "flexjob_waiting"],
    }
)
benefit_weeks = {  # person: [(first week, last week, code), ...] in 2019
    "P01": [(1, 52, "K1")],
    "P02": [(1, 30, "K1"), (31, 52, "R1")],
    "P05": [(1, 52, "U1")],
    "P07": [(1, 52, "K1")],
    "P08": [(1, 13, "S1")],  # then in work from April: no benefit weeks
    "P10": [(1, 20, "K1"), (21, 52, "S1")],
}
dream = pd.DataFrame({"person_id": list(benefit_weeks)})
for week in range(1, 53):
    dream[f"y_19{week:02d}"] = [
        next((code for first, last, code in person_spells if first <= week <= last), None)
        for person_spells in benefit_weeks.values()
    ]
dream.iloc[:, :8]

# %% [markdown]
# The monthly employment rates, as DREAM delivers them (with a decimal
# comma): P08 was in work from April. A month with no benefit week and a
# rate above 0 counts as `job`.

# %%
employment = pd.DataFrame({"person_id": list(benefit_weeks)})
for month in range(1, 13):
    employment[f"grad_2019_{month:02d}"] = [
        "0,85" if person == "P08" and month >= 4 else "" for person in employment["person_id"]
    ]
employment.iloc[:, :6]

# %% [markdown]
# `dream_months` gives each month the status of most of its benefit weeks (a
# week belongs to the month of its Thursday, as ISO weeks do), `job` for a
# month without benefit weeks but with employment, and — with `otherwise` —
# a status for months with neither (`None`, the default, leaves them out).

# %%
dream_status = dream_months(dream, dream_mapping, employment, otherwise="other")
dream_status[dream_status["person_id"] == "P08"].head(6)

# %% [markdown]
# ## 6. One status per parent and month
#
# The three sources cover different years here, but in real extracts they
# overlap. Decide which source wins a month and apply it explicitly: the case
# system first (it knows the measures best), then DREAM, then SOCIO13.

# %%
sources = {"case system": case_months, "DREAM": dream_status, "SOCIO13": socio13_months}
parent_status = (
    pd.concat(
        [frame[["person_id", "month", "status"]].assign(source=name) for name, frame in sources.items()],
        ignore_index=True,
    )
    .astype({"status": "str"})
    .drop_duplicates(["person_id", "month"], keep="first")  # the first source listed wins
    .sort_values(["person_id", "month"])
)
parent_status.groupby("source").agg(rows=("month", "size"), first=("month", "min"), last=("month", "max"))

# %% [markdown]
# ## 7. Write the contract tables and load them
#
# Each table becomes one file named after it. `oe.load` then checks
# everything against the contract — the same check as for any extract.

# %%
extract = Path(work.name) / "extract"
extract.mkdir()
tables = {
    "families": families,
    "parents": parents,
    "children": children,
    "parent_status": parent_status.drop(columns="source"),
    "expenditure": expenditure,
}
for name, frame in tables.items():
    frame.to_csv(extract / f"{name}.csv", index=False)
sorted(path.name for path in extract.iterdir())

# %%
ex = oe.load(extract, progress=False)
ex

# %% [markdown]
# The loaded tables use the contract's codes throughout — Danish labels,
# dates and months have been read into one form:

# %%
ex.families

# %%
ex.parent_status.head()

# %% [markdown]
# From here the evaluation goes as in `01_walkthrough`. Keep the two edited
# mapping tables with the evaluation — e.g. `case_mapping.to_csv(...)` — so the
# report's readers can see how every code was counted; `map_status` and
# `dream_months` also accept the path of such a CSV file.

# %%
work.cleanup()
