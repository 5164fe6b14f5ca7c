"""What the data contract *is*: tables, columns, types and vocabularies.

This module only describes; :mod:`opgang_eval.validation` runs the checks.
Keeping the two apart (as pandera does with ``api/`` and ``backends/``) means
the docs, the sample generator and the validator read one definition.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Literal

__all__ = [
    "ARM",
    "DOMAIN",
    "EARLIEST_DATE",
    "OPTIONAL_TABLES",
    "REQUIRED_TABLES",
    "SEX",
    "STATUS",
    "SURVEY_ITEM",
    "TABLES",
    "WAVE",
    "Column",
    "Table",
    "Vocabulary",
    "normalise_label",
]

ColumnKind = Literal["id", "text", "code", "int", "number", "date", "month", "school_year"]

#: No date, month or school year of the contract lies before this day: an earlier one
#: (1900-01-01, Excel's day zero 1899-12-30) is a placeholder for an unknown date, never an
#: enrolment, a status or a posting of the programme's era. Birth years of children and price
#: years start in 1990 too.
EARLIEST_DATE = date(1990, 1, 1)

#: Largest amount in DKK, either sign, that one ``expenditure`` row or one month's unit cost may hold:
#: a trillion, beyond any public cost of one family in one month (the same bound as a whole programme's
#: cost in the config). Sums over tens of millions of rows, price factors and the bootstrap's squares then
#: stay far inside float precision; an amount near 1e308 (a typo, a broken export) would add up to infinity.
MAX_AMOUNT = 1e12


def normalise_label(value: str) -> str:
    """Canonical form for matching labels: NFC, trimmed, case-folded.

    NFC matters for Danish: a file saved on macOS may spell "å" as "a" plus a
    combining ring, which must still match the label.
    """
    return unicodedata.normalize("NFC", value).strip().casefold()


@dataclass(frozen=True)
class Vocabulary:
    """A closed set of codes, each accepted also under its Danish labels.

    Parameters
    ----------
    name
        Name used in messages.
    labels
        Code → alternative labels (Danish, common spellings). The code itself
        is always accepted.
    open
        When true, unknown values pass through unchanged (survey items: the
        known Danish labels are mapped, other items are kept as given).
    """

    name: str
    labels: Mapping[str, tuple[str, ...]]
    open: bool = False
    lookup: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lookup: dict[str, str] = {}
        for code, alternatives in self.labels.items():
            for label in (code, *alternatives):
                lookup[normalise_label(label)] = code
        object.__setattr__(self, "lookup", lookup)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def describe(self) -> str:
        """Accepted values for a hint: ``job (ordinær beskæftigelse), …``."""
        return ", ".join(f"{code} ({' / '.join(alts)})" if alts else code for code, alts in self.labels.items())


ARM = Vocabulary("arm", {"intervention": ("indsats",), "control": ("kontrol",), "comparison": ("sammenligning",)})

SEX = Vocabulary("sex", {"F": ("K", "kvinde", "female"), "M": ("mand", "male")})

STATUS = Vocabulary(
    "status",
    {
        "job": ("ordinær beskæftigelse", "beskæftigelse"),
        "flexjob": ("fleksjob",),
        "education": ("uddannelse", "SU"),
        "early_retirement": ("førtidspension",),
        "cash_benefit": (
            "kontanthjælp",
            "uddannelseshjælp",
            "selvforsørgelses- og hjemrejseydelse",
            "selvforsørgelsesydelse",
            "hjemrejseydelse",
        ),
        "unemployment_benefit": ("dagpenge", "arbejdsløshedsdagpenge"),
        "sickness_benefit": ("sygedagpenge",),
        "resource_course": ("ressourceforløb",),
        "job_clarification": ("jobafklaringsforløb",),
        "flexjob_waiting": ("ledighedsydelse",),
        "other": ("andet",),
    },
)

DOMAIN = Vocabulary(
    "domain",
    {
        "employment": ("beskæftigelse",),
        "social": ("socialområdet",),
        "health": ("sundhed",),
        "education": ("uddannelse", "undervisning"),
        "other": ("andet",),
    },
)

WAVE = Vocabulary(
    "wave",
    {
        "baseline": ("førmåling",),
        "followup": ("follow-up", "opfølgning", "eftermåling"),
    },
)

SURVEY_ITEM = Vocabulary(
    "item",
    {
        "surplus": ("overskud",),
        "quality_of_life": ("livskvalitet",),
        "trust": ("tillid", "tillid til systemet"),
    },
    open=True,
)


@dataclass(frozen=True)
class Column:
    """One column of a contract table.

    ``required`` means the column must be present; ``nullable`` that its
    cells may be empty. ``low``/``high`` bound numbers inclusively unless
    ``low_open`` makes the lower bound strict. ``high_years_ahead`` sets the
    upper bound relative to the reference date instead (its year plus that
    many years, e.g. no birth year after this year): :meth:`on` makes it
    concrete for the ``today`` a load is checked against.
    """

    name: str
    kind: ColumnKind
    required: bool = True
    nullable: bool = False
    vocabulary: Vocabulary | None = None
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    hint: str = ""
    high_years_ahead: int | None = None
    earliest: date | None = None
    latest: date | None = None
    days_ahead: int | None = None

    def on(self, today: date) -> Column:
        """The column with its bounds for the reference date ``today``."""
        column = self
        if column.high_years_ahead is not None:
            column = replace(column, high=today.year + column.high_years_ahead, high_years_ahead=None)
        if column.days_ahead is not None:
            column = replace(column, latest=today + timedelta(days=column.days_ahead), days_ahead=None)
        return column


def _dated(name: str, kind: ColumnKind, *, required: bool = True, nullable: bool = False) -> Column:
    """A date, month or school-year column: from :data:`EARLIEST_DATE` up to the reference date."""
    return Column(name, kind, required=required, nullable=nullable, earliest=EARLIEST_DATE, days_ahead=0)


@dataclass(frozen=True)
class Table:
    """One contract table: its columns and the key that must be unique."""

    name: str
    columns: tuple[Column, ...]
    required: bool
    key: tuple[str, ...]
    may_be_empty: bool = False

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "families",
            (
                Column("family_id", "id"),
                Column("arm", "code", vocabulary=ARM),
                # Empty only for comparison families (checked per row): they get a pseudo-enrolment month.
                _dated("enrolled_on", "date", nullable=True),
                Column("site", "text", required=False, nullable=True),
                Column("stratum", "text", required=False, nullable=True),
                _dated("exited_on", "date", required=False, nullable=True),
            ),
            required=True,
            key=("family_id",),
        ),
        Table(
            "parents",
            (
                Column("person_id", "id"),
                Column("family_id", "id"),
                Column("birth_year", "int", low=1930, high=2010),
                Column("sex", "code", required=False, nullable=True, vocabulary=SEX),
            ),
            required=True,
            key=("person_id",),
        ),
        Table(
            "children",
            (
                Column("person_id", "id"),
                Column("family_id", "id"),
                Column("birth_year", "int", low=1990, high_years_ahead=0),
                Column("sex", "code", required=False, nullable=True, vocabulary=SEX),
            ),
            required=True,
            key=("person_id",),
            may_be_empty=True,
        ),
        Table(
            "parent_status",
            (
                Column("person_id", "id"),
                _dated("month", "month"),
                Column("status", "code", vocabulary=STATUS),
            ),
            required=True,
            key=("person_id", "month"),
        ),
        Table(
            "school_absence",
            (
                Column("person_id", "id"),
                _dated("school_year", "school_year"),
                Column("days_absent", "number", low=0),
                Column("school_days", "number", low=0, low_open=True),
            ),
            required=False,
            key=("person_id", "school_year"),
        ),
        Table(
            "youth_jobs",
            (
                Column("person_id", "id"),
                _dated("month", "month"),
                Column("earnings_dkk", "number", low=0),
            ),
            required=False,
            key=(),  # one row per employer and month is normal; rows are summed
        ),
        Table(
            "expenditure",
            (
                Column("family_id", "id"),
                _dated("month", "month"),
                Column("domain", "code", vocabulary=DOMAIN),
                Column("amount_dkk", "number", low=-MAX_AMOUNT, high=MAX_AMOUNT),
            ),
            required=False,
            key=(),  # several postings per family, month and domain are summed
        ),
        Table(
            "unit_costs",
            (
                Column("status", "code", vocabulary=STATUS),
                Column("monthly_cost_dkk", "number", low=-MAX_AMOUNT, high=MAX_AMOUNT),
                Column("price_year", "int", low=1990, high_years_ahead=1),
            ),
            required=False,
            key=("status",),
        ),
        Table(
            "survey",
            (
                Column("person_id", "id"),
                Column("wave", "code", vocabulary=WAVE),
                Column("item", "code", vocabulary=SURVEY_ITEM),
                Column("score", "number"),
            ),
            required=False,
            key=("person_id", "wave", "item"),
        ),
    )
}

REQUIRED_TABLES = tuple(name for name, t in TABLES.items() if t.required)
OPTIONAL_TABLES = tuple(name for name, t in TABLES.items() if not t.required)
