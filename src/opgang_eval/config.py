"""Evaluation configuration: ``evaluation.toml``, a dict, or a :class:`Config`.

All settings are checked in one pass and every problem is reported at once
(as :class:`~opgang_eval.errors.ConfigError`), so a typo such as ``seeds = 1``
is caught instead of silently ignored.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal, get_args

import pandas as pd

from .errors import ConfigError, Failure, Rule
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


@dataclass(frozen=True)
class ComparisonSettings:
    """How a non-randomised comparison pool is turned into a comparison group (``[comparison]``).

    Attributes
    ----------
    method
        ``nearest``: nearest-neighbour matching on the logit of the
        propensity score; ``weighting``: inverse-probability weights for the
        effect on the treated (comparison weight p/(1−p)).
    ratio
        Comparison families matched to each intervention family (k:1).
    caliper
        Largest allowed distance, in standard deviations of the logit of the
        score (pooled SD of the two groups); ``None`` for none. Default 0.2
        (Austin 2011).
    replace
        Whether a comparison family may be matched to several intervention families.
    distance
        What neighbours are near on: ``logit`` of the score (default) or the
        ``score`` itself (MatchIt's default).
    common_support
        Leave out families outside the other group's range of the distance
        (min–max rule); how many is reported.
    exact
        Covariates that must be equal within a match (e.g. ``["two_parents"]``).
    covariates
        Covariates of the propensity model (names of :data:`COVARIATES`).
    pseudo_enrolment
        Month assigned to comparison families without ``enrolled_on``:
        ``"calendar"`` draws each one (seeded) from the intervention families'
        enrolment months; ``"YYYY-MM"`` gives all the same month.
    event_window
        Months relative to enrolment shown in the event study (inclusive).
    event_bin
        Months per event-study period: 1 (months) or 3 (quarters).
    """

    method: MatchMethod = "nearest"
    ratio: int = 1
    caliper: float | None = 0.2
    replace: bool = False
    distance: Distance = "logit"
    common_support: bool = True
    exact: tuple[str, ...] = ()
    covariates: tuple[str, ...] = DEFAULT_COVARIATES
    pseudo_enrolment: str = "calendar"
    event_window: tuple[int, int] = (-24, 36)
    event_bin: int = 1


@dataclass(frozen=True)
class Config:
    """Resolved settings of one evaluation (contract section 4).

    Attributes
    ----------
    end
        Evaluation end month ``E`` as ``"YYYY-MM"``; ``None`` means the latest
        month in ``parent_status``.
    work_or_education
        Statuses that count as being in work or education.
    youth_ages
        Inclusive age band (calendar-year age) of a "youth".
    bootstrap_replicates, seed
        Percentile bootstrap size and its seed: identical input and config
        give identical intervals.
    discount_rate
        Annual rate for discounting costs from each family's enrolment month.
    programme_cost_dkk
        Total programme cost; divided over intervention families.
    min_cell
        Disclosure threshold for everything that leaves the process. It can
        be raised but not set below 5.
    lang
        Report language.
    survey_scales
        Item → (lowest, highest) allowed score; other items use 1–5.
    price_year
        Year whose prices all amounts are converted to; ``None`` means the
        year of ``E`` for expenditure and the unit costs' own price year.
    price_index
        Year → consumer price index, added to (and overriding) the shipped
        Danmarks Statistik index; needed for years it does not cover.
    design
        ``auto``: effects against the control arm when there is one, else
        against a matched comparison pool; ``randomised`` or
        ``observational`` force one (e.g. to check the observational design
        against the experiment on the same extract).
    comparison
        Settings of the observational design (``[comparison]`` table).
    """

    end: str | None = None
    work_or_education: tuple[str, ...] = ("job", "flexjob", "education")
    youth_ages: tuple[int, int] = (13, 17)
    bootstrap_replicates: int = 2000
    seed: int = 20190901
    discount_rate: float = 0.0
    programme_cost_dkk: float | None = None
    min_cell: int = 5
    lang: Lang = "da"
    survey_scales: Mapping[str, tuple[float, float]] = field(default_factory=dict)
    price_year: int | None = None
    price_index: Mapping[int, float] = field(default_factory=dict)
    design: DesignChoice = "auto"
    comparison: ComparisonSettings = field(default_factory=ComparisonSettings)

    # -- construction -------------------------------------------------------

    @classmethod
    def from_toml(cls, path: str | Path) -> Config:
        """Read and check an ``evaluation.toml``."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError.from_failures(
                [_bad(path.name, "", "", f"Cannot read the file ({exc}). Fix the TOML syntax.")]
            ) from None
        return cls.from_dict(data, source=path.name)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str = "config") -> Config:
        """Check a mapping of settings; unknown keys are errors."""
        return _check(cls(), data, source)

    @classmethod
    def resolve(cls, config: Config | Mapping[str, Any] | str | Path | None, default: Config | None = None) -> Config:
        """Turn any accepted form of configuration into a :class:`Config`.

        ``None`` gives ``default`` (the extract folder's ``evaluation.toml``) or
        the built-in defaults. A dict is applied *on top of* ``default``, so an
        analyst can change one setting without restating the rest.
        """
        base = default if default is not None else cls()
        if config is None:
            return base
        if isinstance(config, Config):
            return config
        if isinstance(config, str | Path):
            return cls.from_toml(config)
        if isinstance(config, Mapping):
            return _check(base, config, "config")
        raise ConfigError.from_failures(
            [_bad("config", "", repr(type(config).__name__), "Pass a path, a dict or an oe.Config.")]
        )

    def replace(self, **changes: Any) -> Config:
        """A copy with some settings changed, checked like a dict."""
        return _check(self, changes, "replace()")

    # -- views ---------------------------------------------------------------

    def scale(self, item: str) -> tuple[float, float]:
        """Allowed (lowest, highest) score of a survey item."""
        return self.survey_scales.get(item, DEFAULT_SCALE)

    def to_dict(self) -> dict[str, Any]:
        """Settings as plain TOML-compatible values (for the report appendix)."""
        out = asdict(self)
        out["work_or_education"] = list(self.work_or_education)
        out["youth_ages"] = list(self.youth_ages)
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
        rows = []
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


