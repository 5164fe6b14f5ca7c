"""The matcher, the propensity model, inverse-probability weights and the balance table.

Every expected value is worked out by hand in the comments, or by a brute-force
search written here (a full scan of all comparison units), never by calling the
matcher a second way.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from opgang_eval.comparison.balance import balance_table, wwc_flag
from opgang_eval.comparison.matching import common_support, ipw_weights, nearest_neighbour, propensity_model

T, C = True, False


def _pairs(m) -> list[tuple[int, int]]:
    """The matches as sorted (treated position, control position) pairs."""
    return sorted(zip(m.pairs["treated"].tolist(), m.pairs["control"].tolist(), strict=True))


# -- 1:1 without replacement: the greedy order decides --------------------------------------


# position:   0    1    2    3    4
# unit:       C0   Tb   C1   Ta   C2
DISTANCE = np.array([18.0, 17.0, 12.0, 20.0, 26.0])
TREATED = np.array([C, T, C, T, C])


def test_largest_first_takes_the_shared_neighbour_first():
    # Both want C0 (18): Ta (20) at gap 2, Tb (17) at gap 1.
    # "largest": Ta (20) chooses first: C0 gap 2 < C2 gap 6 → C0.
    #            Tb (17): C0 taken; C1 (12) gap 5 < C2 (26) gap 9 → C1.
    m = nearest_neighbour(DISTANCE, TREATED, order="largest")
    assert _pairs(m) == [(1, 2), (3, 0)]
    assert m.pairs.set_index("treated")["distance"].to_dict() == {3: 2.0, 1: 5.0}
    assert m.weights.tolist() == [1, 1, 1, 1, 0]
    assert m.dropped == {}
    assert math.isnan(m.caliper)


def test_smallest_first_gives_the_other_assignment():
    # "smallest": Tb (17) first: C0 gap 1 → C0.
    #             Ta (20): C0 taken; C2 (26) gap 6 < C1 (12) gap 8 → C2.
    m = nearest_neighbour(DISTANCE, TREATED, order="smallest")
    assert _pairs(m) == [(1, 0), (3, 4)]
    assert m.weights.tolist() == [1, 1, 0, 1, 1]


def test_data_order_follows_positions():
    # "data": Tb (position 1) before Ta (position 3) → the same as "smallest" here.
    assert _pairs(nearest_neighbour(DISTANCE, TREATED, order="data")) == [(1, 0), (3, 4)]
    # Swap the two treated units' positions: Ta first → the same as "largest".
    swapped = np.array([18.0, 20.0, 12.0, 17.0, 26.0])
    assert _pairs(nearest_neighbour(swapped, TREATED, order="data")) == [(1, 0), (3, 2)]


def test_with_replacement_both_take_their_nearest():
    # Ta → C0 (gap 2 < 6), Tb → C0 (gap 1 < 5): C0's weight is 1/1 + 1/1 = 2.
    m = nearest_neighbour(DISTANCE, TREATED, replace=True)
    assert _pairs(m) == [(1, 0), (3, 0)]
    assert m.weights.tolist() == [2, 1, 0, 1, 0]


# -- ties ------------------------------------------------------------------------------------


@pytest.mark.parametrize("replace", [False, True])
def test_equal_gaps_left_and_right_go_to_the_lower_distance(replace):
    # T at 10 between C at 12 (position 0) and C at 8 (position 2): gaps 2 and 2 → 8, the lower.
    m = nearest_neighbour(np.array([12.0, 10.0, 8.0]), np.array([C, T, C]), replace=replace)
    assert _pairs(m) == [(1, 2)]


@pytest.mark.parametrize("replace", [False, True])
def test_identical_controls_below_go_to_the_lower_position(replace):
    # T at 11, two controls at 12 (positions 0 and 2): equal gaps 1 → position 0.
    m = nearest_neighbour(np.array([12.0, 11.0, 12.0]), np.array([C, T, C]), replace=replace)
    assert _pairs(m) == [(1, 0)]


def test_identical_controls_above_go_to_the_lower_position_without_replacement():
    # T at 13, two controls at 12 (positions 0 and 2): equal gaps 1 → the first in data order, position 0.
    m = nearest_neighbour(np.array([12.0, 13.0, 12.0]), np.array([C, T, C]))
    assert _pairs(m) == [(1, 0)]
    # Once position 0 is taken, the other identical control is next: T at 13 and T at 14 ("largest": 14 first).
    m = nearest_neighbour(np.array([12.0, 13.0, 12.0, 14.0]), np.array([C, T, C, T]))
    assert _pairs(m) == [(1, 2), (3, 0)]


# -- calipers --------------------------------------------------------------------------------


def test_caliper_drops_a_unit_whose_only_near_control_was_taken():
    # Caliper 4. "largest": Ta (20) → C0 (gap 2 ≤ 4).
    # Tb (17): C0 taken; C1 gap 5 and C2 gap 9 are beyond 4 → dropped.
    m = nearest_neighbour(DISTANCE, TREATED, caliper=4.0)
    assert _pairs(m) == [(3, 0)]
    assert m.dropped == {"no_match_within_caliper": 1}
    assert m.weights.tolist() == [1, 0, 0, 1, 0]
    assert m.caliper == 4.0


def test_caliper_with_replacement_lets_both_use_the_near_control():
    # Caliper 4 with replacement: Ta → C0 (2), Tb → C0 (1); nobody dropped.
    m = nearest_neighbour(DISTANCE, TREATED, caliper=4.0, replace=True)
    assert _pairs(m) == [(1, 0), (3, 0)]
    assert m.dropped == {}


@pytest.mark.parametrize("replace", [False, True])
def test_caliper_drops_a_unit_whose_nearest_control_is_too_far(replace):
    # Add Tc at 50 (position 5): nearest C2 (26) at gap 24 > 4 → dropped either way.
    # Without replacement Tc chooses first ("largest") but finds nothing; Ta → C0, Tb dropped.
    # With replacement Ta and Tb → C0, only Tc dropped.
    d = np.append(DISTANCE, 50.0)
    t = np.append(TREATED, T)
    m = nearest_neighbour(d, t, caliper=4.0, replace=replace)
    assert m.weights[5] == 0
    assert m.dropped == {"no_match_within_caliper": 1 if replace else 2}


def test_caliper_boundary_is_inclusive():
    # Gap exactly equal to the caliper is accepted: T 10, C 12, caliper 2.
    m = nearest_neighbour(np.array([10.0, 12.0]), np.array([T, C]), caliper=2.0)
    assert _pairs(m) == [(0, 1)]


# -- k:1 -------------------------------------------------------------------------------------

# position:  0    1    2    3    4    5    6
# unit:      C0   T0   C1   C2   T1   C3   T2
K_DISTANCE = np.array([0.0, 4.0, 10.0, 30.0, 22.0, 100.0, 95.0])
K_TREATED = np.array([C, T, C, C, T, C, T])


def test_two_to_one_with_replacement_weights():
    # T0 (4):  gaps C0 4, C1 6, C2 26, C3 96 → {C0, C1}
    # T1 (22): gaps C2 8, C1 12, C0 22, C3 78 → {C2, C1}
    # T2 (95): gaps C3 5, C2 65 → {C3, C2}
    # weights: C0 ½, C1 ½ + ½ = 1, C2 ½ + ½ = 1, C3 ½; the comparison weights sum to 3 = n treated.
    m = nearest_neighbour(K_DISTANCE, K_TREATED, ratio=2, replace=True)
    assert _pairs(m) == [(1, 0), (1, 2), (4, 2), (4, 3), (6, 3), (6, 5)]
    assert m.weights.tolist() == pytest.approx([0.5, 1, 1, 1, 1, 0.5, 1])
    # The first-round match is the nearest one.
    first = m.pairs[m.pairs["round"] == 0].set_index("treated")["control"].to_dict()
    assert first == {1: 0, 4: 3, 6: 5}


def test_three_to_one_with_replacement_weights():
    # T0: {C0 4, C1 6, C2 26};  T1: {C2 8, C1 12, C0 22};  T2: {C3 5, C2 65, C1 85}
    # C0: ⅓ + ⅓ = ⅔;  C1: ⅓ · 3 = 1;  C2: ⅓ · 3 = 1;  C3: ⅓.
    m = nearest_neighbour(K_DISTANCE, K_TREATED, ratio=3, replace=True)
    assert m.weights.tolist() == pytest.approx([2 / 3, 1, 1, 1, 1, 1 / 3, 1])
    assert m.weights[~K_TREATED].sum() == pytest.approx(3)


def test_two_to_one_without_replacement_runs_in_rounds():
    # "largest" order: T2 (95), T1 (22), T0 (4).
    # Round 0: T2 → C3 (gap 5); T1 → C2 (8); T0 → C0 (4).
    # Round 1: T2 → C1, the only one left (gap 85); T1 and T0 find nothing free.
    # T2 has 2 matches (C3, C1 weigh ½), T1 and T0 one each (C2, C0 weigh 1).
    m = nearest_neighbour(K_DISTANCE, K_TREATED, ratio=2)
    assert _pairs(m) == [(1, 0), (4, 3), (6, 2), (6, 5)]
    assert m.pairs.set_index("control")["round"].to_dict() == {5: 0, 3: 0, 0: 0, 2: 1}
    assert m.weights.tolist() == pytest.approx([1, 1, 0.5, 1, 1, 0.5, 1])
    assert m.dropped == {}  # every treated unit has at least one match


def test_two_to_one_without_replacement_and_a_caliper():
    # Caliper 20. Round 0 as without a caliper: T2 → C3, T1 → C2, T0 → C0.
    # Round 1: T2's nearest free, C1 (gap 85), is beyond 20 → T2 keeps one match;
    #          T1 (22) → C1 (10) at gap 12 ≤ 20; T0 finds nothing free.
    # T1 has 2 matches (C2, C1 weigh ½), T0 and T2 one each (C0, C3 weigh 1).
    m = nearest_neighbour(K_DISTANCE, K_TREATED, ratio=2, caliper=20.0)
    assert _pairs(m) == [(1, 0), (4, 2), (4, 3), (6, 5)]
    assert m.weights.tolist() == pytest.approx([1, 1, 0.5, 0.5, 1, 1, 1])


# -- exact cells and support -----------------------------------------------------------------


def test_exact_cells_match_only_within_the_cell():
    # position: 0        1        2        3        4        5
    # unit:     T0 (5)   C0 (5.5) T1 (5)   C1 (9)   T2 (7)   C2 (5)
    # cell:     0        1        1        0        2        1
    # T0 (cell 0): only C1 (9) is in cell 0 although C0 and C2 are nearer → C1.
    # T1 (cell 1): C2 at gap 0 → C2.   T2 (cell 2): no control in cell 2 → dropped.
    d = np.array([5.0, 5.5, 5.0, 9.0, 7.0, 5.0])
    t = np.array([T, C, T, C, T, C])
    cells = np.array([0, 1, 1, 0, 2, 1])
    m = nearest_neighbour(d, t, exact=cells)
    assert _pairs(m) == [(0, 3), (2, 5)]
    assert m.dropped == {"no_comparison_in_exact_cell": 1}
    assert m.weights.tolist() == [1, 0, 1, 1, 0, 1]
    # A caliper of 1 also drops T0 (gap 4 in its cell).
    m = nearest_neighbour(d, t, exact=cells, caliper=1.0, replace=True)
    assert _pairs(m) == [(2, 5)]
    assert m.dropped == {"no_comparison_in_exact_cell": 1, "no_match_within_caliper": 1}


def test_support_mask_leaves_units_out():
    # position: 0      1      2      3      4
    # unit:     T0 (1) C0 (1) C1 (3) T1 (9) C2 (8)
    # Outside support: T1 and C0. T0's nearest allowed control is then C1 (gap 2).
    d = np.array([1.0, 1.0, 3.0, 9.0, 8.0])
    t = np.array([T, C, C, T, C])
    support = np.array([True, False, True, False, True])
    m = nearest_neighbour(d, t, support=support, replace=True)
    assert _pairs(m) == [(0, 2)]
    assert m.dropped == {"outside_common_support": 1}
    assert m.weights.tolist() == [1, 0, 1, 0, 0]


def test_common_support_min_max_rule():
    # treated 0.2, 5, 9 → range [0.2, 9];  controls 0.5, 3, 9, 12 → range [0.5, 12].
    # Treated inside [0.5, 12]: 5, 9 (0.2 is below).  Controls inside [0.2, 9]: 0.5, 3, 9 (boundary in), not 12.
    d = np.array([0.2, 0.5, 5.0, 3.0, 9.0, 9.0, 12.0])
    t = np.array([T, C, T, C, T, C, C])
    assert common_support(d, t).tolist() == [False, True, True, True, True, True, False]
    # One group empty → nobody is in common support.
    assert not common_support(d, np.ones(7, dtype=bool)).any()


# -- brute force -----------------------------------------------------------------------------


def _brute_with_replacement(d, treated, ratio, caliper, cells):
    """Each treated unit's ``ratio`` nearest controls in its cell, by a full scan of |d_i − d_j|."""
    controls = np.flatnonzero(~treated)
    gaps = np.abs(d[treated][:, None] - d[controls][None, :])  # the full treated × control matrix
    pairs = []
    for row, i in enumerate(np.flatnonzero(treated)):
        gap = np.where(cells[controls] == cells[i], gaps[row], np.inf)
        for j in np.argsort(gap, kind="stable")[:ratio]:
            if gap[j] <= caliper:
                pairs.append((int(i), int(controls[j])))
    return sorted(pairs)


