"""opgang-eval: evaluate family-focused employment interventions.

>>> import opgang_eval as oe
>>> ex = oe.load("data/sample")          # doctest: +SKIP
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .config import Config
from .errors import ConfigError, DataQualityWarning, OpgangError, OpgangWarning, ValidationError
from .loading import Extracts, Source, load

try:
    __version__ = version("opgang-eval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "Config",
    "ConfigError",
    "DataQualityWarning",
    "Extracts",
    "OpgangError",
    "OpgangWarning",
    "Source",
    "ValidationError",
    "__version__",
    "load",
]
