"""The inference panel: CR2 against R's clubSandwich, randomisation inference against full enumeration,
the wild cluster bootstrap and both inverted intervals against brute-force refits, and the multiplicity table.

Reference values: tests/reference/cr2/ (fixtures and the sample's analysis rows; ``reference.R`` with
clubSandwich 0.5.8 wrote ``reference.csv`` and ``sample_reference.csv``). Brute force: one statsmodels fit
per assignment or bootstrap draw, the slow way the package avoids.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import opgang_eval as oe
from handbuilt import evaluate, spell, write_extract
from opgang_eval.comparison.inference import Regression, assignments, cr2, randomisation, wild_bootstrap
from opgang_eval.comparison.multiplicity import sharpened_q, step_down
from opgang_eval.errors import ConfigError
from opgang_eval.synthetic import Scenario, simulate, write_extracts

REFERENCE = Path(__file__).parent / "reference" / "cr2"
SAMPLE = Path(__file__).parents[1] / "data" / "sample"
CLUSTER = {"use_correction": True, "df_correction": True}


def _regression(d: pd.DataFrame, treated_families: np.ndarray | None = None) -> Regression:
    """The package's regression of a fixture case: y on treat (× post) and stratum dummies, family clusters."""
    did = bool((d["post"] == 0).any())
    cluster = pd.factorize(d["family"])[0]
    first = pd.Series(d["treat"].to_numpy()).groupby(cluster).first().to_numpy().astype(bool)
    treated = first if treated_families is None else treated_families
    t, post = treated[cluster].astype(float), d["post"].to_numpy(float)
    columns = [np.ones(len(d)), t] + ([post, t * post] if did else [])
    strata = None
    if d["stratum"].notna().all():
        columns += list(pd.get_dummies(d["stratum"].astype(str), drop_first=True, dtype=float).to_numpy().T)
        strata = pd.factorize(pd.Series(d["stratum"].to_numpy()).groupby(cluster).first())[0]
    x = np.column_stack(columns)
    moving = np.zeros_like(x)
    moving[:, 1] = 1.0
    if did:
        moving[:, 3] = post
    w = d["weight"].to_numpy(float)
    return Regression(
        d["y"].to_numpy(float), x, 3 if did else 1, cluster, None if (w == 1).all() else w, treated, moving, strata
    )


def _statsmodels_t(reg: Regression, y: np.ndarray | None = None) -> float:
    fit = sm.WLS(reg.y if y is None else y, reg.x, weights=reg.w).fit(
        cov_type="cluster", cov_kwds={"groups": reg.cluster, **CLUSTER}
    )
    return float(fit.params[reg.term] / fit.bse[reg.term])


FIXTURES = pd.read_csv(REFERENCE / "fixtures.csv")
CASES = list(pd.read_csv(REFERENCE / "reference.csv")["case"])


# -- CR2 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_cr2_and_satterthwaite_df_equal_clubsandwich(case):
    ref = pd.read_csv(REFERENCE / "reference.csv").set_index("case").loc[case]
    reg = _regression(FIXTURES[FIXTURES["case"] == case])
    se, df = cr2(reg)
    estimate, se1 = reg.fit()
    assert estimate == pytest.approx(ref["estimate"], rel=1e-9, abs=1e-12)
    assert se == pytest.approx(ref["se_cr2"], rel=1e-9)
    assert df == pytest.approx(ref["df_satterthwaite"], rel=1e-9)
    assert se1 == pytest.approx(ref["se_cr1s"], rel=1e-9)


@pytest.fixture(scope="module")
def sample() -> oe.Evaluation:
    return oe.evaluate(oe.load(SAMPLE), progress=False)


def test_the_sample_panel_equals_clubsandwich_on_the_same_rows(sample):
    ref = pd.read_csv(REFERENCE / "sample_reference.csv").set_index("case")
    assert len(ref) == 5
    for measure, row in ref.iterrows():
        panel = sample.effects[measure].inference
        assert panel.loc["CR2", "estimate"] == pytest.approx(row["estimate"], rel=1e-9)
        assert panel.loc["CR2", "std_error"] == pytest.approx(row["se_cr2"], rel=1e-9)
        assert panel.loc["CR2", "df"] == pytest.approx(row["df_satterthwaite"], rel=1e-9)
        assert panel.loc["CR2", "p_value"] == pytest.approx(row["p_satterthwaite"], rel=1e-8)
        assert panel.loc["CR1", "std_error"] == pytest.approx(row["se_cr1s"], rel=1e-9)
        assert panel.loc["CR1", "p_value"] == pytest.approx(row["p_cr1s_naive"], rel=1e-8)


