"""Evaluation configuration: ``evaluation.toml``, a dict, or a :class:`Config`.

:class:`Config` and :class:`ComparisonSettings` are frozen pydantic models, so a
configuration is checked *whenever one is made*, whichever way: keywords
(``oe.Config(min_cell=1)``), :meth:`Config.from_dict`, :meth:`Config.from_toml`,
:meth:`Config.resolve` or :meth:`Config.replace`. No path can build a
configuration below the disclosure floor (:data:`MIN_CELL_FLOOR`) or with a value
the evaluation would choke on.

Every problem is reported at once, as one
:class:`~opgang_eval.errors.ConfigError` (never a pydantic error: callers catch
the package's own errors, and the failure table names each setting by its
dotted key, e.g. ``comparison.ratio``, with a sentence saying what to write).
So a typo such as ``seeds = 1`` is caught instead of silently ignored.

Upper bounds keep memory and arithmetic bounded; each is documented where it is
defined (the ``_MAX_*`` constants below).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import FrozenInstanceError
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, get_args

import pandas as pd
from pydantic import (
    AllowInfNan,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic import ValidationError as PydanticValidationError
from pydantic_core import PydanticCustomError

from .errors import ConfigError, Failure, Rule, ValidationError
from .schema import STATUS, SURVEY_ITEM, normalise_label

__all__ = ["ComparisonSettings", "Config", "Lang"]

Lang = Literal["da", "en"]
DesignChoice = Literal["auto", "randomised", "observational"]
MatchMethod = Literal["nearest", "weighting"]
Distance = Literal["logit", "score"]

#: Baseline covariates of the propensity model (computed per family from the extracts).
COVARIATES = (
    "parent_age",
    "female_share",
    "two_parents",
    "children",
    "youngest_child_age",
    "children_0_5",
    "children_13_17",
    "benefit_months",
    "baseline_work_or_education",
    "baseline_cash_benefit",
    "baseline_other_benefit",
    "site",
)

#: The propensity model's covariates unless configured: all but ``baseline_other_benefit``, which with the
#: other two baseline shares sums to (almost) one for most families and would make the model nearly singular.
DEFAULT_COVARIATES = tuple(c for c in COVARIATES if c != "baseline_other_benefit")

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")

#: Survey items without a configured scale are scored 1–5.
DEFAULT_SCALE = (1.0, 5.0)

#: The disclosure threshold may be raised, never lowered below this.
MIN_CELL_FLOOR = 5

# -- upper bounds ------------------------------------------------------------------------------------------------
# Each bound is far beyond any sensible value, so it only ever stops a typo (an extra zero, a wrong unit)
# before it costs memory, time or precision.

#: The bootstrap holds replicates × families draws in memory; 100,000 replicates already give percentile
#: intervals far more precise than the data, and more would take minutes and gigabytes on a large pool.
_MAX_REPLICATES = 100_000
#: The inference panel holds draws × families weights and assignments for all effects at once; 20,000 draws give
#: p-values to ±0.003 at 5 % and keep that within a few hundred MiB for a trial of thousands of families.
_MAX_DRAWS = 20_000
#: numpy takes any non-negative seed, but only one that fits a signed 64-bit integer can be written back
#: to ``evaluation.toml`` (TOML integers are 64-bit) and re-entered exactly.
_SEED_LIMIT = 2**63
#: Event-study months around enrolment: 240 months (20 years) covers any register history; a wider window
#: only allocates empty periods (the window is expanded month by month).
_MAX_EVENT_MONTHS = 240
#: A whole programme's cost in DKK: one trillion (about the Danish GDP × 0.4) is beyond any programme and
#: keeps the cost per family and the savings comfortably inside float precision.
_MAX_PROGRAMME_COST = 1e12
#: A consumer price index is ~100 in its base year; 1,000,000 admits any rebasing while the price factors
#: (index ratios) stay well inside float precision.
_MAX_PRICE_INDEX = 1e6
#: Survey scale bounds: scores are questionnaire points; ±1,000,000 admits any scale while means and
#: differences stay exact enough to print.
_MAX_SCALE_BOUND = 1e6
#: Comparison families per intervention family: beyond 20:1 matching adds almost no precision (the variance
#: gain of k:1 matching levels off after a few), while each round scans the whole pool again.
_MAX_RATIO = 20
#: Caliper in standard deviations of the distance: at 10 SD no pair is ever refused, so a larger caliper can
#: only be a unit mistake; write ``false`` for none.
_MAX_CALIPER = 10.0
#: The disclosure threshold can be raised, but above 100,000 no municipal programme has a cell that could be
#: shown: such a value is a typo that would silently blank the whole report.
_MAX_MIN_CELL = 100_000
#: Years of prices (``price_year`` and the ``price_index`` keys).
_YEARS = (1900, 2100)
#: Youth ages are calendar-year ages of children living with their parents.
_MAX_YOUTH_AGE = 30

# -- value types -------------------------------------------------------------------------------------------------
# ``Strict`` because bool is an int subclass: ``min_cell = true`` must not read as 1, nor "5" or 5.0 as 5.
# A strict float still takes an int (``discount_rate = 0``) and gives a float.

_Whole = Annotated[int, Strict()]
_Real = Annotated[float, Strict(), AllowInfNan(False)]
_Age = Annotated[_Whole, Field(ge=0, le=_MAX_YOUTH_AGE)]
_Offset = Annotated[_Whole, Field(ge=-_MAX_EVENT_MONTHS, le=_MAX_EVENT_MONTHS)]
_ScaleBound = Annotated[_Real, Field(ge=-_MAX_SCALE_BOUND, le=_MAX_SCALE_BOUND)]
_IndexLevel = Annotated[_Real, Field(gt=0, le=_MAX_PRICE_INDEX)]

#: True while a :class:`Config` is being validated: its ``comparison`` table then reports through the
#: Config (all problems in one error) instead of raising on its own.
_INSIDE_CONFIG: ContextVar[bool] = ContextVar("_INSIDE_CONFIG", default=False)


def _refuse(hint: str, key: str = "") -> NoReturn:
    """Raise the error a validator gives: ``hint`` is shown as is; ``key`` names a setting of a whole table."""
    raise PydanticCustomError("bad_config", "{hint}", {"hint": hint, "key": key})


def _pair(value: Any) -> Any:
    """A two-element list or tuple as a tuple (pydantic would also take a set, whose order is arbitrary)."""
    if isinstance(value, list | tuple):
        return tuple(value)
    raise PydanticCustomError("not_a_pair", "not a list")


def _month(value: Any, hint: str) -> str:
    if not isinstance(value, str) or not _MONTH.match(value.strip()):
        _refuse(hint)
    return value.strip()


def _covariate_names(value: Any, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or (not value and not allow_empty):
        _refuse(f"Give a list of covariates from: {', '.join(COVARIATES)}.")
    unknown = [v for v in value if v not in COVARIATES]
    if unknown:
        _refuse(f"Unknown covariate {unknown[0]!r}. Use: {', '.join(COVARIATES)}.")
    return tuple(dict.fromkeys(value))


class ComparisonSettings(BaseModel):
    """How a non-randomised comparison pool is turned into a comparison group (``[comparison]``).

    Checked on construction like :class:`Config`; inside a Config its problems are reported with the Config's
    (as ``comparison.<name>``).

    Attributes
    ----------
    method
        ``nearest``: nearest-neighbour matching on the logit of the
        propensity score; ``weighting``: inverse-probability weights for the
        effect on the treated (comparison weight p/(1−p)).
    ratio
        Comparison families matched to each intervention family (k:1), 1–20.
    caliper
        Largest allowed distance, in standard deviations of the logit of the
        score (pooled SD of the two groups); ``None`` (``false`` in TOML) for
        none. Default 0.2 (Austin 2011); at most 10.
    replace
        Whether a comparison family may be matched to several intervention families.
    distance
        What neighbours are near on: ``logit`` of the score (default) or the
        ``score`` itself (MatchIt's default).
    common_support
        Leave out families outside the other group's range of the distance
        (min–max rule); how many is reported.
    exact
        Covariates that must be equal within a match (e.g. ``["two_parents"]``);
        they must be among ``covariates`` and cannot be ``site``.
    covariates
        Covariates of the propensity model (names of :data:`COVARIATES`).
    pseudo_enrolment
        Month assigned to comparison families without ``enrolled_on``:
        ``"calendar"`` draws each one (seeded) from the intervention families'
        enrolment months; ``"YYYY-MM"`` gives all the same month.
    event_window
        Months relative to enrolment shown in the event study (inclusive);
        first ≤ −2, last ≥ 0, both within ±240.
    event_bin
        Months per event-study period: 1 (months) or 3 (quarters).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: MatchMethod = "nearest"
    ratio: Annotated[_Whole, Field(ge=1, le=_MAX_RATIO)] = 1
    caliper: Annotated[_Real, Field(ge=0, le=_MAX_CALIPER)] | None = 0.2
    replace: Annotated[bool, Strict()] = False
    distance: Distance = "logit"
    common_support: Annotated[bool, Strict()] = True
    exact: tuple[str, ...] = ()
    covariates: tuple[str, ...] = DEFAULT_COVARIATES
    pseudo_enrolment: str = "calendar"
    event_window: tuple[_Offset, _Offset] = (-24, 36)
    event_bin: _Whole = 1

    @field_validator("caliper", mode="before")
    @classmethod
    def _no_caliper(cls, value: Any) -> Any:
        # TOML has no null: ``caliper = false`` is how a file says "none".
        return None if value is False else value

    @field_validator("exact", mode="before")
    @classmethod
    def _exact(cls, value: Any) -> tuple[str, ...]:
        return _covariate_names(value, allow_empty=True)

    @field_validator("covariates", mode="before")
    @classmethod
    def _covariates(cls, value: Any) -> tuple[str, ...]:
        return _covariate_names(value, allow_empty=False)

    @field_validator("pseudo_enrolment", mode="before")
    @classmethod
    def _pseudo(cls, value: Any) -> str:
        if value == "calendar":
            return "calendar"
        return _month(value, 'pseudo_enrolment is "calendar" or a month "YYYY-MM".')

    @field_validator("event_window", mode="before")
    @classmethod
    def _window_pair(cls, value: Any) -> Any:
        return _pair(value)

    @field_validator("event_window")
    @classmethod
    def _window(cls, value: tuple[int, int]) -> tuple[int, int]:
        # At least two months before enrolment: the month before is the reference period of the event study.
        if not (value[0] <= -2 and value[1] >= 0):
            _refuse(_HINTS["comparison.event_window"])
        return value

    @field_validator("event_bin")
    @classmethod
    def _bin(cls, value: int) -> int:
        if value not in (1, 3):
            _refuse(_HINTS["comparison.event_bin"])
        return value

    @model_validator(mode="after")
    def _exact_among_covariates(self) -> ComparisonSettings:
        outside = [name for name in self.exact if name == "site" or name not in self.covariates]
        if outside:
            _refuse(
                f"{outside[0]!r} cannot be matched exactly; exact covariates must be among comparison.covariates "
                "and cannot be site (a site is matched through its indicators).",
                key="exact",
            )
        return self

    @model_validator(mode="wrap")
    @classmethod
    def _report(
        cls, data: Any, handler: ModelWrapValidatorHandler[ComparisonSettings], info: ValidationInfo
    ) -> ComparisonSettings:
        # Defined last, so that it wraps the checks above (pydantic applies model validators in order).
        if _INSIDE_CONFIG.get():
            return handler(data)
        try:
            return handler(data)
        except PydanticValidationError as exc:
            raise _config_error(exc, {"comparison": data}, _source(info, "ComparisonSettings()"), nested=True) from None

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> ComparisonSettings:
        """A copy; with ``update``, checked (pydantic's own copy would skip validation)."""
        if update:
            data = {name: getattr(self, name) for name in type(self).model_fields}
            return type(self).model_validate({**data, **update}, context={"source": "model_copy()"})
        return super().model_copy(deep=deep)

    @classmethod
    # The pydantic mypy plugin gives model_construct a keyword per field; this one takes the same keywords.
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> ComparisonSettings:  # type: ignore[override]
        """Build from values, checked (pydantic's own construct skips validation)."""
        return cls.model_validate(values, context={"source": "model_construct()"})

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"ComparisonSettings is frozen; cannot assign to field {name!r}.")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"ComparisonSettings is frozen; cannot delete field {name!r}.")


