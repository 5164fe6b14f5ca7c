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
# # A site without randomisation: a comparison group from the registers
#
# In Gellerup families were randomised, so the control arm (kontrolgruppe)
# shows what would have happened without the programme. At a new site — say
# Tilst or Viby — there is often no control arm. What the registers do have
# is a **comparison pool** (sammenligningsgruppe): families on benefits
# elsewhere in the municipality, often thousands. opgang-eval builds a
# comparison group from that pool that resembles the intervention families
# *before* they enrolled — by propensity-score matching or weighting — and
# estimates the effects by difference-in-differences.
#
# **This design is weaker than randomisation.** It assumes that, given the
# covariates we can see (age, family, benefit history, status before
# enrolment …), the comparison families' change is what the intervention
# families' change would have been without the programme. Nothing in the data
# can prove that: balance and the pre-trend test below can only reveal some of
# the ways it fails. Every effect says which design it rests on, and so does
# the report. The method is described in `docs/observational.md`.
#
# Real register data cannot be shown, so we simulate a site whose *true*
# effect we know, and check that the design finds it.

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import opgang_eval as oe
from opgang_eval.synthetic import Scenario, simulate, write_extracts

pd.set_option("display.max_colwidth", 120)
work = tempfile.TemporaryDirectory(prefix="opgang-observational-")
folder = Path(work.name) / "tilst"

# %% [markdown]
# ## 1. Simulate a site: 62 families, no control arm, a pool of 2,000
#
# The generator makes 62 intervention families with the published effects of
# Opgang til Opgang, no control arm (`control_families=0`) and 2,000 register
# families in the pool. Half of the pool is "near the labour market": younger
# parents, fewer children, mostly in work already. Those families are unlike
# the intervention families, and they reach work without any programme — so
# comparing with the whole pool is biased. The rest of the pool is like the
# intervention families, without the programme.
#
# `write_extracts` writes the tables as contract files (`families.csv`, …)
# into a temporary folder, just as a register extract would arrive.

# %%
sim = simulate(Scenario(intervention_families=62, control_families=0, comparison_families=2000), seed=2024)
write_extracts(sim.tables, folder)
sorted(path.name for path in folder.iterdir())

# %% [markdown]
# In the families table the pool's families have arm `comparison`
# (sammenligning) and no enrolment date: the evaluation gives each of them a
# *pseudo-enrolment* month, drawn from the intervention families' enrolment
# calendar, so both groups are observed over the same seasons and years.

# %%
families = pd.read_csv(folder / "families.csv")
families.groupby("arm").head(2)

# %% [markdown]
# ## 2. Load and evaluate
#
# Loading and evaluating is the same as at a randomised site. With no control
# arm, `design = "auto"` (the default) uses the comparison pool.

# %%
ex = oe.load(folder, progress=False)
ex

# %%
ev = oe.evaluate(ex, progress=False)
ev

# %% [markdown]
# The design the effects rest on: `matched` (nearest-neighbour matching on the
# propensity score; `weighted` for inverse-probability weights, `randomised`
# with a control arm).

# %%
ev.design

# %%
print(ev.observational.description)

# %% [markdown]
# ## 3. How the comparison group was built
#
# Families in each group, and how many of them the estimates use
# (`treated_used`, `comparison_used`: families with a positive weight). With
# 1:1 matching without replacement, each intervention family gets its own
# comparison family.

# %%
ev.observational.counts

# %% [markdown]
# Intervention families that were left out, by reason — outside the common
# support of the propensity score, or without a comparison family within the
# caliper. Leaving families out changes whom the effect is about, so the
# report always states the number. Here none had to be left out:

# %%
ev.observational.matching.dropped

# %% [markdown]
# ## 4. Balance (balance)
#
# The balance table compares the two groups' covariate means before matching
# (the whole pool) and after (the matched comparison families). The
# standardised mean difference (SMD, standardiseret middelforskel) is the
# difference in standard deviations; the verdict follows the What Works
# Clearinghouse: |SMD| ≤ 0.05 satisfied, 0.05–0.25 needs statistical
# adjustment, above 0.25 fails. `distance` is the logit of the propensity
# score.

# %%
balance = ev.tables["balance"]
balance[["covariate", "mean_treated", "mean_comparison", "smd", "mean_comparison_after", "smd_after", "flag"]]

# %% [markdown]
# Before matching the pool differs sharply: far more months on benefits and far
# fewer parents in work before enrolment among the intervention families
# (|SMD| above 1). After matching every covariate is within 0.25.
#
# The Love plot shows the same: |SMD| before (open circles) and after (filled)
# for each covariate, with dotted lines at 0.05 and 0.25 — the report's own
# figure from `oe.plot`, disclosure-controlled like the report.