def _shown(key: str, value: Any) -> str:
    """A setting as the analyst reads it (``None`` end month: what it means)."""
    if key == "end" and value is None:
        return "latest month in parent_status"
    if value is None:
        return "none"
    return str(value)


def _bad(source: str, key: str, value: str, hint: str) -> Failure:
    return Failure("config", source, key, None, "", value, Rule.BAD_CONFIG, hint)


def _check(base: Config, data: Mapping[str, Any], source: str) -> Config:
    """Validate every key of ``data`` and return ``base`` updated with them."""
    known = {f.name for f in fields(Config)}
    problems: list[Failure] = []
    changes: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            problems.append(
                _bad(source, key, "", f"Unknown setting '{key}'. Known settings: {', '.join(sorted(known))}.")
            )
            continue
        try:
            changes[key] = _CHECKERS[key](value)
        except ValueError as exc:
            problems.append(_bad(source, key, _show(value), str(exc)))
    if problems:
        raise ConfigError.from_failures(problems)
    return replace(base, **changes)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _month(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _MONTH.match(value.strip()):
        raise ValueError('Write the end month as a string "YYYY-MM", e.g. end = "2023-08".')
    return value.strip()


def _statuses(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list | tuple) or not value:
        raise ValueError('Give a non-empty list of statuses, e.g. ["job", "flexjob", "education"].')
    codes = []
    for item in value:
        code = STATUS.lookup.get(normalise_label(str(item)))
        if code is None:
            raise ValueError(f"Unknown status {item!r}. Use: {', '.join(STATUS.codes)}.")
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def _int(low: int, what: str) -> Any:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{what} must be a whole number ≥ {low}.")
        return value

    return check


def _number(low: float, high: float, what: str, high_open: bool = False) -> Any:
    def check(value: Any) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        if ok and low <= value and (value < high if high_open else value <= high):
            return float(value)
        bound = f"below {high:g}" if high_open else f"at most {high:g}"
        raise ValueError(f"{what} must be a number from {low:g} and {bound}.")

    return check


def _age_band(value: Any) -> tuple[int, int]:
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1] <= 30
    ):
        return (value[0], value[1])
    raise ValueError("Give the youth age band as [lowest, highest], e.g. [13, 17].")


def _programme_cost(value: Any) -> float | None:
    if value is None:
        return None
    return _number(0, math.inf, "programme_cost_dkk", high_open=True)(value)


def _min_cell(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < MIN_CELL_FLOOR:
        raise ValueError(
            f"min_cell is the disclosure threshold; it can be raised but must be a whole number ≥ {MIN_CELL_FLOOR}."
        )
    return value


def _lang(value: Any) -> Lang:
    if value not in get_args(Lang):
        raise ValueError(f"lang must be one of {', '.join(get_args(Lang))}.")
    return value


def _scales(value: Any) -> dict[str, tuple[float, float]]:
    if not isinstance(value, Mapping):
        raise ValueError("Give survey_scales as a table, e.g. [survey_scales] trust = [0, 10].")
    out = {}
    for item, band in value.items():
        ok = (
            isinstance(band, list | tuple)
            and len(band) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in band)
            and band[0] < band[1]
        )
        if not ok:
            raise ValueError(f"The scale of item '{item}' must be [lowest, highest] with lowest < highest.")
        code = SURVEY_ITEM.lookup.get(normalise_label(str(item)), str(item))
        out[code] = (float(band[0]), float(band[1]))
    return out


