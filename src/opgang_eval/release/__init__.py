"""The disclosure engine's core: cells and links, secondary suppression and the LP audit.

Every number that leaves the process is a :class:`Cell`; every identity a
reader knows between numbers is a :class:`Link`. :func:`protect` chooses the
cells to hide over all linked tables at once, and :func:`audit` proves by
linear programming that no hidden cell can be worked out from what is shown.
"""

from .audit import audit, intervals
from .cells import (
    Cell,
    CellKind,
    Exposure,
    InconsistentLinksError,
    Link,
    Protection,
    ReleaseError,
    protection_range,
    reader_bounds,
    shows_marker,
)
from .engine import protect

__all__ = [
    "Cell",
    "CellKind",
    "Exposure",
    "InconsistentLinksError",
    "Link",
    "Protection",
    "ReleaseError",
    "audit",
    "intervals",
    "protect",
    "protection_range",
    "reader_bounds",
    "shows_marker",
]
