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

from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import ConfigError, Failure, Rule
from ..schema import STATUS

if TYPE_CHECKING:  # pragma: no cover - the loader is not needed to convert prices
    pass

__all__ = [
    "default_price_index",
    "default_unit_costs",
    "price_factors",
    "resolve_unit_costs",
]


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
