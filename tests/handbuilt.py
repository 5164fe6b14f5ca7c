"""Tiny hand-built extract folders for the measure tests.

Every table is written as CSV text by the test itself, so the expected
numbers can be worked out by hand from what is on the page. The helpers
here only *write* data (and expand "this parent was on X from month a to
month b" into one row per month); they never compute an expected value.
"""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import pandas as pd

import opgang_eval as oe

FAMILIES = "family_id,arm,enrolled_on,site,stratum,exited_on"
PARENTS = "person_id,family_id,birth_year,sex"
CHILDREN = "person_id,family_id,birth_year,sex"
STATUS = "person_id,month,status"
ABSENCE = "person_id,school_year,days_absent,school_days"
YOUTH = "person_id,month,earnings_dkk"
SURVEY = "person_id,wave,item,score"


def _csv(header: str, body: str | list[str]) -> str:
    lines = body if isinstance(body, list) else textwrap.dedent(body).strip().splitlines()
    return "\n".join([header, *(line.strip() for line in lines if line.strip())]) + "\n"


def spell(person: str, first: str, last: str, status: str) -> list[str]:
    """Status rows ``person,month,status`` for every month from ``first`` to ``last``."""
    months = pd.period_range(first, last, freq="M")
    return [f"{person},{m},{status}" for m in months]


def write_extract(
    folder: Path,
    *,
    families: str,
    parents: str,
    status: str | list[str],
    children: str = "",
    school_absence: str | None = None,
    youth_jobs: str | None = None,
    survey: str | None = None,
) -> Path:
    """Write the given tables as CSV files into ``folder`` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = {
        "families": (FAMILIES, families),
        "parents": (PARENTS, parents),
        "children": (CHILDREN, children),
        "parent_status": (STATUS, status),
        "school_absence": (ABSENCE, school_absence),
        "youth_jobs": (YOUTH, youth_jobs),
        "survey": (SURVEY, survey),
    }
    for name, (header, body) in tables.items():
        if body is None:
            continue
        (folder / f"{name}.csv").write_text(_csv(header, body), encoding="utf-8")
    return folder


def load(folder: Path) -> oe.Extracts:
    """Load a folder, silencing data-quality warnings (gaps, families without children)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.load(folder)


def evaluate(folder: Path, **config: object) -> oe.Evaluation:
    """Load and evaluate with a small bootstrap unless told otherwise."""
    settings = {"bootstrap_replicates": 200, **config}
    return oe.evaluate(load(folder), config=settings)
