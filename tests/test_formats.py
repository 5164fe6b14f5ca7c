"""Every accepted file format loads to identical typed frames.

The contract (section 1) accepts CSV (UTF-8 with or without BOM, comma- or
Danish-style semicolon-separated with decimal comma), Parquet, Excel
``.xlsx``, Stata ``.dta`` and SAS ``.sas7bdat``. One small synthetic extract
is written as plain comma CSV (the reference) and, from the same tables, in
every other format; each must load, table by table, to exactly the frames
the reference loads to. SAS cannot be written from Python: its fixture is
committed under ``fixtures/sas`` with the CSV twin it was converted from
(``fixtures/make_sas_fixture.py``), so the tests never need ReadStat.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pandas.io.stata import InvalidColumnName

import opgang_eval as oe
from opgang_eval.schema import ARM, DOMAIN, SEX, STATUS, TABLES, WAVE
from opgang_eval.synthetic import Scenario, generate, write_extracts

FIXTURES = Path(__file__).parent / "fixtures"
KIND = {name: {c.name: c.kind for c in table.columns} for name, table in TABLES.items()}

#: English code → Danish label, per column, as a Danish analyst would write them.
DANISH = {
    "arm": {"intervention": "indsats", "control": "kontrol"},
    "sex": {"F": "K", "M": "M"},
    "status": {
        "job": "ordinær beskæftigelse",
        "flexjob": "fleksjob",
        "education": "uddannelse",
        "early_retirement": "førtidspension",
        "cash_benefit": "kontanthjælp",
        "unemployment_benefit": "dagpenge",
        "sickness_benefit": "sygedagpenge",
        "resource_course": "ressourceforløb",
        "job_clarification": "jobafklaringsforløb",
        "flexjob_waiting": "ledighedsydelse",
        "other": "andet",
    },
    "domain": {
        "employment": "beskæftigelse",
        "social": "socialområdet",
        "health": "sundhed",
        "education": "uddannelse",
        "other": "andet",
    },
    "wave": {"baseline": "førmåling", "followup": "opfølgning"},
    "item": {"surplus": "overskud", "quality_of_life": "livskvalitet", "trust": "tillid til systemet"},
}


# -- the extract every format is written from -------------------------------------------


def base_tables() -> dict[str, pd.DataFrame]:
    """A small extract with non-integral numbers, refunds, gaps in optional columns and unit costs."""
    t = generate(Scenario(intervention_families=4, control_families=3), seed=11)
    fam = t["families"].copy()
    fam.loc[1, "exited_on"] = fam.loc[1, "enrolled_on"] + pd.Timedelta(days=400)
    fam.loc[2, "site"] = None
    t["families"] = fam
    for name in ("parents", "children"):
        people = t[name].copy()
        people.loc[0, "sex"] = None
        t[name] = people
    t["youth_jobs"] = t["youth_jobs"].assign(earnings_dkk=lambda d: d["earnings_dkk"] + 1234.5)
    amount = (t["expenditure"]["amount_dkk"] * 1.013).round(2)
    amount.iloc[::40] = -amount.iloc[::40]  # refunds
    t["expenditure"] = t["expenditure"].assign(amount_dkk=amount)
    absence = t["school_absence"].astype({"days_absent": "float64"})
    absence.loc[::3, "days_absent"] += 0.5
    t["school_absence"] = absence
    score = t["survey"]["score"].astype("float64")
    score.iloc[::4] = score.iloc[::4].clip(upper=4) + 0.5
    t["survey"] = t["survey"].assign(score=score)
    t["unit_costs"] = pd.DataFrame(
        {
            "status": list(STATUS.codes),
            "monthly_cost_dkk": np.round(np.linspace(600.25, 20_370.75, len(STATUS.codes)), 2),
            "price_year": 2024,
        }
    )
    # Plain columns (the generator hands out some as categoricals); each writer chooses its own types.
    return {
        name: frame.astype({c: "str" for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})
        for name, frame in t.items()
    }


# -- writers: one table into one file -------------------------------------------------------

Writer = Callable[[str, pd.DataFrame, Path], Path]


def danish_number(value: float) -> str:
    """``-1234.5`` → ``-1.234,5``: thousands dots, decimal comma, every digit of the float kept."""
    if pd.isna(value):
        return ""
    text = repr(float(value))
    sign = "-" if text.startswith("-") else ""
    whole, _, fraction = text.lstrip("-").partition(".")
    grouped = f"{int(whole):,}".replace(",", ".")
    return sign + grouped + ("" if fraction in ("", "0") else "," + fraction)


def danish_text(name: str, frame: pd.DataFrame, *, sep_line: bool = False, newline: str = "\r\n") -> str:
    """The table as Excel's Danish CSV export: ``;``, decimal comma, DD-MM-YYYY, Danish labels, UPPER names."""
    out = {}
    for column in frame.columns:
        values = frame[column]
        kind = KIND[name][column]
        if column in DANISH:
            values = values.map(DANISH[column])
        elif kind == "date":
            values = values.dt.strftime("%d-%m-%Y")
        elif kind == "number":
            values = values.map(danish_number)
        out[column.upper()] = values
    text = pd.DataFrame(out).to_csv(index=False, sep=";", lineterminator=newline)
    return ("sep=;" + newline + text) if sep_line else text


