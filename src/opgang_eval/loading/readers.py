"""Find the table files of an extract folder and read each into a raw frame.

Readers do no validation beyond "can this file be read at all": they return
the columns (names lower-cased and trimmed) with whatever values the format
produced, and report unreadable, empty or non-UTF-8 files as failures.

They also undo what a format does silently and would otherwise move the
results without a word: merged Excel cells read empty below their first row,
timezone-aware Parquet timestamps carry UTC wall time, nested Parquet values
arrive as Python repr text. And a file whose header names none of the
table's columns (tab-separated, header row missing) is refused at read time
with one root-cause message, so validation never sees it and cannot report
every row of every table that refers to it.
"""

from __future__ import annotations

import bz2
import csv
import gzip
import hashlib
import io
import lzma
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, cast

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter

from ..errors import Failure, Rule
from ..schema import TABLES, ColumnKind
from ..validation.parse import looks_like_cpr, withhold_text

__all__ = [
    "COMPRESSIONS",
    "CONFIG_FILE",
    "FORMATS",
    "RawTable",
    "Source",
    "choose_config",
    "config_candidates",
    "discover",
    "looks_like_config",
    "read_table",
    "table_file",
]

#: File suffix → format name.
FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".dta": "stata",
    ".sas7bdat": "sas",
}

#: Compression suffix after ``.csv`` → the method; pandas infers the same ones from a path.
COMPRESSIONS = {".gz": "gzip", ".bz2": "bz2", ".zip": "zip", ".xz": "xz"}

#: Formats an analyst is likely to have but that are not read, with the fix to name.
_UNSUPPORTED = {
    ".xls": "an old Excel workbook (.xls), which is not read: open it in Excel and save it as .xlsx",
    ".xlsb": "a binary Excel workbook (.xlsb), which is not read: open it in Excel and save it as .xlsx",
    ".ods": "an OpenDocument spreadsheet (.ods), which is not read: save it as .xlsx or CSV UTF-8",
    ".tsv": "a tab-separated file, which is not read: save it comma- or semicolon-separated as .csv",
    ".txt": "a text file, which is not read: save it comma- or semicolon-separated as .csv",
    ".sav": "an SPSS file (.sav), which is not read: export it as .dta, .parquet or CSV UTF-8",
    ".json": "a JSON file, which is not read: export it as .parquet or CSV UTF-8",
}

#: A decompressed CSV larger than this is refused rather than filling the memory (a "zip bomb").
MAX_DECOMPRESSED = 2**31

#: Timezone-aware timestamps are read as wall time here: the dates of the contract are Danish dates.
LOCAL_TIMEZONE = "Europe/Copenhagen"

#: The failure a value of the wrong type in a contract column of each kind is reported under.
_KIND_RULE: dict[ColumnKind, Rule] = {
    "id": Rule.NOT_TEXT,
    "text": Rule.NOT_TEXT,
    "code": Rule.NOT_TEXT,
    "int": Rule.NOT_INTEGER,
    "number": Rule.NOT_NUMBER,
    "date": Rule.NOT_DATE,
    "month": Rule.NOT_MONTH,
    "school_year": Rule.NOT_SCHOOL_YEAR,
}

