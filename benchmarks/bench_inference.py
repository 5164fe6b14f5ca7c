"""The inference panel: its cost against today's evaluate, and each method's size under a true null.

Part 1 (time): ``evaluate`` of the committed sample (124 families) with the
inference panel at 2,000 draws for every effect, against two baselines
measured in the same run: the same evaluate without the panel (alternating
with it), and the package as it was before issue #10 (``--before``, taken
from git into a temporary folder and run in a subprocess, before and after
the others); medians of nine runs; prints both ratios.

Part 2 (size and family-wise error, by simulation): trials of 20, 40 and 124
families in four strata (half of each stratum treated, by lottery), 1–3
parents per family, five yes/no outcomes per parent that share a family
effect (so they are correlated within family and with each other) and have
**no** treatment effect. For each trial the package's own routines
(:mod:`opgang_eval.comparison.inference`, :mod:`~opgang_eval.comparison.multiplicity`)
test every outcome by CR1, CR2, the wild cluster bootstrap and the
randomisation test, and adjust the five randomisation p-values by
Romano–Wolf. Printed: the share of trials rejecting at 5 % (one outcome) per
method, the share with any unadjusted rejection among the five, and the
family-wise error of the adjusted p-values. A method holds its size when its
rate is near 5 % (Monte Carlo ±1.4 points at 1,000 trials).

Usage: ``python benchmarks/bench_inference.py [--trials 1000] [--draws 999]`` (``--trials 0``: the
time only).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

import opgang_eval as oe
import opgang_eval.evaluation as evaluation
from opgang_eval.comparison.inference import (
    Regression,
    assignments,
    cr2,
    randomisation,
    wild_bootstrap,
    wild_weights,
)
from opgang_eval.comparison.multiplicity import step_down

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
OUTCOMES = 5

#: The package before issue #10 (the inference panel and everything after it): "today's evaluate time".
BEFORE = "b76f2e0"

_BEFORE_LOOP = """
import time, statistics, warnings, opgang_eval as oe
warnings.simplefilter("ignore")
assert oe.__file__.startswith({root!r}), oe.__file__
ex = oe.load({sample!r}, progress=False)
oe.evaluate(ex, progress=False)
times = []
for _ in range({runs}):
    start = time.perf_counter()
    oe.evaluate(ex, progress=False)
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def _before_time(commit: str, runs: int = 9) -> float | None:
    """Median seconds of ``evaluate`` on the sample by the package as it was at ``commit`` (``None``: no git)."""
    try:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        code = _BEFORE_LOOP.format(root=tmp, sample=str(SAMPLE), runs=runs)
        env = {**os.environ, "PYTHONPATH": f"{tmp}/src"}  # ahead of the editable install of the current code
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def _evaluate_times(extracts: oe.Extracts, runs: int = 9) -> tuple[float, float, float, float]:
    """Median seconds of evaluations with and without the panel, interleaved (a busy machine slows both alike),
    and the peak traced memory of one of each (MiB)."""
    real = evaluation.resamples

    def without(*args: object) -> None:  # the evaluation without the panel: no draws, so no panel rows
        return None

    times: dict[bool, list[float]] = {True: [], False: []}
    peaks: dict[bool, float] = {}
    try:
        for run in range(runs + 1):
            for panel in (True, False):
                evaluation.resamples = real if panel else without  # type: ignore[assignment]
                if run == runs:  # one more, traced
                    tracemalloc.start()
                    oe.evaluate(extracts, {"inference_draws": 2000}, progress=False)
                    peaks[panel] = tracemalloc.get_traced_memory()[1] / 2**20
                    tracemalloc.stop()
                    continue
                start = time.perf_counter()
                oe.evaluate(extracts, {"inference_draws": 2000}, progress=False)
                times[panel].append(time.perf_counter() - start)
    finally:
        evaluation.resamples = real
    return float(np.median(times[False])), peaks[False], float(np.median(times[True])), peaks[True]


