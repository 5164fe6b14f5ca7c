"""The analyst notebooks: stored as in-sync jupytext pairs without outputs, and they run.

Each notebook is kept twice: ``notebooks/NAME.ipynb`` (what Jupyter opens,
stored without outputs) and ``notebooks/NAME.py`` in jupytext's percent
format (what a reviewer reads in a diff). The tests check that the two hold
the same cells, that no outputs were committed, and that the notebook runs
top to bottom without an error in a fresh kernel.

The kernel is always the Python running the tests (the project's venv): a
kernel spec for ``sys.executable`` is written into a temporary folder and the
kernel manager looks only there, so a ``python3`` kernel installed for the
user elsewhere (``~/.local/share/jupyter/kernels``) cannot be picked up
instead. The spec is written by hand rather than with
``ipykernel.kernelspec``: importing ipykernel into the test process would
make opgang-eval believe it runs inside Jupyter (and show progress bars) in
every test that runs after this module is collected.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import jupytext
import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PAIRS = sorted(NOTEBOOKS.glob("*.ipynb"))
IDS = [p.stem for p in PAIRS]


def _cells(nb: nbformat.NotebookNode) -> list[tuple[str, str]]:
    return [(cell.cell_type, cell.source.strip()) for cell in nb.cells]


def test_there_are_notebooks() -> None:
    assert {"01_walkthrough", "02_register_extract", "03_site_without_randomisation"} <= set(IDS)
    # Every notebook has its readable twin and vice versa.
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.py")) == IDS


@pytest.mark.parametrize("path", PAIRS, ids=IDS)
def test_pair_in_sync(path: Path) -> None:
    stored = nbformat.read(path, as_version=4)
    readable = jupytext.read(path.with_suffix(".py"))
    assert _cells(readable) == _cells(stored), f"run: jupytext --sync {path.with_suffix('.py')}"
    assert stored.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"
    assert stored.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", PAIRS, ids=IDS)
def test_no_outputs_stored(path: Path) -> None:
    stored = nbformat.read(path, as_version=4)
    for i, cell in enumerate(stored.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"cell {i} has outputs; clear them before committing"
            assert cell.execution_count is None, f"cell {i} has an execution count"
    assert set(stored.metadata) <= {"jupytext", "kernelspec"}, "only jupytext and kernelspec metadata are kept"


@pytest.fixture(scope="module")
def kernel_specs(tmp_path_factory: pytest.TempPathFactory) -> KernelSpecManager:
    """Kernel specs holding one ``python3`` kernel: this interpreter's ipykernel."""
    folder = tmp_path_factory.mktemp("kernels")
    (folder / "python3").mkdir()
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
    }
    (folder / "python3" / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    return KernelSpecManager(kernel_dirs=[str(folder)])


@pytest.mark.parametrize("path", PAIRS, ids=IDS)
def test_notebook_runs(path: Path, kernel_specs: KernelSpecManager) -> None:
    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=kernel_specs)
    assert km.kernel_spec.argv[0] == sys.executable
    client = NotebookClient(
        nb, km=km, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    start = time.perf_counter()
    client.execute()  # raises CellExecutionError on the first cell that fails
    seconds = time.perf_counter() - start
    errors = [out for cell in nb.cells for out in cell.get("outputs", []) if out.output_type == "error"]
    assert not errors
    print(f"{path.name}: {seconds:.1f} s")