#: The one name under which the folder's configuration is read (in any case: ``Evaluation.toml`` too).
CONFIG_FILE = "evaluation.toml"
_SEP_HINT = re.compile(r"^sep=(.)\s*$")
_BOM = b"\xef\xbb\xbf"
_LINE_END = re.compile(r"(?<=\n)|(?<=\r)(?!\n)")
_FIRST_LINE_END = re.compile(rb"(\r\n|\r|\n)")
_LONE_CR = re.compile(rb"\r(?!\n)")
_NO_LINES = np.zeros(0, dtype=np.int64)


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
    (2 below a header line in CSV and Excel, 1 in record-based formats), and
    record ``i`` is row ``first_row + i`` unless ``line_numbers`` gives each
    record's row itself: in a CSV file where a quoted value holds a line
    break, or where records were set aside, rows and lines part ways.
    ``decimal_comma`` marks the Danish CSV dialect. ``long_records`` are the
    CSV records with more fields than the header, left out of ``frame``: the
    line each starts on and its number of fields; ``separator`` is the CSV
    field separator. ``positions`` gives, where it differs from ``1, 2, …``,
    the position in the file (from 1) of each column of ``frame``: Excel
    columns without header or value are left out.
    """

    source: Source
    frame: pd.DataFrame
    original_columns: tuple[str, ...]
    first_row: int
    decimal_comma: bool
    line_numbers: np.ndarray | None = None
    long_records: tuple[np.ndarray, np.ndarray] = (_NO_LINES, _NO_LINES)
    separator: str | None = None
    positions: tuple[int, ...] | None = None

    def column_label(self, i: int) -> str:
        """How a message names column ``i`` of ``frame``: its name, or its position if that looks like a CPR number.

        A header is data too: a CPR number typed as a column name must not be
        repeated by the failure that refuses it, nor by "unknown column".
        The position (and for Excel the letter) finds the column as surely.
        """
        name = str(self.frame.columns[i])
        if withhold_text(name) == name:
            return name
        position = self.positions[i] if self.positions is not None else i + 1
        letter = f" ({get_column_letter(position)})" if self.source.format == "xlsx" else ""
        return f"column {position}{letter}"


def table_file(name: str) -> tuple[str, str, str | None]:
    """Split a file name into its table stem, its format suffix and its compression.

    ``families.csv.gz`` is ``("families", ".csv", "gzip")``; a compression
    suffix counts only after ``.csv``, the one format pandas reads compressed
    as it is. Anything else is its last suffix: ``("families", ".xls", None)``.
    """
    lower = name.lower()
    last = Path(lower).suffix
    compression = COMPRESSIONS.get(last)
    if compression is not None and lower[: -len(last)].endswith(".csv"):
        return name[: len(name) - len(last) - 4].strip().lower(), ".csv", compression
    return name[: len(name) - len(last)].strip().lower(), last, None


def discover(root: Path) -> tuple[dict[str, Path], list[Failure], list[Failure]]:
    """Map table names to files in ``root``.

    Returns the files found, the failures (missing required tables, a table
    given twice, a table given only in a format that is not read) and
    warnings (files that are not a contract table). A contract table given
    only as, say, ``families.xls`` is an error naming the fix rather than
    "missing" (or, for an optional table, a measure silently not available);
    beside a readable file of the same table it is merely ignored, with a
    warning.
    """
    failures: list[Failure] = []
    warnings: list[Failure] = []
    found: dict[str, list[Path]] = {}
    unsupported: dict[str, list[Path]] = {}
    entries = sorted(root.iterdir())
    cpr = looks_like_cpr(pd.Series([p.name for p in entries], dtype="str"))
    for position, (path, named_by_cpr) in enumerate(zip(entries, cpr, strict=True), start=1):
        if named_by_cpr:
            failures.append(_cpr_named(path, position, len(entries)))
            continue
        if not path.is_file() or path.name.startswith((".", "~$")) or looks_like_config(path.name):
            continue  # the configuration is found by config_candidates
        stem, suffix, _compression = table_file(path.name)
        if suffix in FORMATS and stem in TABLES:
            found.setdefault(stem, []).append(path)
        elif suffix in _UNSUPPORTED and stem in TABLES:
            unsupported.setdefault(stem, []).append(path)
        elif suffix in FORMATS or suffix in _UNSUPPORTED:
            file = _entry_name(path, position, len(entries))
            hint = (
                f"'{file}' is not one of the contract tables ({', '.join(TABLES)}) in a supported format "
                f"({', '.join(sorted(set(FORMATS)))}); it was ignored. Rename it if it should be read."
            )
            warnings.append(Failure(file, file, "", None, "", "", Rule.UNRECOGNISED_FILE, hint))
    for name, paths in unsupported.items():
        for path in paths:
            what = _UNSUPPORTED[table_file(path.name)[1]]
            if name in found:
                hint = f"'{path.name}' is {what}; it was ignored, and {found[name][0].name} is read instead."
                warnings.append(Failure(name, path.name, "", None, "", "", Rule.UNRECOGNISED_FILE, hint))
            else:
                hint = f"'{path.name}' is {what} (or CSV UTF-8, .parquet, .dta), then load it again."
                failures.append(Failure(name, path.name, "", None, "", "", Rule.UNREADABLE_FILE, hint))
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
        if table.required and name not in found and name not in unsupported:
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


def _entry_name(path: Path, position: int, total: int) -> str:
    """A folder entry as a message names it: its name, or where it is listed if the name holds a CPR-like number."""
    if withhold_text(path.name) == path.name:
        return path.name
    return f"entry {position} of {total} in the folder"


def _cpr_named(path: Path, position: int, total: int) -> Failure:
    """The failure for a folder entry whose name looks like a CPR number; the name is never repeated.

    The entry is named by its place in the folder listed by name (in code
    point order, hidden entries included, as ``LC_ALL=C ls -A`` lists it),
    its kind and, for a file, its size and a known suffix: enough to find
    it without the name.
    """
    where = f"entry {position} of {total} in the folder"
    if path.is_dir():
        what = "a folder"
    else:
        suffix = table_file(path.name)[1]
        known = suffix in FORMATS or suffix in _UNSUPPORTED or suffix == ".toml"
        try:
            size = f"{path.stat().st_size:,} bytes"
        except OSError:
            size = "size unknown"
        what = f"a {suffix} file of {size}" if known else f"a file of {size}"
    hint = (
        f"The name of {where} ({what}; listed by name, upper case before lower case, hidden files included) "
        "looks like a CPR number. Extracts must be pseudonymised, file names too: rename it, or move it out of "
        "the extract folder. The name is not repeated here."
    )
    return Failure("", where, "", None, "", "", Rule.CPR_LIKE_ID, hint)


#: Suffixes a settings file may end up with when saved by a text editor instead of as ``.toml``.
_TEXT_SUFFIXES = frozenset({"", "txt", "text", "ini", "cfg", "conf", "config"})
#: Misspellings of the ``toml`` suffix.
_TOML_SUFFIXES = frozenset({"toml", "tml", "tom", "tmol", "tolm", "toml~"})


def looks_like_config(name: str) -> bool:
    """Whether a folder entry named ``name`` looks like the configuration (``evaluation.toml``).

    It does when any of its suffixes is ``toml`` or a misspelling of it
    (``Evaluation.TOML``, ``evaluation.toml.txt``, ``settings.toml``,
    ``evaluation (1).toml``), or when its stem, letters only, is within two
    edits of ``evaluation`` and it has no suffix or a text one
    (``evaluation.txt``, ``evalution.ini``, ``Evaluation``). A settings file
    under any of these names would otherwise be silently ignored, and with it
    a raised ``min_cell``.
    """
    parts = [part.strip().lower() for part in name.split(".")]
    if any(part in _TOML_SUFFIXES or "toml" in part for part in parts[1:]):
        return True
    stem = re.sub(r"[^a-zæøå]", "", parts[0])
    return all(part in _TEXT_SUFFIXES for part in parts[1:]) and _edits(stem, "evaluation") <= 2


def _edits(a: str, b: str) -> int:
    """Levenshtein distance between two short words."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def config_candidates(root: Path) -> list[Path]:
    """The entries of ``root`` that look like the configuration (see :func:`looks_like_config`), by name.

    Folders are left out (a report folder named ``evaluation`` is no
    settings file), except one named ``evaluation.toml``, which is refused.
    Entries whose name looks like a CPR number are left out too:
    :func:`discover` refuses them, and a message about the configuration
    would name them.
    """
    entries = [
        p
        for p in sorted(root.iterdir())
        if looks_like_config(p.name) and (p.name.lower() == CONFIG_FILE or not p.is_dir())
    ]
    cpr = looks_like_cpr(pd.Series([p.name for p in entries], dtype="str"))
    return [p for p, named_by_cpr in zip(entries, cpr, strict=True) if not named_by_cpr]


