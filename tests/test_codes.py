"""Integer codes of the analysis frames: they must reproduce what the string ids gave.

The measures group, order and look up families and persons by integer
code instead of by id; these tests pin the properties that make the
results identical: codes are ranks of the sorted ids, lookups by code
agree with joins on ids, and the vectorised helpers agree with the plain
pandas they replace.
"""

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest

import opgang_eval as oe
from opgang_eval.config import Config
from opgang_eval.costs.prices import price_factors, price_index
from opgang_eval.measures.frames import build_frames
from opgang_eval.measures.headline import _any_month_between
from opgang_eval.synthetic import Scenario, generate, write_extracts

savings_module = importlib.import_module("opgang_eval.costs.savings")


def _scrambled(tables: dict[str, pd.DataFrame], seed: int) -> dict[str, pd.DataFrame]:
    """Ids of varying length in random order and every table's rows shuffled."""
    rng = np.random.default_rng(seed)
    out = {name: frame.copy() for name, frame in tables.items()}
    families = out["families"]["family_id"].astype(str).to_numpy()
    new_family = dict(zip(families, [f"F{n}" for n in rng.permutation(len(families)) * 7 + 3], strict=True))
    persons = np.concatenate([out["parents"]["person_id"].astype(str), out["children"]["person_id"].astype(str)])
    new_person = dict(zip(persons, [f"P{n}" for n in rng.permutation(len(persons)) * 3 + 1], strict=True))
    for name, frame in out.items():
        if "family_id" in frame:
            frame["family_id"] = frame["family_id"].astype(str).map(new_family)
        if "person_id" in frame:
            frame["person_id"] = frame["person_id"].astype(str).map(new_person)
        out[name] = frame.iloc[rng.permutation(len(frame))].reset_index(drop=True)
    return out


@pytest.fixture(scope="module")
def extracts(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scrambled")
    tables = generate(Scenario(intervention_families=30, control_families=25), seed=7)
    write_extracts(_scrambled(tables, 1), folder, "csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return oe.load(folder)


@pytest.fixture(scope="module")
def frames(extracts):
    return build_frames(extracts, Config.resolve(None, default=extracts.config))


def _rank(values: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(values.astype(str), kind="stable"), kind="stable")


def test_family_codes_are_ranks_of_sorted_ids(extracts, frames):
    ids = extracts.families["family_id"].to_numpy()
    assert not pd.Index(ids).is_monotonic_increasing  # the test needs rows out of id order
    np.testing.assert_array_equal(frames.families["fc"].to_numpy(), _rank(ids))
    by_code = frames.codes.families
    np.testing.assert_array_equal(by_code["family_id"].to_numpy(), np.sort(ids.astype(str)))


def test_person_codes_are_ranks_over_parents_and_children(extracts, frames):
    ids = np.concatenate([extracts.parents["person_id"].to_numpy(), extracts.children["person_id"].to_numpy()])
    ranks = _rank(ids)
    n = len(extracts.parents)
    np.testing.assert_array_equal(frames.parents["pc"].to_numpy(), ranks[:n])
    np.testing.assert_array_equal(frames.children["pc"].to_numpy(), ranks[n:])


def test_family_code_of_each_person_matches_the_join_on_ids(extracts, frames):
    families = pd.Index(np.sort(extracts.families["family_id"].to_numpy().astype(str)))
    for table, persons in (("parents", frames.parents), ("children", frames.children)):
        expected = families.get_indexer(getattr(extracts, table)["family_id"].astype(str))
        np.testing.assert_array_equal(persons["fc"].to_numpy(), expected)
        np.testing.assert_array_equal(frames.codes.person_family[persons["pc"].to_numpy()], expected)
        joined = getattr(extracts, table).merge(extracts.families, on="family_id", how="left")
        assert persons["m_f"].tolist() == joined["enrolled_on"].dt.to_period("M").array.asi8.tolist()


def test_status_at_end_matches_a_join_on_ids(extracts, frames):
    status = extracts.parent_status
    at_end = status[status["month"] == frames.end].set_index("person_id")["status"]
    expected = at_end.reindex(extracts.parents["person_id"]).astype("str").fillna("none").to_numpy()
    codes = frames.status_at_end()[frames.parents["pc"].to_numpy()]
    assert (codes >= 0).sum() == at_end.size
    np.testing.assert_array_equal(frames.status_labels(codes, "none"), expected)


def test_subset_keeps_only_the_sites_rows(extracts, frames):
    site = str(extracts.families["site"].dropna().iloc[0])
    sub = frames.subset(site)
    families = set(sub.families["fc"])
    assert set(sub.parents["fc"]) <= families and set(sub.children["fc"]) <= families
    assert set(frames.codes.person_family[sub.status["pc"].to_numpy()]) <= families
    assert set(sub.expenditure["fc"]) <= families
    in_site = frames.families.loc[frames.families["site"].astype("str") == site, "fc"]
    assert families == set(in_site)
    assert len(sub.status) == int(np.isin(frames.codes.person_family[frames.status["pc"].to_numpy()], in_site).sum())


def test_any_month_between_matches_a_join():
    rng = np.random.default_rng(3)
    months = pd.DataFrame({"pc": rng.integers(0, 40, 300), "t": rng.integers(590, 660, 300)})
    months = months.drop_duplicates().sort_values(["pc", "t"], ignore_index=True)
    pc = rng.integers(0, 45, 200)
    first = rng.integers(570, 670, 200)
    last = first + 11
    got = _any_month_between(months, pc, first, last)
    windows = pd.DataFrame({"pc": pc, "first": first, "last": last}).reset_index()
    hits = windows.merge(months, on="pc")
    inside = set(hits.loc[(hits["t"] >= hits["first"]) & (hits["t"] <= hits["last"]), "index"])
    np.testing.assert_array_equal(got, windows["index"].isin(inside).to_numpy())
    assert not _any_month_between(months.iloc[0:0], pc, first, last).any()


def test_year_of_matches_period_index():
    t = np.arange(-30, 1300)
    expected = pd.PeriodIndex.from_ordinals(t, freq="M").year.to_numpy()
    np.testing.assert_array_equal(savings_module._year_of(t), expected)


def test_price_factors_match_a_lookup_per_row():
    config = Config()
    rng = np.random.default_rng(5)
    years = rng.choice([2016, 2019, 2020, 2023], size=1000)
    index = price_index(config)
    expected = index.loc[2023] / index.reindex(years).to_numpy()
    np.testing.assert_array_equal(price_factors(years, 2023, config, "x"), expected)
    assert price_factors(np.array([], dtype=np.int64), 2023, config, "x").size == 0
