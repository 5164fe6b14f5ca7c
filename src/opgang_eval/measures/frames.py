"""Analysis frames derived once from validated extracts.

Every measure reads these instead of re-joining the raw tables: persons
carry their family's arm, site, stratum and enrolment month, and months are
integer period ordinals so that windows are plain integer comparisons.

Families and persons are integer codes, not string ids. Extracts of a whole
municipality hold millions of parent-months, and every lookup, filter or
group by a string id (Arrow-backed in pandas) costs far more than the same
step on an integer array. The ids are looked up once, in
:func:`build_frames`; after that a family is its code ``fc`` and a person
(parent or child) their code ``pc``, and per-family or per-person values are
NumPy arrays indexed by code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import ConfigError, Failure, Rule
from ..loading import Extracts
from .intervals import rng_for

__all__ = ["Codes", "Frames", "build_frames"]

_FAMILY_COLUMNS = ["family_id", "arm", "site", "stratum", "m_f", "enrolled_on", "exited_on"]

#: The family columns every person carries (besides the family code).
_PERSON_FAMILY_COLUMNS = ["arm", "site", "stratum", "m_f", "enrolled_on", "exited_on"]


@dataclass(frozen=True)
class Codes:
    """The integer codes of one extract, shared by a view and its site subsets.

    A code is the rank of the id among the sorted ids (families among
    families; parents and children together, their ids being unique across
    both). Ordering or grouping by code therefore gives exactly the order
    that ordering or grouping by the id string gives — the order in which
    families enter a bootstrap resample, clusters are numbered and group
    sums are added up, so results do not move by a rounding error.

    Attributes
    ----------
    families
        One row per family code (row ``fc`` is family ``fc``): the columns
        of :attr:`Frames.families`, for looking family values up by code.
    person_family
        Family code of each person code.
    person_ids
        The id of each person code (kept for the release ledger, which stores
        them only as salted digests; nothing else reads ids).
    """

    families: pd.DataFrame
    person_family: np.ndarray
    person_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))

    @property
    def n_families(self) -> int:
        return len(self.families)

    @property
    def n_persons(self) -> int:
        return len(self.person_family)


@dataclass(frozen=True)
class Frames:
    """The analysis view of one evaluation.

    Attributes
    ----------
    end
        Evaluation end month ``E``.
    families
        One row per family with its code ``fc``; ``m_f`` is the enrolment
        month as a period ordinal.
    parents, children
        One row per person: their code ``pc``, their family's code ``fc``
        and their family's columns.
    status
        Parent-months: ``pc``, ``t`` (period ordinal), ``status``.
    school_absence, youth_jobs, survey, expenditure
        The optional tables (``None`` when not given), keyed by ``pc``
        (``fc`` for expenditure); youth jobs are reduced to job months
        (earnings > 0, several rows of a month summed), sorted by ``pc``
        and ``t``.
    codes
        Lookups by code, the same for the whole extract and each site.
    """

    end: pd.Period
    families: pd.DataFrame
    parents: pd.DataFrame
    children: pd.DataFrame
    status: pd.DataFrame
    school_absence: pd.DataFrame | None
    youth_jobs: pd.DataFrame | None
    survey: pd.DataFrame | None
    expenditure: pd.DataFrame | None
    codes: Codes
    _memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """A derived table computed once per view (measures, effects and tables share it)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    @property
    def e(self) -> int:
        """``E`` as a period ordinal."""
        return int(self.end.ordinal)

    def arms(self) -> list[str]:
        """Arms present, intervention first."""
        present = set(self.families["arm"].astype("str").unique())
        return [a for a in ("intervention", "control") if a in present]

    def status_at(self, month: int | np.ndarray) -> np.ndarray:
        """Status (category code of ``status["status"]``) per person code in a month; −1 for none.

        A person has at most one status row per month (the table's key),
        so each person code is set at most once.

        Parameters
        ----------
        month
            One month ordinal for everybody, or an array giving each person
            code's month (only parents' entries are read: statuses are
            parents').
        """
        pc = self.status["pc"].to_numpy()
        t = self.status["t"].to_numpy()
        hit = t == (month if np.isscalar(month) else np.asarray(month)[pc])
        out = np.full(self.codes.n_persons, -1, dtype=np.int16)
        out[pc[hit]] = self.status["status"].cat.codes.to_numpy()[hit]
        return out

    def status_at_end(self) -> np.ndarray:
        """Status code in ``E`` per person code (−1: no status in ``E``), computed once per view."""
        return self.memo(("status_at_end",), lambda: self.status_at(self.e))

    def status_in(self, codes: np.ndarray, statuses: Iterable[str]) -> np.ndarray:
        """Whether each status code (as from :meth:`status_at`) is one of ``statuses``; −1 never is."""
        categories = np.asarray(self.status["status"].cat.categories, dtype=object)
        return np.isin(categories, list(statuses))[codes] & (codes >= 0)

    def status_labels(self, codes: np.ndarray, missing: str) -> np.ndarray:
        """Status names (object array) of status codes, ``missing`` for −1."""
        labels = np.append(np.asarray(self.status["status"].cat.categories, dtype=object), missing)
        return labels[codes]

    def subset(self, site: str | Collection[str]) -> Frames:
        """The same view restricted to the families of one site (or of several, merged into one group)."""
        sites = [site] if isinstance(site, str) else list(site)
        fam = self.families[self.families["site"].astype("str").isin(sites)]
        keep = np.zeros(self.codes.n_families, dtype=bool)
        keep[fam["fc"].to_numpy()] = True
        person = keep[self.codes.person_family]

        def rows(frame: pd.DataFrame, mask: np.ndarray, key: str = "pc") -> pd.DataFrame:
            return frame[mask[frame[key].to_numpy()]]

        def only(frame: pd.DataFrame | None, mask: np.ndarray, key: str = "pc") -> pd.DataFrame | None:
            return None if frame is None else rows(frame, mask, key)

        return Frames(
            end=self.end,
            families=fam,
            parents=rows(self.parents, keep, "fc"),
            children=rows(self.children, keep, "fc"),
            status=rows(self.status, person),
            school_absence=only(self.school_absence, person),
            youth_jobs=only(self.youth_jobs, person),
            survey=only(self.survey, person),
            expenditure=only(self.expenditure, keep, "fc"),
            codes=self.codes,
        )


