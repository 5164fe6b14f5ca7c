"""Data quality (the validation's warnings, their counts released) and the appendix (settings and inputs)."""

from __future__ import annotations

import math
from typing import Any

from ... import __version__
from ..formatting import Formatter
from ..report import Section
from ..tables import Entry
from .page import Page

__all__ = ["appendix", "data_quality"]


def data_quality(p: Page) -> Section:
    warnings = p.facts.warnings
    if not warnings:
        return Section("data_quality", p.w("data_quality"), [p.w("data_quality_none")])
    header = [p.w("table"), p.w("rule"), p.w("n"), p.w("message")]
    rows: list[list[Entry]] = [[w.table, w.rule, p.count(f"warnings/{i}"), w.message] for i, w in enumerate(warnings)]
    table = p.table("data_quality", p.w("data_quality"), header, rows, ["l", "l", "r", "l"])
    return Section("data_quality", p.w("data_quality"), [], [table])


def appendix(p: Page) -> Section:
    config = p.facts.config.to_dict()
    config_rows: list[list[Entry]] = [[key, _config_text(value, p.f)] for key, value in config.items()]
    config_table = p.table("configuration", p.w("config"), [p.w("setting"), p.w("value")], config_rows, ["l", "l"])
    inputs: list[list[Entry]] = [
        [s.table, s.file, s.format, p.count(f"appendix/{s.table}"), s.sha256] for s in p.facts.sources
    ]
    header = [p.w("table"), p.w("file"), p.w("format"), p.w("rows"), "SHA-256"]
    inputs_table = p.table("inputs", p.w("inputs"), header, inputs, ["l", "l", "l", "r", "m"], p.w("inputs_note"))
    version = p.w("version_line", version=__version__)
    return Section("appendix", p.w("appendix"), [version], [config_table, inputs_table])


def _config_text(value: Any, f: Formatter) -> str:
    if value is None:
        return "–"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_config_text(v, f)}" for k, v in value.items()) or "–"
    if isinstance(value, list | tuple):
        return ", ".join(_config_text(v, f) for v in value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return "–"
        return f.number(value, 0) if value.is_integer() else f.number(value, 4).rstrip("0")
    return str(value)
