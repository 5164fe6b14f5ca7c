"""Effects that randomisation protects: the unconditional flexjob share, Lee bounds under selection, the
baseline-adjusted (ANCOVA) sensitivity, and the robustness section's numbers kept behind their effect.

The extract is written here, so every expected number is worked out by hand from it (below), or by a
different method (literal trimming of sorted outcomes; a statsmodels fit of the ANCOVA).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

import opgang_eval as oe
from handbuilt import evaluate, spell, write_extract
from opgang_eval.release.collect import collect

END = "2022-12"
BEFORE = "2021-02"  # m_f − 1 for everyone enrolled on 2021-03-15
JOB, FLEX, CASH = "job", "flexjob", "cash_benefit"

# Five families of two parents per arm. (baseline status in 2021-02, status in 2022-12; None = no status in E)
# Intervention: 8 of 10 with a status in E; 6 in work (4 flexjob, 2 job), 2 cash.
# Control: all 10 with a status; 4 in work (1 flexjob, 3 job), 6 cash.
PARENTS = {
    "intervention": [
        (JOB, FLEX), (CASH, FLEX), (CASH, FLEX), (CASH, FLEX), (JOB, JOB),
        (CASH, JOB), (CASH, CASH), (JOB, CASH), (CASH, None), (CASH, None),
    ],
    "control": [
        (JOB, FLEX), (CASH, JOB), (JOB, JOB), (CASH, JOB), (CASH, CASH),
        (CASH, CASH), (JOB, CASH), (CASH, CASH), (CASH, CASH), (JOB, CASH),
    ],
}  # fmt: skip


def _people() -> list[tuple[str, str, str, str, str | None]]:
    out = []
    for arm, states in PARENTS.items():
        for i, (before, end) in enumerate(states):
            out.append((f"P{arm[0]}{i}", f"F{arm[0]}{i // 2}", arm, before, end))
    return out


@pytest.fixture(scope="module")
def ev(tmp_path_factory) -> oe.Evaluation:
    folder = tmp_path_factory.mktemp("selection")
    people = _people()
    families = sorted({(f, arm) for _, f, arm, _, _ in people})
    status = []
    for person, _, _, before, end in people:
        status += spell(person, "2021-01", BEFORE, before)
        status += spell(person, "2021-03", "2022-11", CASH)
        if end is not None:
            status.append(f"{person},{END},{end}")
    write_extract(
        folder,
        families="\n".join(f"{f},{arm},2021-03-15,Gellerup,," for f, arm in families),
        parents="\n".join(f"{p},{f},1980,F" for p, f, _, _, _ in people),
        status=status,
    )
    return evaluate(folder, end=END, bootstrap_replicates=400, inference_draws=199)


def test_the_flexjob_share_of_all_parents_is_an_effect_randomisation_protects(ev):
    # 4 of 8 intervention parents with a status, 1 of 10 control parents: 0.5 − 0.1 (no strata: a difference of means).
    assert ev.arms["intervention"]["parents_in_flexjob"].estimate == pytest.approx(0.5)
    assert ev.arms["control"]["parents_in_flexjob"].estimate == pytest.approx(0.1)
    assert ev.effects["parents_in_flexjob"].estimate == pytest.approx(0.4)
    table = ev.tables["multiplicity"].set_index("measure")
    assert table.loc["parents_in_flexjob", "family"] == "secondary"
    assert table.loc["flexjob_share_of_work_or_education", "family"] == "descriptive"
    assert np.isnan(table.loc["flexjob_share_of_work_or_education", "p_adjusted"])


def _trimmed_mean(y: list[int], share: float, top: bool) -> float:
    """Drop ``share`` of the persons (fractionally) from the top or the bottom of the sorted outcomes."""
    ordered = sorted(y, reverse=top)
    drop, kept_weight, kept_sum = share * len(y), 0.0, 0.0
    for value in ordered:
        w = min(1.0, max(0.0, 1.0 - drop))  # the part of this person that is kept
        drop = max(0.0, drop - 1.0)
        kept_weight += w
        kept_sum += w * value
    return kept_sum / kept_weight


def test_lee_bounds_for_attrition_by_hand_and_by_literal_trimming(ev):
    row = ev.tables["lee_bounds"].set_index("measure").loc["parents_in_work_or_education"]
    # Selected (a status in E): 8/10 intervention, 10/10 control → the control arm is trimmed by (1 − 0.8)/1 = 0.2.
    assert row["selection"] == "status_in_end"
    assert row["trimmed_arm"] == "control" and row["trimmed_share"] == pytest.approx(0.2)
    control = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]  # in work or education among the control parents
    treated_mean = 6 / 8
    assert row["lower"] == pytest.approx(treated_mean - _trimmed_mean(control, 0.2, top=False))
    assert row["upper"] == pytest.approx(treated_mean - _trimmed_mean(control, 0.2, top=True))
    assert (row["lower"], row["upper"]) == pytest.approx((0.25, 0.5))  # 0.75 − 0.5 and 0.75 − 0.25
    assert row["ci_low"] <= row["lower"] and row["ci_high"] >= row["upper"]


def test_lee_bounds_of_the_flexjob_share_among_those_in_work(ev):
    row = ev.tables["lee_bounds"].set_index("measure").loc["flexjob_share_of_work_or_education"]
    # Selected: a status in E *and* in work, of all parents: 6/10 vs 4/10 → trim the intervention by 0.2/0.6 = 1/3.
    # (Of those with a status only, 6/8 vs 4/10, the two intervention parents lost before would be ignored.)
    assert row["selection"] == "in_work_or_education"
    assert row["trimmed_arm"] == "intervention" and row["trimmed_share"] == pytest.approx(1 / 3)
    flexjob_in_work = [1, 1, 1, 1, 0, 0]
    assert row["lower"] == pytest.approx(_trimmed_mean(flexjob_in_work, 1 / 3, top=True) - 1 / 4)  # 0.5 − 0.25
    assert row["upper"] == pytest.approx(_trimmed_mean(flexjob_in_work, 1 / 3, top=False) - 1 / 4)  # 1 − 0.25
    assert (row["lower"], row["upper"]) == pytest.approx((0.25, 0.75))


def test_ancova_equals_a_statsmodels_fit_of_the_same_parents(ev):
    rows = [
        (p, f, arm == "intervention", before == JOB, end in (JOB, FLEX))
        for p, f, arm, before, end in _people()
        if end is not None
    ]
    data = pd.DataFrame(rows, columns=["person", "family", "treated", "before", "y"]).astype(
        {"treated": float, "before": float, "y": float}
    )
    fit = smf.ols("y ~ treated + before", data).fit(
        cov_type="cluster",
        cov_kwds={"groups": pd.factorize(data["family"])[0], "use_correction": True, "df_correction": True},
    )
    row = ev.tables["ancova"].set_index("measure").loc["parents_in_work_or_education"]
    assert row["estimate"] == pytest.approx(fit.params["treated"], rel=1e-10)
    assert row["unadjusted"] == pytest.approx(6 / 8 - 4 / 10)
    # Nine families have a parent with a status in E (both parents of the fifth intervention family have none).
    assert data["family"].nunique() == 9
    half = row["ci_high"] - row["estimate"]
    assert half == pytest.approx(stats.t.ppf(0.975, 9 - 1) * fit.bse["treated"], rel=1e-10)
    assert row["n"] == 18
    reason = ev.tables["ancova"].set_index("measure").loc["flexjob_share_of_work_or_education", "reason"]
    assert "no baseline" in reason


def test_summary_index_by_hand(ev):
    # No children: the index is the families' work share standardised by the control families (ddof 1).
    # Intervention families (status in E): 1, 1, 1, 0 (the fifth has no parent with a status) → mean 0.75.
    # Control families: 1 (flexjob, job), 1 (job, job), 0, 0, 0 → mean 0.4, SD √((2 · 0.36 + 3 · 0.16)/4) = √0.3.
    # No strata: the coefficient on arm is the difference of the mean z-scores, (0.75 − 0.4)/√0.3.
    index = ev.summary_index
    assert index.estimate == pytest.approx(0.35 / np.sqrt(0.3))
    assert index.n_families == 9
    components = ev.tables["summary_index"].set_index("measure")
    assert components.loc["parents_in_work_or_education", "control_sd"] == pytest.approx(np.sqrt(0.3))
    assert list(index.inference.index) == ["CR1", "CR2", "wild_bootstrap", "randomisation"]
    z_treated = (np.array([1, 1, 1, 0]) - 0.4) / np.sqrt(0.3)
    z_control = (np.array([1, 1, 0, 0, 0]) - 0.4) / np.sqrt(0.3)
    fit = smf.ols("z ~ t", pd.DataFrame({"z": [*z_treated, *z_control], "t": [1] * 4 + [0] * 5})).fit(cov_type="HC1")
    # One row per family, each its own cluster (G = N): CR1's factor G/(G−1)·(N−1)/(N−K) is HC1's N/(N−K).
    assert index.std_error == pytest.approx(fit.bse["t"], rel=1e-10)


# -- the robustness section stays behind its effect ---------------------------------------------------------


@pytest.fixture(scope="module")
def small_control(tmp_path_factory) -> tuple[oe.Evaluation, str]:
    """Six intervention families and three control families of one parent: the control arm is too small."""
    folder = tmp_path_factory.mktemp("small_control")
    arms = ["intervention"] * 6 + ["control"] * 3
    ends = [JOB, JOB, CASH, JOB, FLEX, CASH, JOB, CASH, CASH]
    status = []
    for i, end in enumerate(ends):
        status += [*spell(f"P{i}", "2021-01", "2022-11", CASH), f"P{i},{END},{end}"]
    write_extract(
        folder,
        families="\n".join(f"F{i},{arm},2021-03-15,Gellerup,," for i, arm in enumerate(arms)),
        parents="\n".join(f"P{i},F{i},1980,F" for i in range(len(arms))),
        status=status,
    )
    ev = evaluate(folder, end=END, inference_draws=99)
    out = tmp_path_factory.mktemp("small_control_report")
    oe.render_report(ev, out, formats=("html",), lang="en", ledger=False, progress=False)
    return ev, (out / "report.html").read_text(encoding="utf-8")


def test_no_number_of_a_hidden_effect_leaves_through_the_robustness_section(small_control):
    ev, page = small_control
    effect = ev.effects["parents_in_work_or_education"]
    assert effect.available and effect.inference is not None  # computed, and hidden by the release
    rel = collect(ev)
    assert not rel.shown("effect/parents_in_work_or_education/estimate")
    prefixes = ("inference/", "multiplicity/", "ancova/", "lee/", "null/", "index/")
    leaked = [k for k in rel.values if k.startswith(prefixes) and rel.shown(k)]
    assert leaked == []
    # The published page: no p-value or interval of the hidden effect in the robustness section.
    section = page[page.index('id="robustness"') :]
    section = section[: section.index("</section>", section.index('id="robustness_parents_in_work_or_education"'))]
    text = re.sub(r"<[^>]+>", " ", section)
    for p in effect.inference["p_value"].dropna():
        assert f"{p:.3f}" not in text
    panel = text[text.index("Parents in work or education: the effect by four methods") :]
    assert " pp" not in panel  # no interval, no estimate


def test_the_summary_index_is_hidden_with_any_effect_it_is_made_of(tmp_path):
    """An adversarial review's case: nobody of the control arm in work (so the work component, with no spread
    among the control families, is left out) and the youths' effect hidden (the control youths had no job
    before). Shown, the index would be −(c/6)/√(c(6 − c)/30) and give the hidden count c of control youths with
    a job after; it must be hidden with the youth effect."""
    arms = ["intervention"] * 6 + ["control"] * 6
    status, children, jobs = [], [], []
    for i in range(12):
        status += [*spell(f"P{i}", "2021-01", "2022-11", CASH), f"P{i},{END},{JOB if i < 6 else CASH}"]
        children.append(f"Y{i},F{i},2006,F")
        jobs.append(f"Y{i},2020-06,{3000 if i < 6 else 0}")
        if i < 6 or i - 6 < 2:  # every intervention youth, and c = 2 control youths, with a job after
            jobs.append(f"Y{i},2022-06,3000")
    write_extract(
        tmp_path,
        families="\n".join(f"F{i},{arm},2021-03-15,Gellerup,," for i, arm in enumerate(arms)),
        parents="\n".join(f"P{i},F{i},1980,F" for i in range(12)),
        status=status,
        children="\n".join(children),
        youth_jobs="\n".join(jobs),
    )
    ev = evaluate(tmp_path, end=END, inference_draws=99)
    components = ev.tables["summary_index"].set_index("measure")
    assert list(components.index[components["used"]]) == ["youth_job_rate_change"]
    assert ev.summary_index.estimate == pytest.approx(-(2 / 6) / np.sqrt(2 * 4 / 30))  # what a reader would solve
    rel = collect(ev)
    assert not rel.shown("effect/youth_job_rate_change/estimate")
    assert not any(rel.shown(k) for k in rel.values if k.startswith(("index/", "inference/summary_index/")))


def test_lee_bounds_of_the_absence_change_for_children_without_both_school_years(tmp_path):
    """Two children per family; every child was absent 20 of 200 days in 2019/20 (the baseline: enrolment in
    March 2021). In 2021/22 (the follow-up for E = 2022-12) six of the eight intervention children and four of the
    eight control children have a row. The trimmed share is (6/8 − 4/8)/(6/8) = 1/3 of the intervention's six."""
    post = {
        "I1a": 10, "I1b": 12, "I2a": 14, "I2b": 16, "I3a": 18, "I3b": 30,  # changes −0.05 … +0.05
        "K1a": 20, "K1b": 22, "K2a": 24, "K2b": 26,  # changes 0, 0.01, 0.02, 0.03
    }  # fmt: skip
    families = [f"I{i},intervention,2021-03-15,Gellerup,," for i in range(1, 5)]
    families += [f"K{i},control,2021-03-15,Gellerup,," for i in range(1, 5)]
    fam_ids = [f.split(",")[0] for f in families]
    children = [f"{f}{c},{f},2010,F" for f in fam_ids for c in "ab"]
    absence = [f"{f}{c},2019/20,20,200" for f in fam_ids for c in "ab"]
    absence += [f"{child},2021/22,{days},200" for child, days in post.items()]
    status = [line for f in fam_ids for line in spell(f"P{f}", "2021-01", END, CASH)]
    write_extract(
        tmp_path,
        families="\n".join(families),
        parents="\n".join(f"P{f},{f},1980,F" for f in fam_ids),
        status=status,
        children="\n".join(children),
        school_absence="\n".join(absence),
    )
    ev = evaluate(tmp_path, end=END, inference_draws=99)
    row = ev.tables["lee_bounds"].set_index("measure").loc["school_absence_change"]
    assert row["selection"] == "both_school_years"
    assert row["trimmed_arm"] == "intervention" and row["trimmed_share"] == pytest.approx(1 / 3)
    treated = [(post[c] - 20) / 200 for c in ("I1a", "I1b", "I2a", "I2b", "I3a", "I3b")]
    control_mean = np.mean([(post[c] - 20) / 200 for c in ("K1a", "K1b", "K2a", "K2b")])  # 0.015
    assert row["lower"] == pytest.approx(_trimmed_mean(treated, 1 / 3, top=True) - control_mean)  # −0.035 − 0.015
    assert row["upper"] == pytest.approx(_trimmed_mean(treated, 1 / 3, top=False) - control_mean)  # −0.0025 − 0.015
    assert (row["lower"], row["upper"]) == pytest.approx((-0.05, -0.0175))
    assert row["ci_low"] <= row["lower"] and row["ci_high"] >= row["upper"]


