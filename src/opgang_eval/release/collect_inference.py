"""The inference panel, the multiplicity table and the randomisation distribution, as statistics of the release.

Keys (``<m>`` a measure id, ``<method>`` ``CR1``, ``CR2``, ``wild_bootstrap`` or ``randomisation``):

=================================================  ==========================================
``inference/<m>/<method>/p_value|ci_low|ci_high``  each method's test and interval
``inference/<m>/<method>/df``                      CR1's G − 1 and CR2's Satterthwaite df
``multiplicity/<m>/p_value|p_adjusted|q_value``    the effect's resampling p, adjusted p, q
``null/<m>/<i>``                                   share of draws in bin i of the randomisation
                                                   distribution (the primary outcome's figure)
=================================================  ==========================================

Every one rests on the effect's estimate: a p-value or another interval of a
difference the release hides would give it (or its sign) away. None rests on
anything else: they are functions of the same two groups the effect compares,
shown only when the effect is, and the null distribution is of re-randomised
differences, drawn as shares of 2,000 draws in bins, not of persons.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..results import Effect
from .collector import Collector
from .values import InferenceFacts

if TYPE_CHECKING:  # pragma: no cover
    from ..evaluation import Evaluation

__all__ = ["inference"]

_PARTS = ("p_value", "ci_low", "ci_high", "df")

#: Bins of the randomisation distribution: about this many across its range, each a round width.
_BINS = 30


def inference(c: Collector, ev: Evaluation) -> dict[str, Any]:
    """Declare every number of the robustness section; the facts it needs besides them."""
    measures: list[str] = []
    resampling, exact, draws = "", False, 0
    for measure, e in ev.effects.items():
        if not isinstance(e, Effect) or e.inference is None or e.null_draws is None:
            continue
        measures.append(measure)
        on = [f"effect/{measure}/estimate"]
        for method, row in e.inference.iterrows():
            for part in _PARTS:
                key = f"inference/{measure}/{method}/{part}"
                if isinstance(row["reason"], str) and row["reason"]:
                    c.unavailable(key, row["reason"])
                elif part != "df" or math.isfinite(row[part]):
                    c.stat(key, float(row[part]), on=on)
        resampling, exact = e.null_draws.method, e.null_draws.exact
        draws = int(e.inference["draws"].to_numpy()[list(e.inference.index).index(resampling)])
    table = ev.tables.get("multiplicity")
    if table is not None:
        for adjusted in table.to_dict("records"):
            if adjusted["measure"] in measures:
                for part in ("p_value", "p_adjusted", "q_value"):
                    c.stat(
                        f"multiplicity/{adjusted['measure']}/{part}",
                        float(adjusted[part]),
                        on=[f"effect/{adjusted['measure']}/estimate"],
                    )
    if not measures:
        return {"inference": None}
    primary = tuple(ev.config.primary_outcomes)
    null_measure, edges = _null(c, ev, next((m for m in primary if m in measures), None))
    facts = InferenceFacts(tuple(measures), resampling, exact, draws, primary, null_measure, edges)
    return {"inference": facts}


def _null(c: Collector, ev: Evaluation, measure: str | None) -> tuple[str | None, tuple[float, ...]]:
    """The primary outcome's randomisation distribution as shares of the draws in bins of a round width."""
    if measure is None:
        return None, ()
    effect = ev.effects[measure]
    draws = effect.null_draws if isinstance(effect, Effect) else None
    if draws is None or draws.estimates is None or not len(draws.estimates):
        return None, ()
    points = draws.estimates * 100  # percentage points, as the effect is printed
    low, high = float(points.min()), float(points.max())
    width = _round_width((high - low) / _BINS if high > low else 1.0)
    edges = np.arange(math.floor(low / width), math.floor(high / width) + 2) * width
    counts, _ = np.histogram(points, bins=edges)
    for i, count in enumerate(counts):
        c.stat(f"null/{measure}/{i}", count / len(points), on=[f"effect/{measure}/estimate"])
    return measure, tuple(float(e) for e in edges)


def _round_width(raw: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten at least ``raw``."""
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= raw)
