"""Time and peak memory of the observational design on a large comparison pool.

Part 1 — the matcher itself on 1,000,000 comparison units against 1,000
intervention units, with the package's default covariates' shapes (a
family-level row per unit, selection on observables as in the generator):
the logistic propensity model, min–max common support, 1:1 greedy nearest
neighbour without replacement with a 0.2 SD caliper, 3:1 with replacement,
inverse-probability weights and the balance table. The baseline is one
``np.argsort`` of the 1,000,000 distances: the floor of any matcher that
sorts, so ``vs sort`` says how far above that floor each step is.

Part 2 — end to end on generated extracts: ``oe.load`` and ``oe.evaluate``
(covariates from the status history, matching, weighted DiD effects, event
study, savings) with ``--pool`` comparison families (≈1.56 parents each)
and no control arm.

Each step runs once untraced for the wall time and once under tracemalloc
for the Python-level peak; the process peak RSS (ru_maxrss) is printed too.

Usage: ``python benchmarks/bench_matching.py [--units 1000000] [--treated 1000] [--pool 100000]``
"""

from __future__ import annotations

import argparse
import gc
import resource
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import opgang_eval as oe
from opgang_eval.comparison.balance import balance_table
from opgang_eval.comparison.matching import (
    common_support,
    ipw_weights,
    nearest_neighbour,
    pooled_sd,
    propensity_model,
)
from opgang_eval.synthetic import Scenario, simulate, write_extracts


def covariates(n_treated: int, n_pool: int, seed: int = 1) -> tuple[pd.DataFrame, np.ndarray]:
    """Family rows like the package's covariates; the pool is a mixture of near and far families."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_pool
    treated = np.arange(n) < n_treated
    near = ~treated & (rng.random(n) < 0.5)
    x = pd.DataFrame(
        {
            "parent_age": rng.normal(np.where(near, 33, 38), 7),
            "female_share": rng.choice([0.0, 0.5, 1.0], n, p=[0.1, 0.45, 0.45]),
            "two_parents": (rng.random(n) < 0.55).astype(float),
            "children": rng.poisson(np.where(near, 1.8, 3.0)).astype(float),
            "youngest_child_age": rng.integers(0, 18, n).astype(float),
            "children_0_5": rng.poisson(0.9, n).astype(float),
            "children_13_17": rng.poisson(0.7, n).astype(float),
            "benefit_months": np.clip(rng.normal(np.where(near, 12, 33), 6), 0, 36).round(),
            "baseline_work_or_education": (rng.random(n) < np.where(near, 0.5, 0.07)).astype(float),
            "baseline_cash_benefit": (rng.random(n) < np.where(near, 0.3, 0.7)).astype(float),
        }
    )
    return x, treated


def measure(label: str, step: Callable[[], Any], floor: float | None) -> Any:
    start = time.perf_counter()
    out = step()
    wall = time.perf_counter() - start
    tracemalloc.start()
    step()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = f"{wall / floor:8.1f}" if floor else f"{'':>8}"
    print(f"{label:<40} {wall:9.2f} s {ratio} {peak / 2**20:10.0f} MiB {rss:10.0f} MiB")
    return out


def part1(n_treated: int, n_pool: int) -> None:
    print(f"\nPart 1: {n_treated:,} intervention units against {n_pool:,} comparison units")
    print(f"{'step':<40} {'wall':>11} {'vs sort':>8} {'py peak':>14} {'peak RSS':>14}")
    x, treated = covariates(n_treated, n_pool)
    model = propensity_model(x, treated)
    d = model.logit
    start = time.perf_counter()
    np.argsort(d, kind="stable")
    floor = time.perf_counter() - start
    print(f"{'np.argsort of the distances (floor)':<40} {floor:9.2f} s {1.0:8.1f}")
    measure("propensity model (statsmodels Logit)", lambda: propensity_model(x, treated), floor)
    support = measure("common support (min–max)", lambda: common_support(d, treated), floor)
    caliper = 0.2 * pooled_sd(d, treated)
    m = measure(
        "1:1 greedy, no replacement, caliper",
        lambda: nearest_neighbour(d, treated, caliper=caliper, support=support),
        floor,
    )
    measure(
        "3:1 with replacement, caliper",
        lambda: nearest_neighbour(d, treated, ratio=3, replace=True, caliper=caliper, support=support),
        floor,
    )
    measure("inverse-probability weights", lambda: ipw_weights(model.score, treated, support), floor)
    measure("balance table (before/after)", lambda: balance_table(x, treated, m.weights), floor)
    print(f"matched: {int((m.weights[treated] > 0).sum()):,} intervention units; dropped: {m.dropped}")


def part2(n_treated: int, n_pool: int) -> None:
    print(f"\nPart 2: generated extracts, {n_treated:,} intervention and {n_pool:,} comparison families")
    sim = simulate(Scenario(intervention_families=n_treated, control_families=0, comparison_families=n_pool))
    parents = sim.tables["parents"]
    families = sim.tables["families"].set_index("family_id")["arm"]
    pool_parents = int((families.reindex(parents["family_id"]).to_numpy() == "comparison").sum())
    print(f"comparison parents: {pool_parents:,}; parent-months: {len(sim.tables['parent_status']):,}")
    print(f"{'step':<40} {'wall':>11} {'':>8} {'py peak':>14} {'peak RSS':>14}")
    truth = dict(sim.truth)
    with tempfile.TemporaryDirectory() as tmp:
        write_extracts(sim.tables, tmp, "parquet")
        # The generated tables (millions of Python objects) would slow every later garbage collection.
        del sim, parents, families
        gc.collect()
        ex = measure("oe.load (parquet)", lambda: oe.load(tmp), None)
    config = {"bootstrap_replicates": 200}
    ev = measure("oe.evaluate (observational, 200 reps)", lambda: oe.evaluate(ex, config), None)
    effect = ev.effects["parents_in_work_or_education"]
    print(
        f"work/education effect {effect.estimate:+.3f} [{effect.ci_low:+.3f}, {effect.ci_high:+.3f}]; "
        f"generator's true effect {truth['work_or_education_effect']:+.3f}, naive "
        f"{truth['naive_work_or_education_effect']:+.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000, help="comparison units in part 1")
    parser.add_argument("--treated", type=int, default=1_000, help="intervention units in part 1")
    parser.add_argument("--pool", type=int, default=100_000, help="comparison families in part 2 (0: skip)")
    args = parser.parse_args()
    warnings.simplefilter("ignore", oe.DataQualityWarning)
    part1(args.treated, args.units)
    if args.pool:
        part2(200, args.pool)


if __name__ == "__main__":
    main()