def _brute_greedy(d, treated, ratio, caliper, cells):
    """Greedy 'largest first', ``ratio`` rounds, each unit taking the nearest unused control by a full scan."""
    order = sorted(np.flatnonzero(treated).tolist(), key=lambda i: (-d[i], i))
    controls = np.flatnonzero(~treated).tolist()
    used: set[int] = set()
    pairs = []
    for _ in range(ratio):
        for i in order:
            best = None
            for j in controls:
                if j in used or cells[j] != cells[i]:
                    continue
                key = (abs(d[i] - d[j]), d[j], j)  # nearest, then the lower distance, then the lower position
                if best is None or key < best:
                    best = key
            if best is not None and best[0] <= caliper:
                used.add(best[2])
                pairs.append((i, best[2]))
    return sorted(pairs)


def _weights_from_pairs(pairs, n):
    """Treated 1, control Σ 1/k over the treated units it serves (k = their number of matches)."""
    k: dict[int, int] = {}
    for i, _ in pairs:
        k[i] = k.get(i, 0) + 1
    w = np.zeros(n)
    for i, j in pairs:
        w[i] = 1.0
        w[j] += 1.0 / k[i]
    return w


def _random_units(seed, cells):
    rng = np.random.default_rng(seed)
    n_t, n_c = 50, 500
    d = np.concatenate([rng.normal(0.5, 1, n_t), rng.normal(0, 1, n_c)])
    treated = np.arange(n_t + n_c) < n_t
    perm = rng.permutation(n_t + n_c)  # mix the groups' positions
    d, treated = d[perm], treated[perm]
    exact = rng.integers(0, cells, n_t + n_c)
    return d, treated, exact


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("ratio", [1, 2, 3])
@pytest.mark.parametrize(("caliper", "cells"), [(None, 1), (0.01, 1), (None, 3), (0.05, 4)])
def test_with_replacement_equals_a_brute_force_search(seed, ratio, caliper, cells):
    d, treated, exact = _random_units(seed, cells)
    limit = np.inf if caliper is None else caliper
    expected = _brute_with_replacement(d, treated, ratio, limit, exact)
    m = nearest_neighbour(d, treated, ratio=ratio, replace=True, caliper=caliper, exact=exact if cells > 1 else None)
    assert _pairs(m) == expected
    assert m.weights == pytest.approx(_weights_from_pairs(expected, len(d)), abs=1e-12)
    if caliper is not None:
        assert 0 < len(expected) < 50 * ratio  # the caliper does bite, and not everybody is dropped


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("ratio", [1, 2, 3])
@pytest.mark.parametrize(("caliper", "cells"), [(None, 1), (0.01, 1), (None, 3), (0.05, 4)])
def test_greedy_without_replacement_equals_a_brute_force_loop(seed, ratio, caliper, cells):
    d, treated, exact = _random_units(seed, cells)
    limit = np.inf if caliper is None else caliper
    expected = _brute_greedy(d, treated, ratio, limit, exact)
    m = nearest_neighbour(d, treated, ratio=ratio, caliper=caliper, exact=exact if cells > 1 else None)
    assert _pairs(m) == expected
    assert m.weights == pytest.approx(_weights_from_pairs(expected, len(d)), abs=1e-12)
    matched = {i for i, _ in expected}
    dropped = m.dropped.get("no_match_within_caliper", 0) + m.dropped.get("no_comparison_in_exact_cell", 0)
    assert dropped == 50 - len(matched)
    controls = [j for _, j in expected]
    assert len(controls) == len(set(controls))  # no control used twice