def test_a_lee_bound_is_hidden_with_fewer_than_min_cell_persons_left_after_trimming(tmp_path):
    """Five intervention families, two children each, all ten with both school years (selected share 1); the control
    arm's children fewer of them. The intervention arm is trimmed to q_control · 10 children: with 10 of 20 control
    children selected that keeps 5 (the bound is shown), with 8 of 40 it keeps 2 (hidden), while the effect itself,
    on 10 and 8 children, stays shown."""

    def run(folder: Path, control_families: int, control_with_both: int) -> tuple[oe.Evaluation, object]:
        fam_ids = [f"I{i}" for i in range(5)] + [f"K{i}" for i in range(control_families)]
        families = [f"{f},{'intervention' if f[0] == 'I' else 'control'},2021-03-15,Gellerup,," for f in fam_ids]
        kids = [f"{f}{c}" for f in fam_ids for c in "ab"]
        control_kids = [k for k in kids if k[0] == "K"]
        absence = [f"{k},2019/20,20,200" for k in kids]
        absence += [f"{k},2021/22,{10 + i},200" for i, k in enumerate(kids) if k[0] == "I"]
        absence += [f"{k},2021/22,{20 + i},200" for i, k in enumerate(control_kids[:control_with_both])]
        write_extract(
            folder,
            families="\n".join(families),
            parents="\n".join(f"P{f},{f},1980,F" for f in fam_ids),
            status=[line for f in fam_ids for line in spell(f"P{f}", "2021-01", END, CASH)],
            children="\n".join(f"{k},{k[:-1]},2010,F" for k in kids),
            school_absence="\n".join(absence),
        )
        ev = evaluate(folder, end=END, inference_draws=99)
        return ev, collect(ev)

    parts = ("lower", "upper", "ci_low", "ci_high")
    for name, control_families, with_both, kept, shown in (("five", 10, 10, 5, True), ("two", 20, 8, 2, False)):
        ev, rel = run(tmp_path / name, control_families, with_both)
        row = ev.tables["lee_bounds"].set_index("measure").loc["school_absence_change"]
        assert row["trimmed_arm"] == "intervention" and row["kept"] == pytest.approx(kept)
        assert rel.shown("effect/school_absence_change/estimate")
        assert all(rel.shown(f"lee/school_absence_change/{p}") == shown for p in parts), name