def choose_config(candidates: list[Path]) -> tuple[Path | None, list[Failure]]:
    """The configuration file to read among ``candidates``, and the failures for the others.

    The configuration is read under one name, ``evaluation.toml``, in any
    case (``Evaluation.toml``, ``EVALUATION.TOML``), as table files are
    (``FAMILIES.CSV``), when exactly one such file is present. Every other
    candidate is refused, naming the fix, rather than ignored: a settings
    file saved as ``evaluation.toml.txt`` (Windows hides the ``.txt``) or as
    ``Evaluation.toml`` beside ``evaluation.toml`` on a case-sensitive disk
    holds settings the analyst believes are in force (a raised ``min_cell``,
    say). The one readable file is still read when others are refused, so
    its own mistakes are listed in the same pass.
    """
    exact = [p for p in candidates if p.name.lower() == CONFIG_FILE]
    failures: list[Failure] = []
    chosen: Path | None = None
    if len(exact) > 1:
        names = ", ".join(p.name for p in exact)
        hint = (
            f"Several files are the configuration, in different case ({names}); it is not known which "
            f"settings are meant. Keep exactly one, named {CONFIG_FILE}."
        )
        failures.append(Failure("config", exact[0].name, "", None, "", names, Rule.BAD_CONFIG, hint))
    elif exact and not exact[0].is_file():
        hint = (
            f"{exact[0].name} is a folder, not a settings file; remove it or put the settings in a file of that name."
        )
        failures.append(Failure("config", exact[0].name, "", None, "", "", Rule.BAD_CONFIG, hint))
    elif exact:
        chosen = exact[0]
    for path in candidates:
        if path in exact:
            continue
        if exact:
            hint = (
                f"'{path.name}' looks like a second copy of the configuration beside {exact[0].name}; only "
                f"{CONFIG_FILE} is read, so settings in it (a higher min_cell, say) would be ignored. Delete or "
                "move out of the extract folder whichever is not meant."
            )
        else:
            hint = (
                f"'{path.name}' looks like the configuration, but the configuration is only read as {CONFIG_FILE} "
                f"(a text editor may have added .txt, which Windows hides). Rename it to {CONFIG_FILE}, or move "
                "it out of the extract folder if it holds no settings."
            )
        failures.append(Failure("config", path.name, "", None, "", "", Rule.BAD_CONFIG, hint))
    return chosen, failures