def test_the_panel_has_one_row_per_method_and_the_savings_says_why_it_is_empty(sample):
    panel = sample.effects["parents_in_work_or_education"].inference
    assert list(panel.index) == ["CR1", "CR2", "wild_bootstrap", "randomisation"]
    assert {"estimate", "std_error", "df", "p_value", "ci_low", "ci_high", "draws", "reason"} <= set(panel)
    assert panel.loc["randomisation", "draws"] == 2000 and panel.loc["wild_bootstrap", "draws"] == 2000
    savings = sample.effects["savings_per_family"].inference
    assert savings["p_value"].isna().all() and savings["reason"].str.contains("not a regression").all()


# -- randomisation inference ------------------------------------------------------------------------
#
# Eight one-parent families in two strata of four, two treated in each: C(4,2)² = 36 assignments, so
# with inference_draws ≥ 36 the test enumerates them all. Status at E = 2022-12 (1 = job):
#   stratum A: I1 job, I2 job, K1 cash, K2 job      stratum B: I3 job, I4 cash, K3 cash, K4 cash
# Two families have two parents (I1 and K3), so clusters matter.

ENUM = [
    ("I1", "intervention", "A", ("job", "job")),
    ("I2", "intervention", "A", ("job",)),
    ("K1", "control", "A", ("cash_benefit",)),
    ("K2", "control", "A", ("job",)),
    ("I3", "intervention", "B", ("job",)),
    ("I4", "intervention", "B", ("cash_benefit",)),
    ("K3", "control", "B", ("cash_benefit", "job")),
    ("K4", "control", "B", ("cash_benefit",)),
]


@pytest.fixture(scope="module")
def enumerated(tmp_path_factory) -> oe.Evaluation:
    folder = tmp_path_factory.mktemp("enum")
    families = [f"{f},{arm},2021-03-15,Gellerup,{s}," for f, arm, s, _ in ENUM]
    parents, status = [], []
    for f, _, _, states in ENUM:
        for i, state in enumerate(states):
            parents.append(f"P{f}{i},{f},1980,F")
            status += [*spell(f"P{f}{i}", "2021-01", "2022-11", "cash_benefit"), f"P{f}{i},2022-12,{state}"]
    write_extract(folder, families="\n".join(families), parents="\n".join(parents), status=status)
    return evaluate(folder, end="2022-12", bootstrap_replicates=50, inference_draws=99)


def _enumeration() -> tuple[float, np.ndarray]:
    """Brute force: every within-stratum assignment, one statsmodels fit each."""
    rows = [(f, s, 1.0 if state == "job" else 0.0) for f, _, s, states in ENUM for state in states]
    fam = np.array([r[0] for r in rows])
    strat = np.array([r[1] for r in rows])
    y = np.array([r[2] for r in rows])
    observed = {f for f, arm, _, _ in ENUM if arm == "intervention"}

    def t_of(treated: set[str]) -> tuple[float, float]:
        x = np.column_stack([np.ones(len(y)), np.isin(fam, list(treated)).astype(float), (strat == "B") * 1.0])
        fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(fam)[0], **CLUSTER})
        return float(fit.params[1] / fit.bse[1]), float(fit.params[1])

    t_obs = t_of(observed)[0]
    a = [f for f, _, s, _ in ENUM if s == "A"]
    b = [f for f, _, s, _ in ENUM if s == "B"]
    draws = [t_of(set(ca) | set(cb)) for ca in itertools.combinations(a, 2) for cb in itertools.combinations(b, 2)]
    t = np.array([d[0] for d in draws])
    p = float(np.mean(np.abs(t) >= abs(t_obs) - 1e-12))
    return p, np.sort([d[1] for d in draws])


def test_randomisation_p_value_equals_full_enumeration(enumerated):
    panel = enumerated.effects["parents_in_work_or_education"].inference
    p, estimates = _enumeration()
    assert panel.loc["randomisation", "exact"]
    assert panel.loc["randomisation", "draws"] == 36
    assert panel.loc["randomisation", "p_value"] == pytest.approx(p, abs=1e-12)
    draws = enumerated.effects["parents_in_work_or_education"].null_draws
    np.testing.assert_allclose(np.sort(draws.estimates), estimates, atol=1e-12)


