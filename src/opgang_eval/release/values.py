"""The release as the report's sections and renderers see it: every number, decided.

:func:`~.collect.collect` turns an evaluation into a :class:`Release`; from
then on nothing reads the evaluation. Each number that may leave the process
is a :class:`Value` under a stable key (the keys are listed in
:mod:`.collect`), already decided by the disclosure engine: shown (with its
raw value), hidden as a small count (printed ``<min_cell``), withheld
(hidden to protect another cell, or failing a rule that is not a small count;
printed as "hidden") or unavailable (the evaluation could not compute it,
with the reason). A section can only print what is shown, because a hidden
value carries no number.

The release's other content is public by construction: the settings, the
design, the measures' declarations, the names of the site groups that may be
printed, file names and checksums (:class:`Facts`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .cells import Cell, Link

if TYPE_CHECKING:  # pragma: no cover - types only
    import pandas as pd

    from ..config import Config
    from ..measures.registry import Measure
    from ..results import Design

__all__ = [
    "OTHER_SITES",
    "STATUS_GROUPS",
    "BaselineRow",
    "Covariate",
    "Facts",
    "ObservationalFacts",
    "Release",
    "Source",
    "State",
    "Value",
    "Warning",
]

#: The site group of the sites with fewer than ``min_cell`` families each: shown as "other sites", never by name.
OTHER_SITES = "(other sites)"

#: The status figure's groups (register codes of status-codes.md); ``none`` is no status that month.
STATUS_GROUPS: Mapping[str, tuple[str, ...]] = {
    "work": ("job", "flexjob", "education"),
    "retired": ("early_retirement",),
    "benefit": (
        "cash_benefit",
        "unemployment_benefit",
        "sickness_benefit",
        "resource_course",
        "job_clarification",
        "flexjob_waiting",
        "other",
    ),
    "none": ("no_status",),
}

#: ``shown``: may be printed. ``small``: a count of 1 to min_cell − 1 or a result resting on one, printed
#: "<min_cell". ``withheld``: hidden to protect another cell (or failing a rule that is not a small count),
#: printed as "hidden". ``unavailable``: not computed (the reason is in :attr:`Value.note`).
State = Literal["shown", "small", "withheld", "unavailable"]


@dataclass(frozen=True)
class Value:
    """One number of the release: its value only when it may be shown."""

    state: State
    value: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if (self.state == "shown") != (self.value is not None):
            raise ValueError(f"a {self.state} value {'needs' if self.state == 'shown' else 'carries no'} number")

    @property
    def shown(self) -> bool:
        return self.state == "shown"

    @property
    def hidden(self) -> bool:
        """Hidden by the disclosure rules (small or withheld), as opposed to shown or unavailable."""
        return self.state in ("small", "withheld")

    @property
    def number(self) -> float:
        """The shown value (a section asks only after checking :attr:`shown`)."""
        if self.value is None:
            raise ValueError(f"a {self.state} value has no number")
        return self.value


@dataclass(frozen=True)
class BaselineRow:
    """A row of the baseline table: a variable (and for status rows the status), a share or a mean."""

    variable: str
    status: str | None
    kind: Literal["share", "mean"]


@dataclass(frozen=True)
class Covariate:
    """A row of the balance table: the covariate, whether it is binary or a share of parents, and its digits."""

    name: str
    label_key: str
    site: str | None
    binary: bool
    share: bool
    digits: int
    #: The What Works Clearinghouse verdict on the SMD after matching (printed only with that SMD).
    flag: str


@dataclass(frozen=True)
class ObservationalFacts:
    """The matched or weighted comparison group's settings and structure (no numbers about persons)."""

    available: bool
    reason: str
    kind: str
    description: str
    dropped_reasons: tuple[str, ...] = ()
    covariates: tuple[Covariate, ...] = ()
    #: 1 to min_cell − 1 intervention families were left out of the matching: everything sized or summed over the
    #: matched intervention families would give them away by difference with the whole group.
    subset_hidden: bool = False


@dataclass(frozen=True)
class Warning:
    """A data-quality warning: where and what (its count is a value of the release)."""

    table: str
    rule: str
    message: str


@dataclass(frozen=True)
class Source:
    """An input file as the appendix lists it (its row count is a value of the release)."""

    table: str
    file: str
    format: str
    sha256: str