def _trial(families: int, rng: np.random.Generator) -> tuple[list[Regression], np.ndarray]:
    """One simulated trial under the null: the five outcomes' regressions and the families' strata."""
    strata = np.arange(families) % 4
    treated = np.zeros(families, dtype=bool)
    for s in range(4):
        members = np.flatnonzero(strata == s)
        treated[rng.permutation(members)[: len(members) // 2]] = True
    size = rng.integers(1, 4, size=families)
    cluster = np.repeat(np.arange(families), size)
    dummies = (strata[cluster][:, None] == np.arange(1, 4)).astype(float)
    x = np.column_stack([np.ones(len(cluster)), treated[cluster].astype(float), dummies])
    moving = np.zeros_like(x)
    moving[:, 1] = 1.0
    family_effect = rng.normal(0, 1, families)[cluster]
    regs = []
    for j in range(OUTCOMES):
        latent = 0.8 * family_effect + rng.normal(0, 1, len(cluster)) + 0.3 * (strata[cluster] - 1.5) - 0.2 * j
        y = (latent > 0.5).astype(float)
        regs.append(Regression(y, x, 1, cluster, None, treated, moving, strata))
    return regs, strata


def _size(families: int, trials: int, draws: int, seed: int) -> dict[str, float]:
    rng = np.random.default_rng([seed, families])
    rejections = {m: 0 for m in ("CR1", "CR2", "wild_bootstrap", "randomisation")}
    any_unadjusted = any_adjusted = 0
    for _ in range(trials):  # trials are independent data sets; the draws within each are vectorised
        regs, strata = _trial(families, rng)
        assigned, exact = assignments(regs[0].treated, strata, draws, rng)
        v = wild_weights(strata, families, draws, rng)
        p_ri, t_obs, t_null = [], [], []
        for j, reg in enumerate(regs):
            estimate, se = reg.fit()
            if not se > 0:
                p_ri.append(1.0)
                t_obs.append(0.0)
                t_null.append(np.zeros(len(assigned)))
                continue
            p_cr1 = 2 * stats.t.sf(abs(estimate / se), families - 1)
            se2, df2 = cr2(reg)
            p_cr2 = 2 * stats.t.sf(abs(estimate / se2), df2)
            test_ri, null_t = randomisation(reg, assigned, exact, 0.95)
            p_ri.append(test_ri.p_value)
            t_obs.append(estimate / se)
            t_null.append(null_t)
            if j == 0:
                test_wild, _ = wild_bootstrap(reg, v, 0.95)
                for method, p in (
                    ("CR1", p_cr1),
                    ("CR2", p_cr2),
                    ("wild_bootstrap", test_wild.p_value),
                    ("randomisation", test_ri.p_value),
                ):
                    rejections[method] += p <= 0.05
        any_unadjusted += min(p_ri) <= 0.05
        adjusted = step_down(np.array(t_obs), np.column_stack(t_null), plus_one=not exact)
        any_adjusted += adjusted.min() <= 0.05
    out = {m: r / trials for m, r in rejections.items()}
    out["any of 5, unadjusted"] = any_unadjusted / trials
    out["any of 5, Romano-Wolf"] = any_adjusted / trials
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--draws", type=int, default=999)
    parser.add_argument("--seed", type=int, default=20190901)
    parser.add_argument("--before", default=BEFORE, help="commit whose evaluate is today's time (default: %(default)s)")
    args = parser.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extracts = oe.load(SAMPLE, progress=False)
    oe.evaluate(extracts, progress=False)  # warm-up: imports
    first = _before_time(args.before)
    base, base_peak, full, full_peak = _evaluate_times(extracts)
    second = _before_time(args.before)
    print("evaluate, data/sample (124 families), inference_draws = 2,000; median of 9")
    if first is not None and second is not None:
        before = (first + second) / 2  # measured before and after the current code's runs, for a drifting load
        runs = f"(runs before and after: {first:.2f}, {second:.2f})"
        print(f"  package at {args.before} (before #10)  {before:6.2f} s   {runs}")
    print(f"  without the panel          {base:6.2f} s   peak {base_peak:6.1f} MiB (traced)")
    print(f"  with the panel             {full:6.2f} s   peak {full_peak:6.1f} MiB (traced)")
    print(f"  ratio to without the panel {full / base:6.2f}")
    if first is not None and second is not None:
        print(f"  ratio to before #10        {full / before:6.2f}")
    if args.trials == 0:
        return
    print()
    print(f"rejection at 5 % under a true null: {args.trials:,} trials per size, {args.draws:,} draws each")
    columns = ("CR1", "CR2", "wild_bootstrap", "randomisation", "any of 5, unadjusted", "any of 5, Romano-Wolf")
    print(f"{'families':>8}  " + "  ".join(f"{c:>21}" for c in columns))
    for families in (20, 40, 124):
        start = time.perf_counter()
        rates = _size(families, args.trials, args.draws, args.seed)
        took = time.perf_counter() - start
        print(f"{families:>8}  " + "  ".join(f"{rates[c]:>21.3f}" for c in columns) + f"   ({took:.0f} s)")


if __name__ == "__main__":
    main()