# %%
fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
oe.plot(ev, "love_plot", ax=ax, lang="en")
ax.set_title("Covariate balance, 1:1 nearest-neighbour matching")
plt.show()

# %% [markdown]
# ## 5. Event study and pre-trends (forløbsanalyse)
#
# Balance at enrolment is not enough: the groups should also have *moved
# alike before* enrolment. The event study is the difference in the share of
# parents in work or education between the groups, month by month relative to
# enrolment, against the month before enrolment (`period = -1`, which is 0 by
# construction).

# %%
study = ev.event_study
study.table.head()

# %%
fig, ax = plt.subplots(figsize=(8, 3.2), layout="constrained")
oe.plot(ev, "event_study", ax=ax, lang="en")
plt.show()

# %% [markdown]
# The **pre-trend test** is the joint F test that every coefficient before
# enrolment is zero. A small p-value would say the groups were already
# drifting apart and the comparison is suspect. A large one, as here, is only
# weak reassurance: with 62 families the test has little power.

# %%
study.pretrend

# %% [markdown]
# ## 6. Effects, and how they compare with the truth
#
# Each effect is a difference-in-differences on the matched sample, with
# standard errors clustered by family; `design` says it is `matched`.

# %%
ev.effects["parents_in_work_or_education"]

# %%
frame = ev.to_frame()
frame[frame["kind"] == "effect"][["measure", "estimate", "ci_low", "ci_high", "p_value", "design"]]

# %% [markdown]
# Because the data are simulated, we know the true effect on the share of
# parents in work or education at the end (in percentage points as a
# fraction: 0.22 = 22 pp), and what a *naive* comparison with
# the whole pool would give (the generator's `truth`; an evaluator never has
# it). The naive comparison finds no effect at all — the "near the labour
# market" half of the pool reaches work without the programme — while the
# matched estimate lands close to the truth, well inside its interval.

# %%
truth = sim.truth
estimates = {
    "true effect": {"effect": truth["work_or_education_effect"]},
    "naive: intervention − whole pool": {"effect": truth["naive_work_or_education_effect"]},
}


def add(name: str, effect: oe.Result) -> pd.DataFrame:
    """Add an estimated effect to the comparison and show all of them."""
    estimates[name] = {"effect": effect.estimate, "ci_low": effect.ci_low, "ci_high": effect.ci_high}
    return pd.DataFrame.from_dict(estimates, orient="index")


add("matched (this evaluation)", ev.effects["parents_in_work_or_education"])

# %% [markdown]
# ## 7. Weighting instead of matching
#
# Inverse-probability weighting keeps the whole pool and gives each comparison
# family the weight p/(1−p) of its propensity score p (normalised). It uses
# more families than 1:1 matching, but a few families with large weights can
# dominate. Switch with the configuration:

# %%
weighted = oe.evaluate(ex, config={"comparison": {"method": "weighting"}}, progress=False)
weighted.design

# %%
weighted.tables["balance"][["covariate", "smd", "smd_after", "flag"]]

# %%
add("weighted (this evaluation)", weighted.effects["parents_in_work_or_education"])

# %% [markdown]
# Both adjusted estimates recover the true effect here — because the
# simulation's families differ only in what the covariates measure. With real
# data there may be differences the registers do not record (motivation,
# health, a caseworker's judgement of who is ready for the programme), and no
# balance table can show them.
#
# **So: the observational design is weaker than randomisation.** Report it as
# such, show the balance table and the pre-trend test with the effects, and
# where a site can randomise, randomise. The report does all three
# (`oe.render_report(ev, ...)`).

# %% [markdown]
# The statements made above about this simulated site, checked — the test
# suite runs this notebook, so they cannot silently go out of date:

# %%
matched = ev.effects["parents_in_work_or_education"]
assert ev.design == "matched" and weighted.design == "weighted"
assert not ev.observational.matching.dropped
before = balance.set_index("covariate")["smd"].abs()
assert before["benefit_months"] > 1 and before["baseline_work_or_education"] > 1
assert (balance["smd_after"].abs() <= 0.25).all()
assert study.pretrend["p_value"] > 0.05
assert abs(truth["naive_work_or_education_effect"]) < 0.05
for effect in (matched, weighted.effects["parents_in_work_or_education"]):
    assert effect.ci_low <= truth["work_or_education_effect"] <= effect.ci_high
work.cleanup()
