"""Command line: ``opgang-eval validate | report | sample``.

The parser imports nothing heavy, so ``--help`` answers at once; each
command imports what it needs. Bad input ends with a readable message on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - the CLI imports the data stack only inside commands
    from .loading import Extracts

__all__ = ["build_parser", "main"]

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also the source of the CLI reference in the docs)."""
    parser = argparse.ArgumentParser(
        prog="opgang-eval",
        description="Evaluate family-focused employment interventions from anonymised register extracts.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    validate = commands.add_parser(
        "validate",
        help="check an extract folder against the data contract",
        description="Check every table of DIR against the data contract and report all problems at once.",
    )
    validate.add_argument("dir", type=Path, metavar="DIR", help="folder with families, parents, … files")
    validate.add_argument("--quiet", action="store_true", help="no progress bar")

    report = commands.add_parser(
        "report",
        help="validate DIR and write the evaluation report",
        description="Validate DIR, evaluate it and write the report into OUT.",
    )
    report.add_argument("dir", type=Path, metavar="DIR", help="folder with the extracts")
    report.add_argument("--out", type=Path, required=True, metavar="OUT", help="output folder")
    report.add_argument("--config", type=Path, metavar="FILE", help="evaluation.toml to use instead of DIR's")
    report.add_argument("--lang", choices=("da", "en"), help="report language (default: config, else da)")
    report.add_argument(
        "--format",
        default="html,pdf,xlsx",
        metavar="LIST",
        help="comma-separated: html, pdf, xlsx (default: html,pdf,xlsx)",
    )
    report.add_argument(
        "--no-ledger",
        action="store_true",
        help="UNSAFE for a released report: neither check this report against the release ledger kept in DIR "
        "nor record it there (only for a draft, or after an earlier report that was never released)",
    )
    report.add_argument("--quiet", action="store_true", help="no progress bars")

    sample = commands.add_parser(
        "sample",
        help="write a synthetic sample extract folder",
        description="Simulate a randomised evaluation calibrated to Opgang til Opgang and write it to OUT.",
    )
    sample.add_argument("out", type=Path, metavar="OUT", help="folder to write (must be empty or new)")
    sample.add_argument("--families", type=int, default=62, metavar="N", help="intervention families (default 62)")
    sample.add_argument(
        "--control", type=int, metavar="N", help="control families (default: as many as --families; 0: no control arm)"
    )
    sample.add_argument(
        "--comparison",
        type=int,
        default=0,
        metavar="N",
        help="non-randomised comparison families for an observational design (default 0)",
    )
    sample.add_argument("--seed", type=int, default=20190901, metavar="S", help="random seed (default 20190901)")
    sample.add_argument("--format", choices=("csv", "parquet"), default="csv", help="file format (default csv)")
    sample.add_argument("--force", action="store_true", help="replace the files of an existing folder")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        print(f"opgang-eval {__version__}")
        return EXIT_OK
    if args.command is None:
        parser.print_help()
        return EXIT_OK
    from .errors import OpgangError

    try:
        _check_environment()
        return _COMMANDS[args.command](args)
    except OpgangError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT


def _check_environment() -> None:
    """Refuse a bad ``SOURCE_DATE_EPOCH`` before a command imports numpy and scipy, which trip on it.

    An empty value means unset (as the report reads it) and is removed, since numpy would trip on that too.
    """
    from .source_date import VARIABLE, source_date

    source_date()
    if os.environ.get(VARIABLE) == "":
        del os.environ[VARIABLE]


def _progress(args: argparse.Namespace) -> bool | None:
    """Off with ``--quiet``; otherwise shown when stderr is a terminal."""
    return False if args.quiet else None


def _validate(args: argparse.Namespace) -> int:
    ex = _load(args.dir, _progress(args))
    print(str(ex))
    print("\nThe extracts meet the data contract.")
    return EXIT_OK


def _report(args: argparse.Namespace) -> int:
    progress = _progress(args)
    # --config replaces DIR's settings file: passed to load, so that file is not even parsed (a broken or
    # stale one there cannot stop the run) and the extracts are validated against the settings in force.
    ex = _load(args.dir, progress, config=args.config)
    from .evaluation import evaluate
    from .presentation import _render

    ev = evaluate(ex, progress=progress)
    try:
        written, ctx = _render(
            ev,
            args.out,
            formats=args.format.split(","),
            lang=args.lang,
            progress=progress,
            ledger=not args.no_ledger,
        )
    except OSError as exc:
        print(
            f"Cannot write the report to {args.out}: {exc.strerror or exc}. Choose a writable folder.", file=sys.stderr
        )
        return EXIT_BAD_INPUT
    # What the report itself says (disclosure-controlled), never str(ev): the analyst's unsuppressed summary.
    for line in ctx.headline:
        print(line)
    print(f"\nWrote {len(written)} files to {args.out}:")
    for path in written:
        if path.parent == Path(args.out):
            print(f"  {path}")
    return EXIT_OK


def _sample(args: argparse.Namespace) -> int:
    if args.families < 1:
        print("--families must be at least 1.", file=sys.stderr)
        return EXIT_BAD_INPUT
    for option, value in (("--control", args.control), ("--comparison", args.comparison)):
        if value is not None and value < 0:
            print(f"{option} must not be negative.", file=sys.stderr)
            return EXIT_BAD_INPUT
    from .synthetic import write_sample

    try:
        written = write_sample(
            args.out,
            families=args.families,
            seed=args.seed,
            fmt=args.format,
            force=args.force,
            control=args.control,
            comparison=args.comparison,
        )
    except FileExistsError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_BAD_INPUT
    except ValueError as exc:  # Scenario.check and the calibration refuse sizes they cannot honour
        print(f"Cannot generate this sample: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Wrote {len(written)} files to {args.out}.")
    return EXIT_OK


def _load(path: Path, progress: bool | None, config: Path | None = None) -> Extracts:
    import warnings

    from .errors import DataQualityWarning
    from .loading import load

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # printed with the summary instead
        return load(path, config=config, progress=progress)


_COMMANDS = {"validate": _validate, "report": _report, "sample": _sample}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
