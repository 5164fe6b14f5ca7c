"""Files an analyst really has: merged cells, zoned timestamps, compression, other separators.

Each test writes the extract of ``test_bad_extracts.BASE`` with one table
changed the way a real tool changes it, and checks through ``oe.load`` or the
CLI that the values are the ones the analyst sees (worked out by hand from
the file written) or that one message names the file, the cause and the fix.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import warnings
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import opgang_eval as oe
from opgang_eval.cli import main
from opgang_eval.errors import Rule
from test_bad_extracts import BASE, write_extract


def extract(tmp_path: Path, drop: str | None = None) -> Path:
    """The valid base extract, without the file ``drop``."""
    return write_extract(tmp_path / "extract", {k: v for k, v in BASE.items() if k != drop})


def load(folder: Path) -> oe.Extracts:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.load(folder)


def refused(folder: Path) -> pd.DataFrame:
    with pytest.raises(oe.ValidationError) as info:
        load(folder)
    return info.value.failures


def test_merged_site_fills_every_row_of_the_range(tmp_path: Path):
    folder = extract(tmp_path, drop="families.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["family_id", "arm", "enrolled_on", "site", "stratum", "exited_on"])
    sheet.append(["F01", "intervention", "2020-03-15", "Gellerup", "A", None])
    sheet.append(["F02", "intervention", "2020-04-01", None, "B", "2021-06-30"])
    sheet.append(["F03", "control", "2020-03-20", None, "A", None])
    sheet.append(["F04", "control", "2020-05-10", "Toveshøj", "B", None])
    sheet.merge_cells("D2:D4")  # Gellerup for F01, F02 and F03
    book.save(folder / "families.xlsx")
    ex = load(folder)
    assert list(ex.families["site"].astype(str)) == ["Gellerup", "Gellerup", "Gellerup", "Toveshøj"]
    assert list(ex.families["family_id"]) == ["F01", "F02", "F03", "F04"]


def test_trailing_empty_excel_columns_are_dropped(tmp_path: Path):
    folder = extract(tmp_path, drop="families.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["family_id", "arm", "enrolled_on", "site", "stratum", "exited_on"])
    for row in (
        ["F01", "intervention", "2020-03-15", "Gellerup", "A"],
        ["F02", "intervention", "2020-04-01", "Tilst", "B", "2021-06-30"],
        ["F03", "control", "2020-03-20", "Kærby", "A"],
        ["F04", "control", "2020-05-10", "Toveshøj", "B"],
    ):
        sheet.append(row)
    sheet["G3"] = " "  # a stray space in columns G and H, which have no header
    sheet["H5"] = "  "
    book.save(folder / "families.xlsx")
    ex = load(folder)
    assert list(ex.families.columns) == ["family_id", "arm", "enrolled_on", "site", "stratum", "exited_on"]
    assert list(ex.families["site"].astype(str)) == ["Gellerup", "Tilst", "Kærby", "Toveshøj"]


def test_excel_column_with_values_but_no_header_is_named_by_its_letter(tmp_path: Path, capsys):
    folder = extract(tmp_path, drop="families.csv")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["family_id", "arm", "enrolled_on", "site", "stratum", "exited_on"])
    sheet.append(["F01", "intervention", "2020-03-15", "Gellerup", "A", None, "note"])
    sheet.append(["F02", "intervention", "2020-04-01", "Tilst", "B", "2021-06-30"])
    sheet.append(["F03", "control", "2020-03-20", "Kærby", "A"])
    sheet.append(["F04", "control", "2020-05-10", "Toveshøj", "B"])
    book.save(folder / "families.xlsx")
    failures = refused(folder)
    rows = set(zip(failures["file"], failures["column"], failures["rule"], strict=True))
    assert rows == {("families.xlsx", "(no header, column G)", Rule.UNKNOWN_COLUMN)}
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "column G" in err and "Traceback" not in err


def test_zoned_parquet_timestamps_read_as_copenhagen_dates(tmp_path: Path):
    folder = extract(tmp_path, drop="families.csv")
    # Copenhagen midnight of 1 March 2020 (CET, UTC+1) is 23:00 UTC on 29 February; of 1 April (CEST,
    # UTC+2) 22:00 UTC on 31 March.
    enrolled = pd.to_datetime(
        ["2020-02-29T23:00Z", "2020-03-31T22:00Z", "2020-03-20T00:00Z", "2020-05-10T12:00Z"], utc=True
    )
    table = pa.table(
        {
            "family_id": ["F01", "F02", "F03", "F04"],
            "arm": ["intervention", "intervention", "control", "control"],
            "enrolled_on": pa.array(enrolled, type=pa.timestamp("us", tz="UTC")),
            "site": ["Gellerup", "Tilst", "Kærby", "Toveshøj"],
            "stratum": ["A", "B", "A", "B"],
        }
    )
    pq.write_table(table, folder / "families.parquet")
    ex = load(folder)
    days = list(ex.families["enrolled_on"].dt.strftime("%Y-%m-%d"))
    assert days == ["2020-03-01", "2020-04-01", "2020-03-20", "2020-05-10"]


def test_naive_parquet_timestamps_are_unchanged(tmp_path: Path):
    folder = extract(tmp_path, drop="families.csv")
    table = pa.table(
        {
            "family_id": ["F01", "F02"],
            "arm": ["intervention", "control"],
            "enrolled_on": pa.array(pd.to_datetime(["2020-02-29T23:00", "2020-03-01T00:00"]), type=pa.timestamp("us")),
        }
    )
    pq.write_table(table, folder / "families.parquet")
    folder.joinpath("parents.csv").write_text("person_id,family_id,birth_year,sex\nP01,F01,1980,F\nP02,F02,1978,M\n")
    folder.joinpath("children.csv").write_text("person_id,family_id,birth_year,sex\n")
    folder.joinpath("parent_status.csv").write_text("person_id,month,status\nP01,2020-03,job\nP02,2020-03,job\n")
    for name in ("school_absence.csv", "youth_jobs.csv", "expenditure.csv", "survey.csv"):
        folder.joinpath(name).unlink()
    ex = load(folder)
    assert list(ex.families["enrolled_on"].dt.strftime("%Y-%m-%d")) == ["2020-02-29", "2020-03-01"]


@pytest.mark.parametrize(
    ("values", "type_", "what"),
    [
        ([{"name": "Gellerup"}, {"name": "Tilst"}], pa.struct([("name", pa.string())]), "struct"),
        ([["Gellerup"], ["Tilst"]], pa.list_(pa.string()), "list"),
        ([[("a", "Gellerup")], [("a", "Tilst")]], pa.map_(pa.string(), pa.string()), "map"),
    ],
    ids=["struct", "list", "map"],
)
def test_nested_parquet_column_is_refused(tmp_path: Path, capsys, values, type_, what):
    folder = extract(tmp_path, drop="families.csv")
    table = pa.table(
        {
            "family_id": ["F01", "F02"],
            "arm": ["intervention", "control"],
            "enrolled_on": ["2020-03-15", "2020-04-01"],
            "site": pa.array(values, type=type_),
        }
    )
    pq.write_table(table, folder / "families.parquet")
    failures = refused(folder)
    assert list(zip(failures["file"], failures["column"], failures["rule"], failures["value"], strict=True)) == [
        ("families.parquet", "site", Rule.NOT_TEXT, what)
    ]
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "families.parquet" in err and "nested" in err and "Traceback" not in err


COMPRESSORS = {
    ".gz": gzip.compress,
    ".bz2": bz2.compress,
    ".xz": lzma.compress,
}


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz", ".zip"])
def test_compressed_csv_is_read_like_the_csv(tmp_path: Path, suffix: str):
    folder = extract(tmp_path, drop="families.csv")
    text = str(BASE["families.csv"]).encode("utf-8")
    target = folder / f"families.csv{suffix}"
    if suffix == ".zip":
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("families.csv", text)
    else:
        target.write_bytes(COMPRESSORS[suffix](text))
    ex = load(folder)
    assert list(ex.families["family_id"]) == ["F01", "F02", "F03", "F04"]
    assert list(ex.families["site"].astype(str)) == ["Gellerup", "Tilst", "Kærby", "Toveshøj"]
    assert ex.families["exited_on"].notna().tolist() == [False, True, False, False]
    assert ex.sources["families"].format == "csv"
    assert ex.sources["families"].path.name == f"families.csv{suffix}"


def test_compressed_csv_errors_cite_lines_of_the_csv(tmp_path: Path):
    folder = extract(tmp_path, drop="families.csv")
    text = str(BASE["families.csv"]).replace("F03,control,2020-03-20", "F03,control,2020-13-20")
    (folder / "families.csv.gz").write_bytes(gzip.compress(text.encode("utf-8")))
    failures = refused(folder)
    assert list(zip(failures["file"], failures["column"], failures["rule"], failures["row"], strict=True)) == [
        ("families.csv.gz", "enrolled_on", Rule.NOT_DATE, 4)
    ]


def test_broken_gzip_is_unreadable(tmp_path: Path, capsys):
    folder = extract(tmp_path, drop="families.csv")
    (folder / "families.csv.gz").write_bytes(b"\x1f\x8b\x08\x00 not gzip at all")
    failures = refused(folder)
    assert list(zip(failures["file"], failures["rule"], strict=True)) == [("families.csv.gz", Rule.UNREADABLE_FILE)]
    assert main(["validate", str(folder)]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_xls_is_named_as_unsupported_with_the_fix(tmp_path: Path, capsys):
    folder = extract(tmp_path, drop="families.csv")
    (folder / "families.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old workbook")
    failures = refused(folder)
    assert list(zip(failures["file"], failures["rule"], strict=True)) == [("families.xls", Rule.UNREADABLE_FILE)]
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "families.xls" in err and "save it as .xlsx" in err
    assert "missing_table" not in err


def test_xls_beside_the_csv_is_a_warning(tmp_path: Path):
    folder = extract(tmp_path)
    (folder / "families.xls").write_bytes(b"\xd0\xcf\x11\xe0 an old workbook")
    with pytest.warns(oe.DataQualityWarning, match="families.xls"):
        ex = oe.load(folder)
    assert list(ex.families["family_id"]) == ["F01", "F02", "F03", "F04"]


def test_tab_separated_file_gives_one_root_cause(tmp_path: Path, capsys):
    folder = extract(tmp_path)
    (folder / "families.csv").write_text(str(BASE["families.csv"]).replace(",", "\t"), encoding="utf-8")
    failures = refused(folder)
    # One failure, at the header line: no missing columns, no orphan parents, children or expenditure.
    assert list(zip(failures["file"], failures["column"], failures["rule"], failures["row"], strict=True)) == [
        ("families.csv", "", Rule.UNREADABLE_FILE, 1)
    ]
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "tab-separated" in err and "1 problem in 1 file" in err
    assert "F01" not in err


def test_header_row_missing_gives_one_root_cause(tmp_path: Path, capsys):
    folder = extract(tmp_path)
    body = str(BASE["families.csv"]).split("\n", 1)[1]  # the header line deleted
    (folder / "families.csv").write_text(body, encoding="utf-8")
    failures = refused(folder)
    assert list(zip(failures["file"], failures["rule"], failures["row"], strict=True)) == [
        ("families.csv", Rule.UNREADABLE_FILE, 1)
    ]
    assert main(["validate", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "names none of the columns of families" in err
    for value in ("F01", "Gellerup"):  # the first record, taken for the header, is never echoed
        assert value not in err