def _tied_units(seed):
    """Distances on a coarse grid (0.1 apart), so many units share a distance."""
    d, treated, _ = _random_units(seed, 1)
    return np.round(d, 1), treated


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("ratio", [1, 2])
def test_greedy_with_many_ties_equals_the_brute_force_tie_rule(seed, ratio):
    # Ties: the lower distance (the unit below), then the first in data order.
    d, treated = _tied_units(seed)
    expected = _brute_greedy(d, treated, ratio, np.inf, np.zeros(len(d), dtype=int))
    assert _pairs(nearest_neighbour(d, treated, ratio=ratio)) == expected
    # "largest" breaks ties between treated units by data order (a stable sort).
    assert len(set(d[treated])) < treated.sum()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("ratio", [1, 2, 3])
def test_with_replacement_and_many_ties_finds_the_k_smallest_gaps(seed, ratio):
    # With identical distances the unit chosen among equals is not specified, but the gaps are:
    # each treated unit's matched gaps are the ratio smallest of a full scan.
    d, treated = _tied_units(seed)
    m = nearest_neighbour(d, treated, ratio=ratio, replace=True)
    controls = d[~treated]
    got = m.pairs.groupby("treated")["distance"].apply(sorted).to_dict()
    assert sorted(got) == np.flatnonzero(treated).tolist()
    for i in np.flatnonzero(treated):
        assert got[i] == pytest.approx(np.sort(np.abs(controls - d[i]))[:ratio], abs=1e-12)
        matched = m.pairs.loc[m.pairs["treated"] == i, "control"]
        assert np.sort(np.abs(d[matched] - d[i])) == pytest.approx(got[i], abs=1e-12)  # the pairs' gaps are real


