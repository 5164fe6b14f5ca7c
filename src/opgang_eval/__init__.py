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
    from .measures.registry import (
        AnalysisRows,
        Inputs,
        Measure,
        register_measure,
        registered_measures,
        unregister_measure,
    )
    from .presentation import plot, render_report
    from .presentation.texts import add_words
    from .registers import dream_months, map_status, status_mapping
    from .results import (
        Amount,
        Effect,
        EffectCell,
        EffectParts,
        RateChangeParts,
        RelativeChange,
        Result,
        SavingsParts,
        Share,
        ShareParts,
        SurveyChange,
        SurveyParts,
    )

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
    "AnalysisRows": "measures.registry",
    "Inputs": "measures.registry",
    "Measure": "measures.registry",
    "registered_measures": "measures.registry",
    "register_measure": "measures.registry",
    "unregister_measure": "measures.registry",
    "add_words": "presentation.texts",
    "dream_months": "registers",
    "map_status": "registers",
    "status_mapping": "registers",
    "plot": "presentation",
    "render_report": "presentation",
    "Amount": "results",
    "Effect": "results",
    "EffectCell": "results",
    "EffectParts": "results",
    "RateChangeParts": "results",
    "RelativeChange": "results",
    "Result": "results",
    "SavingsParts": "results",
    "Share": "results",
    "ShareParts": "results",
    "SurveyChange": "results",
    "SurveyParts": "results",
}

__all__ = [
    "Amount",
    "AnalysisRows",
    "Config",
    "ConfigError",
    "DataQualityWarning",
    "Effect",
    "EffectCell",
    "EffectParts",
    "Evaluation",
    "Extracts",
    "Inputs",
    "Measure",
    "OpgangError",
    "OpgangWarning",
    "RateChangeParts",
    "RelativeChange",
    "Result",
    "SavingsParts",
    "Share",
    "ShareParts",
    "Source",
    "SurveyChange",
    "SurveyParts",
    "ValidationError",
    "__version__",
    "add_words",
    "dream_months",
    "evaluate",
    "load",
    "map_status",
    "plot",
    "register_measure",
    "registered_measures",
    "render_report",
    "status_mapping",
    "unregister_measure",
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