def read_table(name: str, path: Path) -> RawTable | list[Failure]:
    """Read one table file; a file that cannot be read becomes its failures.

    Several failures come back when the file can be read but some of its
    columns cannot be taken as values (nested Parquet columns): each is named,
    and the table is not passed on, so no follow-on error hides them.
    """
    _stem, suffix, compression = table_file(path.name)
    fmt = FORMATS[suffix]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return [_unreadable(name, path, f"The file cannot be opened ({exc.strerror}).")]
    digest = hashlib.sha256(data).hexdigest()  # of the file as given, so a report cites what the analyst has
    decimal_comma = False
    first_row = 1
    line_numbers = None
    long_records = (_NO_LINES, _NO_LINES)
    separator = None
    blank_headers: list[int] = []
    positions: tuple[int, ...] | None = None
    try:
        if compression is not None and data.strip():
            data = _decompress(data, compression)
        if not data.strip():
            return [
                Failure(
                    name,
                    path.name,
                    "",
                    None,
                    "",
                    "",
                    Rule.EMPTY_TABLE,
                    "The file is empty; export the table with its header row.",
                )
            ]
        if fmt == "csv":
            result = _read_csv(name, path, data)
            if isinstance(result, Failure):
                return [result]
            frame, separator, first_row, line_numbers, long_records = result
            decimal_comma = separator == ";"
        elif fmt == "parquet":
            nested = _nested_columns(name, path, data)
            if nested:
                return nested
            frame = _local_time(pd.read_parquet(io.BytesIO(data)))
        elif fmt == "xlsx":
            frame, blank_headers, kept = _read_xlsx(name, data)
            positions = kept if kept != tuple(range(1, len(kept) + 1)) else None
            first_row = 2
        elif fmt == "stata":
            frame = pd.read_stata(io.BytesIO(data), convert_categoricals=True)
        else:
            frame = pd.read_sas(io.BytesIO(data), format="sas7bdat", encoding="infer")
    except Exception as exc:  # noqa: BLE001 - any reader error means an unreadable file
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # A reader's message may quote a cell: withheld before it is cut, so no half CPR number is left.
        message = withhold_text(message)
        line = getattr(exc, "line", None)
        return [_unreadable(name, path, f"The {fmt} file cannot be read ({message[:200]}).", line)]
    original = tuple(str(c) for c in frame.columns)
    names = [str(c).strip().lower() for c in frame.columns]
    for i in blank_headers:
        names[i] = f"(no header, column {get_column_letter(positions[i] if positions else i + 1)})"
    frame.columns = names
    header = _foreign_header(name, path, names, fmt, first_row)
    if header is not None:
        return [header]
    source = Source(name, path, fmt, digest, len(frame))
    return RawTable(
        source,
        frame.reset_index(drop=True),
        original,
        first_row,
        decimal_comma,
        line_numbers,
        long_records,
        separator,
        positions,
    )


