"""Register status codes → contract statuses (opgang_eval.registers).

Expected values are written out here by hand: the spec's table
(``status-codes.md``) for ``SOC_STATUS_KODE``, Danmarks Statistik's SOCIO13
v1:2014 code list, and ISO calendar weeks worked out on a calendar.
"""

import numpy as np
import pandas as pd
import pytest

from opgang_eval.errors import ValidationError
from opgang_eval.registers import (
    SHIPPED_MAPPINGS,
    dream_months,
    map_status,
    normalise_code,
    status_mapping,
)
from opgang_eval.schema import STATUS

# The spec's table (status-codes.md), one entry per code, ranges expanded.
SPEC_TABLE = {
    **dict.fromkeys(["110", "120", "131", "132", "133", "134", "135", "136"], "job"),
    "200": "unemployment_benefit",
    "311": "other",
    "312": "unemployment_benefit",
    "313": "other",
    "314": "flexjob_waiting",
    "315": "other",
    "316": "other",
    "317": "sickness_benefit",
    "318": "cash_benefit",
    "319": "cash_benefit",
    "320": "other",
    "321": "resource_course",
    "322": "job_clarification",
    "351": "flexjob",
    "361": "other",
    "411": "early_retirement",
    **dict.fromkeys(["412", "413", "414", "415"], "other"),
    **dict.fromkeys(["511", "514", "515", "516", "517"], "education"),
    **dict.fromkeys(["512", "513"], "other"),
}

# Danmarks Statistik, Socio-Economic Classification (SOCIO13) v1:2014: every code of the list.
SOCIO13_CODES = [
    "110", "111", "112", "113", "114", "120", "131", "132", "133", "134", "135", "139",
    "210", "220", "310", "321", "322", "323", "330", "410", "420",
]  # fmt: skip


def _status_list(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


# --------------------------------------------------------------------------- shipped tables


def test_every_row_of_the_spec_table_maps_as_specified() -> None:
    codes = pd.Series(list(SPEC_TABLE), name="soc_status_kode")
    got = map_status(codes, "soc_status")
    assert got.tolist() == list(SPEC_TABLE.values())


def test_the_spec_table_ships_with_exactly_its_rows_and_3xx_judgement_notes() -> None:
    table = status_mapping("soc_status")
    assert list(table.columns) == ["code", "title_da", "status", "judgement"]
    assert dict(zip(table["code"], table["status"], strict=True)) == SPEC_TABLE
    judged = set(table.loc[table["judgement"] != "", "code"])
    assert judged == {code for code in SPEC_TABLE if code.startswith("3")}
    assert (table["title_da"] != "").all()


def test_socio13_table_covers_the_classification_and_differs_where_codes_clash() -> None:
    table = status_mapping("socio13")
    assert sorted(table["code"]) == sorted(SOCIO13_CODES)
    got = map_status(pd.Series(["321", "330", "210", "310", "139", "322", "420"]), "socio13")
    assert got.tolist() == [
        "early_retirement",  # 321 Førtidspensionister in SOCIO13 ...
        "cash_benefit",
        "unemployment_benefit",
        "education",
        "job",
        "other",  # 322 Folkepensionister
        "other",
    ]
    # ... but a resource course in SOC_STATUS_KODE: the reason there is no default table.
    assert map_status(pd.Series(["321"]), "soc_status").tolist() == ["resource_course"]


def test_status_mapping_returns_an_editable_copy() -> None:
    first = status_mapping("socio13")
    first.loc[first["code"] == "330", "status"] = "other"
    assert status_mapping("socio13").set_index("code").loc["330", "status"] == "cash_benefit"
    assert SHIPPED_MAPPINGS == ("socio13", "soc_status")


def test_unknown_shipped_name_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        status_mapping("dream")  # type: ignore[arg-type]
    assert caught.value.failures["rule"].tolist() == ["missing_table"]


# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (318, "318"),
        ("318", "318"),
        (" 0318 ", "318"),
        (318.0, "318"),
        ("318.0", "318"),
        (np.int16(318), "318"),
        ("0", "0"),
        ("Kontanthjælp ", "kontanthjælp"),
        ("KONTANTHJÆLP", "kontanthjælp"),
        ("SU-la\u030an", "su-lån"),  # a decomposed å (saved on macOS) matches
        (3.5, "3.5"),
        ("", None),
        ("  ", None),
        (None, None),
        (np.nan, None),
        (pd.NA, None),
    ],
)
def test_normalise_code(value: object, expected: str | None) -> None:
    assert normalise_code(value) == expected


