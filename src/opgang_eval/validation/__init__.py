"""Running the data contract's checks (the contract itself is :mod:`opgang_eval.schema`)."""

from .checks import Collector, validate_tables

__all__ = ["Collector", "validate_tables"]
