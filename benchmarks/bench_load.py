"""Benchmark: generate, write and load a large synthetic evaluation.

What it measures
----------------
For ``--families N`` families (half intervention, half control; default
100,000) the script runs four phases, one after the other, in one process:

``generate``
    ``opgang_eval.synthetic.generate(Scenario(...), seed)``: all eight
    contract tables in memory.
``write parquet``
    ``write_extracts(tables, tmp, "parquet")`` into a temporary folder. The
    generated tables are then dropped, so the later phases start without them.
``read_parquet (floor)``
    A bare ``pd.read_parquet`` of every written file, nothing else: the
    floor any loader of these files has to pay.
``load+validate``
    ``opgang_eval.load(tmp)``: read, hash, parse, type and check every table
    and the links between them (the real entry point).

How to read the table
---------------------
``wall s``
    Wall-clock seconds of the phase (``time.perf_counter``). The floor and
    the load are run ``--repeat`` times (default 3) and the fastest run is
    shown: on a small virtual machine the first touch of fresh memory costs
    a lot and varies from run to run; generate and write run once.
``cpu s``
    User plus system CPU seconds of that fastest run (``getrusage``). More
    than ``wall s`` means several threads worked (Arrow reads and writes
    Parquet in parallel; the package's own parsing and checks run in one
    thread); a large share of system time is the kernel handing out fresh
    memory pages.
``vs floor``
    Wall time divided by the ``read_parquet (floor)`` time. The line
    ``load/read_parquet ratio`` is the headline: how much parsing, typing
    and checking cost on top of merely reading the files.
``py peak MiB (tracemalloc)``
    Python-level peak during the phase, from ``tracemalloc``: Python
    objects and NumPy buffers (NumPy reports to tracemalloc), but *not*
    Arrow's own memory pool, so it under-counts Parquet reading and writing.
    tracemalloc slows allocation-heavy code several-fold, so after the timed
    runs each phase is run once more under tracemalloc for this column only;
    ``--no-tracemalloc`` skips that run (the column then shows ``-``).
``RSS peak MiB (ru_maxrss, ...)``
    Process peak resident set size during the timed runs of the phase, from
    ``resource.getrusage(RUSAGE_SELF).ru_maxrss``: everything the process
    holds, Arrow included. On Linux the high-water mark is reset before each
    phase (``/proc/self/clear_refs``), so this is the phase's own peak
    ("per phase"), though it still includes the interpreter, the imported
    libraries and memory the allocator kept from earlier phases. Where the
    reset is not possible the header says "cumulative": the peak since the
    process started.

Run as ``.venv/bin/python benchmarks/bench_load.py [--families N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

import opgang_eval
from opgang_eval.synthetic import Scenario, generate, write_extracts

_MIB = 1024 * 1024
_CLEAR_REFS = Path("/proc/self/clear_refs")


@dataclass
class Phase:
    name: str
    seconds: float
    cpu: float
    py_peak: float | None
    rss_peak: float
    rss_per_phase: bool


def _reset_rss_peak() -> bool:
    """Reset the kernel's RSS high-water mark (Linux); False when not possible."""
    try:
        _CLEAR_REFS.write_text("5")
    except OSError:
        return False
    return True


def _maxrss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return rss / _MIB if sys.platform == "darwin" else rss / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _measure(name: str, fn: Callable[[], Any], *, repeat: int, trace: bool) -> tuple[Any, Phase]:
    """Time ``fn`` (best of ``repeat`` untraced runs, with the RSS peak), then trace one more run."""
    gc.collect()
    reset = _reset_rss_peak()
    seconds, cpu = float("inf"), float("nan")
    result = None
    for _ in range(repeat):
        result = None  # the previous run's result is not kept alive during the next
        gc.collect()
        start, start_cpu = time.perf_counter(), _cpu_seconds()
        result = fn()
        elapsed, used = time.perf_counter() - start, _cpu_seconds() - start_cpu
        if elapsed < seconds:
            seconds, cpu = elapsed, used
    rss = _maxrss_mib()
    py_peak = None
    if trace:
        result = None
        gc.collect()
        tracemalloc.start()
        result = fn()
        py_peak = tracemalloc.get_traced_memory()[1] / _MIB
        tracemalloc.stop()
    return result, Phase(name, seconds, cpu, py_peak, rss, reset)