class Config(BaseModel):
    """Resolved settings of one evaluation (contract section 4).

    A frozen value, checked on construction: ``Config(min_cell=1)`` raises
    :class:`~opgang_eval.errors.ConfigError` just as ``min_cell = 1`` in
    ``evaluation.toml`` does. Use :meth:`replace` for a changed copy.

    Attributes
    ----------
    end
        Evaluation end month ``E`` as ``"YYYY-MM"``; ``None`` means the latest
        month in ``parent_status``.
    work_or_education
        Statuses that count as being in work or education (codes or their
        Danish labels; stored as codes, each once).
    youth_ages
        Inclusive age band (calendar-year age) of a "youth", within 0–30.
    bootstrap_replicates, seed
        Percentile bootstrap size (1–100,000) and its seed (0 ≤ seed < 2**63):
        identical input and config give identical intervals.
    discount_rate
        Annual rate for discounting costs from each family's enrolment month,
        from 0 and below 1.
    programme_cost_dkk
        Total programme cost (0 to 1e12); divided over intervention families.
    min_cell
        Disclosure threshold for everything that leaves the process. It can
        be raised (to at most 100,000) but not set below 5.
    dominance_share
        The (2, k) dominance rule of amounts: a cost breakdown cell whose two
        largest families carry more than this share of it is hidden. It can
        be lowered (to 0.5, stricter) but not raised above 0.85.
    lang
        Report language.
    survey_scales
        Item → (lowest, highest) allowed score; other items use 1–5. Bounds
        are finite, within ±1,000,000.
    price_year
        Year whose prices all amounts are converted to; ``None`` means the
        year of ``E`` for expenditure and the unit costs' own price year.
    price_index
        Year → consumer price index (positive, at most 1,000,000), added to
        (and overriding) the shipped Danmarks Statistik index; needed for
        years it does not cover.
    inference_draws
        Draws of the wild cluster bootstrap and re-randomisations of the
        randomisation test (99–20,000), shared by every effect, seeded by
        ``seed``. When the trial's possible assignments are at most this
        many, all of them are used (an exact test).
    primary_outcomes
        The measures whose effects are the evaluation's primary outcomes
        (a family of their own in the multiplicity adjustment; the headline
        names them); every other effect is secondary.
    design
        ``auto``: effects against the control arm when there is one, else
        against a matched comparison pool; ``randomised`` or
        ``observational`` force one (e.g. to check the observational design
        against the experiment on the same extract).
    comparison
        Settings of the observational design (``[comparison]`` table).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    end: str | None = None
    work_or_education: tuple[str, ...] = ("job", "flexjob", "education")
    youth_ages: tuple[_Age, _Age] = (13, 17)
    bootstrap_replicates: Annotated[_Whole, Field(ge=1, le=_MAX_REPLICATES)] = 2000
    seed: Annotated[_Whole, Field(ge=0, lt=_SEED_LIMIT)] = 20190901
    inference_draws: Annotated[_Whole, Field(ge=99, le=_MAX_DRAWS)] = 2000
    primary_outcomes: tuple[str, ...] = ("parents_in_work_or_education",)
    discount_rate: Annotated[_Real, Field(ge=0, lt=1)] = 0.0
    programme_cost_dkk: Annotated[_Real, Field(ge=0, le=_MAX_PROGRAMME_COST)] | None = None
    min_cell: Annotated[_Whole, Field(ge=MIN_CELL_FLOOR, le=_MAX_MIN_CELL)] = 5
    dominance_share: Annotated[_Real, Field(ge=0.5, le=0.85)] = 0.85
    lang: Lang = "da"
    survey_scales: Mapping[str, tuple[_ScaleBound, _ScaleBound]] = Field(default_factory=dict)
    price_year: Annotated[_Whole, Field(ge=_YEARS[0], le=_YEARS[1])] | None = None
    price_index: Mapping[int, _IndexLevel] = Field(default_factory=dict)
    design: DesignChoice = "auto"
    comparison: ComparisonSettings = Field(default_factory=ComparisonSettings)

    # -- checks ----------------------------------------------------------------

    @model_validator(mode="wrap")
    @classmethod
    def _report(cls, data: Any, handler: ModelWrapValidatorHandler[Config], info: ValidationInfo) -> Config:
        token = _INSIDE_CONFIG.set(True)
        try:
            return handler(data)
        except PydanticValidationError as exc:
            raise _config_error(exc, data, _source(info, "Config()")) from None
        finally:
            _INSIDE_CONFIG.reset(token)

    @field_validator("end", mode="before")
    @classmethod
    def _end(cls, value: Any) -> str | None:
        return None if value is None else _month(value, _HINTS["end"])

    @field_validator("work_or_education", mode="before")
    @classmethod
    def _statuses(cls, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or not value:
            _refuse(_HINTS["work_or_education"])
        codes = []
        for item in value:
            code = STATUS.lookup.get(normalise_label(str(item)))
            if code is None:
                _refuse(f"Unknown status {item!r}. Use: {', '.join(STATUS.codes)}.")
            codes.append(code)
        return tuple(dict.fromkeys(codes))

    @field_validator("primary_outcomes", mode="before")
    @classmethod
    def _primary(cls, value: Any) -> tuple[str, ...]:
        # Which ids exist is the registry's to say; evaluate() checks them against the measures it computes.
        if not isinstance(value, list | tuple) or not value or not all(isinstance(v, str) and v for v in value):
            _refuse(_HINTS["primary_outcomes"])
        return tuple(dict.fromkeys(value))

    @field_validator("youth_ages", mode="before")
    @classmethod
    def _band_pair(cls, value: Any) -> Any:
        return _pair(value)

    @field_validator("youth_ages")
    @classmethod
    def _band(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] > value[1]:
            _refuse(_HINTS["youth_ages"])
        return value

    @field_validator("survey_scales", mode="before")
    @classmethod
    def _scale_items(cls, value: Any) -> dict[str, Any]:
        if not isinstance(value, Mapping):
            _refuse(_HINTS["survey_scales"])
        out = {}
        for item, band in value.items():
            if not isinstance(band, list | tuple):
                _refuse(_scale_hint(item))
            # Danish item labels are stored as their codes; other items are kept as given.
            out[SURVEY_ITEM.lookup.get(normalise_label(str(item)), str(item))] = tuple(band)
        return out

    @field_validator("survey_scales")
    @classmethod
    def _scale_order(cls, value: Mapping[str, tuple[float, float]]) -> Mapping[str, tuple[float, float]]:
        for item, (low, high) in value.items():
            if not low < high:
                _refuse(_scale_hint(item))
        return value

    @field_validator("price_index", mode="before")
    @classmethod
    def _index_years(cls, value: Any) -> dict[int, Any]:
        if not isinstance(value, Mapping):
            _refuse(_HINTS["price_index"])
        out = {}
        for year, level in value.items():
            # TOML keys are strings: ``2024 = 119.0`` arrives as "2024".
            y = None
            if isinstance(year, int) and not isinstance(year, bool):
                y = year
            elif isinstance(year, str):
                try:
                    y = int(year)
                except ValueError:
                    y = None
            if y is None or not _YEARS[0] <= y <= _YEARS[1]:
                _refuse(f"price_index keys must be years from {_YEARS[0]} to {_YEARS[1]}; got {year!r}.")
            out[y] = level
        return out

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"Config is frozen; use config.replace({name}=...) for a changed copy.")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"Config is frozen; cannot delete setting {name!r}.")

    # -- construction -------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        """Read and check an ``evaluation.toml``; failures name the file."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            hint = f"The settings file {path} does not exist; check the path (--config) or create the file."
        except IsADirectoryError:
            hint = f"{path} is a folder; give the path of the settings file (e.g. {path / 'evaluation.toml'})."
        except OSError as exc:
            hint = f"Cannot read the file {path} ({exc.strerror or exc}); check that it is readable."
        except UnicodeDecodeError:
            hint = "The file is not UTF-8 text; save it as UTF-8."
        except tomllib.TOMLDecodeError as exc:
            hint = f"The file is not valid TOML ({exc}). Fix the TOML syntax."
        else:
            return cls.from_dict(data, source=path.name)
        raise ConfigError.from_failures([_bad(path.name, "", "", hint)])

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "config") -> Config:
        """Check a mapping of settings over the defaults; unknown keys are errors.

        ``source`` names where the settings came from (the failures' ``file``).
        """
        if not isinstance(data, Mapping):
            raise ConfigError.from_failures(
                [_bad(source, "", _show(data), "Give the settings as a table (a dict) of setting = value.")]
            )
        return cls.model_validate(dict(data), context={"source": source})

    @classmethod
    def resolve(cls, config: Config | Mapping[str, Any] | str | Path | None, default: Config | None = None) -> Config:
        """Turn any accepted form of configuration into a :class:`Config`.

        ``None`` gives ``default`` (the extract folder's ``evaluation.toml``) or
        the built-in defaults. A dict is applied *on top of* ``default``, deeply:
        ``{"comparison": {"ratio": 2}}`` changes the ratio and keeps the other
        ``[comparison]`` settings of ``default``, so an analyst can change one
        setting without restating the rest. A path is read on its own.
        """
        base = default if default is not None else cls()
        if config is None:
            return base
        if isinstance(config, Config):
            return config
        if isinstance(config, str | Path):
            return cls.from_toml(config)
        if isinstance(config, Mapping):
            return base._merged(config, "config")
        raise ConfigError.from_failures(
            [_bad("config", "", repr(type(config).__name__), "Pass a path, a dict or an oe.Config.")]
        )

    def replace(self, **changes: Any) -> Config:
        """A copy with some settings changed, checked like a dict and merged like :meth:`resolve`.

        ``comparison={"ratio": 2}`` changes only the ratio; a
        :class:`ComparisonSettings` replaces the whole table.
        """
        return self._merged(changes, "replace()")

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Config:
        """A copy; with ``update``, checked like :meth:`replace` (pydantic's own copy would skip validation)."""
        if update:
            return self._merged(update, "model_copy()")
        return super().model_copy(deep=deep)

    @classmethod
    # The pydantic mypy plugin gives model_construct a keyword per field; this one takes the same keywords.
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Config:  # type: ignore[override]
        """Build from values, checked (pydantic's own construct skips validation, and with it the disclosure floor)."""
        return cls.model_validate(values, context={"source": "model_construct()"})

    def _merged(self, changes: Mapping[str, Any], source: str) -> Config:
        """Check ``changes`` on top of this configuration (a ``comparison`` dict on top of its table)."""
        data: dict[str, Any] = {name: getattr(self, name) for name in type(self).model_fields}
        for key, value in changes.items():
            if key == "comparison" and isinstance(value, Mapping):
                value = {**{n: getattr(self.comparison, n) for n in type(self.comparison).model_fields}, **value}
            data[key] = value
        return type(self).model_validate(data, context={"source": source})

    # -- views ---------------------------------------------------------------

    def scale(self, item: str) -> tuple[float, float]:
        """Allowed (lowest, highest) score of a survey item."""
        return self.survey_scales.get(item, DEFAULT_SCALE)

    def to_dict(self) -> dict[str, Any]:
        """Settings as plain TOML-compatible values (for the report appendix).

        Tuples become lists and ``price_index`` years strings (TOML keys); an
        absent caliper is left out, as TOML has no null.
        """
        out = self.model_dump()
        out["work_or_education"] = list(self.work_or_education)
        out["youth_ages"] = list(self.youth_ages)
        out["primary_outcomes"] = list(self.primary_outcomes)
        out["survey_scales"] = {k: list(v) for k, v in self.survey_scales.items()}
        out["price_index"] = {str(k): v for k, v in self.price_index.items()}
        cmp = out["comparison"]
        for key in ("exact", "covariates", "event_window"):
            cmp[key] = list(cmp[key])
        if cmp["caliper"] is None:
            del cmp["caliper"]  # TOML has no null: an absent caliper is none
        return out

    def to_frame(self) -> pd.DataFrame:
        """Every resolved setting as a row (``[comparison]`` settings as ``comparison.<name>``)."""
        rows: list[tuple[str, str]] = []
        for key, value in self.to_dict().items():
            if key == "comparison":
                rows.extend((f"comparison.{k}", _shown(k, v)) for k, v in value.items())
                if self.comparison.caliper is None:
                    rows.append(("comparison.caliper", "none"))
            else:
                rows.append((key, _shown(key, value)))
        return pd.DataFrame(rows, columns=["setting", "value"]).set_index("setting")

    def __str__(self) -> str:
        frame = self.to_frame()
        width = max(len(k) for k in frame.index)
        return "\n".join(["Config", *(f"  {k:<{width}} = {v}" for k, v in frame["value"].items())])

    def _repr_html_(self) -> str:
        return "<p>Config (resolved)</p>" + self.to_frame().to_html()