def test_wild_bootstrap_equals_refitting_every_draw():
    reg = _regression(FIXTURES[FIXTURES["case"] == "did_row_weights"])
    rng = np.random.default_rng(5)
    v = rng.choice([-1.0, 1.0], size=(150, reg.n_clusters))
    test, t = wild_bootstrap(reg, v, 0.95)
    rest = np.delete(reg.x, reg.term, axis=1)
    restricted = sm.WLS(reg.y, rest, weights=reg.w).fit()
    u = reg.y - restricted.fittedvalues
    brute = np.array([_statsmodels_t(reg, restricted.fittedvalues + u * draw[reg.cluster]) for draw in v])
    np.testing.assert_allclose(t, brute, rtol=1e-9, atol=1e-12)
    t_obs = _statsmodels_t(reg)
    assert test.p_value == pytest.approx((np.sum(np.abs(brute) >= abs(t_obs)) + 1) / 151)


@pytest.mark.parametrize("method", ["randomisation", "wild_bootstrap"])
def test_the_interval_is_the_set_of_null_values_the_test_keeps(method):
    """Just inside each end the brute-force test keeps the null value, just outside it rejects it."""
    reg = _regression(FIXTURES[FIXTURES["case"] == "difference"])
    rng = np.random.default_rng(11)
    if method == "randomisation":
        assigned, exact = assignments(reg.treated, reg.strata, 199, rng)
        test, _ = randomisation(reg, assigned, exact, 0.95)
    else:
        v = rng.choice([-1.0, 1.0], size=(199, reg.n_clusters))
        test, _ = wild_bootstrap(reg, v, 0.95)
    treat = reg.treated[reg.cluster].astype(float)

    def brute_p(b0: float) -> float:
        if method == "randomisation":
            y0 = reg.y - b0 * treat  # the sharp null: everyone's outcome without the intervention
            t_obs = _statsmodels_t(reg, y0)
            hits = 0
            for row in assigned:
                moved = Regression(y0, _x_for(reg, row), reg.term, reg.cluster, None, row, reg.moving)
                hits += abs(_statsmodels_t(moved)) >= abs(t_obs) - 1e-12
            return (hits + 1) / (len(assigned) + 1)
        rest = np.delete(reg.x, reg.term, axis=1)
        restricted = sm.OLS(reg.y - b0 * treat, rest).fit()
        u = reg.y - b0 * treat - restricted.fittedvalues
        t_obs = (reg.fit()[0] - b0) / reg.fit()[1]
        hits = 0
        for draw in v:
            y_star = restricted.fittedvalues + b0 * treat + u * draw[reg.cluster]
            fit = sm.OLS(y_star, reg.x).fit(cov_type="cluster", cov_kwds={"groups": reg.cluster, **CLUSTER})
            hits += abs((fit.params[reg.term] - b0) / fit.bse[reg.term]) >= abs(t_obs) - 1e-12
        return (hits + 1) / (len(v) + 1)

    width = test.ci_high - test.ci_low
    assert 0 < width < 1
    # The ends are found to 5e-4 standard errors (about 1.3e-4 of the width): just inside keeps, just outside rejects.
    for end, outward in ((test.ci_low, -1), (test.ci_high, 1)):
        assert brute_p(end - outward * 1e-3 * width) > 0.05
        assert brute_p(end + outward * 1e-3 * width) <= 0.05


def _x_for(reg: Regression, treated: np.ndarray) -> np.ndarray:
    fixed = reg.x - reg.treated[reg.cluster][:, None] * reg.moving
    return fixed + treated[reg.cluster][:, None] * reg.moving


# -- designs, settings, determinism --------------------------------------------------------------


