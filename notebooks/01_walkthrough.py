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
# # Walkthrough: one evaluation from extracts to report
#
# This notebook runs a whole evaluation of a family-focused employment
# intervention on the synthetic sample in `data/sample/`: 62 intervention
# families and 62 randomised control families, calibrated to the published
# results of *Opgang til Opgang* (Gellerup, 2019–2023). No real persons are in
# it, so every number may be shown.
#
# The steps are the ones you take with your own extracts:
#
# 1. **load** the extract folder — it is checked against the data contract
#    (`docs/data-contract.md`) and every problem is listed at once;
# 2. **evaluate** — every measure, interval, effect and table is computed once;
# 3. **look** at the results in the notebook;
# 4. **render** the disclosure-controlled report (HTML, PDF, spreadsheet).
#
# Paths are relative to this notebook's folder (`notebooks/`). Nothing is
# written into the repository: the broken copy and the report go to a
# temporary folder.

# %%
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import opgang_eval as oe
from opgang_eval.presentation import figures

pd.set_option("display.max_colwidth", 120)

SAMPLE = Path("../data/sample")
work = Path(tempfile.mkdtemp(prefix="opgang-walkthrough-"))
oe.__version__

# %% [markdown]
# ## 1. Load and validate the extracts (indlæsning og validering)
#
# `oe.load` reads every table in the folder (CSV, Parquet, Excel, Stata or
# SAS), checks it against the contract and returns the validated extracts.
# `progress=False` keeps the notebook free of progress bars.

# %%
ex = oe.load(SAMPLE, progress=False)
ex

# %% [markdown]
# Families, parents and children per arm (indsats / kontrol):

# %%
ex.arms()

# %% [markdown]
# ### What a validation error looks like
#
# Real extracts rarely pass the first time. To see what happens then, we copy
# the sample to a temporary folder and break it in three places: an arm that is
# not in the vocabulary, an impossible enrolment date (month 13) and a parent
# status the contract does not know.

# %%
broken = work / "broken"
shutil.copytree(SAMPLE, broken)


