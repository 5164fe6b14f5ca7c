"""Progress of long steps (loading, evaluating, matching, rendering), in a terminal or a notebook.

The work inside each step is vectorised — a bootstrap is one matrix, not a
loop over replicates — so progress is reported per *step*, the granularity
at which time actually passes. ``progress=None`` (the default everywhere)
shows a bar when someone is watching: stderr is a terminal, or the code
runs in a Jupyter kernel (a widget when ``ipywidgets`` is installed, text
otherwise). ``progress=False`` (the CLI's ``--quiet``) silences it;
``True`` forces it. Bars go to stderr and never into an output file, so
they cannot affect the report's bytes.
"""

from __future__ import annotations

import importlib.util
import sys
from types import TracebackType
from typing import Any

__all__ = ["Progress"]


def _in_notebook() -> bool:
    """Whether this code runs inside a Jupyter kernel (not merely a process that imported ipykernel)."""
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _watched() -> bool:
    """Whether a person is likely watching: an interactive terminal or a Jupyter kernel."""
    if _in_notebook():
        return True
    stream = sys.stderr
    return bool(stream is not None and hasattr(stream, "isatty") and stream.isatty())


def _bar_class() -> Any:
    """Tqdm's notebook widget inside Jupyter with ipywidgets, its text bar elsewhere (imported only when shown)."""
    if _in_notebook() and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.notebook import tqdm
    else:
        from tqdm import tqdm
    return tqdm


class Progress:
    """A step counter that may show itself as a progress bar.

    Parameters
    ----------
    steps
        Number of steps the work has.
    what
        What is being done, e.g. ``"evaluate"``.
    show
        ``None`` decides by :func:`_watched`; ``True``/``False`` force.
    """

    def __init__(self, steps: int, what: str, show: bool | None = None) -> None:
        visible = _watched() if show is None else show
        self._bar = _bar_class()(total=steps, desc=what, unit="step", leave=False) if visible else None
        self._running = False

    def step(self, label: str) -> None:
        """Start the step named ``label``; the one before it is done."""
        if self._bar is None:
            return
        if self._running and self._bar.n < self._bar.total:
            self._bar.update(1)
        self._running = True
        self._bar.set_postfix_str(label)

    def close(self) -> None:
        """Finish the last step and remove the bar."""
        if self._bar is not None:
            if self._running and self._bar.n < self._bar.total:
                self._bar.update(1)
            self._bar.close()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
