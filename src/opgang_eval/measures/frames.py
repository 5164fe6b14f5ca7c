"""Analysis frames derived once from validated extracts.

Every measure reads these instead of re-joining the raw tables: persons
carry their family's arm, site, stratum and enrolment month, and months are
integer period ordinals so that windows are plain integer comparisons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config
from ..loading import Extracts

__all__ = ["Frames", "build_frames"]

_FAMILY_COLUMNS = ["family_id", "arm", "site", "stratum", "m_f", "enrolled_on", "exited_on"]


@dataclass(frozen=True)
class Frames:
    """The analysis view of one evaluation.

    Attributes
    ----------
    end
        Evaluation end month ``E``.
    families
        One row per family; ``m_f`` is the enrolment month as a period ordinal.
    parents, children
        One row per person with their family's columns.
    status
        Parent-months: ``person_id``, ``t`` (period ordinal), ``status``.
    school_absence, youth_jobs, survey, expenditure
        The optional tables (``None`` when not given); youth jobs are reduced
        to job months (earnings > 0, several rows of a month summed).
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
        present = set(self.families["arm"].astype("str"))
        return [a for a in ("intervention", "control") if a in present]

    def status_at_end(self) -> pd.Series:
        """Status in ``E`` per parent (index person_id); parents without one are absent."""
        at = self.status[self.status["t"] == self.e]
        return pd.Series(at["status"].to_numpy(), index=pd.Index(at["person_id"].to_numpy()), name="status")

    def subset(self, site: str) -> Frames:
        """The same view restricted to the families of one site."""
        fam = self.families[self.families["site"].astype("str") == site]
        keep = set(fam["family_id"])
        parents = self.parents[self.parents["family_id"].isin(keep)]
        children = self.children[self.children["family_id"].isin(keep)]
        p_ids, c_ids = set(parents["person_id"]), set(children["person_id"])

        def only(frame: pd.DataFrame | None, ids: set[str], key: str = "person_id") -> pd.DataFrame | None:
            return None if frame is None else frame[frame[key].isin(ids)]

        return Frames(
            self.end,
            fam,
            parents,
            children,
            self.status[self.status["person_id"].isin(p_ids)],
            only(self.school_absence, c_ids),
            only(self.youth_jobs, c_ids),
            only(self.survey, p_ids),
            only(self.expenditure, keep, "family_id"),
        )


def build_frames(ex: Extracts, config: Config) -> Frames:
    """Join family information onto persons and turn months into ordinals."""
    fam = ex.families
    fam["arm"] = fam["arm"].astype("str")
    fam["m_f"] = fam["enrolled_on"].dt.to_period("M").array.asi8
    fam = fam[_FAMILY_COLUMNS]
    status = ex.parent_status
    status = pd.DataFrame(
        {
            "person_id": status["person_id"].to_numpy(),
            "t": status["month"].array.asi8,
            "status": status["status"],
        }
    )
    if config.end is not None:
        end = pd.Period(config.end, "M")
    else:
        end = pd.Period(ordinal=int(status["t"].max()), freq="M") if len(status) else pd.Period("1970-01", "M")
    youth = ex.youth_jobs
    if youth is not None:
        youth = pd.DataFrame(
            {"person_id": youth["person_id"].to_numpy(), "t": youth["month"].array.asi8, "e": youth["earnings_dkk"]}
        )
        youth = youth.groupby(["person_id", "t"], as_index=False)["e"].sum()
        youth = youth.loc[youth["e"] > 0, ["person_id", "t"]]
    expenditure = ex.expenditure
    if expenditure is not None:
        expenditure = expenditure.assign(t=expenditure["month"].array.asi8).drop(columns="month")
    absence = ex.school_absence
    if absence is not None:
        absence = absence.assign(start=absence["school_year"].str.slice(0, 4).astype("int64"))
    return Frames(
        end=end,
        families=fam.reset_index(drop=True),
        parents=_with_family(ex.parents, fam),
        children=_with_family(ex.children, fam),
        status=status,
        school_absence=absence,
        youth_jobs=youth,
        survey=ex.survey,
        expenditure=expenditure,
    )


def _with_family(persons: pd.DataFrame, fam: pd.DataFrame) -> pd.DataFrame:
    out = persons.merge(fam, on="family_id", how="left", validate="many_to_one")
    out["birth_year"] = out["birth_year"].astype(np.int64)
    return out