# -- messages --------------------------------------------------------------------------------------------------

#: What to write, per setting (dotted key), when pydantic's own checks (type, bound, option) refuse a value.
_HINTS: dict[str, str] = {
    "": "Give the settings as a table (a dict) of setting = value.",
    "end": 'Write the end month as a string "YYYY-MM", e.g. end = "2023-08".',
    "work_or_education": 'Give a non-empty list of statuses, e.g. ["job", "flexjob", "education"].',
    "youth_ages": (
        f"Give the youth age band as [lowest, highest], e.g. [13, 17], with ages from 0 to {_MAX_YOUTH_AGE}."
    ),
    "bootstrap_replicates": f"bootstrap_replicates must be a whole number from 1 to {_MAX_REPLICATES:,}.",
    "seed": "seed must be a whole number ≥ 0 and below 2**63 (a 64-bit integer).",
    "inference_draws": f"inference_draws must be a whole number from 99 to {_MAX_DRAWS:,}.",
    "primary_outcomes": 'Give a non-empty list of measure ids, e.g. ["parents_in_work_or_education"].',
    "discount_rate": "discount_rate must be a number from 0 and below 1.",
    "programme_cost_dkk": (
        f"programme_cost_dkk must be a number from 0 and at most {_MAX_PROGRAMME_COST:,.0f} (the total cost in DKK)."
    ),
    "min_cell": (
        f"min_cell is the disclosure threshold; it can be raised but must be a whole number ≥ {MIN_CELL_FLOOR} "
        f"(and at most {_MAX_MIN_CELL:,})."
    ),
    "lang": f"lang must be one of {', '.join(get_args(Lang))}.",
    "survey_scales": "Give survey_scales as a table, e.g. [survey_scales] trust = [0, 10].",
    "price_year": f"price_year must be a year such as 2023 (from {_YEARS[0]} to {_YEARS[1]}).",
    "price_index": "Give price_index as a table of year = index, e.g. [price_index] 2024 = 119.0.",
    "design": f"design must be one of {', '.join(get_args(DesignChoice))}.",
    "comparison": 'Give comparison as a table, e.g. [comparison] method = "nearest".',
    "comparison.method": f"comparison.method must be one of {', '.join(get_args(MatchMethod))}.",
    "comparison.ratio": f"comparison.ratio must be a whole number from 1 to {_MAX_RATIO}.",
    "comparison.caliper": (
        f"comparison.caliper must be a number from 0 to {_MAX_CALIPER:g} (standard deviations), or false for none."
    ),
    "comparison.replace": "Write true or false.",
    "comparison.distance": f"comparison.distance must be one of {', '.join(get_args(Distance))}.",
    "comparison.common_support": "Write true or false.",
    "comparison.exact": f"Give a list of covariates from: {', '.join(COVARIATES)}.",
    "comparison.covariates": f"Give a list of covariates from: {', '.join(COVARIATES)}.",
    "comparison.pseudo_enrolment": 'pseudo_enrolment is "calendar" or a month "YYYY-MM".',
    "comparison.event_window": (
        "Give event_window as [first, last] months around enrolment, first ≤ −2 and last ≥ 0, "
        f"both within ±{_MAX_EVENT_MONTHS}."
    ),
    "comparison.event_bin": "event_bin is 1 (months) or 3 (quarters).",
}


