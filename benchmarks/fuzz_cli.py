"""Fuzz the command line (issue 18): mutated extracts, settings and arguments through ``opgang_eval.cli.main``.

Runs ``--examples`` cases (default 10,000) drawn by the strategy of
``tests/fuzzing.py`` — the one ``tests/test_fuzz.py`` runs a few hundred
of — each in a fresh folder, in-process, and checks the CLI's contract:
exit status 0 or 2, no exception escaping, no "Traceback" in the output, a
message with exit 2, nothing written on exit 2 (``--out`` not created or
unchanged byte for byte, the input unchanged), nothing written by
``validate`` and nothing outside ``--out`` by a report.

It does not stop at a failure: every failure is recorded under its kind
(the exception and the innermost package frame, or the broken promise)
and the run goes on. At the end it prints the number of examples, the
failures per kind and, for each kind, a minimal reproducer: the first case
of that kind reduced by dropping one mutation, setting or argument at a
time while the same kind still occurs (``Case(...)`` is Python: paste it
into ``tests/test_fuzz.py`` to pin it), with what it did to the extract,
the argv and the message or traceback.

Hypothesis draws the cases, with a fixed ``--seed`` and no example
database (nothing is written to the repository). Its own shrinking is off:
it shrinks only a failure that is raised, which would end the run at the
first one and re-run the CLI hundreds of times per failure; the reduction
above replaces it, once per kind.

Usage::

    .venv/bin/python benchmarks/fuzz_cli.py                      # 10,000 cases
    .venv/bin/python benchmarks/fuzz_cli.py --examples 300 --seed 7 --report-share 10

Exits 1 if any case failed.
"""

from __future__ import annotations

import argparse
import collections
import resource
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import fuzzing as fz  # from tests/, after the path is set


@dataclass
class Kind:
    """Every failure of one kind: how many, the first case and its reduced reproducer."""

    count: int = 0
    first: int = 0
    case: fz.Case | None = None
    reproducer: str = ""
    examples: list[int] = field(default_factory=list)


Run = Callable[[fz.Case], tuple[fz.Outcome | None, list[fz.Problem]]]


def reduce(case: fz.Case, kind: str, run: Run, budget: int) -> tuple[fz.Case, fz.Outcome | None, int]:
    """Drop parts of ``case`` one at a time while ``kind`` still occurs (at most ``budget`` runs)."""
    best, best_outcome, runs = case, None, 0
    progress = True
    while progress and runs < budget:
        progress = False
        for simpler in best.simpler():
            if runs >= budget:
                break
            runs += 1
            outcome, found = run(simpler)
            if kind in {p.kind for p in found}:
                best, best_outcome, progress = simpler, outcome, True
                break
    return best, best_outcome, runs