def edit(path: Path, old: str, new: str) -> None:
    """Replace one piece of text in a file (here: to break it on purpose)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


edit(broken / "families.csv", "F0001,control,", "F0001,treatment,")
edit(broken / "families.csv", "F0002,control,2020-01-30", "F0002,control,2020-13-30")
edit(broken / "parent_status.csv", "P00137,2017-10,resource_course", "P00137,2017-10,vacation")

# %% [markdown]
# Loading it raises one `oe.ValidationError` holding *every* problem, not just
# the first. Its `failures` attribute is a tidy table with one row per
# problem: table, file, column, row (the line in the CSV file, the header being
# line 1), key, value, rule and a hint on what to do.

# %%
try:
    oe.load(broken, progress=False)
except oe.ValidationError as error:
    problem = error
problem.failures

# %% [markdown]
# `counts` has the exact number of failures per rule — useful when a rule is
# broken in thousands of rows and only the first examples are kept:

# %%
problem.counts

# %% [markdown]
# The same report, as text (this is what `opgang-eval validate DIR` prints):

# %%
print(problem.report())

# %% [markdown]
# ## 2. Evaluate (evaluering)
#
# `oe.evaluate` computes every headline measure for each arm, the effects
# against the control arm, the cost account and the descriptive tables. It
# uses the folder's `evaluation.toml`; a dict passed as `config` is applied on
# top of it. We keep the default 2,000 bootstrap replicates here — the sample
# is small, so it takes a second or two. On a large extract you can try things
# out faster with e.g. `config={"bootstrap_replicates": 200}` and use the
# default for the final run.

# %%
ev = oe.evaluate(ex, progress=False)
ev

# %% [markdown]
# ## 3. The results
#
# ### Headline measures (hovedresultater)
#
# `ev.measures` holds the intervention arm's headline measures; each is a
# result object with the estimate, its 95 % interval, how many persons and
# families it rests on, the method in words and the parts it was computed
# from. In a notebook each displays as a table.
#
# **Parents in work or education** (forældre i beskæftigelse eller
# uddannelse) at the end month `E`:

# %%
ev.measures["parents_in_work_or_education"]

# %% [markdown]
# Of those, the share in **flexjob** (fleksjob):

# %%
ev.measures["flexjob_share_of_work_or_education"]

# %% [markdown]
# The share on **early-retirement pension** (førtidspension):

# %%
ev.measures["early_retirement_share"]

# %% [markdown]
# Children's **school absence** (skolefravær): the relative change of the
# pooled absence rate from the school year before enrolment to the last one
# (−0.25 = a quarter less absence). Intervals are a bootstrap over families.

# %%
ev.measures["school_absence_change"]

# %% [markdown]
# The **after-school job rate of youths** aged 13–17 (fritidsjob), relative
# change:

# %%
ev.measures["youth_job_rate_change"]

# %% [markdown]
# **Savings per family** (besparelse pr. familie) in DKK: mean public cost per
# control family minus mean cost per intervention family.

# %%
ev.measures["savings_per_family"]

# %% [markdown]
# `print` gives the same information as text:

# %%
print(ev.measures["parents_in_work_or_education"])

# %% [markdown]
# The control arm's measures are in `ev.arms["control"]`:

# %%
ev.arms["control"]["parents_in_work_or_education"]

# %% [markdown]
# ### Everything as one tidy table
#
# `ev.to_frame()` has one row per measure and arm, per effect and per survey
# item — the table to filter, plot or export yourself.

# %%
frame = ev.to_frame()
frame[["measure", "kind", "arm", "estimate", "ci_low", "ci_high", "n", "n_families"]]

# %% [markdown]
# ### Effects against the control arm (effekter)
#
# `ev.effects` is intervention − control. For shares the difference is in
# percentage points, stored as a fraction (0.22 = 22 pp), from a linear model
# with standard errors clustered by family and stratum fixed effects (families
# were randomised within strata). Every effect says which design it rests on —
# here `randomised`.

# %%
ev.effects["parents_in_work_or_education"]

# %%
effects = frame[frame["kind"] == "effect"]
effects[["measure", "estimate", "ci_low", "ci_high", "p_value", "scale", "design"]]

# %% [markdown]
# ## 4. Costs and savings (økonomi)
#
# The cost account: the public cost per family in each arm over the families'
# windows, the gross savings, the programme cost per family, the net result,
# the benefit-cost ratio and the break-even horizon (years after enrolment
# until savings cover the programme cost).

# %%
ev.tables["cost_account"]

# %% [markdown]
# Savings by domain (område) and by calendar year:

# %%
ev.tables["savings_by_domain"]

# %%
ev.tables["savings_by_year"]

# %% [markdown]
# The sensitivity table shows how the net result per family moves when one
# input changes: costs ±20 %, the discount rate 3.5 % (the Ministry of
# Finance's rate), the horizon ±12 months and the programme cost ±20 %.

# %%
ev.tables["savings_sensitivity"]

# %% [markdown]
# ## 5. Figures
#
# The report's figure functions live in `opgang_eval.presentation.figures`.
# Each takes a tidy table and a dict of labels, draws into the axes you give it
# (`ax=`) and returns the figure — so you can put them side by side, restyle
# them or save them for slides.
#
# **Careful:** numbers in memory are not disclosure-controlled — you see
# everything. The report hides cells based on fewer than 5 persons
# (`min_cell`) before it draws; figures made here from `ev.tables` do not.
# For publication, use the report's `figures/*.svg`.
#
# Share of parents in work or education by months since enrolment, next to
# the savings curve. The trajectory table has, per arm and month `k`, the
# parents observed (`n`), those in work or education (`work`) and the share:

# %%
trajectory = ev.tables["trajectory"]
trajectory.tail()

# %% [markdown]
# The last months rest on the few families who enrolled first (k = 47 is one
# control parent), so the curve would jump about there. `oe.plot` draws any of
# the report's figures as a matplotlib figure — into your own axes if you pass
# `ax` — with the report's disclosure rule already applied: a share is shown
# only when at least 5 parents are behind it and neither those in work nor
# the others are 1–4 persons (a hidden share is simply not drawn). Restyle it
# as you like; it is as safe to paste into a slide as the report itself.

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.4), layout="constrained")
oe.plot(ev, "trajectory", ax=left, lang="en")
left.set_title("Parents in work or education")
by_month = ev.tables["savings_by_month"]
right.plot(by_month["k"], by_month["cumulative_savings"] / 1000, color=figures.PALETTE["work"])
right.axhline(0, color="#666", lw=0.8)
right.set_xlabel("Months since enrolment")
right.set_ylabel("Cumulative savings per family (1,000 DKK)")
right.set_title("Savings build up over time")
plt.show()

# %% [markdown]
# The tornado chart of the sensitivity table, as in the report: each bar is
# the net result per family when one input moves, drawn from the base value.
# The names of all report figures are in `opgang_eval.presentation.FIGURES`.

# %%
fig, ax = plt.subplots(figsize=(7, 3), layout="constrained")
oe.plot(ev, "savings_sensitivity", ax=ax, lang="en")
plt.show()

# %% [markdown]
# ## 6. The configuration (indstillinger)
#
# `ev.config` is the configuration the evaluation actually used: the folder's
# `evaluation.toml`, anything passed as `config`, and the defaults. The report
# prints it in its appendix, so a reader can rerun the evaluation.

# %%
print(ev.config)

# %% [markdown]
# To change a setting, pass it as a dict — e.g. discount the costs at the
# Ministry of Finance's 3.5 % a year:

# %%
discounted = oe.evaluate(ex, config={"discount_rate": 0.035}, progress=False)
discounted.measures["savings_per_family"]

# %% [markdown]
# ## 7. The report (rapport)
#
# `oe.render_report` writes the disclosure-controlled report. Here only the
# HTML page (`formats=("html",)`), in English, to a temporary folder; the PDF
# and the spreadsheet are `"pdf"` and `"xlsx"`, and `lang="da"` gives it in
# Danish. Open `report.html` in a browser.

# %%
written = oe.render_report(ev, work / "report", formats=("html",), lang="en", progress=False)
[str(path.relative_to(work)) for path in written]

# %%
report = work / "report" / "report.html"
f"{report.stat().st_size / 1024:.0f} KiB"

# %% [markdown]
# The temporary folder is removed at the end; in your own work, write the
# report to a folder of your choice (`reports/` in this repository is ignored
# by git).

# %%
shutil.rmtree(work)