def _decompress(data: bytes, method: str) -> bytes:
    """The CSV inside a compressed file, with the standard library's codecs.

    The CSV reader scans the bytes itself (to cite each record's line), so
    it needs them whole rather than pandas' decompressing stream. More than
    :data:`MAX_DECOMPRESSED` bytes is refused rather than read until memory
    runs out.
    """
    with _open_compressed(data, method) as stream:
        out = stream.read(MAX_DECOMPRESSED + 1)
    if len(out) > MAX_DECOMPRESSED:
        raise ValueError(f"it is larger than {MAX_DECOMPRESSED // 2**30} GiB once decompressed")
    return out


def _open_compressed(data: bytes, method: str) -> IO[bytes]:
    """A stream of the file inside ``data``; a zip archive must hold exactly one file, as pandas requires."""
    if method == "zip":
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) != 1:
            raise ValueError(f"the zip archive holds {len(members)} files; put exactly the one CSV file in it")
        return archive.open(members[0])
    if method == "gzip":
        return cast("IO[bytes]", gzip.open(io.BytesIO(data), "rb"))
    if method == "bz2":
        return bz2.open(io.BytesIO(data), "rb")
    return lzma.open(io.BytesIO(data), "rb")


def _nested_columns(name: str, path: Path, data: bytes) -> list[Failure]:
    """Parquet columns of nested values (struct, list, map), one failure each.

    pandas would read them as Python objects whose text (``{'a': 1}``) then
    passes as a site or an id. Only the schema in the file's footer is read.
    """
    known = {c.name: c for c in TABLES[name].columns}
    failures = []
    for position, field in enumerate(pq.read_schema(io.BytesIO(data)), start=1):
        kind = field.type.value_type if pa.types.is_dictionary(field.type) else field.type
        if not pa.types.is_nested(kind):
            continue
        column = str(field.name).strip().lower()
        if withhold_text(column) != column:  # a CPR-like name is named by its position (see RawTable.column_label)
            column = f"column {position}"
        what = "map" if pa.types.is_map(kind) else "struct" if pa.types.is_struct(kind) else "list"
        if column in known:
            rule = _KIND_RULE[known[column].kind]
            hint = (
                f"The column holds nested values (a {what} in every row), not one value per row; "
                f"write '{column}' as a plain column (one {known[column].kind} per row) and load it again."
            )
        else:
            rule = Rule.UNKNOWN_COLUMN
            hint = (
                f"The column holds nested values (a {what}) and is not a contract column; remove it. "
                f"The columns are: {', '.join(known)}."
            )
        failures.append(Failure(name, path.name, column, None, "", what, rule, hint))
    return failures


def _local_time(frame: pd.DataFrame) -> pd.DataFrame:
    """Timezone-aware timestamps as Copenhagen wall time, the zone dropped.

    A Danish date written by a tool that stores UTC (Copenhagen midnight of
    1 March is 2020-02-29T23:00Z) must read as the date it is in Denmark; the
    date taken from the UTC wall time would be the day before (and an
    enrolment on the 1st the month before). Naive timestamps are kept as
    they are.
    """
    for i, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame.isetitem(i, frame.iloc[:, i].dt.tz_convert(LOCAL_TIMEZONE).dt.tz_localize(None))
    return frame