@dataclass(frozen=True)
class Facts:
    """What the report says that is not a number about persons."""

    config: Config
    end: pd.Period
    design: Design
    has_control: bool
    declared: tuple[Measure, ...]
    arms: tuple[str, ...]
    flow_steps: tuple[tuple[str, str | None], ...]
    baseline_rows: tuple[BaselineRow, ...]
    baseline_arms: tuple[str, ...]
    survey_items: tuple[str, ...]
    survey_arms: tuple[str, ...]
    #: Site groups of the intervention arm with results by site, in order; each name may be printed.
    sites: tuple[str, ...]
    #: Site groups whose results the release ledger withholds (a recorded release 1 to min_cell − 1 apart).
    withheld_sites: tuple[str, ...]
    observational: ObservationalFacts | None
    event_periods: tuple[int, ...]
    event_reason: str | None
    pretrend_reason: str
    savings: bool
    savings_note: str
    cost_basis: str | None
    cost_design: str | None
    domains: tuple[str, ...]
    years: tuple[int, ...]
    sensitivity: tuple[tuple[str, float], ...]
    #: The trajectory figure's points, ``(arm, months since enrolment)``, in the table's order.
    trajectory: tuple[tuple[str, int], ...]
    #: The before-after figures' bars: figure id → ``(arm, period)`` in the table's order.
    rates: Mapping[str, tuple[tuple[str, str], ...]]
    #: Randomisation strata the effects adjust for (0: none).
    strata: int
    #: Survey items answered by fewer than ``min_cell`` families: not listed, their names not printed.
    survey_small_items: int
    has_intervention: bool
    warnings: tuple[Warning, ...]
    sources: tuple[Source, ...]
    #: The inference panel's words (``None``: no effect has one, e.g. without a comparison group).
    inference: InferenceFacts | None = None


@dataclass(frozen=True)
class InferenceFacts:
    """What the robustness section says about the inference panel, besides its numbers.

    Attributes
    ----------
    measures
        The effects with a panel (regression effects that were estimated), in report order.
    resampling
        The test the multiplicity adjustment and the headline use: ``randomisation`` or ``wild_bootstrap``.
    exact, draws
        Whether the randomisation test enumerated every assignment, and how many draws or assignments it used.
    primary
        The primary outcomes (settings), in order.
    null_measure, null_edges
        The primary outcome whose randomisation distribution is drawn (``None``: no figure) and the
        histogram's bin edges, in the effect's printed unit (percentage points).
    descriptive
        Measures whose contrast conditions on an outcome (labelled descriptive, not adjusted).
    lee
        The shares with Lee bounds and what each is selected on (``status_in_end``, ``in_work_or_education``).
    summary_index
        The summary index has an effect with a panel (``index/...``).
    """

    measures: tuple[str, ...]
    resampling: str
    exact: bool
    draws: int
    primary: tuple[str, ...]
    null_measure: str | None = None
    null_edges: tuple[float, ...] = ()
    descriptive: tuple[str, ...] = ()
    lee: tuple[tuple[str, str], ...] = ()
    summary_index: bool = False


@dataclass(frozen=True)
class Release:
    """Every number of a report, decided; and the engine's cells and links, for the audit.

    Index it with a key (``rel["flow/intervention/parents_enrolled"]``); an
    unknown key raises :class:`KeyError`, so a section cannot print a number
    the release did not decide.
    """

    min_cell: int
    values: Mapping[str, Value]
    facts: Facts
    #: The groups whose results this report publishes (keys of ``Evaluation.populations``), for the ledger.
    populations: tuple[str, ...]
    cells: Mapping[str, Cell] = field(default_factory=dict, repr=False)
    links: tuple[Link, ...] = field(default=(), repr=False)
    hidden: frozenset[str] = frozenset()

    def __getitem__(self, key: str) -> Value:
        return self.values[key]

    def __contains__(self, key: object) -> bool:
        return key in self.values

    def shown(self, key: str) -> bool:
        """Whether ``key`` is in the release and may be printed."""
        value = self.values.get(key)
        return value is not None and value.shown

    def number(self, key: str) -> float:
        """The shown value of ``key`` (NaN when it is not shown: for figures, which leave such points out)."""
        value = self.values.get(key)
        return value.number if value is not None and value.shown else math.nan
