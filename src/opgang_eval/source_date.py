"""``SOURCE_DATE_EPOCH``: the date a reproducible build stamps on its output.

Read here, without importing the numerical stack, because that stack reads
it too: numpy parses it with a bare ``int()`` when ``numpy.f2py`` is
imported (scipy's array-API layer does so when ``scipy.stats`` is), so a
value such as ``abc`` (or an empty one) ends in a ``ValueError`` inside an
import, before any check of the package could run. The command line checks
it with :func:`source_date` before a command imports anything heavy.
"""

from __future__ import annotations

import datetime as dt
import os

from .errors import ConfigError, Failure, Rule

__all__ = ["VARIABLE", "source_date"]

VARIABLE = "SOURCE_DATE_EPOCH"


def source_date() -> dt.date | None:
    """The date of ``SOURCE_DATE_EPOCH`` (UTC), or ``None`` when it is unset or empty.

    Raises
    ------
    ConfigError
        When it is set but not whole seconds since 1970-01-01 (or out of
        the range of dates).
    """
    epoch = os.environ.get(VARIABLE)
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    except (ValueError, OverflowError, OSError):
        raise ConfigError.from_failures(
            [
                Failure(
                    "config",
                    VARIABLE,
                    "",
                    None,
                    "",
                    epoch,
                    Rule.BAD_CONFIG,
                    f"{VARIABLE} must be whole seconds since 1970-01-01 (e.g. {VARIABLE}=1705276800); "
                    "fix it or unset it.",
                )
            ]
        ) from None
