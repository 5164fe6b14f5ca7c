"""The measure registry: one declaration per measure, read by everything that lists measures.

A measure is declared once — its id, what kind of number it is, whom it
counts, how it is computed for one arm, which analysis rows its effect is
estimated from and with which contrast in each design. The evaluation
computes every registered measure in every arm and estimates its effect;
``Evaluation.to_frame``, the report (a results section per measure, the
forest plot, the participant flow, the by-site table, the methods) and the
spreadsheet list, order, label and format measures from here. The words
that name a measure live in the report's text catalogue under its id
(``measure:<id>``, ``definition:<id>``; see
:func:`opgang_eval.presentation.texts.add_words`).

Adding a measure is therefore one :class:`Measure` passed to
:func:`register_measure`, one compute function and its words
(CONTRIBUTING.md shows a whole example). Registration order is report order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from ..config import Config
from ..errors import ConfigError, Failure, Rule
from ..results import Effect, Result
from .frames import Frames

if TYPE_CHECKING:  # pragma: no cover - the design objects import the measures layer themselves
    from ..comparison.design import ComparisonDesign

__all__ = [
    "AnalysisRows",
    "Contrast",
    "DesignFamily",
    "EffectScale",
    "Inputs",
    "Kind",
    "Measure",
    "Unit",
    "get_measure",
    "measures",
    "register_measure",
    "registered_measures",
    "unregister_measure",
]

#: What kind of number a measure's estimate is; it decides its result type, format and disclosure rule.
Kind = Literal["share", "relative_change", "amount"]
#: Who the estimate's ``n`` counts.
Unit = Literal["parents", "children", "youths", "families"]
#: What an effect's difference is in.
EffectScale = Literal["percentage_points", "rate_difference", "DKK"]
#: The comparison an effect estimates: at the end (``difference``), or the change from before to the end
#: against the reference group's change (``difference_in_differences``).
Contrast = Literal["difference", "difference_in_differences"]
#: Designs as far as the contrast is concerned: a randomised control arm, or a matched/weighted register pool.
DesignFamily = Literal["randomised", "observational"]

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Inputs:
    """What a measure's compute functions read: the analysis frames, the configuration and the design.

    Attributes
    ----------
    frames
        The analysis view (the whole extract, or one site's families).
    config
        The resolved configuration.
    unit_costs
        The extract's unit-cost table (``None``: the shipped default).
    design
        What effects compare with (control arm, comparison group or none).
    labels
        Extra labels for the random streams (``("site", name)`` for a
        site), so a site's bootstrap never reuses the whole extract's draws.
    """

    frames: Frames
    config: Config
    unit_costs: pd.DataFrame | None
    design: ComparisonDesign
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnalysisRows:
    """The rows an effect is estimated from: one per unit (person, or person-window) and period.

    Attributes
    ----------
    pc, fc
        Person and family code of each row (families are the clusters).
    treated
        The row's family is in the intervention arm (else in the reference group).
    post
        The row is from the end (follow-up) period; else from the baseline.
    y
        The outcome (0/1 for a yes/no outcome).
    weight
        The row's own weight (e.g. school days, so that the fit gives pooled
        rates); ``None`` for equal weights. The design's family weights
        multiply it.
    method
        The model in words (the design's part is added by the estimator).
    """

    pc: np.ndarray
    fc: np.ndarray
    treated: np.ndarray
    post: np.ndarray
    y: np.ndarray
    weight: np.ndarray | None
    method: str

    def __len__(self) -> int:
        return len(self.y)

    def take(self, mask: np.ndarray) -> AnalysisRows:
        """The rows where ``mask`` holds, in their order."""
        weight = None if self.weight is None else self.weight[mask]
        return AnalysisRows(
            self.pc[mask], self.fc[mask], self.treated[mask], self.post[mask], self.y[mask], weight, self.method
        )


#: A measure in one arm: (inputs, arm) → its result (with a reason when it cannot be computed).
ArmCompute = Callable[[Inputs, str], Result]
#: The analysis rows of an effect: (inputs, (intervention arm, reference arm), contrast) → rows, or why there are none.
RowsCompute = Callable[[Inputs, tuple[str, str], Contrast], "AnalysisRows | str"]
#: An effect computed whole by the measure itself (savings: a bootstrap of the cost account).
EffectCompute = Callable[[Inputs], Effect]


@dataclass(frozen=True)
class Measure:
    """The declaration of one measure.

    Attributes
    ----------
    id
        Contract id (lower case, digits and ``_``), e.g. ``parents_in_work_or_education``.
    kind
        ``share`` (a :class:`~opgang_eval.results.Share`), ``relative_change``
        or ``amount``: the result type, its format and its disclosure rule.
    unit
        Who ``n`` counts (the participant flow's unit).
    compute
        The measure in one arm (see :data:`ArmCompute`).
    effect_scale
        The scale of its effect.
    rows
        Its analysis rows for the one effect estimator (see :data:`RowsCompute`);
        ``None`` when the measure computes its effect itself (``effect``) or has none.
    contrast
        The contrast in each design family; a design family absent here has no
        effect for this measure (the effect says so).
    effect
        An effect computed by the measure itself instead of from ``rows``.
    per_site
        Computed per site as well (the report's by-site table).
    compares_arms
        The estimate is itself one comparison of the arms, reported as the
        intervention arm's result (the savings: control mean − intervention
        mean); the participant flow counts each arm's families in it.
    figures
        Report figures shown in the measure's section (ids of ``oe.plot``).
    descriptive_effect
        The effect conditions on an outcome after randomisation (the flexjob
        share among those in work): it describes the groups and is no effect;
        the report labels it so, and the multiplicity adjustment leaves it out
        of the outcome families.
    """

    id: str
    kind: Kind
    unit: Unit
    compute: ArmCompute
    effect_scale: EffectScale
    rows: RowsCompute | None = None
    contrast: Mapping[DesignFamily, Contrast] = field(default_factory=dict)
    effect: EffectCompute | None = None
    per_site: bool = True
    compares_arms: bool = False
    figures: tuple[str, ...] = ()
    descriptive_effect: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "contrast", MappingProxyType(dict(self.contrast)))


_REGISTRY: dict[str, Measure] = {}
#: Ids of the contract's own measures: they cannot be unregistered (nothing could bring them back).
_BUILTIN: frozenset[str] = frozenset()
_LOADED = False


def register_measure(measure: Measure) -> Measure:
    """Add a measure to the evaluation (after those already registered, in report order).

    Raises
    ------
    ConfigError
        When the id is not a lower-case identifier or is registered already.
    """
    _builtin()
    problem = None
    if not _ID.match(measure.id):
        problem = "A measure id is lower case letters, digits and _ (starting with a letter)."
    elif measure.id in _REGISTRY:
        problem = f"A measure '{measure.id}' is registered already; choose another id."
    elif measure.rows is not None and measure.effect is not None:
        problem = "Give either rows (the one effect estimator) or effect (the measure's own), not both."
    if problem:
        failure = Failure("config", "measures", "id", None, "", measure.id, Rule.BAD_CONFIG, problem)
        raise ConfigError.from_failures([failure])
    _REGISTRY[measure.id] = measure
    return measure


def unregister_measure(measure_id: str) -> None:
    """Remove a measure added with :func:`register_measure` (e.g. at the end of a test).

    Raises
    ------
    ConfigError
        For a measure of the data contract (built in).
    """
    _builtin()
    if measure_id in _BUILTIN:
        hint = "The contract's own measures cannot be removed; an evaluation always reports them."
        raise ConfigError.from_failures(
            [Failure("config", "measures", "id", None, "", measure_id, Rule.BAD_CONFIG, hint)]
        )
    _REGISTRY.pop(measure_id, None)


def measures() -> tuple[Measure, ...]:
    """Every registered measure, in report order."""
    _builtin()
    return tuple(_REGISTRY.values())


#: The public name (``oe.registered_measures()``): ``oe.measures`` is the subpackage.
registered_measures = measures


def get_measure(measure_id: str) -> Measure | None:
    """The declaration of ``measure_id`` (``None`` when none is registered under it)."""
    _builtin()
    return _REGISTRY.get(measure_id)


def _builtin() -> None:
    """Register the contract's measures once, on first use, before any other (their module imports this one)."""
    global _LOADED, _BUILTIN
    if _LOADED:
        return
    from .builtin import declarations

    built = declarations()
    _LOADED = True
    for measure in built:
        register_measure(measure)
    _BUILTIN = frozenset(m.id for m in built)