def write_danish_csv(name: str, frame: pd.DataFrame, folder: Path) -> Path:
    path = folder / f"{name}.csv"
    path.write_bytes(("\ufeff" + danish_text(name, frame)).encode("utf-8"))
    return path


def write_comma_csv(name: str, frame: pd.DataFrame, folder: Path) -> Path:
    (path,) = write_extracts({name: frame}, folder, "csv")
    return path


def write_parquet(name: str, frame: pd.DataFrame, folder: Path) -> Path:
    path = folder / f"{name}.parquet"
    frame.to_parquet(path, index=False)
    return path


def write_xlsx(name: str, frame: pd.DataFrame, folder: Path) -> Path:
    """Dates as real Excel dates (pandas/openpyxl), months as text ``YYYY-MM``."""
    path = folder / f"{name}.xlsx"
    frame.to_excel(path, index=False, sheet_name=name)
    return path


def _write_stata(name: str, frame: pd.DataFrame, folder: Path, version: int, labelled: bool) -> Path:
    """Dates as Stata dates (``%td``); codes as strings or as value-labelled integers.

    Contract names already follow Stata's rules (at most 32 characters, letters, digits and
    ``_``); pandas would rename any that did not, so its warning is an error here.
    """
    path = folder / f"{name}.dta"
    plain = frame.copy()
    if labelled:
        for column in plain.columns:
            if KIND[name][column] == "code":
                plain[column] = plain[column].astype("category")
    dates = {c: "td" for c in plain.columns if KIND[name][c] == "date"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", InvalidColumnName)
        plain.to_stata(path, write_index=False, convert_dates=dates, version=version)
    return path


def write_stata(name: str, frame: pd.DataFrame, folder: Path) -> Path:
    """Stata 14+ (format 118, UTF-8), codes as strings."""
    return _write_stata(name, frame, folder, version=118, labelled=False)


def write_stata_114(name: str, frame: pd.DataFrame, folder: Path) -> Path:
    """Stata 10-13 (format 114, Latin-1), codes as value-labelled integers."""
    return _write_stata(name, frame, folder, version=114, labelled=True)


#: File format → (writer, expected ``Source.format``).
FILE_FORMATS: dict[str, tuple[Writer, str]] = {
    "csv": (write_comma_csv, "csv"),
    "danish_csv": (write_danish_csv, "csv"),
    "parquet": (write_parquet, "parquet"),
    "xlsx": (write_xlsx, "xlsx"),
    "stata": (write_stata, "stata"),
    "stata_114": (write_stata_114, "stata"),
}

_MIXED = ("danish_csv", "parquet", "xlsx", "stata", "csv", "stata_114")

#: Variant → the file format of each table.
VARIANTS: dict[str, dict[str, str]] = {
    **{fmt: dict.fromkeys(TABLES, fmt) for fmt in FILE_FORMATS if fmt != "csv"},
    "mixed": {name: _MIXED[i % len(_MIXED)] for i, name in enumerate(TABLES)},
}


def write_folder(tables: dict[str, pd.DataFrame], folder: Path, formats: dict[str, str]) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: FILE_FORMATS[formats[name]][0](name, frame, folder) for name, frame in tables.items()}