# -- inverse-probability weights ------------------------------------------------------------


def test_ipw_weights_by_hand():
    # scores: T 0.6, T 0.5, C 0.5, C 0.2 → comparison odds 0.5/0.5 = 1 and 0.2/0.8 = 0.25, sum 1.25;
    # normalised to n_treated = 2: 2 · 1/1.25 = 1.6 and 2 · 0.25/1.25 = 0.4.
    score = np.array([0.6, 0.5, 0.5, 0.2])
    t = np.array([T, T, C, C])
    m = ipw_weights(score, t)
    assert m.weights.tolist() == pytest.approx([1, 1, 1.6, 0.4])
    assert m.dropped == {}
    assert m.pairs.empty


def test_ipw_weights_outside_support_are_zero():
    score = np.array([0.6, 0.5, 0.5, 0.2])
    t = np.array([T, T, C, C])
    # The second treated unit outside: n_treated = 1 → 1 · 1/1.25 = 0.8 and 1 · 0.25/1.25 = 0.2.
    m = ipw_weights(score, t, np.array([True, False, True, True]))
    assert m.weights.tolist() == pytest.approx([1, 0, 0.8, 0.2])
    assert m.dropped == {"outside_common_support": 1}
    # The first comparison unit outside: the other one carries all of n_treated = 2 (odds 0.25/0.25).
    m = ipw_weights(score, t, np.array([True, True, False, True]))
    assert m.weights.tolist() == pytest.approx([1, 1, 0, 2])


