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

from ..comparison.summary_index import SUMMARY_INDEX
from ..results import Effect
from .collector import Collector, count_ok
from .values import InferenceFacts

if TYPE_CHECKING:  # pragma: no cover
    from ..evaluation import Evaluation

__all__ = ["inference"]

#: What the report prints of each method (the degrees of freedom are left out: CR1's is the number of families
#: behind the effect minus one, and CR2's approximates it — a count of families no table publishes).
_PARTS = ("p_value", "ci_low", "ci_high")

#: Bins of the randomisation distribution: about this many across its range, each a round width.
_BINS = 30


def inference(c: Collector, ev: Evaluation) -> dict[str, Any]:
    """Declare every number of the robustness section; the facts it needs besides them."""
    # Every estimated regression effect is listed, also one whose outcome does not vary (no draws): leaving it
    # out would tell the reader so even when its estimate is hidden.
    effects = {
        m: e
        for m, e in ev.effects.items()
        if isinstance(e, Effect) and e.available and e.inference is not None and e.inference["reason"].isna().any()
    }
    measures = list(effects)
    known = [e.null_draws for e in effects.values() if e.null_draws is not None]
    resampling = known[0].method if known else "CR2"  # no draws: a large evaluation is judged by CR2
    exact = bool(known and known[0].exact)
    # An exact enumeration's count (and the p-values' and the histogram's steps of 1/count) is a product of binomial
    # coefficients of each stratum's families per arm: it rests on the families' counts.
    families = [f"flow/{arm}/families_enrolled" for arm in ("intervention", "control")] if exact else []
    for measure, effect in effects.items():
        _panel(c, measure, effect, [f"effect/{measure}/estimate"], families)
    _multiplicity(c, ev, measures, families)
    _index(c, ev, families)
    _ancova(c, ev, measures)
    lee = _lee(c, ev, measures)
    if not measures:
        return {"inference": None}
    primary = tuple(ev.config.primary_outcomes)
    null_measure, edges = _null(c, ev, next((m for m in primary if m in measures), None), families)
    descriptive = tuple(m.id for m in ev.declared if m.descriptive_effect)
    index = ev.summary_index is not None and ev.summary_index.inference is not None
    facts = InferenceFacts(
        tuple(measures),
        resampling,
        exact,
        ev.config.inference_draws,
        primary,
        null_measure,
        edges,
        descriptive,
        lee,
        index,
    )
    return {"inference": facts}


def _multiplicity(c: Collector, ev: Evaluation, measures: list[str], families: list[str]) -> None:
    """Each effect's resampling p (on its effect) and its adjusted p and q, which rest on every effect of its family.

    A family's adjusted p-values and q-values move with each member's test:
    a shown effect's adjusted p would tell how significant a hidden one in
    its family is, so they are shown only when all of the family's effects are.
    """
    table = ev.tables.get("multiplicity")
    if table is None:
        return
    rows = [r for r in table.to_dict("records") if r["measure"] in measures]
    for row in rows:
        members = [f"effect/{r['measure']}/estimate" for r in rows if r["family"] == row["family"]]
        key = f"multiplicity/{row['measure']}"
        for part, on in (
            ("p_value", [f"effect/{row['measure']}/estimate"]),
            ("p_adjusted", members),
            ("q_value", members),
        ):
            value = float(row[part])
            if math.isfinite(value):
                c.stat(f"{key}/{part}", value, on=on + families)
            else:
                c.unavailable(f"{key}/{part}", "")


def _index(c: Collector, ev: Evaluation, families: list[str]) -> None:
    """The summary index's effect and panel (``index/...``, ``inference/summary_index/...``).

    A mean over both arms' families of their outcomes: shown with at least
    ``min_cell`` families in each arm, and only while the effect of every
    outcome it is made of is shown.
    """
    e = ev.summary_index
    if e is None:
        return
    # The index is a function of its components' arm means: it rests on each used component's effect (which rests
    # on both arms' results), else a hidden component could be solved from it.
    table = ev.tables.get("summary_index")
    used = [] if table is None or table.empty else list(table.loc[table["used"], "measure"])
    on = [f"effect/{m}/estimate" for m in used] or ["effect/parents_in_work_or_education/estimate"]
    if not e.available or e.inference is None:
        for part in ("estimate", "ci_low", "ci_high"):
            c.unavailable(f"index/{part}", e.reason or "")
        return
    ok = count_ok(e.parts.families_intervention, c.m) and count_ok(e.parts.families_reference, c.m)
    for part, value in (("estimate", e.estimate), ("ci_low", e.ci_low), ("ci_high", e.ci_high)):
        c.stat(f"index/{part}", value, ok=ok, on=on)
    _panel(c, SUMMARY_INDEX, e, ["index/estimate"], families)


