"""The release step (every number of the report decided by one engine) against the evaluation it releases.

For the committed sample and a generated extract with many sites, times in
one run: ``evaluate`` (the baseline: what the analyst waits for anyway) and
``collect`` (cells, links, secondary suppression), then the exact LP audit of
the result (the test suite's check, not part of a report). Prints the number
of cells, links and hidden cells, each time and the ratio collect / evaluate.

Usage: ``python benchmarks/bench_release.py [--families 3000] [--sites 12]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import opgang_eval as oe
from opgang_eval.release import audit
from opgang_eval.release.collect import collect
from opgang_eval.synthetic import Scenario, simulate, write_extracts


def _timed(name: str, folder: Path, config: dict) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        extracts = oe.load(folder, progress=False)
        start = time.perf_counter()
        ev = oe.evaluate(extracts, config=config, progress=False)
        evaluated = time.perf_counter() - start
    start = time.perf_counter()
    rel = collect(ev)
    collected = time.perf_counter() - start
    start = time.perf_counter()
    exposures = audit(rel.cells.values(), rel.links, rel.hidden, rel.min_cell)
    audited = time.perf_counter() - start
    print(
        f"{name:<28} cells {len(rel.cells):5d}  links {len(rel.links):4d}  hidden {len(rel.hidden):4d}  "
        f"evaluate {evaluated:6.2f} s  collect {collected:5.2f} s  ratio {collected / evaluated:5.2f}  "
        f"audit {audited:5.2f} s  exposures {len(exposures)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=3000)
    parser.add_argument("--sites", type=int, default=12)
    args = parser.parse_args()
    config = {"bootstrap_replicates": 200}
    _timed("data/sample", Path(__file__).parents[1] / "data" / "sample", config)
    with tempfile.TemporaryDirectory() as tmp:
        half = args.families // 2
        # Sites of falling size: the largest hold most families, the last few fewer than min_cell.
        weights = [2.0**-i for i in range(args.sites)]
        sites = tuple((f"Site {i + 1}", w / sum(weights)) for i, w in enumerate(weights))
        scenario = Scenario(intervention_families=half, control_families=args.families - half, sites=sites)
        write_extracts(simulate(scenario, seed=7).tables, Path(tmp))
        _timed(f"{args.families} families, {args.sites} sites", Path(tmp), config)


if __name__ == "__main__":
    main()