def _foreign_header(name: str, path: Path, names: list[str], fmt: str, first_row: int) -> Failure | None:
    """One root-cause failure for a header that names none of the table's columns.

    Such a header is nearly always a file that did not split into columns
    (tab-separated, other separator) or one whose first row is not the
    header. Passing the table on would report every contract column as
    missing and every row of every table that refers to it as an orphan;
    one message naming the cause and the fix replaces those thousands.
    """
    known = TABLES[name].column_names
    if not names or any(n in known for n in names):
        return None
    row = first_row - 1 if fmt in ("csv", "xlsx") else None
    expected = ", ".join(known)
    if len(names) == 1 and "\t" in names[0]:
        why = (
            f"The header of {path.name} has one column, with tab characters in it: is it tab-separated? "
            "Save it comma- or semicolon-separated (CSV UTF-8) and load it again."
        )
    elif len(names) == 1:
        why = (
            f"The header of {path.name} has one column, which is none of the columns of {name} ({expected}): "
            "the names are not separated by commas or semicolons. Save it comma- or semicolon-separated "
            "(CSV UTF-8) with the column names in the first row."
        )
    else:
        why = (
            f"The header of {path.name} names none of the columns of {name} ({expected}): is the header row "
            "missing, or not the first row? Put the column names in the first row and load it again."
        )
    return Failure(name, path.name, "", row, "", "", Rule.UNREADABLE_FILE, why)


def _unreadable(name: str, path: Path, why: str, line: int | None = None) -> Failure:
    return Failure(
        name,
        path.name,
        "",
        line,
        "",
        "",
        Rule.UNREADABLE_FILE,
        f"{why} Export it again from the program that made it.",
    )


def _read_csv(
    name: str, path: Path, data: bytes
) -> tuple[pd.DataFrame, str, int, np.ndarray | None, tuple[np.ndarray, np.ndarray]] | Failure:
    """Read CSV as text; detect the Danish dialect (``;`` and decimal comma).

    A first line ``sep=;`` (which Excel writes and reads) sets the separator.
    Otherwise the header decides: more semicolons than commas means the
    Danish dialect.

    Returns the frame (columns named as in the header, duplicates kept so
    validation reports them), the separator, the line of the first record, the
    line of every record where lines and records part ways (else ``None``)
    and the records with more fields than the header, which are left out.
    A record with fewer fields is kept; its missing fields are empty.
    """
    try:
        data.decode("utf-8-sig")
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
    body = data[len(_BOM) :] if data.startswith(_BOM) else data
    first_line, _, rest = _split_first_line(body)
    offset = 0  # lines before the header
    match = _SEP_HINT.match(first_line)
    if match:
        sep = match.group(1)
        body = rest
        offset = 1
        header = _split_first_line(body)[0]
    else:
        header = first_line
        sep = ";" if header.count(";") > header.count(",") else ","
    if not header.strip():
        raise ValueError("the header row is empty")
    # Trailing blank lines are not records; every record ends with a line break.
    body = body.rstrip() + b"\n"
    try:
        table = _csv_records_fast(body, sep) if len(sep.encode("utf-8")) == 1 else None
    except _UnclosedQuote as exc:
        raise _UnclosedQuote(exc.line + offset) from None
    if table is None:
        table = _csv_records_python(body, sep)
    names, frame, starts, fields = table
    # ``starts`` and ``fields`` cover the header too; rows are lines of the file.
    starts = starts[1:] + offset
    fields = fields[1:]
    long = fields > len(names)
    if long.any():
        frame = frame.loc[~long].reset_index(drop=True)
        long_records = (starts[long], fields[long])
        starts = starts[~long]
    else:
        long_records = (_NO_LINES, _NO_LINES)
    first_row = offset + 2
    plain = len(starts) == 0 or (starts[0] == first_row and starts[-1] == first_row + len(starts) - 1)
    line_numbers = None if plain else starts
    frame.columns = names
    return frame, sep, first_row, line_numbers, long_records


def _split_first_line(body: bytes) -> tuple[str, bytes, bytes]:
    """The first line as text (without its end), the line end and the bytes after it."""
    parts = _FIRST_LINE_END.split(body, maxsplit=1)
    if len(parts) == 1:
        return body.decode("utf-8"), b"", b""
    return parts[0].decode("utf-8"), parts[1], parts[2]