def _scale_hint(item: object) -> str:
    return (
        f"The scale of item '{item}' must be [lowest, highest] with lowest < highest, "
        f"both numbers within ±{_MAX_SCALE_BOUND:,.0f}."
    )


def _shown(key: str, value: Any) -> str:
    """A setting as the analyst reads it (``None`` end month: what it means)."""
    if key == "end" and value is None:
        return "latest month in parent_status"
    if value is None:
        return "none"
    return str(value)


def config_failure(source: str, key: str, value: str, hint: str) -> Failure:
    """The failure record of one refused setting (for checks that need more than the settings themselves)."""
    return Failure("config", source, key, None, "", value, Rule.BAD_CONFIG, hint)


_bad = config_failure


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _source(info: ValidationInfo, default: str) -> str:
    context = info.context
    return str(context.get("source", default)) if isinstance(context, Mapping) else default


def _config_error(exc: PydanticValidationError, data: Any, source: str, nested: bool = False) -> ValidationError:
    """One :class:`ConfigError` (typed as its base) with a failure per refused setting, named by its dotted key.

    pydantic reports per element (both ends of a band, each bad table entry); the analyst needs one line per
    setting saying what to write, so the first problem of each setting is kept.
    """
    failures: dict[str, Failure] = {}
    for error in exc.errors(include_url=False):
        loc = ("comparison", *error["loc"]) if nested else tuple(error["loc"])
        ctx = error.get("ctx") or {}
        parts = [str(p) for p in loc[:1]]
        if parts == ["comparison"] and len(loc) > 1 and isinstance(loc[1], str):
            parts.append(loc[1])
        elif parts == ["comparison"] and ctx.get("key"):
            parts.append(str(ctx["key"]))  # a check of the whole table about one of its settings
        key = ".".join(parts)
        if key in failures:
            continue
        known = tuple((ComparisonSettings if len(parts) == 2 else Config).model_fields)
        if error["type"] == "extra_forbidden" or (parts and parts[-1] not in known):
            if len(parts) == 2:
                hint = f"Unknown setting '{key}'. Known comparison settings: {', '.join(sorted(known))}."
            else:
                hint = f"Unknown setting '{key}'. Known settings: {', '.join(sorted(known))}."
            failures[key] = _bad(source, key, "", hint)
            continue
        if error["type"] == "bad_config":
            hint = str(ctx["hint"])
        elif key == "survey_scales" and len(loc) > 1:
            hint = _scale_hint(loc[1])
        elif key == "price_index" and len(loc) > 1:
            hint = f"The price index of {loc[1]} must be a positive number, at most {_MAX_PRICE_INDEX:,.0f}."
        else:
            hint = _HINTS.get(key, str(error["msg"]))
        failures[key] = _bad(source, key, _show(_raw(data, parts, error.get("input"))), hint)
    return ConfigError.from_failures(list(failures.values()))


def _raw(data: Any, parts: list[str], fallback: Any) -> Any:
    """The value as given for the setting at ``parts`` (the whole list or table, not the refused element)."""
    value = data
    for part in parts:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, BaseModel) and part in type(value).model_fields:
            value = getattr(value, part)
        else:
            return fallback
    return value