# -- the propensity model --------------------------------------------------------------------


def _propensity_data(seed=7, n=400):
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    d = rng.integers(0, 2, n).astype(float)
    y = rng.random(n) < 1 / (1 + np.exp(-(-0.5 + 1.2 * a - 0.8 * d)))
    x = pd.DataFrame({"a": a, "b": np.full(n, 3.0), "c": 2 * a + 1, "d": d})
    return x, y


def test_propensity_model_drops_constant_and_collinear_columns():
    x, y = _propensity_data()
    pm = propensity_model(x, y)
    assert pm.columns == ("a", "d")
    assert pm.dropped == {"b": "the same value for every family", "c": "a linear combination of other covariates"}
    assert pm.converged


def test_propensity_scores_equal_a_direct_logit():
    x, y = _propensity_data()
    fit = sm.Logit(y.astype(float), sm.add_constant(x[["a", "d"]])).fit(disp=0)
    pm = propensity_model(x, y)
    assert pm.score == pytest.approx(np.asarray(fit.predict()), abs=1e-9)
    assert pm.logit == pytest.approx((sm.add_constant(x[["a", "d"]]) @ fit.params).to_numpy(), abs=1e-7)


def test_perfect_separation_gives_scores_of_0_and_1_and_no_common_support():
    # a ≤ 3 for every comparison unit, a ≥ 4 for every intervention unit: the likelihood has no maximum,
    # the fitted probabilities go to 0 and 1.
    x = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    t = np.array([C, C, C, T, T, T])
    pm = propensity_model(x, t)
    assert pm.score[:3].max() < 1e-9 and pm.score[3:].min() > 1 - 1e-9
    # The treated logits all lie above every comparison logit → nobody treated in support.
    assert pm.logit[3:].min() > pm.logit[:3].max()
    assert not common_support(pm.logit, t)[t].any()