def test_observational_effects_say_randomisation_inference_does_not_apply(tmp_path):
    scenario = Scenario(intervention_families=25, control_families=0, comparison_families=200)
    write_extracts(simulate(scenario, seed=20190901).tables, tmp_path, "parquet")
    ev = evaluate(tmp_path, inference_draws=199)
    assert ev.design == "matched"
    panel = ev.effects["parents_in_work_or_education"].inference
    assert "not randomised" in panel.loc["randomisation", "reason"]
    assert math.isnan(panel.loc["randomisation", "p_value"])
    assert np.isfinite(panel.loc[["CR1", "CR2", "wild_bootstrap"], "p_value"]).all()
    table = ev.tables["multiplicity"].set_index("measure")
    assert table.loc["parents_in_work_or_education", "method"] == "wild_bootstrap"


def test_the_draws_are_seeded(sample):
    again = oe.evaluate(oe.load(SAMPLE), progress=False)
    for measure, effect in sample.effects.items():
        pd.testing.assert_frame_equal(effect.inference, again.effects[measure].inference)
    other = oe.evaluate(oe.load(SAMPLE), {"seed": 7}, progress=False)
    a = sample.effects["youth_job_rate_change"].inference.loc["randomisation", "p_value"]
    assert other.effects["youth_job_rate_change"].inference.loc["randomisation", "p_value"] != a


def test_primary_outcomes_must_be_measures_of_the_evaluation():
    with pytest.raises(ConfigError, match="primary_outcomes"):
        oe.evaluate(oe.load(SAMPLE), {"primary_outcomes": ["parents_in_wrok"]}, progress=False)
    with pytest.raises(ConfigError, match="inference_draws"):
        oe.Config(inference_draws=10)


# -- multiplicity ------------------------------------------------------------------------------------


def test_step_down_by_hand():
    # Observed |t| 3.0 (outcome 0) and 1.0 (outcome 1); four draws of (t0, t1) under the null.
    null_t = np.array([[0.5, 2.0], [3.5, 0.2], [0.1, 0.9], [1.0, 1.5]])
    # Step 1, outcome 0 vs max over both: maxima 2.0, 3.5, 0.9, 1.5 → one reaches 3.0 → (1+1)/5 = 0.4.
    # Step 2, outcome 1 vs its own draws: 2.0, 0.2, 0.9, 1.5 → two reach 1.0 → (1+2)/5 = 0.6.
    np.testing.assert_allclose(step_down(np.array([3.0, -1.0]), null_t, plus_one=True), [0.4, 0.6])
    # Full enumeration: hits / draws, 1/4 and 2/4; monotone: a later step is never below an earlier one.
    np.testing.assert_allclose(step_down(np.array([3.0, 1.0]), null_t, plus_one=False), [0.25, 0.5])
    np.testing.assert_allclose(step_down(np.array([3.0, 2.5]), null_t, plus_one=False), [0.25, 0.25])


def _anderson(p: list[float]) -> list[float]:
    """Anderson's (2008) Stata code for sharpened q-values, transcribed line by line."""
    m = len(p)
    rank = {i: r + 1 for r, i in enumerate(sorted(range(m), key=lambda i: p[i]))}
    q_out = [1.0] * m
    for step in range(1000, 0, -1):
        q = step / 1000
        q1 = q / (1 + q)
        rejected1 = max([rank[i] for i in range(m) if q1 * rank[i] / m >= p[i]], default=0)
        q2 = q1 * (m / (m - rejected1)) if rejected1 < m else math.inf
        rejected2 = max([rank[i] for i in range(m) if q2 * rank[i] / m >= p[i]], default=0)
        for i in range(m):
            if rank[i] <= rejected2:
                q_out[i] = q
    return q_out


def test_sharpened_q_values_follow_andersons_code():
    rng = np.random.default_rng(3)
    for _ in range(20):
        p = list(rng.uniform(0, 0.3, size=int(rng.integers(1, 8))))
        np.testing.assert_allclose(sharpened_q(p), _anderson(p))
    # By hand, p = 0.01 and 0.04 (m = 2): at q = 0.02, q1 = 0.0196 rejects rank 1 (0.0098 ≥ 0.01? no) — nothing;
    # the smallest q rejecting 0.01 in stage one is q1·1/2 ≥ 0.01 → q1 ≥ 0.02 → q ≥ 0.0205 → 0.021; then
    # stage two has q2 = q1·2/(2 − 1) = 0.0411, 0.0411·1/2 ≥ 0.01 (rank 1) and 0.0411·2/2 ≥ 0.04 (rank 2): both.
    assert list(sharpened_q([0.01, 0.04])) == [0.021, 0.021]


