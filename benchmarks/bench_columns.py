"""Benchmark: validation time against the number of columns outside the contract.

What it measures
----------------
For each count in ``--columns`` (default 1,000 / 2,000 / 4,000 / 8,000) the
script copies ``data/sample`` into a temporary folder, appends that many
extra columns (``x0``, ``x1``, …, every cell ``1``) to ``families.csv`` and
times ``opgang_eval.load`` on it, which refuses every extra column (one
``unknown_column`` failure each) and renders the failure report the CLI
prints. The time covers reading, checking and rendering the report.

Why
---
Columns outside the contract are refused rather than read, so an export
with thousands of columns ends on the refusal path. That path used to be
quadratic in the number of columns (1,000 columns 12 s, 4,000 columns
109 s). The ``ratio`` column is the time divided by the time of the
previous (half as many) count: about 2 per doubling is linear, about 4 is
quadratic.

Exits non-zero only if the load does not refuse the extract as expected.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import opgang_eval as oe

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def widen(folder: Path, n: int) -> None:
    """Append ``n`` extra columns to ``families.csv`` in ``folder``."""
    path = folder / "families.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = ",".join(f"x{i}" for i in range(n))
    cells = ",".join("1" for _ in range(n))
    path.write_text(
        "\n".join([f"{lines[0]},{header}", *(f"{line},{cells}" for line in lines[1:])]) + "\n", encoding="utf-8"
    )


def time_load(folder: Path, n: int, repeat: int) -> float:
    """Best wall time of ``repeat`` loads; checks that every extra column is refused."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            oe.load(folder)
        except oe.ValidationError as exc:
            report = str(exc)
            refused = int((exc.failures["rule"] == "unknown_column").sum())
        else:
            raise SystemExit(f"{n} extra columns were accepted")
        best = min(best, time.perf_counter() - start)
        if refused != n or "x0" not in report:
            raise SystemExit(f"expected {n} refused columns, got {refused}")
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, nargs="+", default=[1000, 2000, 4000, 8000], metavar="N")
    parser.add_argument("--repeat", type=int, default=3, help="loads per count; the fastest is shown (default 3)")
    args = parser.parse_args()
    print(f"{'extra columns':>13}  {'file KiB':>9}  {'load s':>7}  {'ratio':>6}")
    print("-" * 42)
    previous: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.columns:
            folder = Path(tmp) / f"c{n}"
            shutil.copytree(SAMPLE, folder)
            widen(folder, n)
            seconds = time_load(folder, n, args.repeat)
            size = (folder / "families.csv").stat().st_size / 1024
            ratio = f"{seconds / previous:6.2f}" if previous else f"{'':>6}"
            print(f"{n:>13,}  {size:>9,.0f}  {seconds:>7.2f}  {ratio}")
            previous = seconds
            shutil.rmtree(folder)
    print("\nratio: load time ÷ the previous row's; ~2 per doubling is linear, ~4 quadratic.")


if __name__ == "__main__":
    main()