def reproducer(case: fz.Case, outcome: fz.Outcome | None, problem: fz.Problem) -> str:
    """The case as run, and the problem's detail unless it is the traceback already shown."""
    if outcome is None:
        return f"case = {case!r}\n{problem.detail}"
    shown = fz.describe(case, outcome)
    return shown if problem.detail == outcome.error else f"{shown}\n{problem.detail[-3000:]}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=10_000, help="cases to run (default 10,000)")
    parser.add_argument("--seed", type=int, default=20190901, help="Hypothesis seed (default 20190901)")
    parser.add_argument("--report-share", type=int, default=10, help="%% of cases that run report (default 10)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case counts as hung")
    parser.add_argument("--reduce-budget", type=int, default=40, help="runs spent reducing each kind (0: none)")
    parser.add_argument("--every", type=int, default=500, help="print a progress line every N cases")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="fuzz-cli-"))
    base = fz.make_base(scratch / "base")
    folder = scratch / "case"

    def run(case: fz.Case) -> tuple[fz.Outcome | None, list[fz.Problem]]:
        try:
            outcome = fz.run_case(case, base, fz.fresh(folder), timeout=args.timeout)
        except Exception:  # noqa: BLE001 - a broken case must not end the run either
            return None, [fz.Problem("harness error (tests/fuzzing.py)", traceback.format_exc())]
        return outcome, fz.problems(case, outcome)

    kinds: dict[str, Kind] = {}
    statuses: collections.Counter[str] = collections.Counter()
    seconds: dict[str, list[float]] = collections.defaultdict(list)
    warned: collections.Counter[str] = collections.Counter()
    first_warned: dict[str, str] = {}
    tried = 0
    failed = 0
    start = time.perf_counter()

    def one(case: fz.Case) -> None:
        nonlocal tried, failed
        tried += 1
        outcome, found = run(case)
        if outcome is not None:
            statuses[f"{case.command} exit {outcome.status}"] += 1
            seconds[case.command].append(outcome.seconds)
            for w in {w[:120] for w in outcome.warnings}:
                warned[w] += 1
                first_warned.setdefault(w, fz.describe(case, outcome).split("\nexit status")[0])
        if found:
            failed += 1
        for p in found:
            k = kinds.setdefault(p.kind, Kind(first=tried, case=case))
            k.count += 1
            if len(k.examples) < 5:
                k.examples.append(tried)
            if k.count == 1:
                k.reproducer = reproducer(case, outcome, p)
        if tried % args.every == 0:
            elapsed = time.perf_counter() - start
            print(f"{tried:>7,} cases  {failed:>5,} failed  {len(kinds):>3} kinds  {elapsed:>8.0f} s", flush=True)

    test = seed(args.seed)(
        settings(
            max_examples=args.examples,
            database=None,
            derandomize=False,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
            report_multiple_bugs=False,
        )(given(fz.cases(report_share=args.report_share))(one))
    )
    test()
    fuzz_time = time.perf_counter() - start

    reduce_start = time.perf_counter()
    reduce_runs = 0
    for name, k in kinds.items():
        if args.reduce_budget <= 0 or k.case is None or name.startswith("harness"):
            continue
        small, outcome, runs = reduce(k.case, name, run, args.reduce_budget)
        reduce_runs += runs
        if outcome is not None:
            problem = next(p for p in fz.problems(small, outcome) if p.kind == name)
            k.reproducer = reproducer(small, outcome, problem)
    reduce_time = time.perf_counter() - reduce_start

    print()
    print(f"examples tried       {tried:,} (seed {args.seed}, {args.report_share} % report)")
    print(f"failed examples      {failed:,}")
    print(f"failure kinds        {len(kinds)}")
    print(f"fuzzing time         {fuzz_time:,.0f} s ({fuzz_time / max(tried, 1) * 1000:.0f} ms per example)")
    print(f"reducing time        {reduce_time:,.0f} s ({reduce_runs} runs)")
    for command, values in sorted(seconds.items()):
        values = sorted(values)
        print(
            f"{command:<20} {len(values):,} runs, mean {sum(values) / len(values):.2f} s, "
            f"median {values[len(values) // 2]:.2f} s, max {values[-1]:.2f} s"
        )
    print(f"exit statuses        {dict(sorted(statuses.items()))}")
    print(f"peak RSS             {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    if warned:
        print("\nwarnings seen (not failures), by how many cases showed each:")
        for text, n in warned.most_common(10):
            print(f"  {n:>6,}  {text}")
            print("          first seen in: " + first_warned[text].replace("\n", "\n          "))
    for i, (name, k) in enumerate(sorted(kinds.items(), key=lambda kv: -kv[1].count), 1):
        print(f"\n=== failure kind {i}: {name}")
        print(f"{k.count:,} examples (first #{k.first}; e.g. #{', #'.join(map(str, k.examples))})")
        print("minimal reproducer:")
        print(k.reproducer.rstrip())
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if kinds else 0


if __name__ == "__main__":
    sys.exit(main())