def _header_names(fields: list[str]) -> list[str]:
    """Column names from the header's fields; an empty one is named by its position, as pandas does."""
    return [f if f.strip() else f"Unnamed: {i}" for i, f in enumerate(fields)]


class _UnclosedQuote(ValueError):
    """A quoted CSV value runs to the end of the file."""

    def __init__(self, line: int) -> None:
        super().__init__(f'a quoted value starting on line {line} is never closed: a closing " is missing')
        self.line = line


def _csv_records_fast(body: bytes, sep: str) -> tuple[list[str], pd.DataFrame, np.ndarray, np.ndarray] | None:
    """Read ``body`` with pandas and locate its records with a vectorised scan of the bytes.

    Returns the header names, the data records (every field as text, at
    least as many columns as names; a short record padded with empty text),
    and for each record, header first, the line it starts on (from 1, within
    ``body``) and its number of fields. ``None`` when the scan cannot vouch
    for pandas' reading: quotes other than around whole fields (RFC 4180).

    A separator or line break is inside a quoted field when an odd number of
    quote characters precede it (``""`` in a quoted field keeps the count
    even); the scan checks that every quote sits where that holds. Line
    breaks are LF, CRLF and a lone CR, as pandas reads them.
    UTF-8 never uses the bytes of ``"``, ``,``, ``;``, CR or LF inside a
    multi-byte character, so bytes stand for characters here.
    """
    buf = np.frombuffer(body, dtype=np.uint8)
    code = ord(sep)
    # Positions of the few bytes that matter, never a mask per byte kept around:
    # memory stays proportional to the separators, not to the file.
    breaks = np.flatnonzero(buf == 10)
    if b"\r" in body:
        cr = np.flatnonzero(buf == 13)  # never the last byte, which is LF
        lone = cr[buf[cr + 1] != 10]  # a lone CR ends a line too
        if len(lone):
            breaks = np.sort(np.concatenate((breaks, lone)))
    separators = np.flatnonzero(buf == code)
    ends = breaks
    if b'"' in body:
        quotes = np.flatnonzero(buf == 34)
        # Quotes alternate: the 1st, 3rd, … open a quoted stretch and the 2nd, 4th, … close it
        # (a doubled quote inside a quoted field closes and at once reopens it).
        opening, closing = quotes[0::2], quotes[1::2]
        boundary = np.array([code, 10, 13, 34], dtype=np.uint8)
        # A quote opens only at the start of a field and closes only at its end (or doubles).
        if not (np.isin(buf[np.maximum(opening - 1, 0)], boundary) | (opening == 0)).all():
            return None
        if not np.isin(buf[closing + 1], boundary).all():  # the body ends with LF, never with a quote
            return None
        if len(quotes) % 2:
            raise _UnclosedQuote(int(np.searchsorted(breaks, opening[-1])) + 1)
        # A byte is inside quotes when an odd number of quotes precede it.
        ends = breaks[np.searchsorted(quotes, breaks) % 2 == 0]
        separators = separators[np.searchsorted(quotes, separators) % 2 == 0]
    fields = np.bincount(np.searchsorted(ends, separators), minlength=len(ends)) + 1
    if len(ends) < len(breaks):
        # The line a record ends on is one more than the number of line breaks before its end.
        end_lines = np.searchsorted(breaks, ends)
        starts = np.concatenate(([1], end_lines[:-1] + 2)).astype(np.int64)
    else:
        starts = np.arange(1, len(ends) + 1, dtype=np.int64)
    header = next(csv.reader(_split_lines(body[: ends[0] + 1].decode("utf-8")), delimiter=sep), [])
    names = _header_names(header)
    frame = _pandas_records(body, sep, len(names), int(max(len(names), fields.max())), len(ends) - 1)
    return None if frame is None else (names, frame, starts, fields)


def _pandas_records(body: bytes, sep: str, columns: int, width: int, records: int) -> pd.DataFrame | None:
    """The data records of ``body`` as text with pandas' C parser: the first ``columns`` fields.

    ``width`` is the most fields of any record. ``None`` when pandas does not
    find the ``records`` records it should.
    """
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            sep=sep,
            header=0,
            names=range(width),
            usecols=range(columns),
            index_col=False,
            encoding="utf-8",
            dtype="str",
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    except (pd.errors.ParserError, ValueError):
        return None
    return frame if len(frame) == records else None