def _read_all(folder: Path) -> dict[str, pd.DataFrame]:
    return {p.stem: pd.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def _load(folder: Path) -> opgang_eval.Extracts:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", opgang_eval.DataQualityWarning)
        return opgang_eval.load(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=100_000, help="total families, half per arm (default 100000)")
    parser.add_argument("--seed", type=int, default=20190901, help="generator seed (default 20190901)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of the floor and the load; best shown")
    parser.add_argument(
        "--no-tracemalloc", action="store_true", help="skip the traced extra run of each phase (no py peak)"
    )
    args = parser.parse_args(argv)
    if args.families < 2 or args.repeat < 1:
        parser.error("need --families of at least 2 and --repeat of at least 1")
    trace = not args.no_tracemalloc
    n_int = (args.families + 1) // 2
    n_ctl = args.families - n_int
    scenario = Scenario(intervention_families=n_int, control_families=n_ctl)

    phases: list[Phase] = []
    tables, phase = _measure("generate", partial(generate, scenario, seed=args.seed), repeat=1, trace=trace)
    phases.append(phase)
    rows = {name: len(frame) for name, frame in tables.items()}
    with tempfile.TemporaryDirectory(prefix="opgang-bench-") as tmp:
        folder = Path(tmp)
        write = partial(write_extracts, tables, folder, "parquet")
        _, phase = _measure("write parquet", write, repeat=1, trace=trace)
        phases.append(phase)
        del tables, write
        sizes = {p.stem: p.stat().st_size for p in folder.glob("*.parquet")}
        frames, phase = _measure("read_parquet (floor)", partial(_read_all, folder), repeat=args.repeat, trace=trace)
        phases.append(phase)
        del frames
        extracts, phase = _measure("load+validate", partial(_load, folder), repeat=args.repeat, trace=trace)
        phases.append(phase)
        loaded = {name: len(extracts.table(name)) for name in rows if extracts.has(name)}
        del extracts

    floor = phases[2].seconds
    families = f"{n_int:,} intervention + {n_ctl:,} control families"
    print(f"opgang-eval {opgang_eval.__version__}: {families}, seed {args.seed}")
    print(
        f"python {sys.version.split()[0]}, pandas {pd.__version__}; floor and load: best of {args.repeat}; "
        f"tracemalloc run: {'yes' if trace else 'no'}"
    )
    print()
    py_label = "py peak MiB (tracemalloc)"
    rss_label = "RSS peak MiB (ru_maxrss, " + ("per phase)" if all(p.rss_per_phase for p in phases) else "cumulative)")
    header = f"{'phase':<22}{'wall s':>9}{'cpu s':>8}{'vs floor':>10}{py_label:>28}{rss_label:>38}"
    print(header)
    print("-" * len(header))
    for p in phases:
        py = "-" if p.py_peak is None else f"{p.py_peak:,.0f}"
        print(f"{p.name:<22}{p.seconds:>9.2f}{p.cpu:>8.2f}{p.seconds / floor:>10.2f}{py:>28}{p.rss_peak:>38,.0f}")
    print()
    print(f"load/read_parquet ratio: {phases[3].seconds / floor:.2f}")
    print(f"generate: {phases[0].seconds / args.families * 1e6:.1f} µs per family")
    print()
    header = f"{'table':<16}{'rows':>12}{'parquet MiB':>13}{'loaded rows':>13}"
    print(header)
    print("-" * len(header))
    for name, n in rows.items():
        print(f"{name:<16}{n:>12,}{sizes.get(name, 0) / _MIB:>13.1f}{loaded.get(name, 0):>13,}")
    print(f"{'total':<16}{sum(rows.values()):>12,}{sum(sizes.values()) / _MIB:>13.1f}{sum(loaded.values()):>13,}")
    if loaded != rows:
        print("error: the loaded tables do not have the generated row counts", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
