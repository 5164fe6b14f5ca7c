"""Loading an extract folder: find files, read them, validate, type."""

from __future__ import annotations

import datetime as dt
import warnings as _warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..config import Config
from ..errors import FAILURE_COLUMNS, ConfigError, DataQualityWarning, Failure, Rule, ValidationError
from ..progress import Progress
from ..validation.checks import Collector, validate_tables
from .extracts import Extracts
from .readers import RawTable, Source, choose_config, config_candidates, discover, read_table

__all__ = ["Extracts", "Source", "load"]


def load(
    path: str | Path,
    *,
    config: Config | Mapping[str, Any] | str | Path | None = None,
    today: dt.date | None = None,
    progress: bool | None = None,
) -> Extracts:
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
        optionally ``evaluation.toml``. The settings file is read under
        that name in any case (``Evaluation.toml``), like the table files;
        any other file that looks like it (``evaluation.toml.txt``, a second
        copy in another case, ``evaluation.txt``) is refused with the fix
        rather than ignored, since its settings (a raised ``min_cell``) would
        silently not apply.
    config
        The configuration to use instead of the folder's (what the CLI's
        ``--config FILE`` passes): a path to a TOML file, a dict of settings
        over the defaults, or a :class:`~opgang_eval.Config`. The folder's
        settings file is then neither parsed nor checked, so a broken or
        stale one there does not stop the run; it is named in a warning.
        ``None`` (default): the folder's ``evaluation.toml``, or the defaults.
        The result is ``Extracts.config`` and is what validation checks
        against (survey scales).
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
    settings = _settings(root, config, errors, warned)
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
        tables = validate_tables(raws, settings, errors, warned, today=today)
    if errors:
        raise ValidationError(errors.failures(), errors.counts(), errors.suppressed())
    summary = _warning_summary(warned)
    for w in summary.itertuples(index=False):
        _warnings.warn(f"{w.file}: {w.message} ({w.n:,} rows)", DataQualityWarning, stacklevel=2)
    sources: dict[str, Source] = {name: raw.source for name, raw in raws.items()}
    return Extracts(root, tables, sources, settings, summary, warned.failures())


def _settings(
    root: Path, config: Config | Mapping[str, Any] | str | Path | None, errors: Collector, warned: Collector
) -> Config:
    """The configuration of a load: ``config`` if given, else the folder's settings file, else the defaults.

    A given ``config`` replaces the folder's file without parsing it; the
    files in the folder that look like the configuration are then only
    named, in a warning, so the analyst knows they were not used. A given
    ``config`` that is invalid raises :class:`~opgang_eval.ConfigError` at
    once: it is the caller's argument, not part of the extracts, and the
    message says so ("The settings are not valid"). Without one,
    :func:`~opgang_eval.loading.readers.choose_config` picks the file to read
    and refuses the others; failures of the folder's settings are collected
    with those of the data, so one pass reports both.
    """
    candidates = config_candidates(root)
    if config is not None:
        settings = Config.resolve(config)
        for candidate in candidates:
            hint = (
                f"'{candidate.name}' in the extract folder looks like the configuration; it was not read, because "
                "a configuration was given (--config, or load(config=...)), which replaces it."
            )
            warned.add_records([Failure("config", candidate.name, "", None, "", "", Rule.UNRECOGNISED_FILE, hint)])
        return settings
    path, failures = choose_config(candidates)
    errors.add_records(failures)
    if path is None:
        return Config()
    try:
        return Config.from_toml(path)
    except ConfigError as exc:
        errors.add_records(_records(exc.failures))
        return Config()


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