def build_frames(ex: Extracts, config: Config) -> Frames:
    """Give families and persons their codes, join family information onto persons, turn months into ordinals.

    The extracts are validated: every person's family and every row's
    person or family is listed, so every id resolves to a code.

    Raises
    ------
    ConfigError
        When the configured ``end`` lies in the future (every measure is
        read in the end month).
    """
    fam = ex.families
    fam["arm"] = fam["arm"].astype("str")
    fam["enrolled_on"] = pseudo_enrolment(fam, config)
    fam["m_f"] = fam["enrolled_on"].dt.to_period("M").array.asi8
    fam = fam[_FAMILY_COLUMNS].reset_index(drop=True)
    family_codes, family_ids = pd.factorize(fam["family_id"], sort=True)
    fam.insert(0, "fc", family_codes)
    by_code = fam.iloc[np.argsort(family_codes)].reset_index(drop=True)

    parents, children = ex.parents, ex.children
    person_codes, person_ids = pd.factorize(
        pd.concat([parents["person_id"], children["person_id"]], ignore_index=True), sort=True
    )
    parent_fc = _lookup(parents["family_id"], family_ids)
    child_fc = _lookup(children["family_id"], family_ids)
    person_family = np.empty(len(person_ids), dtype=np.int64)
    person_family[person_codes] = np.concatenate([parent_fc, child_fc])
    codes = Codes(by_code, person_family, np.asarray(person_ids, dtype=object))

    status = ex.parent_status
    status = pd.DataFrame(
        {
            "pc": _lookup(status["person_id"], person_ids),
            "t": status["month"].array.asi8,
            "status": status["status"].array,
        },
        copy=False,
    )
    if config.end is not None:
        end = pd.Period(config.end, "M")
        _check_end(end, status)
    else:
        end = pd.Period(ordinal=int(status["t"].max()), freq="M") if len(status) else pd.Period("1970-01", "M")
    youth = ex.youth_jobs
    if youth is not None:
        youth = pd.DataFrame(
            {
                "pc": _lookup(youth["person_id"], person_ids),
                "t": youth["month"].array.asi8,
                "e": youth["earnings_dkk"].to_numpy(),
            }
        )
        youth = youth.groupby(["pc", "t"], as_index=False)[["e"]].sum()
        youth = youth.loc[youth["e"] > 0, ["pc", "t"]].reset_index(drop=True)
    expenditure = ex.expenditure
    if expenditure is not None:
        expenditure = pd.DataFrame(
            {
                "fc": _lookup(expenditure["family_id"], family_ids),
                "t": expenditure["month"].array.asi8,
                "domain": expenditure["domain"].array,
                "amount_dkk": expenditure["amount_dkk"].to_numpy(),
            },
            copy=False,
        )
    absence = ex.school_absence
    if absence is not None:
        absence = pd.DataFrame(
            {
                "pc": _lookup(absence["person_id"], person_ids),
                "start": absence["school_year"].str.slice(0, 4).astype("int64").to_numpy(),
                "days_absent": absence["days_absent"].to_numpy(),
                "school_days": absence["school_days"].to_numpy(),
            }
        )
    survey = ex.survey
    if survey is not None:
        survey.insert(0, "pc", _lookup(survey["person_id"], person_ids))
        survey = survey.drop(columns="person_id")
    n_parents = len(parents)
    return Frames(
        end=end,
        families=fam,
        parents=_with_family(parents, person_codes[:n_parents], parent_fc, by_code),
        children=_with_family(children, person_codes[n_parents:], child_fc, by_code),
        status=status,
        school_absence=absence,
        youth_jobs=youth,
        survey=survey,
        expenditure=expenditure,
        codes=codes,
    )


