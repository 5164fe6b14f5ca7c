"""opgang-eval: evaluate family-focused employment interventions.

>>> import opgang_eval as oe
>>> ex = oe.load("data/sample")          # doctest: +SKIP

The public names are imported on first use (PEP 562), so the command line
(``opgang-eval --help``) starts without loading pandas, SciPy or matplotlib.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from .config import Config
    from .errors import ConfigError, DataQualityWarning, OpgangError, OpgangWarning, ValidationError
    from .evaluation import Evaluation, evaluate
    from .loading import Extracts, Source, load
    from .presentation import plot, render_report
    from .registers import dream_months, map_status, status_mapping
    from .results import Amount, Effect, RelativeChange, Result, Share, SurveyChange

try:
    __version__ = version("opgang-eval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

_WHERE = {
    "Config": "config",
    "ConfigError": "errors",
    "DataQualityWarning": "errors",
    "OpgangError": "errors",
    "OpgangWarning": "errors",
    "ValidationError": "errors",
    "Evaluation": "evaluation",
    "evaluate": "evaluation",
    "Extracts": "loading",
    "Source": "loading",
    "load": "loading",
    "dream_months": "registers",
    "map_status": "registers",
    "status_mapping": "registers",
    "plot": "presentation",
    "render_report": "presentation",
    "Amount": "results",
    "Effect": "results",
    "RelativeChange": "results",
    "Result": "results",
    "Share": "results",
    "SurveyChange": "results",
}

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
    "dream_months",
    "evaluate",
    "load",
    "map_status",
    "plot",
    "render_report",
    "status_mapping",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'opgang_eval' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