def test_map_status_keeps_index_missing_cells_and_the_vocabulary() -> None:
    values = pd.Series([318, "411", None, "", 511.0], index=[10, 11, 12, 13, 14], name="SOC_STATUS_KODE")
    got = map_status(values, "soc_status")
    assert got.index.tolist() == [10, 11, 12, 13, 14]
    assert got.name == "status"
    assert list(got.cat.categories) == list(STATUS.codes)
    assert _status_list(got) == ["cash_benefit", "early_retirement", None, None, "education"]


def test_categorical_input_maps_too() -> None:
    values = pd.Series(pd.Categorical(["318", "200", "318"]))
    assert map_status(values, "soc_status").tolist() == ["cash_benefit", "unemployment_benefit", "cash_benefit"]


def test_unknown_codes_are_refused_with_their_counts() -> None:
    values = pd.Series([110, 999, "999", 999.0, 998, None, "", "318", "0999"], name="socstil")
    with pytest.raises(ValidationError) as caught:
        map_status(values, "soc_status")
    error = caught.value
    # 999 four times (999, "999", 999.0, "0999"), 998 once; empty cells are not codes.
    assert error.counts["n"].tolist() == [4, 1]
    assert error.failures["value"].tolist() == ["999", "998"]
    assert set(error.failures["rule"]) == {"unknown_code"}
    assert set(error.failures["column"]) == {"socstil"}
    assert error.n_failures == 5
    assert "add the code to the mapping table" in error.failures["hint"].iloc[0].lower()
    assert "status_mapping('soc_status')" in error.failures["hint"].iloc[0]
    assert "'999'" in str(error)


# --------------------------------------------------------------------------- user mappings


def test_user_mapping_with_danish_status_labels() -> None:
    mapping = pd.DataFrame(
        {
            "Code": ["Kontanthjælp", "Ressourceforløb", "Job", "Sygedagpenge", "SU"],
            "Status": ["kontanthjælp", "RESSOURCEFORLØB", "job", "sygedagpenge", "uddannelse"],
        }
    )
    labels = pd.Series(["kontanthjælp", " Ressourceforløb", "JOB", "SU", "Sygedagpenge", None])
    assert _status_list(map_status(labels, mapping)) == [
        "cash_benefit",
        "resource_course",
        "job",
        "education",
        "sickness_benefit",
        None,
    ]


def test_user_mapping_problems_are_all_reported_at_once() -> None:
    mapping = pd.DataFrame(
        {
            "code": ["318", "0318", "319", "", "320", "321"],
            "status": ["cash_benefit", "cash_benefit", "benefit", "other", "", "ressourceforløb"],
        }
    )
    with pytest.raises(ValidationError) as caught:
        map_status(pd.Series(["318"]), mapping)
    failures = caught.value.failures
    got = sorted(zip(failures["column"], failures["row"], failures["rule"], failures["value"], strict=True))
    # Rows are record numbers from 1 for a frame.
    assert got == [
        ("code", 1, "duplicate_key", "318"),
        ("code", 2, "duplicate_key", "318"),
        ("code", 4, "missing_value", ""),
        ("status", 3, "unknown_code", "benefit"),
        ("status", 5, "missing_value", ""),
    ]


def test_user_mapping_without_a_status_column_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        map_status(pd.Series(["318"]), pd.DataFrame({"code": ["318"], "state": ["job"]}))
    assert caught.value.failures[["column", "rule"]].values.tolist() == [["status", "missing_column"]]


def test_semicolon_mapping_file_with_bom(tmp_path) -> None:
    path = tmp_path / "sagssystem.csv"
    path.write_text(
        "kode;titel;status\nKontanthjælp;Kontanthjælp;kontanthjælp\nRessourceforløb;;ressourceforløb\n"
        "Jobafklaring;;jobafklaringsforløb\nLedighedsydelse;;ledighedsydelse\n",
        encoding="utf-8-sig",
    )
    # "kode" is not "code": the file is refused, naming what it found.
    with pytest.raises(ValidationError, match="found kode, titel, status"):
        map_status(pd.Series(["Kontanthjælp"]), path)
    path.write_text(path.read_text(encoding="utf-8-sig").replace("kode;", "code;"), encoding="utf-8-sig")
    got = map_status(pd.Series(["Ledighedsydelse", "kontanthjælp", "Jobafklaring", "Ressourceforløb"]), str(path))
    assert got.tolist() == ["flexjob_waiting", "cash_benefit", "job_clarification", "resource_course"]
    with pytest.raises(ValidationError) as caught:
        map_status(pd.Series(["Revalidering", "Revalidering"]), path)
    assert caught.value.counts["n"].tolist() == [2]
    assert str(path) in caught.value.failures["hint"].iloc[0]


