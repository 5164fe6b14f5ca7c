"""Loading an extract folder: find files, read them, validate, type."""

from __future__ import annotations

import datetime as dt
import warnings as _warnings
from pathlib import Path

import pandas as pd

from ..config import Config
from ..errors import FAILURE_COLUMNS, ConfigError, DataQualityWarning, Failure, Rule, ValidationError
from ..progress import Progress
from ..validation.checks import Collector, validate_tables
from .extracts import Extracts
from .readers import RawTable, Source, discover, read_table

__all__ = ["Extracts", "Source", "load"]

_CONFIG_FILE = "evaluation.toml"


def load(path: str | Path, *, today: dt.date | None = None, progress: bool | None = None) -> Extracts:
    """Read and validate an extract folder.

    Every file is read and every rule checked before anything is reported:
    a failing folder raises one :class:`~opgang_eval.ValidationError` whose
    ``failures`` table lists all problems (table, file, column, row, key,
    value, rule, hint). Data-quality findings that do not block are emitted
    as :class:`~opgang_eval.DataQualityWarning` and kept in
    ``Extracts.warnings``.

    Parameters
    ----------
    path
        Folder holding ``families.csv``, ``parents.parquet``, … and
        optionally ``evaluation.toml``.
    today
        Reference date for the "not in the future" checks and the bounds
        that follow the calendar (no child born, no price year set, after
        its year); defaults to the day of the call.
    progress
        Show a progress bar (``None``: when a terminal or notebook is watching).
    """
    root = Path(path)
    if not root.is_dir():
        what = "does not exist" if not root.exists() else "is not a folder"
        raise ValidationError.from_failures(
            [
                Failure(
                    "",
                    str(root),
                    "",
                    None,
                    "",
                    "",
                    Rule.MISSING_TABLE,
                    f"The extract folder {what}; pass the folder that holds families, parents, … files.",
                )
            ]
        )
    errors, warned = Collector(), Collector()
    config = Config()
    config_path = root / _CONFIG_FILE
    if config_path.is_file():
        try:
            config = Config.from_toml(config_path)
        except ConfigError as exc:
            errors.add_records(_records(exc.failures))
    files, file_failures, file_warnings = discover(root)
    errors.add_records(file_failures)
    warned.add_records(file_warnings)
    raws: dict[str, RawTable] = {}
    with Progress(len(files) + 1, "load", progress) as bar:
        for name, file in files.items():
            bar.step(f"read {file.name}")
            result = read_table(name, file)
            if isinstance(result, RawTable):
                raws[name] = result
            else:
                errors.add_records(result)
        bar.step("validate")
        tables = validate_tables(raws, config, errors, warned, today=today)
    if errors:
        raise ValidationError(errors.failures(), errors.counts(), errors.suppressed())
    summary = _warning_summary(warned)
    for w in summary.itertuples(index=False):
        _warnings.warn(f"{w.file}: {w.message} ({w.n:,} rows)", DataQualityWarning, stacklevel=2)
    sources: dict[str, Source] = {name: raw.source for name, raw in raws.items()}
    return Extracts(root, tables, sources, config, summary, warned.failures())


def _records(frame: pd.DataFrame) -> list[Failure]:
    return [
        Failure(table, file, column, None if pd.isna(row) else int(row), key, value, Rule(rule), hint)
        for table, file, column, row, key, value, rule, hint in frame[list(FAILURE_COLUMNS)].itertuples(
            index=False, name=None
        )
    ]


def _warning_summary(warned: Collector) -> pd.DataFrame:
    counts = warned.counts().rename(columns={"hint": "message"})
    return counts[["table", "file", "column", "rule", "n", "message"]]
