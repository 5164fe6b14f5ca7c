"""End-to-end report time against the bare import time of the dependencies.

Runs, each in a fresh interpreter and best of ``--repeat``:

1. ``import pandas, numpy, scipy, statsmodels.api, matplotlib, jinja2, typst,
   openpyxl, pyarrow`` — the floor any command that uses them pays;
2. ``opgang-eval report data/sample --out <tmp>`` — load, validate, evaluate
   (2,000 bootstrap replicates), render HTML, PDF, spreadsheet and figures.

Prints both wall times, the ratio report / imports (the goal is about 2 or
less) and the report's peak resident memory (ru_maxrss of the child).

Usage: ``python benchmarks/bench_report.py [--repeat 3] [--data data/sample]``
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

IMPORTS = "import pandas, numpy, scipy, statsmodels.api, matplotlib, jinja2, typst, openpyxl, pyarrow"


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", default=str(Path(__file__).parents[1] / "data" / "sample"))
    args = parser.parse_args()
    imports = min(timed([sys.executable, "-c", IMPORTS])[0] for _ in range(args.repeat))
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        cli = [sys.executable, "-m", "opgang_eval", "report", args.data, "--out", str(Path(tmp) / "out")]
        for _ in range(args.repeat):
            runs.append(timed(cli))
    report = min(r[0] for r in runs)
    peak = max(r[1] for r in runs)
    print(f"{'bare import of dependencies':<34} {imports:7.2f} s")
    print(f"{'opgang-eval report (end to end)':<34} {report:7.2f} s")
    print(f"{'ratio report / imports':<34} {report / imports:7.2f}")
    print(f"{'peak RSS of report (any child)':<34} {peak:7.0f} MiB")


if __name__ == "__main__":
    main()
