"""Time and peak memory of ``oe.evaluate`` on the sample and on a large synthetic evaluation.

For each size the extracts are loaded first (not timed here; see
``bench_load.py``), then ``evaluate`` runs with the configured 2,000 bootstrap
replicates: once untraced for the wall time, once under tracemalloc for the
Python-level peak allocation (tracing slows it down a lot, so the two are
separate runs). Also prints the process peak RSS so far (ru_maxrss) and the
time per 1,000 families as a scale-free baseline for comparing the sizes.

Usage: ``python benchmarks/bench_evaluate.py [--families 100000]``
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path

import opgang_eval as oe
from opgang_eval.synthetic import Scenario, generate, write_extracts

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


def measure(ex: oe.Extracts, label: str, families: int) -> None:
    start = time.perf_counter()
    oe.evaluate(ex)
    wall = time.perf_counter() - start
    tracemalloc.start()
    oe.evaluate(ex)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    per = wall / families * 1000
    print(f"{label:<28} {families:>9,} {wall:9.2f} s {per:9.4f} s {peak / 2**20:10.0f} MiB {rss:10.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=100_000, help="total families of the large run")
    args = parser.parse_args()
    warnings.simplefilter("ignore", oe.DataQualityWarning)
    print(f"{'run':<28} {'families':>9} {'evaluate':>11} {'per 1,000':>11} {'py peak':>14} {'peak RSS':>14}")
    sample = oe.load(SAMPLE)
    oe.evaluate(sample)  # warm-up: the first call imports statsmodels and SciPy
    measure(sample, "data/sample", len(sample.families))
    half = args.families // 2
    with tempfile.TemporaryDirectory() as tmp:
        write_extracts(
            generate(Scenario(intervention_families=half, control_families=args.families - half)), tmp, "parquet"
        )
        big = oe.load(tmp)
    measure(big, "synthetic (parquet)", args.families)


if __name__ == "__main__":
    main()
