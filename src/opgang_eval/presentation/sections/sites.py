"""Results by site: the intervention arm's results in each site group of at least ``min_cell`` families."""

from __future__ import annotations

from ...release.values import OTHER_SITES
from ..report import Section
from ..tables import Entry, Fmt, Num, WithN
from .page import Page

__all__ = ["by_site"]


def _label(p: Page, site: str) -> str:
    return p.w("other_sites") if site == OTHER_SITES else site


def by_site(p: Page) -> Section | None:
    names = p.facts.sites
    if not names:
        return None
    rows: list[list[Entry]] = []
    for spec in (s for s in p.facts.declared if s.per_site):
        fmt: Fmt = "percent" if spec.kind == "share" else "relative"
        line: list[Entry] = [p.w(f"measure:{spec.id}")]
        for site in names:
            key = f"site/{site}/{spec.id}"
            estimate = p.entry(f"{key}/estimate", fmt) if f"{key}/estimate" in p.rel else None
            n = p.count(f"{key}/n") if f"{key}/n" in p.rel else None
            if isinstance(estimate, Num) and isinstance(n, Num):
                line.append(WithN(estimate, n))
            else:
                line.append(estimate)
        rows.append(line)
    notes = [p.w("by_site_small", min_cell=p.m)] if OTHER_SITES in names else []
    if p.facts.withheld_sites:
        sites = ", ".join(_label(p, s) for s in sorted(p.facts.withheld_sites))
        notes.append(p.w("by_site_withheld", sites=sites))
    header = [p.w("variable"), *(_label(p, s) for s in names)]
    split = dict.fromkeys(range(1, len(names) + 1), "with_n")
    table = p.table("by_site", p.w("by_site"), header, rows, ["l"] + ["r"] * len(names), " ".join(notes), split)
    return Section("by_site", p.w("by_site"), [p.w("by_site_intro")], [table])