def _check_end(end: pd.Period, status: pd.DataFrame) -> None:
    """Refuse an end month in the future: no data can reach it, so no measure could be computed.

    Without this check the end month's year became the price year and the
    evaluation failed on the price index, far from the setting at fault. An
    end after the data but not in the future is kept: each measure then says
    that no parent has a status in that month.
    """
    this_month = pd.Period(dt.date.today(), "M")
    if end <= this_month:
        return
    if len(status):
        last = pd.Period(ordinal=int(status["t"].max()), freq="M")
        where = f" and after the last month of parent_status ({last})"
        fix = f"Set end to {last} or earlier, or leave end out (the data's last month)."
    else:
        where, fix = "", "Set end to a month of the data, or leave end out."
    raise ConfigError.from_failures(
        [
            Failure(
                "config",
                "config",
                "end",
                None,
                "",
                str(end),
                Rule.BAD_CONFIG,
                f"end = {end} is in the future (after {this_month}){where}: every measure is read in the end "
                f"month, which no data can reach yet. {fix}",
            )
        ]
    )


def pseudo_enrolment(families: pd.DataFrame, config: Config) -> pd.Series:
    """``enrolled_on`` with a pseudo-enrolment date for each comparison family that has none.

    Register families were never enrolled, but every measure and covariate
    is timed from enrolment. By default (``pseudo_enrolment = "calendar"``)
    each is given the enrolment date of an intervention family drawn at
    random (seeded; families in id order), so the comparison group's
    calendar matches the intervention's — the same seasons, the same
    labour market, the same school years. A month ``"YYYY-MM"`` gives every
    one its first day instead.
    """
    dates = families["enrolled_on"]
    missing = dates.isna().to_numpy()
    if not missing.any():
        return dates
    setting = config.comparison.pseudo_enrolment
    out = dates.copy()
    if setting != "calendar":
        out[missing] = pd.Timestamp(setting + "-01")
        return out
    donors = np.sort(dates[(families["arm"] == "intervention").to_numpy() & ~missing].to_numpy())
    if len(donors) == 0:
        raise ConfigError.from_failures(
            [
                Failure(
                    "config",
                    "config",
                    "comparison.pseudo_enrolment",
                    None,
                    "",
                    "calendar",
                    Rule.BAD_CONFIG,
                    "Comparison families without enrolled_on take the intervention families' enrolment calendar, "
                    'but there are none: set [comparison] pseudo_enrolment = "YYYY-MM".',
                )
            ]
        )
    order = np.argsort(families["family_id"].to_numpy()[missing].astype(str), kind="stable")
    draws = rng_for(config.seed, "pseudo_enrolment").integers(0, len(donors), int(missing.sum()))
    filled = np.empty(int(missing.sum()), dtype=donors.dtype)
    filled[order] = donors[draws]
    out[missing] = filled
    return out


def _lookup(ids: pd.Series, index: pd.Index) -> np.ndarray:
    """Position of each id in ``index`` (−1 when absent).

    The column is factorised first, so the string lookup runs once per
    distinct id rather than once per row of a long table.
    """
    codes, uniques = pd.factorize(ids)
    found = np.append(index.get_indexer(uniques), -1)
    return found[codes]


def _with_family(persons: pd.DataFrame, pc: np.ndarray, fc: np.ndarray, by_code: pd.DataFrame) -> pd.DataFrame:
    """Persons with their codes and their family's columns (the ids themselves are dropped)."""
    own = persons.drop(columns=["person_id", "family_id"]).reset_index(drop=True)
    own["birth_year"] = own["birth_year"].astype(np.int64)
    family = by_code[_PERSON_FAMILY_COLUMNS].iloc[fc].reset_index(drop=True)
    return pd.concat([pd.DataFrame({"pc": pc, "fc": fc}), own, family], axis=1)
