"""Write ``refactor_snapshot.csv``: every number of the pre-refactor evaluation, for the typed-core refactor (#8).

The typed core (measure registry, typed parts, one estimator path) must not
move any number. This script ran once on the code *before* that refactor
(commit fa83286, in a git worktree of it) and stored what it printed; the
test ``tests/test_refactor_identity.py`` evaluates the same extracts with
the current code and compares. Run it again only to re-baseline against a
version whose numbers are known to be right:

    git worktree add /tmp/before fa83286
    PYTHONPATH=/tmp/before/src .venv/bin/python tests/reference/make_refactor_snapshot.py

Every number is written with ``repr`` (shortest round-trip form), so the
comparison can be exact; the texts (reason, method, design, scale) beside
them as they are (``text:`` before the key).
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import opgang_eval as oe
from opgang_eval.synthetic import Scenario, generate, write_extracts

HERE = Path(__file__).parent
SAMPLE = HERE.parent.parent / "data" / "sample"
OUT = HERE / "refactor_snapshot.csv"

#: Result fields compared (those every version has): numbers, and the words that go with them.
FIELDS = ("estimate", "ci_low", "ci_high", "n", "n_families", "std_error", "p_value")
TEXT_FIELDS = ("reason", "method", "design", "scale")


def scenarios(tmp: Path) -> dict[str, tuple[Path, dict[str, object]]]:
    """Extract folder and config overrides of each snapshot scenario."""
    fast = {"bootstrap_replicates": 199}
    unit = tmp / "unit_costs"
    shutil.copytree(SAMPLE, unit)
    (unit / "expenditure.csv").unlink()
    alone = tmp / "no_control"
    shutil.copytree(SAMPLE, alone)
    fam = pd.read_csv(alone / "families.csv", dtype=str, keep_default_na=False)
    keep = set(fam.loc[fam["arm"] == "intervention", "family_id"])
    for name in ("families", "parents", "children"):
        t = pd.read_csv(alone / f"{name}.csv", dtype=str, keep_default_na=False)
        t[t["family_id"].isin(keep)].to_csv(alone / f"{name}.csv", index=False)
    persons = set(pd.read_csv(alone / "parents.csv", dtype=str)["person_id"]) | set(
        pd.read_csv(alone / "children.csv", dtype=str)["person_id"]
    )
    for name in ("parent_status", "school_absence", "youth_jobs", "survey"):
        t = pd.read_csv(alone / f"{name}.csv", dtype=str, keep_default_na=False)
        t[t["person_id"].isin(persons)].to_csv(alone / f"{name}.csv", index=False)
    t = pd.read_csv(alone / "expenditure.csv", dtype=str, keep_default_na=False)
    t[t["family_id"].isin(keep)].to_csv(alone / "expenditure.csv", index=False)
    pool = tmp / "pool"
    write_extracts(generate(Scenario(intervention_families=40, control_families=0, comparison_families=400), 7), pool)
    both = tmp / "both"
    write_extracts(generate(Scenario(intervention_families=40, control_families=40, comparison_families=300), 11), both)
    return {
        "sample": (SAMPLE, fast),
        "sample_discounted": (SAMPLE, {**fast, "discount_rate": 0.035, "end": "2022-12"}),
        "unit_costs": (unit, fast),
        "no_control": (alone, fast),
        "pool_matched": (pool, {**fast, "programme_cost_dkk": 8_000_000}),
        "pool_matched_2to1": (pool, {**fast, "comparison": {"ratio": 2, "replace": True, "caliper": 0.5}}),
        "pool_weighted": (pool, {**fast, "comparison": {"method": "weighting"}}),
        "both_forced_observational": (both, {**fast, "design": "observational"}),
        "both_randomised": (both, fast),
    }


def rows(name: str, ev: oe.Evaluation) -> list[tuple[str, str, str]]:
    """(scenario, key, value) for every number of the evaluation."""
    out: list[tuple[str, str, str]] = []

    def put(key: str, value: object) -> None:
        if isinstance(value, float | int | np.floating | np.integer) and not isinstance(value, bool):
            out.append((name, key, repr(float(value))))

    def words(key: str, r: object) -> None:
        for f in TEXT_FIELDS:
            value = getattr(r, f, None)
            if value is not None:
                out.append((name, f"text:{key}/{f}", str(value)))

    for arm, per_arm in ev.arms.items():
        for measure, r in per_arm.items():
            for f in FIELDS:
                put(f"arm/{arm}/{measure}/{f}", getattr(r, f, None))
            words(f"arm/{arm}/{measure}", r)
    for measure, r in ev.effects.items():
        for f in FIELDS:
            put(f"effect/{measure}/{f}", getattr(r, f, None))
        words(f"effect/{measure}", r)
    out.append((name, "text:design", "none" if ev.design == "before_after" else str(ev.design)))
    for arm, per_arm in ev.survey_by_arm.items():
        for item, r in per_arm.items():
            for f in FIELDS:
                put(f"survey/{arm}/{item}/{f}", getattr(r, f, None))
            words(f"survey/{arm}/{item}", r)
            for p in ("mean_baseline", "mean_followup", "p_value"):
                put(f"survey/{arm}/{item}/parts/{p}", r.parts[p])
    sv = ev.measures.get("savings_per_family")
    if sv is not None and sv.available:
        for p in (
            "mean_cost_reference",
            "mean_cost_intervention",
            "programme_cost_per_family",
            "net_per_family",
            "net_total",
            "benefit_cost_ratio",
            "last_year_savings_per_family",
            "break_even_years",
            "mean_window_months",
            "pre_enrolment_monthly_difference",
        ):
            if p in sv.parts:
                put(f"savings/parts/{p}", sv.parts[p])
    for table in ("savings_by_domain", "savings_by_year", "savings_by_month", "savings_sensitivity"):
        frame = ev.tables[table]
        key = {"savings_by_domain": "domain", "savings_by_year": "year", "savings_by_month": "k"}.get(table)
        for _, rec in frame.reset_index(drop=True).iterrows():
            label = str(rec[key]) if key else f"{rec['input']}:{rec['setting']!r}"
            for column in ("reference", "intervention", "savings", "cumulative_savings", "net_per_family"):
                if column in frame.columns:
                    put(f"{table}/{label}/{column}", rec[column])
            if not key:
                put(f"{table}/{label}/savings_per_family", rec["savings_per_family"])
    by_site = ev.tables["by_site"]
    for rec in by_site.itertuples(index=False):
        for f in ("estimate", "ci_low", "ci_high", "n", "n_families"):
            put(f"by_site/{rec.site}/{rec.arm}/{rec.measure}/{f}", getattr(rec, f))
    for table in ("flow", "trajectory", "rates", "transitions"):
        frame = ev.tables[table]
        if table == "flow":  # rows are keyed by position: leave out those of a measure added since (#10)
            frame = frame[frame["measure"] != "parents_in_flexjob"]
        for i, rec in frame.reset_index(drop=True).iterrows():
            for column, value in rec.items():
                put(f"{table}/{i}/{column}", value)
    if ev.observational is not None and ev.observational.available:
        bal = ev.tables["balance"]
        for rec in bal.itertuples(index=False):
            put(f"balance/{rec.covariate}/smd", rec.smd)
            put(f"balance/{rec.covariate}/smd_after", rec.smd_after)
        if ev.event_study is not None and ev.event_study.reason is None:
            for rec in ev.event_study.table.itertuples(index=False):
                put(f"event_study/{rec.period}/estimate", rec.estimate)
                put(f"event_study/{rec.period}/std_error", rec.std_error)
    return out


def snapshot() -> list[tuple[str, str, str]]:
    everything: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, (folder, overrides) in scenarios(Path(tmp)).items():
            ev = oe.evaluate(oe.load(folder), config=overrides, progress=False)
            everything.extend(rows(name, ev))
    return everything


if __name__ == "__main__":
    data = snapshot()
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["scenario", "key", "value"])
        writer.writerows(data)
    print(f"wrote {len(data)} values to {OUT}", file=sys.stderr)
