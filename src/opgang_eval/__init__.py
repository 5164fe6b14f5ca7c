"""opgang-eval: evaluate family-focused employment interventions.

>>> import opgang_eval as oe
>>> ex = oe.load("data/sample")          # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .config import Config
from .errors import ConfigError, DataQualityWarning, OpgangError, OpgangWarning, ValidationError
from .evaluate import Evaluation, evaluate
from .loading import Extracts, Source, load
from .presentation import render_report
from .results import Amount, Effect, RelativeChange, Result, Share, SurveyChange

try:
    __version__ = version("opgang-eval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Amount",
    "Config",
    "ConfigError",
    "DataQualityWarning",
    "Effect",
    "Evaluation",
    "Extracts",
    "OpgangError",
    "OpgangWarning",
    "RelativeChange",
    "Result",
    "Share",
    "Source",
    "SurveyChange",
    "ValidationError",
    "__version__",
    "evaluate",
    "load",
    "render_report",
]