def _split_lines(text: str) -> list[str]:
    """Lines with their ends, broken at LF, CRLF and a lone CR (as pandas reads CSV)."""
    lines = _LINE_END.split(text)
    return lines[:-1] if lines and not lines[-1] else lines


def _csv_records_python(body: bytes, sep: str) -> tuple[list[str], pd.DataFrame, np.ndarray, np.ndarray]:
    """The same as :func:`_csv_records_fast`, with records located by :mod:`csv`.

    The fallback for files with quotes inside a field (``5" screen``), which
    the vectorised scan cannot vouch for. :mod:`csv` reads quotes as pandas'
    C parser does (special only at the start of a field), so pandas still
    reads the values when it finds the same number of records; else the
    records :mod:`csv` found are used as they are.
    """
    text = body.decode("utf-8")
    lone_cr = _LONE_CR.search(body) is not None

    def lines() -> Iterable[str]:
        return _split_lines(text) if lone_cr else io.StringIO(text)

    reader = csv.reader(lines(), delimiter=sep)
    header = next(reader, [])
    starts, fields, line = [1], [max(len(header), 1)], reader.line_num
    for record in reader:
        starts.append(line + 1)
        fields.append(max(len(record), 1))  # a blank line is one empty field, as pandas reads it
        line = reader.line_num
    names = _header_names(header)
    frame = _pandas_records(body, sep, len(names), max(len(names), max(fields)), len(starts) - 1)
    if frame is None:
        width = len(names)
        rows = [
            r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in csv.reader(lines(), delimiter=sep)
        ]
        frame = pd.DataFrame(rows[1:], columns=range(width), dtype="str") if len(rows) > 1 else None
        frame = pd.DataFrame(columns=range(width)) if frame is None else frame
    return names, frame.astype("str"), np.array(starts, dtype=np.int64), np.array(fields, dtype=np.int64)


def _read_xlsx(name: str, data: bytes) -> tuple[pd.DataFrame, list[int], tuple[int, ...]]:
    """First sheet, or the sheet named after the table when there is one.

    The workbook is opened in openpyxl's full mode, not pandas' read-only
    one, because only that knows the merged ranges: a merged range holds its
    value in its first cell only, so the rows below would read empty (a site
    merged over three families). Each range is unmerged and its value put in
    every cell before pandas reads the sheet.

    Returns the frame, the positions of the columns whose header cell is
    empty but which hold values (to be named by their letter), and the
    sheet position (from 1) of every column kept. Such columns
    without any value (Excel's trailing empty columns, cells holding only
    spaces) are dropped: they are no column of the analyst's.
    """
    book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, keep_links=False)
    try:
        sheets = {str(s).strip().lower(): s for s in book.sheetnames}
        sheet = book[sheets.get(name, book.sheetnames[0])]
        for merged in list(sheet.merged_cells.ranges):
            value = sheet.cell(merged.min_row, merged.min_col).value
            bounds = merged.min_row, merged.min_col, merged.max_row, merged.max_col
            sheet.unmerge_cells(str(merged))
            for row in sheet.iter_rows(min_row=bounds[0], min_col=bounds[1], max_row=bounds[2], max_col=bounds[3]):
                for cell in row:
                    cell.value = value
        frame = pd.read_excel(book, sheet_name=sheet.title, engine="openpyxl")
    finally:
        book.close()
    header = [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1), ())]
    blank = [
        i
        for i, column in enumerate(frame.columns)
        if str(column) == f"Unnamed: {i}" and (i >= len(header) or header[i] is None or not str(header[i]).strip())
    ]
    empty = [i for i in blank if frame.iloc[:, i].astype("string").str.strip().fillna("").eq("").all()]
    kept = [i for i in range(frame.shape[1]) if i not in set(empty)]
    if empty:
        frame = frame.iloc[:, kept]
        blank = [i - sum(j < i for j in empty) for i in blank if i not in empty]
    return frame, blank, tuple(i + 1 for i in kept)