# -- the balance table -----------------------------------------------------------------------

# treated:    x 1, 2, 6    b 1, 0, 1    weights 1, 1, 0
# comparison: x 0, 2, 4, 10  b 0, 0, 1, 1  weights 0.5, 1.5, 1, 0
BAL_X = pd.DataFrame({"x": [1.0, 2, 6, 0, 2, 4, 10], "b": [1.0, 0, 1, 0, 0, 1, 1]})
BAL_T = np.array([T, T, T, C, C, C, C])
BAL_W = np.array([1, 1, 0, 0.5, 1.5, 1, 0])


@pytest.fixture(scope="module")
def balance():
    return balance_table(BAL_X, BAL_T, BAL_W).set_index("covariate")


def test_balance_continuous_covariate_by_hand(balance):
    r = balance.loc["x"]
    # Before: mean_t (1 + 2 + 6)/3 = 3, var_t ((−2)² + (−1)² + 3²)/2 = 7;
    #         mean_c (0 + 2 + 4 + 10)/4 = 4, var_c (16 + 4 + 0 + 36)/3 = 56/3.
    # pooled SD √((7 + 56/3)/2) = √(77/6); SMD (3 − 4)/√(77/6); VR 7/(56/3) = 3/8.
    s = math.sqrt(77 / 6)
    assert not r["binary"]
    assert r["mean_treated"] == pytest.approx(3)
    assert r["mean_comparison"] == pytest.approx(4)
    assert r["smd"] == pytest.approx(-1 / s)
    assert r["variance_ratio"] == pytest.approx(3 / 8)
    # After: treated x 1, 2 (w 1, 1): mean 1.5; Σw(x−m)² = 0.5, Σw = 2, Σw² = 2 → var 0.5·2/(4 − 2) = 0.5.
    # comparison x 0, 2, 4 (w 0.5, 1.5, 1): mean (0 + 3 + 4)/3 = 7/3;
    #   Σw(x−m)² = 0.5·49/9 + 1.5·1/9 + 1·25/9 = 51/9 = 17/3; Σw = 3, Σw² = 3.5 → var (17/3)·3/(9 − 3.5) = 34/11.
    # SMD after (1.5 − 7/3)/√(77/6) (the unmatched denominator); VR after 0.5/(34/11) = 11/68.
    assert r["mean_treated_after"] == pytest.approx(1.5)
    assert r["mean_comparison_after"] == pytest.approx(7 / 3)
    assert r["smd_after"] == pytest.approx((1.5 - 7 / 3) / s)
    assert r["variance_ratio_after"] == pytest.approx(11 / 68)
    assert r["smd_after"] == pytest.approx(-0.2326, abs=1e-4)
    assert r["flag"] == "adjust"  # 0.05 < 0.2326 ≤ 0.25
    # All three treated (mean 3) against the matched comparison group (7/3), same denominator.
    assert r["smd_after_all_treated"] == pytest.approx((3 - 7 / 3) / s)
    assert r["scale"] == pytest.approx(s)


def test_balance_counts(balance):
    for name in ("x", "b"):
        r = balance.loc[name]
        assert (r["n_treated"], r["n_comparison"], r["n_treated_after"], r["n_comparison_after"]) == (3, 4, 2, 3)
    b = balance.loc["b"]
    # Units with b = 1: treated 2 (1 after: the first unit), comparison 2 (1 after: the third, weight 1).
    assert (b["count_treated"], b["count_comparison"], b["count_treated_after"], b["count_comparison_after"]) == (
        2,
        2,
        1,
        1,
    )
    # For a continuous covariate the counts are of non-zero values: treated 1, 2, 6 → 3 (after 1, 2 → 2);
    # comparison 0, 2, 4, 10 → 3 (after 0, 2, 4 → 2).
    x = balance.loc["x"]
    assert (x["count_treated"], x["count_comparison"], x["count_treated_after"], x["count_comparison_after"]) == (
        3,
        3,
        2,
        2,
    )


