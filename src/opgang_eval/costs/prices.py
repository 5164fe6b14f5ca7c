"""Unit costs and price conversion: the shipped tables and how to override them.

The default unit costs are *gross public transfers* per month and status
(2024 rates, each row with its source). They leave out taxes paid back,
administration, activation and course costs, and in-work benefits; an
evaluation should say so, and an analyst can replace the table with an
extract's own ``unit_costs`` table. Prices are converted between years with
Danmarks Statistik's consumer price index (PRIS113, 2015 = 100); years it
does not cover can be added under ``[price_index]`` in ``evaluation.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import MAX_EXAMPLES, ConfigError, Failure, Rule, ValidationError, failure_frame
from ..schema import STATUS

if TYPE_CHECKING:  # pragma: no cover - the loader is not needed to convert prices
    from ..loading import Extracts

__all__ = [
    "MAX_AMOUNT",
    "check_amounts",
    "default_price_index",
    "default_unit_costs",
    "price_factors",
    "resolve_unit_costs",
]

#: Largest amount in DKK, either sign, that one ``expenditure`` row (``amount_dkk``) or one month's unit cost
#: (``monthly_cost_dkk``) may hold: a trillion, beyond any public cost of one family in one month (the same
#: bound as a whole programme's cost). Sums over tens of millions of rows, price factors and the bootstrap's
#: squares then stay far inside float precision; an amount near 1e308 would add up to infinity.
MAX_AMOUNT = 1e12

#: The amount columns :func:`check_amounts` bounds, by table, with the key columns that name a row.
_AMOUNTS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    "expenditure": ("amount_dkk", ("family_id", "month")),
    "unit_costs": ("monthly_cost_dkk", ("status",)),
}


@cache
def _read(name: str) -> pd.DataFrame:
    with files("opgang_eval.data").joinpath(name).open("r", encoding="utf-8") as handle:
        return pd.read_csv(handle)


def default_unit_costs() -> pd.DataFrame:
    """The shipped unit-cost table: status, monthly_cost_dkk, price_year, source, note."""
    table = _read("unit_costs.csv").copy()
    table["status"] = pd.Categorical(table["status"], categories=list(STATUS.codes))
    return table


def default_price_index() -> pd.Series:
    """Shipped consumer price index by year (2015 = 100)."""
    table = _read("price_index.csv")
    return pd.Series(table["index"].to_numpy(dtype=float), index=table["year"].to_numpy(), name="index")


def price_index(config: Config) -> pd.Series:
    """The shipped index with the configuration's years added or replaced."""
    index = default_price_index().to_dict()
    for year, value in config.price_index.items():
        index[year] = value
    return pd.Series(index, name="index").sort_index()


def price_factors(years: np.ndarray, target: int, config: Config, what: str) -> np.ndarray:
    """Multipliers that turn amounts in prices of ``years`` into ``target`` prices.

    ``years`` may hold one entry per cost row (tens of millions); the index
    is looked up once per distinct year and the factors spread back.

    Raises
    ------
    ConfigError
        When a year (or the target) is not in the index, naming the years
        and how to add them.
    """
    index = price_index(config)
    distinct, position = _distinct(np.asarray(years, dtype=np.int64))
    needed = sorted({int(y) for y in distinct} | {int(target)})
    missing = [y for y in needed if y not in index.index]
    if missing:
        covered = f"{index.index.min()}–{index.index.max()}"
        raise ConfigError.from_failures(
            [
                Failure(
                    "config",
                    "price_index",
                    "price_index",
                    None,
                    "",
                    ", ".join(map(str, missing)),
                    Rule.BAD_CONFIG,
                    f"{what} uses prices of {', '.join(map(str, missing))}, outside the price index ({covered}). "
                    "Add the years under [price_index] in evaluation.toml (e.g. 2025 = 120.5) or set price_year.",
                )
            ]
        )
    return (index.loc[target] / index.reindex(distinct).to_numpy())[position]


def check_amounts(extracts: Extracts) -> None:
    """Refuse cost amounts beyond :data:`MAX_AMOUNT` (a typo or a wrong unit) before any cost is summed.

    Raises
    ------
    ValidationError
        Naming the table, its file, the column and each offending row by its
        key (the first ``MAX_EXAMPLES``; the count is exact).
    """
    records: list[Failure] = []
    counts = []
    for table, (column, keys) in _AMOUNTS.items():
        frame = extracts.table(table)
        if frame is None:
            continue
        amounts = frame[column].to_numpy(dtype=float)
        bad = np.flatnonzero(np.abs(amounts) > MAX_AMOUNT)  # an empty cell (NaN) is not refused here
        if len(bad) == 0:
            continue
        source = extracts.sources.get(table)
        file = source.path.name if source is not None else table
        hint = (
            f"Amounts must lie within ±{MAX_AMOUNT:,.0f} DKK per row; a larger one can only be a typo or a broken "
            f"export (and would add up to infinity): correct {column} in these rows."
        )
        for i in bad[:MAX_EXAMPLES]:
            key = ", ".join(f"{k}={frame[k].iloc[i]}" for k in keys)
            records.append(Failure(table, file, column, None, key, f"{amounts[i]:g}", Rule.OUT_OF_RANGE, hint))
        counts.append(
            {
                "table": table,
                "file": file,
                "column": column,
                "rule": str(Rule.OUT_OF_RANGE),
                "hint": hint,
                "n": len(bad),
            }
        )
    if records:
        raise ValidationError(failure_frame(records), pd.DataFrame(counts))


def _distinct(years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct years (ascending) and each entry's position among them.

    Years span a few decades, so counting them over that span is a
    linear-time replacement for sorting millions of entries.
    """
    if len(years) == 0:
        return years, years
    first = int(years.min())
    offset = years - first
    present = np.bincount(offset) > 0
    position = np.cumsum(present) - 1
    return np.flatnonzero(present) + first, position[offset]


def resolve_unit_costs(table: pd.DataFrame | None) -> tuple[pd.DataFrame, str]:
    """The unit costs to use and where they come from (the extract's table or the default)."""
    if table is None:
        return default_unit_costs(), "default unit costs shipped with opgang-eval (2024 rates)"
    return table.copy(), "the extract's unit_costs table"