def assert_same_tables(got: oe.Extracts, want: oe.Extracts) -> None:
    assert sorted(got.sources) == sorted(want.sources)
    for name in want.sources:
        try:
            pd.testing.assert_frame_equal(got.table(name), want.table(name))
        except AssertionError as exc:
            raise AssertionError(f"table {name} ({got.sources[name].path.name}): {exc}") from None


def numeric_ids(frame: pd.DataFrame, dtype: str) -> pd.DataFrame:
    """Ids ``F0012`` / ``P00032`` as the numbers 12 / 32."""
    out = frame.copy()
    for column in ("family_id", "person_id"):
        if column in out.columns:
            out[column] = out[column].astype("str").str[1:].astype("int64").astype(dtype)
    return out


def as_loaded_numeric_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """What numeric ids must load as: their digits as text, ``'12'``."""
    out = frame.copy()
    for column in ("family_id", "person_id"):
        if column in out.columns:
            out[column] = out[column].str[1:].astype("int64").astype("str")
    return out


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base() -> dict[str, pd.DataFrame]:
    return base_tables()


@pytest.fixture(scope="module")
def reference_dir(base, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("reference")
    write_extracts(base, folder, "csv")
    return folder


@pytest.fixture(scope="module")
def reference(reference_dir) -> oe.Extracts:
    return oe.load(reference_dir)


@pytest.fixture(scope="module", params=list(VARIANTS))
def variant(request, base, tmp_path_factory) -> tuple[str, dict[str, Path], oe.Extracts]:
    paths = write_folder(base, tmp_path_factory.mktemp(request.param), VARIANTS[request.param])
    return request.param, paths, oe.load(next(iter(paths.values())).parent)


@pytest.fixture(scope="module")
def sas_twin() -> oe.Extracts:
    return oe.load(FIXTURES / "sas_csv")


# -- the reference itself ---------------------------------------------------------------------------


def test_reference_loads_the_generated_values(base, reference):
    """The reference frames hold exactly the generated values, in the contract's dtypes."""
    assert sorted(reference.sources) == sorted(TABLES)
    for name, frame in base.items():
        want = {}
        for column in TABLES[name].columns:
            values = frame[column.name]
            if column.kind in ("id", "school_year"):
                values = values.astype("str")
            elif column.kind == "code" and column.vocabulary is not None and not column.vocabulary.open:
                values = values.astype(pd.CategoricalDtype(list(column.vocabulary.codes)))
            elif column.kind in ("code", "text"):
                values = values.astype(pd.CategoricalDtype(sorted(values.dropna().unique())))
            elif column.kind == "date":
                values = values.astype("datetime64[s]")
            elif column.kind == "month":
                values = pd.Series(pd.PeriodIndex(values, freq="M"))
            elif column.kind == "int":
                values = values.astype("int64")
            else:
                values = values.astype("float64")
            want[column.name] = values
        pd.testing.assert_frame_equal(reference.table(name), pd.DataFrame(want), obj=name)


def test_reference_has_the_canonical_dtypes(reference):
    fam = reference.families
    assert fam["family_id"].dtype == "str"
    assert fam["family_id"].iloc[0] == "F0001"
    assert isinstance(fam["arm"].dtype, pd.CategoricalDtype)
    assert list(fam["arm"].cat.categories) == list(ARM.codes) == ["intervention", "control", "comparison"]
    assert fam["enrolled_on"].dtype == "datetime64[s]"
    assert fam["exited_on"].dtype == "datetime64[s]"
    assert fam["exited_on"].notna().any() and fam["exited_on"].isna().any()
    assert fam["site"].isna().sum() == 1
    for name in ("parents", "children"):
        people = reference.table(name)
        assert people["person_id"].dtype == "str"
        assert people["family_id"].dtype == "str"
        assert people["birth_year"].dtype == "int64"
        assert list(people["sex"].cat.categories) == list(SEX.codes) == ["F", "M"]
        assert people["sex"].isna().sum() == 1
    status = reference.parent_status
    assert status["person_id"].dtype == "str"
    assert status["month"].dtype == "period[M]"
    assert list(status["status"].cat.categories) == list(STATUS.codes)
    assert reference.unit_costs["price_year"].dtype == "int64"
    assert list(reference.unit_costs["status"].cat.categories) == list(STATUS.codes)
    assert reference.unit_costs["monthly_cost_dkk"].dtype == "float64"
    assert reference.youth_jobs["earnings_dkk"].dtype == "float64"
    assert (reference.youth_jobs["earnings_dkk"] % 1 == 0.5).all()
    expenditure = reference.expenditure
    assert expenditure["amount_dkk"].dtype == "float64"
    assert (expenditure["amount_dkk"] < 0).any() and (expenditure["amount_dkk"] % 1 != 0).any()
    assert list(expenditure["domain"].cat.categories) == list(DOMAIN.codes)
    assert reference.school_absence["days_absent"].dtype == "float64"
    assert reference.school_absence["school_days"].dtype == "float64"
    assert (reference.school_absence["days_absent"] % 1 == 0.5).any()
    survey = reference.survey
    assert list(survey["wave"].cat.categories) == list(WAVE.codes)
    assert sorted(survey["item"].cat.categories) == ["quality_of_life", "surplus", "trust"]
    assert survey["score"].dtype == "float64"


# -- every format, the same frames --------------------------------------------------------------------


def test_variant_loads_identical_frames(variant, reference):
    _, _, extracts = variant
    assert_same_tables(extracts, reference)


def test_variant_sources_cite_the_files(variant, reference):
    name_of_variant, paths, extracts = variant
    for name, path in paths.items():
        source = extracts.sources[name]
        assert source.table == name
        assert source.path == path
        assert source.format == FILE_FORMATS[VARIANTS[name_of_variant][name]][1]
        assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert source.rows == len(reference.table(name)) > 0


def test_mixed_folder_holds_every_writable_format(base, tmp_path):
    paths = write_folder(base, tmp_path, VARIANTS["mixed"])
    assert {p.suffix for p in paths.values()} == {".csv", ".parquet", ".xlsx", ".dta"}
    csv = [p.read_bytes()[:3] for p in paths.values() if p.suffix == ".csv"]
    assert {head == b"\xef\xbb\xbf" for head in csv} == {False, True}  # comma and Danish CSV
    versions = {p.read_bytes()[:1] for p in paths.values() if p.suffix == ".dta"}
    assert versions == {b"<", b"r"}  # Stata 118 starts with "<stata_dta>", 114 with its release byte 114
    assert {s.format for s in oe.load(tmp_path).sources.values()} == {"csv", "parquet", "xlsx", "stata"}


def test_written_files_use_each_formats_native_types(base, tmp_path):
    """The variants really are what they claim; otherwise the comparisons above prove little."""
    danish = write_danish_csv("youth_jobs", base["youth_jobs"], tmp_path).read_bytes()
    assert danish.startswith(b"\xef\xbb\xbfPERSON_ID;MONTH;EARNINGS_DKK\r\n")
    first = base["youth_jobs"].iloc[0]
    assert f"{first['month']};{danish_number(first['earnings_dkk'])}".encode() in danish
    assert danish_number(-1234.5) == "-1.234,5" and danish_number(36800.0) == "36.800"
    status = write_danish_csv("parent_status", base["parent_status"], tmp_path).read_text("utf-8-sig")
    assert "kontanthjælp" in status and "cash_benefit" not in status
    families = write_danish_csv("families", base["families"], tmp_path).read_text("utf-8-sig")
    assert base["families"]["enrolled_on"].iloc[0].strftime("%d-%m-%Y") in families
    assert ";indsats;" in families and ";kontrol;" in families

    book = openpyxl.load_workbook(write_xlsx("families", base["families"], tmp_path))
    enrolled = book["families"]["C2"]
    assert enrolled.is_date and pd.Timestamp(enrolled.value) == base["families"]["enrolled_on"].iloc[0]
    sheet = openpyxl.load_workbook(write_xlsx("expenditure", base["expenditure"], tmp_path))["expenditure"]
    assert sheet["B2"].data_type == "s" and sheet["B2"].value == base["expenditure"]["month"].iloc[0]

    dta = pd.read_stata(write_stata("families", base["families"], tmp_path))
    assert dta["enrolled_on"].dtype.kind == "M"
    assert list(dta.columns) == list(base["families"].columns)
    assert dta["arm"].tolist() == base["families"]["arm"].tolist()  # plain strings
    dta = pd.read_stata(write_stata_114("families", base["families"], tmp_path), convert_categoricals=False)
    assert dta["enrolled_on"].dtype.kind == "M"
    assert dta["arm"].dtype.kind == "i"  # value-labelled integers
    raw = pd.read_parquet(write_parquet("families", base["families"], tmp_path))
    assert raw["enrolled_on"].dtype.kind == "M"


# -- SAS: the committed fixture and its CSV twin ------------------------------------------------------


def test_sas_fixture_loads_like_its_csv_twin(sas_twin):
    sas = oe.load(FIXTURES / "sas")
    assert sorted(sas.sources) == sorted(TABLES)
    assert_same_tables(sas, sas_twin)
    for name, source in sas.sources.items():
        assert source.format == "sas"
        assert source.path == FIXTURES / "sas" / f"{name}.sas7bdat"
        assert source.sha256 == hashlib.sha256(source.path.read_bytes()).hexdigest()
        assert source.rows == len(sas_twin.table(name))
    # Real values, not only equal ones: Danish labels and letters survive, dates are dates.
    assert sas.families["stratum"].str.contains("forældre").any()
    assert sas.families["exited_on"].notna().sum() == 1
    assert "kontanthjælp" in (FIXTURES / "sas_csv" / "parent_status.csv").read_text("utf-8")
    assert "cash_benefit" in set(sas.parent_status["status"])
    assert (sas.expenditure["amount_dkk"] < 0).any()


def test_sas_fixture_files_store_dates_as_sas_dates():
    with pd.read_sas(FIXTURES / "sas" / "families.sas7bdat", encoding="infer", iterator=True) as reader:
        formats = {c.name.lower(): c.format for c in reader.columns}
        raw = reader.read()
    assert formats["enrolled_on"] == formats["exited_on"] == "DATE"
    assert raw["ENROLLED_ON"].dtype.kind == raw["EXITED_ON"].dtype.kind == "M"
    assert raw["FAMILY_ID"].tolist() == ["F0001", "F0002", "F0003"]
    twin = pd.read_csv(FIXTURES / "sas_csv" / "families.csv", parse_dates=["ENROLLED_ON"])
    assert raw["ENROLLED_ON"].tolist() == twin["ENROLLED_ON"].tolist()


def test_mixed_folder_with_sas_tables(sas_twin, tmp_path):
    sas_tables = {"families", "parent_status", "survey", "unit_costs"}
    for name in TABLES:
        if name in sas_tables:
            shutil.copy(FIXTURES / "sas" / f"{name}.sas7bdat", tmp_path)
        else:
            shutil.copy(FIXTURES / "sas_csv" / f"{name}.csv", tmp_path)
    mixed = oe.load(tmp_path)
    assert_same_tables(mixed, sas_twin)
    assert {n for n, s in mixed.sources.items() if s.format == "sas"} == sas_tables


# -- what handing out tables must not allow ------------------------------------------------------------


def test_tables_are_immutable_in_practice(reference_dir):
    extracts = oe.load(reference_dir)
    before = {name: extracts.table(name).copy(deep=True) for name in extracts.sources}

    families = extracts.families
    families["arm"] = "control"
    families.loc[0, "family_id"] = "CHANGED"
    families.iloc[1, families.columns.get_loc("enrolled_on")] = pd.Timestamp("2000-01-01")
    families["extra"] = 1
    assert families.loc[0, "family_id"] == "CHANGED"  # the copy did change
    status = extracts.table("parent_status")
    status.loc[:, "status"] = "job"
    status.iloc[0, 1] = pd.Period("2000-01", "M")
    parents = extracts.parents
    with pytest.raises(ValueError, match="read-only"):
        parents["birth_year"].to_numpy()[0] = 1900
    with pytest.raises(TypeError):
        extracts.sources["families"] = extracts.sources["parents"]  # type: ignore[index]

    for name, frame in before.items():
        pd.testing.assert_frame_equal(extracts.table(name), frame, obj=name)
    pd.testing.assert_frame_equal(extracts.families, before["families"])
    assert "extra" not in extracts.families.columns


@pytest.mark.parametrize(
    ("table", "column", "value"),
    [
        ("parents", "birth_year", 1900),
        ("families", "enrolled_on", pd.Timestamp("2000-01-01")),
        ("parent_status", "month", pd.Period("2000-01", "M")),
        ("parent_status", "status", "job"),
        ("expenditure", "amount_dkk", -1.0),
        ("families", "family_id", "CHANGED"),
    ],
)
def test_backing_arrays_cannot_change_the_extracts(reference_dir, table, column, value):
    """Writing into ``Series.array`` of a handed-out table must fail or stay local, never reach the extracts."""
    extracts = oe.load(reference_dir)
    before = extracts.table(table).copy(deep=True)
    assert before[column].iloc[0] != value
    with contextlib.suppress(ValueError, TypeError):  # a read-only array is a fine answer
        extracts.table(table)[column].array[0] = value
    pd.testing.assert_frame_equal(extracts.table(table), before, obj=table)


# -- CSV dialect details ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("bom", "newline"), [(True, "\r\n"), (False, "\n")])
def test_csv_with_excel_sep_line_loads(base, reference, tmp_path, bom, newline):
    for name, frame in base.items():
        text = danish_text(name, frame, sep_line=True, newline=newline)
        (tmp_path / f"{name}.csv").write_bytes((("\ufeff" if bom else "") + text).encode("utf-8"))
    head = (tmp_path / "families.csv").read_bytes()[:40]
    assert head.startswith(("\ufeff" if bom else "").encode() + f"sep=;{newline}FAMILY_ID;ARM;".encode())
    assert_same_tables(oe.load(tmp_path), reference)


def test_comma_csv_with_sep_line_loads(reference_dir, reference, tmp_path):
    for path in reference_dir.glob("*.csv"):
        (tmp_path / path.name).write_bytes(b"sep=,\n" + path.read_bytes())
    assert_same_tables(oe.load(tmp_path), reference)


@pytest.mark.parametrize("dialect", ["comma", "danish"])
def test_csv_with_windows_line_endings_loads(base, reference_dir, reference, tmp_path, dialect):
    for name, frame in base.items():
        if dialect == "comma":
            data = (reference_dir / f"{name}.csv").read_bytes().replace(b"\n", b"\r\n")
        else:
            data = danish_text(name, frame, newline="\r\n").encode("utf-8")
        assert b"\r\n" in data and data.count(b"\r\n") == data.count(b"\n")
        (tmp_path / f"{name}.csv").write_bytes(data)
    assert_same_tables(oe.load(tmp_path), reference)


# -- ids stored as numbers --------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["int64", "float64"])
def test_parquet_numeric_ids_load_as_text(base, reference, tmp_path, dtype):
    for name, frame in base.items():
        write_parquet(name, numeric_ids(frame, dtype), tmp_path)
    assert pd.read_parquet(tmp_path / "families.parquet")["family_id"].dtype == dtype
    extracts = oe.load(tmp_path)
    assert extracts.families["family_id"].iloc[0] == "1"
    assert "12" in set(extracts.parents["person_id"])
    for name in base:
        pd.testing.assert_frame_equal(extracts.table(name), as_loaded_numeric_ids(reference.table(name)), obj=name)


def test_xlsx_ids_stored_as_float_numbers_load_without_decimals(base, reference, tmp_path):
    for name, frame in base.items():
        write_xlsx(name, numeric_ids(frame, "float64"), tmp_path)
    cell = openpyxl.load_workbook(tmp_path / "parents.xlsx")["parents"]["A2"]
    assert cell.data_type == "n"  # a number in the workbook, not text
    assert pd.api.types.is_numeric_dtype(pd.read_excel(tmp_path / "parents.xlsx")["person_id"])
    extracts = oe.load(tmp_path)
    assert "12" in set(extracts.parents["person_id"]) | set(extracts.children["person_id"])
    assert not extracts.parents["person_id"].str.contains(r"\.").any()
    for name in base:
        pd.testing.assert_frame_equal(extracts.table(name), as_loaded_numeric_ids(reference.table(name)), obj=name)


def test_stata_float_ids_load_without_decimals(base, reference, tmp_path):
    for name, frame in base.items():
        write_stata(name, numeric_ids(frame, "float64"), tmp_path)
    assert pd.read_stata(tmp_path / "families.dta")["family_id"].dtype == "float64"
    extracts = oe.load(tmp_path)
    for name in base:
        pd.testing.assert_frame_equal(extracts.table(name), as_loaded_numeric_ids(reference.table(name)), obj=name)