def test_balance_binary_covariate_means_and_no_variance_ratio(balance):
    r = balance.loc["b"]
    assert r["binary"]
    assert r["mean_treated"] == pytest.approx(2 / 3)
    assert r["mean_comparison"] == pytest.approx(1 / 2)
    # After: treated b 1, 0 (w 1, 1) → 1/2; comparison b 0, 0, 1 (w 0.5, 1.5, 1) → 1/3.
    assert r["mean_treated_after"] == pytest.approx(1 / 2)
    assert r["mean_comparison_after"] == pytest.approx(1 / 3)
    assert math.isnan(r["variance_ratio"]) and math.isnan(r["variance_ratio_after"])


def test_balance_binary_smd_uses_the_documented_sd(balance):
    # Documented (cobalt/MatchIt): a binary group's SD is √(p(1 − p)).
    # treated p = 2/3 → 2/9; comparison p = 1/2 → 1/4; pooled √((2/9 + 1/4)/2) = √(17/72).
    r = balance.loc["b"]
    s = math.sqrt(17 / 72)
    assert r["smd"] == pytest.approx((2 / 3 - 1 / 2) / s)  # ≈ 0.343
    assert r["smd_after"] == pytest.approx((1 / 2 - 1 / 3) / s)


def test_balance_treated_sd_option():
    # sd="treated": the denominator is the treated group's SD before, √7.
    r = balance_table(BAL_X, BAL_T, BAL_W, sd="treated").set_index("covariate").loc["x"]
    assert r["smd"] == pytest.approx(-1 / math.sqrt(7))
    assert r["smd_after"] == pytest.approx((1.5 - 7 / 3) / math.sqrt(7))
    # For the binary covariate √(p(1 − p)) of the treated: √(2/9).
    b = balance_table(BAL_X, BAL_T, BAL_W, sd="treated").set_index("covariate").loc["b"]
    assert b["smd"] == pytest.approx((2 / 3 - 1 / 2) / math.sqrt(2 / 9))


@pytest.mark.parametrize(
    ("smd", "flag"),
    [
        (0.0, "satisfied"),
        (0.05, "satisfied"),
        (-0.05, "satisfied"),
        (0.0500001, "adjust"),
        (0.25, "adjust"),
        (-0.25, "adjust"),
        (0.2500001, "fails"),
        (-1.3, "fails"),
        (float("nan"), ""),
        (float("inf"), ""),
    ],
)
def test_wwc_flag_boundaries(smd, flag):
    assert wwc_flag(smd) == flag


def test_with_replacement_a_cell_smaller_than_the_ratio_gives_fewer_matches_never_another_cells():
    # Cell 0 holds one comparison unit (position 1), cell 1 two (3, 4). Ratio 2 with replacement, no caliper:
    # treated 0 gets only unit 1 (gap 1), treated 2 gets 3 (gap 1) and 4 (gap 2).
    d = np.array([0.0, 1.0, 5.0, 6.0, 7.0])
    treated = np.array([1, 0, 1, 0, 0], dtype=bool)
    m = nearest_neighbour(d, treated, ratio=2, replace=True, exact=np.array([0, 0, 1, 1, 1]))
    assert list(zip(m.pairs["treated"], m.pairs["control"], strict=True)) == [(0, 1), (2, 3), (2, 4)]
    assert np.isfinite(m.pairs["distance"]).all()
    # Weights: unit 1 serves treated 0 alone (1/1); units 3 and 4 share treated 2 (1/2 each).
    assert m.weights.tolist() == [1.0, 1.0, 1.0, 0.5, 0.5]
    # A pool smaller than the ratio: every unit once, no error.
    m = nearest_neighbour(np.array([0.0, 1.0]), np.array([1, 0], dtype=bool), ratio=3, replace=True)
    assert m.pairs["control"].tolist() == [1] and m.weights.tolist() == [1.0, 1.0]