def _year(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1900 <= value <= 2100:
        raise ValueError("price_year must be a year such as 2023.")
    return value


def _index(value: Any) -> dict[int, float]:
    if not isinstance(value, Mapping):
        raise ValueError("Give price_index as a table of year = index, e.g. [price_index] 2024 = 119.0.")
    out = {}
    for year, level in value.items():
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise ValueError(f"price_index keys must be years; got {year!r}.") from None
        ok = isinstance(level, int | float) and not isinstance(level, bool) and math.isfinite(level) and level > 0
        if not ok:
            raise ValueError(f"The price index of {y} must be a positive number.")
        out[y] = float(level)
    return out


def _design(value: Any) -> DesignChoice:
    if value not in get_args(DesignChoice):
        raise ValueError(f"design must be one of {', '.join(get_args(DesignChoice))}.")
    return value


def _choice(options: tuple[str, ...], what: str) -> Any:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"{what} must be one of {', '.join(options)}.")
        return str(value)

    return check


def _caliper(value: Any) -> float | None:
    if value is None or value is False:
        return None
    return _number(0, math.inf, "caliper", high_open=True)(value)


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("Write true or false.")
    return value


def _covariates(allow_empty: bool) -> Any:
    def check(value: Any) -> tuple[str, ...]:
        if not isinstance(value, list | tuple) or (not value and not allow_empty):
            raise ValueError(f"Give a list of covariates from: {', '.join(COVARIATES)}.")
        unknown = [v for v in value if v not in COVARIATES]
        if unknown:
            raise ValueError(f"Unknown covariate {unknown[0]!r}. Use: {', '.join(COVARIATES)}.")
        return tuple(dict.fromkeys(value))

    return check


def _pseudo(value: Any) -> str:
    if value == "calendar":
        return value
    try:
        month = _month(value)
    except ValueError:
        month = None
    if month is None:
        raise ValueError('pseudo_enrolment is "calendar" or a month "YYYY-MM".')
    return month


def _window(value: Any) -> tuple[int, int]:
    ok = (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and value[0] <= -2
        and value[1] >= 0
    )
    if not ok:
        raise ValueError("Give event_window as [first, last] months around enrolment, first ≤ −2 and last ≥ 0.")
    return (value[0], value[1])


def _bin(value: Any) -> int:
    if value not in (1, 3) or isinstance(value, bool):
        raise ValueError("event_bin is 1 (months) or 3 (quarters).")
    return int(value)


_COMPARISON_CHECKERS: dict[str, Any] = {
    "method": _choice(get_args(MatchMethod), "method"),
    "ratio": _int(1, "ratio"),
    "caliper": _caliper,
    "replace": _bool,
    "distance": _choice(get_args(Distance), "distance"),
    "common_support": _bool,
    "exact": _covariates(allow_empty=True),
    "covariates": _covariates(allow_empty=False),
    "pseudo_enrolment": _pseudo,
    "event_window": _window,
    "event_bin": _bin,
}


def _comparison(value: Any) -> ComparisonSettings:
    if isinstance(value, ComparisonSettings):
        return value
    if not isinstance(value, Mapping):
        raise ValueError('Give comparison as a table, e.g. [comparison] method = "nearest".')
    changes = {}
    for key, item in value.items():
        if key not in _COMPARISON_CHECKERS:
            raise ValueError(f"Unknown comparison setting '{key}'. Known: {', '.join(_COMPARISON_CHECKERS)}.")
        try:
            changes[key] = _COMPARISON_CHECKERS[key](item)
        except ValueError as exc:
            raise ValueError(f"comparison.{key}: {exc}") from None
    settings = replace(ComparisonSettings(), **changes)
    outside = [name for name in settings.exact if name == "site" or name not in settings.covariates]
    if outside:
        raise ValueError(
            f"comparison.exact: {outside[0]!r} cannot be matched exactly; exact covariates must be among "
            "comparison.covariates and cannot be site (a site is matched through its indicators)."
        )
    return settings


_CHECKERS: dict[str, Any] = {
    "end": _month,
    "work_or_education": _statuses,
    "youth_ages": _age_band,
    "bootstrap_replicates": _int(1, "bootstrap_replicates"),
    "seed": _int(0, "seed"),
    "discount_rate": _number(0, 1, "discount_rate", high_open=True),
    "programme_cost_dkk": _programme_cost,
    "min_cell": _min_cell,
    "lang": _lang,
    "survey_scales": _scales,
    "price_year": _year,
    "price_index": _index,
    "design": _design,
    "comparison": _comparison,
}