def test_a_missing_mapping_file_is_refused(tmp_path) -> None:
    with pytest.raises(ValidationError, match="No such file"):
        map_status(pd.Series(["318"]), tmp_path / "nope.csv")


# --------------------------------------------------------------------------- DREAM

#: An illustrative DREAM-style code table (not DREAM's real codes): two codes share a status.
DREAM_MAPPING = pd.DataFrame(
    {
        "code": ["111", "112", "131", "890", "651"],
        "status": ["dagpenge", "unemployment_benefit", "kontanthjælp", "sygedagpenge", "education"],
    }
)


def test_dream_majority_of_weeks_per_month() -> None:
    # ISO 2018 weeks 1-4 have their Thursdays on 4, 11, 18 and 25 January.
    weeks = pd.DataFrame(
        {
            "person_id": ["A", "B", "C"],
            "y_1801": ["131", "111", "131"],
            "y_1802": ["131", "112", "890"],
            "y_1803": ["131", "131", "890"],
            "y_1804": ["890", None, None],
        }
    )
    got = dream_months(weeks, DREAM_MAPPING)
    assert got.to_dict("records") == [
        {"person_id": "A", "month": "2018-01", "status": "cash_benefit"},  # 3 of 4 weeks
        {"person_id": "B", "month": "2018-01", "status": "unemployment_benefit"},  # 111 + 112 pool: 2 vs 1
        {"person_id": "C", "month": "2018-01", "status": "sickness_benefit"},  # 2 vs 1, empty week not counted
    ]
    assert list(got["status"].cat.categories) == list(STATUS.codes)


def test_dream_tie_goes_to_the_later_week() -> None:
    weeks = pd.DataFrame(
        {
            "person_id": ["A", "B", "C"],
            "y_1801": ["131", "890", "131"],
            "y_1802": ["890", "131", None],
            "y_1803": ["890", "131", "890"],
            "y_1804": ["131", "890", None],
        }
    )
    got = dream_months(weeks, DREAM_MAPPING)
    # A: 2-2, cash in the last week; B: 2-2, sickness in the last week; C: 1-1, sickness in week 3.
    assert got["status"].tolist() == ["cash_benefit", "sickness_benefit", "sickness_benefit"]


def test_dream_tie_uses_calendar_order_not_column_order() -> None:
    weeks = pd.DataFrame({"person_id": ["A"], "y_1804": ["890"], "y_1801": ["131"]})
    assert dream_months(weeks, DREAM_MAPPING)["status"].tolist() == ["sickness_benefit"]


def test_dream_weeks_spanning_two_months_belong_to_the_month_of_their_thursday() -> None:
    weeks = pd.DataFrame(
        {
            "person_id": ["A"],
            "y_1805": ["131"],  # Mon 29 Jan - Sun 4 Feb 2018, Thursday 1 Feb -> 2018-02
            "y_1809": ["890"],  # Mon 26 Feb - Sun 4 Mar 2018, Thursday 1 Mar -> 2018-03
            "y_1905": ["111"],  # Mon 28 Jan - Sun 3 Feb 2019, Thursday 31 Jan -> 2019-01
            "y_2001": ["651"],  # Mon 30 Dec 2019 - Sun 5 Jan 2020, Thursday 2 Jan -> 2020-01
            "y_2053": ["131"],  # Mon 28 Dec 2020 - Sun 3 Jan 2021, Thursday 31 Dec -> 2020-12
            "y_9131": ["111"],  # 1991 week 31, Thursday 1 Aug 1991 -> 1991-08
        }
    )
    got = dream_months(weeks, DREAM_MAPPING)
    assert got[["month", "status"]].values.tolist() == [
        ["1991-08", "unemployment_benefit"],
        ["2018-02", "cash_benefit"],
        ["2018-03", "sickness_benefit"],
        ["2019-01", "unemployment_benefit"],
        ["2020-01", "education"],
        ["2020-12", "cash_benefit"],
    ]