def test_the_multiplicity_table_adjusts_each_family_on_its_own(sample):
    table = sample.tables["multiplicity"].set_index("measure")
    assert table.loc["parents_in_work_or_education", "family"] == "primary"
    # A family of one: the adjusted p-value is the test's own.
    own = sample.effects["parents_in_work_or_education"].inference.loc["randomisation", "p_value"]
    assert table.loc["parents_in_work_or_education", "p_adjusted"] == own
    secondary = table[table["family"] == "secondary"].dropna(subset=["p_value"])
    assert len(secondary) == 4 and (secondary["p_adjusted"] >= secondary["p_value"] - 1e-12).all()
    assert math.isnan(table.loc["savings_per_family", "p_value"])
    both = oe.evaluate(
        oe.load(SAMPLE),
        {"primary_outcomes": ["parents_in_work_or_education", "early_retirement_share"]},
        progress=False,
    )
    two = both.tables["multiplicity"].set_index("measure")
    assert two.loc["early_retirement_share", "family"] == "primary"
    null = np.column_stack(
        [both.effects[m].null_draws.t for m in ("parents_in_work_or_education", "early_retirement_share")]
    )
    observed = np.array(
        [both.effects[m].null_draws.observed_t for m in ("parents_in_work_or_education", "early_retirement_share")]
    )
    np.testing.assert_allclose(
        two.loc[["parents_in_work_or_education", "early_retirement_share"], "p_adjusted"],
        step_down(observed, null, plus_one=True),
    )


# -- what an adversarial review found ---------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt:RuntimeWarning")  # statsmodels, singular draws
def test_a_re_randomisation_without_a_defined_statistic_counts_as_extreme():
    """Twelve families in two strata, the effect on four of them (two per stratum): many re-randomisations put both
    of a stratum's four in one arm (the coefficient is not identified) or leave one family alone in an arm (its
    standard error is rounding noise). Brute force: such a draw counts as at least as extreme as the observed."""
    rng = np.random.default_rng(4)
    strata_all = np.repeat([0, 1], 6)
    treated_all = np.array([1, 1, 1, 0, 0, 0] * 2, dtype=bool)
    assigned, exact = assignments(treated_all, strata_all, 1000, rng)
    assert exact and len(assigned) == 400
    members = np.array([0, 3, 6, 9])  # one treated and one control family in each stratum
    cluster = np.repeat(np.arange(4), 3)
    y = rng.normal(size=12) + 0.5 * treated_all[members][cluster]
    strat = strata_all[members]
    x = np.column_stack([np.ones(12), treated_all[members][cluster].astype(float), strat[cluster].astype(float)])
    moving = np.zeros_like(x)
    moving[:, 1] = 1.0
    reg = Regression(y, x, 1, cluster, None, treated_all[members], moving, strat)
    test, _ = randomisation(reg, assigned[:, members], exact, 0.95)
    t_obs = _statsmodels_t(reg)
    hits = 0
    for row in assigned[:, members]:
        xb = _x_for(reg, row)
        if np.linalg.matrix_rank(xb) < xb.shape[1]:
            hits += 1  # not identified
            continue
        fit = sm.OLS(y, xb).fit(cov_type="cluster", cov_kwds={"groups": cluster, **CLUSTER})
        b, se = fit.params[1], fit.bse[1]
        hits += (not se > 1e-8 * abs(b)) or abs(b / se) >= abs(t_obs) - 1e-12
    assert test.p_value == pytest.approx(hits / 400)
    assert test.p_value > 0.5  # most draws cannot be told apart: the test says it cannot reject


def test_a_family_without_a_stratum_is_re_randomised_among_its_own(tmp_path):
    """ENUM plus one control family without a stratum: still C(4,2)² = 36 assignments, not C(9,4) = 126 across."""
    families = [f"{f},{arm},2021-03-15,Gellerup,{s}," for f, arm, s, _ in ENUM] + ["K5,control,2021-03-15,Gellerup,,"]
    parents, status = [], []
    for f, _, _, states in [*ENUM, ("K5", "control", "", ("job",))]:
        for i, state in enumerate(states):
            parents.append(f"P{f}{i},{f},1980,F")
            status += [*spell(f"P{f}{i}", "2021-01", "2022-11", "cash_benefit"), f"P{f}{i},2022-12,{state}"]
    write_extract(tmp_path, families="\n".join(families), parents="\n".join(parents), status=status)
    ev = evaluate(tmp_path, end="2022-12", bootstrap_replicates=50, inference_draws=99)
    panel = ev.effects["parents_in_work_or_education"].inference
    assert panel.loc["randomisation", "exact"] and panel.loc["randomisation", "draws"] == 36


