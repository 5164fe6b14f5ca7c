"""The reference date of a load moves every calendar bound, not only the future-date checks.

``oe.load(path, today=...)`` checks that no date or month lies after
``today`` and that no child is born (and no price year set) after its year.
Those bounds used to be fixed when the package was imported; here they must
follow the ``today`` given to the load.
"""

from __future__ import annotations

import datetime as dt
import shutil
import warnings
from pathlib import Path

import pandas as pd
import pytest

import opgang_eval as oe
from opgang_eval.schema import STATUS

SAMPLE = Path(__file__).parents[1] / "data" / "sample"

#: The sample's last status month is 2023-08, so any reference date from August 2023 on accepts it.
LAST_MONTH = dt.date(2023, 8, 31)


def _load(folder: Path, today: dt.date | None) -> oe.Extracts:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.load(folder, today=today)


def _sample_with(tmp_path: Path, table: str, column: str, value: int, position: int = 0) -> tuple[Path, int]:
    """A copy of the sample with one cell changed; returns the folder and the cell's CSV line number."""
    folder = tmp_path / "extract"
    shutil.copytree(SAMPLE, folder)
    path = folder / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[position, column] = str(value)
    frame.to_csv(path, index=False)
    return folder, position + 2  # the header is line 1


def test_sample_loads_on_its_last_month():
    assert len(_load(SAMPLE, LAST_MONTH).children) > 0


@pytest.mark.parametrize("born", [2024, 2030])
def test_birth_year_bound_follows_the_given_today(tmp_path: Path, born: int):
    folder, line = _sample_with(tmp_path, "children", "birth_year", born, position=3)

    accepted = _load(folder, dt.date(born, 1, 1))
    assert accepted.children["birth_year"].iloc[3] == born

    with pytest.raises(oe.ValidationError) as caught:
        _load(folder, dt.date(born - 1, 12, 31))
    failures = caught.value.failures
    assert failures[["table", "file", "column", "rule"]].values.tolist() == [
        ["children", "children.csv", "birth_year", "out_of_range"]
    ]
    assert failures["row"].tolist() == [line]
    assert failures["value"].tolist() == [str(born)]
    assert f"from 1990 to {born - 1}" in failures["hint"].iloc[0]
    report = str(caught.value)
    assert "children.csv" in report and "column 'birth_year'" in report and f"row {line}" in report


def test_default_today_is_the_day_of_the_call(tmp_path: Path):
    # A child born this year is accepted without a ``today``: the bound is not frozen at import.
    this_year = dt.date.today().year
    folder, _ = _sample_with(tmp_path, "children", "birth_year", this_year)
    assert _load(folder, None).children["birth_year"].iloc[0] == this_year
    next_year, line = _sample_with(tmp_path / "next", "children", "birth_year", this_year + 1)
    with pytest.raises(oe.ValidationError) as caught:
        _load(next_year, None)
    assert caught.value.failures[["table", "column", "row"]].values.tolist() == [["children", "birth_year", line]]


def test_price_year_may_be_one_year_after_the_given_today(tmp_path: Path):
    folder = tmp_path / "extract"
    shutil.copytree(SAMPLE, folder)
    codes = list(STATUS.codes)
    pd.DataFrame({"status": codes, "monthly_cost_dkk": 1000, "price_year": 2025}).to_csv(
        folder / "unit_costs.csv", index=False
    )

    assert len(_load(folder, dt.date(2024, 1, 1)).unit_costs) == len(codes)

    with pytest.raises(oe.ValidationError) as caught:
        _load(folder, dt.date(2023, 12, 31))
    failures = caught.value.failures
    assert set(failures["table"]) == {"unit_costs"}
    assert set(failures["column"]) == {"price_year"}
    assert set(failures["rule"]) == {"out_of_range"}
    assert sorted(failures["row"].tolist()) == list(range(2, len(codes) + 2))
    assert "from 1990 to 2024" in failures["hint"].iloc[0]
