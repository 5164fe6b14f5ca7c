"""The baseline table: the arms' characteristics at enrolment, and their standardised differences."""

from __future__ import annotations

from ..report import Section
from ..tables import Fmt
from .page import Page

__all__ = ["baseline"]


def baseline(p: Page) -> Section:
    arms = list(p.facts.baseline_arms)
    cells = []
    for i, row in enumerate(p.facts.baseline_rows):
        if row.status is not None:
            label = p.w("baseline:status", status=p.w(f"status:{row.status}"))
        else:
            label = p.w(f"baseline:{row.variable}")
        fmt: Fmt = "percent" if row.kind == "share" else "number1"
        line = [label, *(p.entry(f"baseline/{i}/{arm}", fmt) for arm in arms)]
        if len(arms) == 2:
            line.append(p.entry(f"baseline/{i}/smd", "number2"))
        cells.append(line)
    header = [p.w("variable"), *(p.w(a) for a in arms), *([p.w("smd")] if len(arms) == 2 else [])]
    table = p.table("baseline", p.w("baseline"), header, cells, ["l"] + ["r"] * (len(header) - 1))
    return Section("baseline", p.w("baseline"), [p.w("baseline_intro")], [table])