def _panel(c: Collector, measure: str, e: Effect, on: list[str], families: list[str]) -> None:
    """Every number of an effect's inference panel, each resting on ``on``.

    The randomisation test's rest on ``families`` too (see :func:`inference`).
    """
    assert e.inference is not None
    for method, row in e.inference.iterrows():
        for part in _PARTS:
            key = f"inference/{measure}/{method}/{part}"
            if isinstance(row["reason"], str) and row["reason"]:
                c.unavailable(key, row["reason"])
            elif not math.isfinite(row[part]):  # CR1's p of an outcome the model fits exactly
                c.unavailable(key, "")
            else:
                c.stat(key, float(row[part]), on=on + (families if method == "randomisation" else []))


def _ancova(c: Collector, ev: Evaluation, measures: list[str]) -> None:
    """The baseline-adjusted estimate beside each share's effect (``ancova/<m>/...``), on the effect's release."""
    table = ev.tables.get("ancova")
    for row in [] if table is None else table.to_dict("records"):
        if row["measure"] not in measures:
            continue
        for part in ("estimate", "ci_low", "ci_high", "p_value"):
            key = f"ancova/{row['measure']}/{part}"
            if isinstance(row["reason"], str):
                c.unavailable(key, row["reason"])
            else:
                c.stat(key, float(row[part]), on=[f"effect/{row['measure']}/estimate"])


#: The counts a bound's selected shares are made of, per selection: (arm → keys of the selected and the rest).
_SELECTION = {
    "status_in_end": ("flow/{arm}/parents_with_status_in_end", "flow/{arm}/parents_without_status_in_end"),
    "in_work_or_education": (
        "measure/{arm}/parents_in_work_or_education/numerator",
        "measure/{arm}/parents_in_work_or_education/complement",
        "flow/{arm}/parents_without_status_in_end",
    ),
    "both_school_years": ("flow/{arm}/analysed:school_absence_change", "flow/{arm}/children_enrolled"),
}


def _lee(c: Collector, ev: Evaluation, measures: list[str]) -> tuple[tuple[str, str], ...]:
    """Lee bounds (``lee/<m>/...``): on the effect and on the counts of selected and not selected in both arms.

    The trimmed share is (q_more − q_less)/q_more of the two arms' selected
    shares: printed with a few parents without a status in one arm it would
    give their number, so it is hidden with those counts.
    """
    table = ev.tables.get("lee_bounds")
    out = []
    for row in [] if table is None or table.empty else table.to_dict("records"):
        measure = row["measure"]
        if measure not in measures:
            continue
        out.append((measure, str(row["selection"])))
        on = [f"effect/{measure}/estimate"]
        on += [key.format(arm=arm) for key in _SELECTION[str(row["selection"])] for arm in ("intervention", "control")]
        # A bound is a mean of the persons left in the trimmed arm: at least min_cell of them, as any mean.
        ok = not isinstance(row["reason"], str) and float(row["kept"]) >= c.m
        for part in ("lower", "upper", "ci_low", "ci_high", "trimmed_share"):
            key = f"lee/{measure}/{part}"
            if isinstance(row["reason"], str):
                c.unavailable(key, row["reason"])
            else:
                c.stat(key, float(row[part]), ok=ok, on=on)
    return tuple(out)


def _null(
    c: Collector, ev: Evaluation, measure: str | None, families: list[str]
) -> tuple[str | None, tuple[float, ...]]:
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
        c.stat(f"null/{measure}/{i}", count / len(points), on=[f"effect/{measure}/estimate", *families])
    return measure, tuple(float(e) for e in edges)


def _round_width(raw: float) -> float:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten at least ``raw``."""
    power = 10 ** math.floor(math.log10(raw))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= raw)
