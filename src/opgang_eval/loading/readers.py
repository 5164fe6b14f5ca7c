"""Find the table files of an extract folder and read each into a raw frame.

Readers do no validation beyond "can this file be read at all": they return
the columns (names lower-cased and trimmed) with whatever values the format
produced, and report unreadable, empty or non-UTF-8 files as failures.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import Failure, Rule
from ..schema import TABLES

__all__ = ["FORMATS", "RawTable", "Source", "discover", "read_table"]

#: File suffix → format name.
FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".dta": "stata",
    ".sas7bdat": "sas",
}

_CONFIG_FILE = "evaluation.toml"
_SEP_HINT = re.compile(r"^sep=(.)\s*$")


@dataclass(frozen=True)
class Source:
    """Where a table came from, so a report can cite its inputs."""

    table: str
    path: Path
    format: str
    sha256: str
    rows: int


@dataclass(frozen=True)
class RawTable:
    """A table as read, before validation.

    ``first_row`` is the row number an analyst sees for the first record
    (2 below a header line in CSV and Excel, 1 in record-based formats).
    ``decimal_comma`` marks the Danish CSV dialect.
    """

    source: Source
    frame: pd.DataFrame
    original_columns: tuple[str, ...]
    first_row: int
    decimal_comma: bool


def discover(root: Path) -> tuple[dict[str, Path], list[Failure], list[Failure]]:
    """Map table names to files in ``root``.

    Returns the files found, the failures (missing required tables, a table
    given twice) and warnings (files that are not a contract table).
    """
    failures: list[Failure] = []
    warnings: list[Failure] = []
    found: dict[str, list[Path]] = {}
    for path in sorted(root.iterdir()):
        if not path.is_file() or path.name.startswith((".", "~$")) or path.name == _CONFIG_FILE:
            continue
        suffix = "".join(path.suffixes[-1:]).lower()
        stem = path.name[: len(path.name) - len(suffix)].strip().lower()
        if suffix in FORMATS and stem in TABLES:
            found.setdefault(stem, []).append(path)
        elif suffix in FORMATS or suffix in {".xls", ".sav", ".txt", ".tsv", ".json"}:
            hint = (
                f"'{path.name}' is not one of the contract tables ({', '.join(TABLES)}) in a supported format "
                f"({', '.join(sorted(set(FORMATS)))}); it was ignored. Rename it if it should be read."
            )
            warnings.append(Failure(path.name, path.name, "", None, "", "", Rule.UNRECOGNISED_FILE, hint))
    for name, paths in found.items():
        if len(paths) > 1:
            names = ", ".join(p.name for p in paths)
            failures.append(
                Failure(
                    name,
                    paths[0].name,
                    "",
                    None,
                    "",
                    names,
                    Rule.AMBIGUOUS_TABLE,
                    f"The table '{name}' is given by several files ({names}); keep exactly one.",
                )
            )
    for name, table in TABLES.items():
        if table.required and name not in found:
            failures.append(
                Failure(
                    name,
                    f"{name}.*",
                    "",
                    None,
                    "",
                    "",
                    Rule.MISSING_TABLE,
                    f"Add the required table '{name}' as {name}.csv (or .parquet, .xlsx, .dta, .sas7bdat).",
                )
            )
    return {name: paths[0] for name, paths in found.items() if len(paths) == 1}, failures, warnings


def read_table(name: str, path: Path) -> RawTable | Failure:
    """Read one table file; a file that cannot be read becomes a failure."""
    fmt = FORMATS[path.suffix.lower()]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return _unreadable(name, path, f"The file cannot be opened ({exc.strerror}).")
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return Failure(
            name,
            path.name,
            "",
            None,
            "",
            "",
            Rule.EMPTY_TABLE,
            "The file is empty; export the table with its header row.",
        )
    decimal_comma = False
    first_row = 1
    try:
        if fmt == "csv":
            result = _read_csv(name, path, data)
            if isinstance(result, Failure):
                return result
            frame, decimal_comma, first_row = result
        elif fmt == "parquet":
            frame = pd.read_parquet(io.BytesIO(data))
        elif fmt == "xlsx":
            frame = _read_xlsx(name, data)
            first_row = 2
        elif fmt == "stata":
            frame = pd.read_stata(io.BytesIO(data), convert_categoricals=True)
        else:
            frame = pd.read_sas(io.BytesIO(data), format="sas7bdat", encoding="infer")
    except Exception as exc:  # noqa: BLE001 - any reader error means an unreadable file
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _unreadable(name, path, f"The {fmt} file cannot be read ({message[:200]}).")
    original = tuple(str(c) for c in frame.columns)
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    source = Source(name, path, fmt, digest, len(frame))
    return RawTable(source, frame.reset_index(drop=True), original, first_row, decimal_comma)


def _unreadable(name: str, path: Path, why: str) -> Failure:
    return Failure(
        name,
        path.name,
        "",
        None,
        "",
        "",
        Rule.UNREADABLE_FILE,
        f"{why} Export it again from the program that made it.",
    )


def _read_csv(name: str, path: Path, data: bytes) -> tuple[pd.DataFrame, bool, int] | Failure:
    """Read CSV as text; detect the Danish dialect (``;`` and decimal comma).

    A first line ``sep=;`` (which Excel writes and reads) sets the separator.
    Otherwise the header decides: more semicolons than commas means the
    Danish dialect.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return Failure(
            name,
            path.name,
            "",
            line,
            "",
            "",
            Rule.NOT_UTF8,
            "The file is not UTF-8 (Danish letters such as æ, ø, å would be garbled). "
            "Save it as 'CSV UTF-8' and load it again.",
        )
    lines = text.splitlines()
    first_row = 2
    match = _SEP_HINT.match(lines[0]) if lines else None
    if match:
        sep = match.group(1)
        text = text.split("\n", 1)[1] if "\n" in text else ""
        first_row = 3
        header = text.splitlines()[0] if text.strip() else ""
    else:
        header = lines[0]
        sep = ";" if header.count(";") > header.count(",") else ","
    if not header.strip():
        raise ValueError("the header row is empty")
    names = next(csv.reader([header], delimiter=sep))
    seen: dict[str, str] = {}
    duplicated = []
    for raw in names:
        norm = raw.strip().lower()
        if norm in seen:
            duplicated.append(raw)
        seen[norm] = raw
    if duplicated:
        return Failure(
            name,
            path.name,
            duplicated[0].strip(),
            1,
            "",
            ", ".join(duplicated),
            Rule.DUPLICATE_COLUMN,
            "A column appears twice (names are matched ignoring case); keep one.",
        )
    frame = pd.read_csv(
        io.StringIO(text.rstrip() + "\n"),
        sep=sep,
        dtype="str",
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
    )
    return frame, sep == ";", first_row


def _read_xlsx(name: str, data: bytes) -> pd.DataFrame:
    """First sheet, or the sheet named after the table when there is one."""
    book = pd.ExcelFile(io.BytesIO(data), engine="openpyxl")
    sheets = {s.strip().lower(): s for s in book.sheet_names}
    sheet = sheets.get(name, book.sheet_names[0])
    return book.parse(sheet)