def test_dream_employment_without_benefit_is_job() -> None:
    weeks = pd.DataFrame(
        {
            "person_id": ["A", "B", "C"],
            # January 2018: weeks 1-4; February 2018: weeks 5-8.
            "y_1801": [None, "131", None],
            "y_1802": [None, None, None],
            "y_1805": [None, None, None],
            "y_1806": ["890", None, None],
            "grad_2018_01": [0.4, 1.0, 0.0],
            "grad_2018_02": [0.2, 0.0, np.nan],
        }
    )
    got = dream_months(weeks, DREAM_MAPPING)
    assert got.values.tolist() == [
        ["A", "2018-01", "job"],  # employment > 0, no benefit week
        ["A", "2018-02", "sickness_benefit"],  # a benefit week outweighs employment
        ["B", "2018-01", "cash_benefit"],
    ]  # B in February and C: no benefit, no employment -> no row
    with_other = dream_months(weeks, DREAM_MAPPING, otherwise="andet")
    assert with_other.values.tolist() == [
        ["A", "2018-01", "job"],
        ["A", "2018-02", "sickness_benefit"],
        ["B", "2018-01", "cash_benefit"],
        ["B", "2018-02", "other"],
        ["C", "2018-01", "other"],
        ["C", "2018-02", "other"],
    ]


def test_dream_employment_in_a_separate_frame_with_decimal_comma() -> None:
    weeks = pd.DataFrame({"PERSON_ID": ["A", "B"], "Y_1801": ["131", None]})
    employment = pd.DataFrame({"person_id": ["B", "D"], "grad_2018_01": ["0,5", ""], "GRAD_2018_02": ["0", "1"]})
    got = dream_months(weeks, DREAM_MAPPING, employment)
    assert got.values.tolist() == [["A", "2018-01", "cash_benefit"], ["B", "2018-01", "job"], ["D", "2018-02", "job"]]


def test_dream_unknown_codes_are_counted_over_all_weeks() -> None:
    weeks = pd.DataFrame(
        {"person_id": ["A", "B"], "y_1801": ["999", 999], "y_1802": ["131", "998"], "y_1803": [999.0, None]}
    )
    with pytest.raises(ValidationError) as caught:
        dream_months(weeks, DREAM_MAPPING)
    assert caught.value.failures["value"].tolist() == ["999", "998"]
    assert caught.value.counts["n"].tolist() == [3, 1]


def test_dream_input_problems_are_reported_together() -> None:
    weeks = pd.DataFrame(
        {
            "person_id": ["A", "A", None],
            "y_1953": ["131", None, None],  # 2019 has 52 ISO weeks
            "y_1801": ["131", None, None],
            "grad_2018_01": ["0.5", "x", None],
        }
    )
    with pytest.raises(ValidationError) as caught:
        dream_months(weeks, DREAM_MAPPING)
    failures = caught.value.failures
    assert sorted(zip(failures["column"], failures["rule"], strict=True)) == [
        ("grad_2018_01", "not_number"),
        ("person_id", "duplicate_key"),
        ("person_id", "duplicate_key"),
        ("person_id", "missing_value"),
        ("y_1953", "unknown_column"),
    ]


def test_dream_rates_in_both_frames_are_refused() -> None:
    weeks = pd.DataFrame({"person_id": ["A"], "y_1801": ["131"], "grad_2018_01": [0.5]})
    employment = pd.DataFrame({"person_id": ["A"], "grad_2018_01": [0.5]})
    with pytest.raises(ValidationError, match="give them in one place"):
        dream_months(weeks, DREAM_MAPPING, employment)


def test_dream_missing_id_column_and_bad_otherwise() -> None:
    with pytest.raises(ValidationError) as caught:
        dream_months(pd.DataFrame({"pnr": ["A"], "y_1801": ["131"]}), DREAM_MAPPING, otherwise="idle")
    assert sorted(caught.value.failures["rule"]) == ["missing_column", "unknown_code"]
    got = dream_months(pd.DataFrame({"pnr": ["A"], "y_1801": ["131"]}), DREAM_MAPPING, id_column="PNR")
    assert got.values.tolist() == [["A", "2018-01", "cash_benefit"]]


def test_dream_is_vectorised_enough_for_a_register_extract() -> None:
    rng = np.random.default_rng(1)
    n_persons, columns = 2_000, [f"y_{yy:02d}{ww:02d}" for yy in range(10, 20) for ww in range(1, 53)]
    codes = np.array(["111", "131", "890", None], dtype=object)
    weeks = pd.DataFrame(codes[rng.integers(0, 4, size=(n_persons, len(columns)))], columns=columns)
    weeks.insert(0, "person_id", [f"P{i}" for i in range(n_persons)])
    got = dream_months(weeks, DREAM_MAPPING)
    assert got["person_id"].nunique() == n_persons
    assert not got.duplicated(["person_id", "month"]).any()