def test_an_enumeration_of_few_families_prints_neither_its_count_nor_its_steps(enumerated, tmp_path):
    """Four families per arm (hidden in the participants table): the 36 assignments would give them away."""
    from opgang_eval.release.collect import collect

    rel = collect(enumerated)
    assert not rel.shown("flow/intervention/families_enrolled")
    key = "inference/parents_in_work_or_education/randomisation/p_value"
    assert not rel.shown(key)
    oe.render_report(enumerated, tmp_path / "out", formats=("html",), lang="en", ledger=False, progress=False)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    section = page[page.index('id="robustness"') :]
    assert "36" not in section[: section.index("</p>")]  # the intro says "all possible", not the count


@pytest.mark.parametrize("which", ["sample", "enumerated"])
def test_adjusted_p_values_are_shown_only_with_every_effect_of_their_family(which, sample, enumerated):
    from opgang_eval.release.collect import collect

    ev = sample if which == "sample" else enumerated
    rel = collect(ev)
    table = ev.tables["multiplicity"]
    listed = rel.facts.inference.measures
    estimated = [m for m, e in ev.effects.items() if e.available and e.inference["reason"].isna().any()]
    assert list(listed) == estimated  # every estimated effect is listed, also one without draws
    for family, members in table[table["measure"].isin(listed)].groupby("family"):
        all_shown = all(rel.shown(f"effect/{m}/estimate") for m in members["measure"])
        for m in members["measure"]:
            for part in ("p_adjusted", "q_value"):
                key = f"multiplicity/{m}/{part}"
                if not all_shown:
                    assert not rel.shown(key), (family, key)


def test_holm_by_hand():
    from opgang_eval.comparison.multiplicity import holm

    # Sorted 0.01, 0.03, 0.04: × 3, × 2, × 1 = 0.03, 0.06, 0.04 → monotone 0.03, 0.06, 0.06.
    np.testing.assert_allclose(holm(np.array([0.01, 0.04, 0.03])), [0.03, 0.06, 0.06])
    np.testing.assert_allclose(holm(np.array([0.5, 0.6])), [1.0, 1.0])


def test_a_large_evaluation_skips_the_draws_and_adjusts_by_holm(monkeypatch):
    """Above RESAMPLE_MAX_FAMILIES families (lowered here below the sample's 124) no draws are made."""
    import opgang_eval.comparison.panel as panel_module
    from opgang_eval.comparison.multiplicity import holm

    monkeypatch.setattr(panel_module, "RESAMPLE_MAX_FAMILIES", 100)
    ev = oe.evaluate(oe.load(SAMPLE), progress=False)
    panel = ev.effects["youth_job_rate_change"].inference
    assert panel.loc[["wild_bootstrap", "randomisation"], "reason"].str.startswith("not run with more than 100").all()
    assert np.isfinite(panel.loc[["CR1", "CR2"], "p_value"]).all()
    table = ev.tables["multiplicity"].set_index("measure")
    secondary = table[(table["family"] == "secondary") & table["p_value"].notna()]
    assert (secondary["method"] == "CR2").all()
    np.testing.assert_allclose(secondary["p_adjusted"], holm(secondary["p_value"].to_numpy()))
    cr2 = ev.effects["school_absence_change"].inference.loc["CR2", "p_value"]
    assert table.loc["school_absence_change", "p_value"] == cr2


@pytest.mark.parametrize(
    ("setting", "named"),
    [('primary_outcomes = ["parents_in_wrok"]', "primary_outcomes"), ("inference_draws = 10", "inference_draws")],
)
def test_the_cli_refuses_bad_inference_settings_with_exit_2_and_writes_nothing(tmp_path, capsys, setting, named):
    from opgang_eval.cli import main

    config = tmp_path / "settings.toml"
    config.write_text(setting + "\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["report", str(SAMPLE), "--out", str(out), "--config", str(config), "--quiet", "--no-ledger"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    assert named in captured.err
    assert not out.exists()
