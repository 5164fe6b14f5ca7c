"""The report set's output folder: refused when it would pollute the extract, published whole or not at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import opgang_eval as oe
import opgang_eval.presentation.publish as publish
import opgang_eval.presentation.render as render
from opgang_eval.cli import main
from report_helpers import build_extract, xlsx_strings


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "small.toml"
    path.write_text('end = "2023-08"\nbootstrap_replicates = 50\nseed = 7\n', encoding="utf-8")
    return path


def test_out_equal_to_or_inside_the_input_folder_is_refused(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    before = sorted(p.name for p in folder.iterdir())
    config = _config(tmp_path)
    for out in (folder, folder / "reports"):
        code = main(["report", str(folder), "--out", str(out), "--config", str(config), "--format", "html"])
        assert code == 2
        err = capsys.readouterr().err
        assert "--out" in err and "input folder" in err and "Traceback" not in err
        assert sorted(p.name for p in folder.iterdir()) == before


def test_a_dangling_out_symlink_gets_a_clear_message(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    out = tmp_path / "out"
    out.symlink_to(tmp_path / "missing")
    code = main(["report", str(folder), "--out", str(out), "--config", str(_config(tmp_path)), "--format", "html"])
    assert code == 2
    err = capsys.readouterr().err
    assert "does not exist" in err and "File exists" not in err
    assert not (tmp_path / "missing").exists()


# --- The report set is published whole or not at all ------------------------------------------------

SRC = Path(__file__).resolve().parents[1] / "src"

# Runs the CLI in a child process that stops at a chosen moment: `staged` kills itself while the
# spreadsheet is being written (the set half made), `switched` right after the atomic exchange
# (before the earlier set is removed), `hold` waits inside the lock until a file appears.
CHILD = """
import os, signal, sys, time
from pathlib import Path
import opgang_eval.presentation.publish as publish
import opgang_eval.presentation.render as render
from opgang_eval.cli import main

point, signal_file = sys.argv[1], Path(sys.argv[2])
if point == "staged":
    def render_xlsx(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)
    render.render_xlsx = render_xlsx
elif point == "switched":
    exchange = publish._exchange
    def _exchange(a, b):
        exchange(a, b)
        os.kill(os.getpid(), signal.SIGKILL)
    publish._exchange = _exchange
elif point == "hold":
    html = render.render_html
    def render_html(ctx):
        signal_file.with_suffix(".ready").touch()
        while not signal_file.exists():
            time.sleep(0.05)
        return html(ctx)
    render.render_html = render_html
sys.exit(main(sys.argv[3:]))
"""


def _child(tmp_path: Path, point: str, args: list[str]) -> subprocess.Popen:
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(SRC), "SOURCE_DATE_EPOCH": "1705276800"}
    return subprocess.Popen(
        [sys.executable, str(script), point, str(tmp_path / "go"), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links followed) by relative path, with its bytes."""
    files = [Path(root, name) for root, _, names in os.walk(folder, followlinks=True) for name in names]
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(files) if p.is_file()}


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".opgang-" in p.name)


def _report(folder: Path, out: Path, config: Path, *options: str) -> list[str]:
    return ["report", str(folder), "--out", str(out), "--config", str(config), *options]


@pytest.fixture
def extract(tmp_path) -> tuple[Path, Path]:
    return build_extract(tmp_path / "extract"), _config(tmp_path)


def test_a_new_run_leaves_no_file_of_the_earlier_one_and_keeps_other_files(tmp_path, extract):
    folder, config = extract
    out = tmp_path / "reports"
    out.mkdir()
    (out / "README.md").write_text("Generated output.\n", encoding="utf-8")
    readme = (out / "README.md").stat().st_ino
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
    (out / "figures" / "old-figure.svg").write_text("<svg/>", encoding="utf-8")  # as an older version drew
    assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 0
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "figures", "report.html"]
    assert (out / "README.md").stat().st_ino == readme  # the same file, not a copy
    assert "old-figure.svg" not in {p.name for p in (out / "figures").iterdir()}
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")
    assert _leftovers(tmp_path) == []


def test_files_of_the_analyst_inside_figures_are_not_replaced(tmp_path, extract, capsys):
    folder, config = extract
    out = tmp_path / "reports"
    assert main(_report(folder, out, config, "--format", "html")) == 0
    (out / "figures" / "notes.txt").write_text("mine", encoding="utf-8")
    before = _snapshot(out)
    assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 2
    err = capsys.readouterr().err
    assert "notes.txt" in err and "Traceback" not in err
    assert _snapshot(out) == before and _leftovers(tmp_path) == []


def test_a_failure_while_rendering_leaves_the_earlier_set_untouched(tmp_path, extract, monkeypatch):
    folder, config = extract
    out = tmp_path / "reports"
    ev = oe.evaluate(oe.load(folder), oe.Config.from_toml(config))
    oe.render_report(ev, out, formats=("html", "xlsx"))
    before = _snapshot(out)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "render_xlsx", broken)
    with pytest.raises(OSError, match="No space"):
        oe.render_report(ev, out, formats=("html", "xlsx"), lang="en")
    assert _snapshot(out) == before and _leftovers(tmp_path) == []


@pytest.mark.parametrize(("point", "expected_lang"), [("staged", "da"), ("switched", "en")])
def test_kill_9_leaves_one_whole_set_and_the_next_run_cleans_up(tmp_path, extract, point, expected_lang):
    folder, config = extract
    out = tmp_path / "reports"
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
    child = _child(tmp_path, point, _report(folder, out, config, "--format", "html,xlsx", "--lang", "en"))
    assert child.wait(timeout=300) == -signal.SIGKILL
    # Either the whole earlier set (Danish) or the whole new one (English), never a mixture.
    assert sorted(p.name for p in out.iterdir()) == ["figures", "report.html", "tables.xlsx"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f'<html lang="{expected_lang}">' in html
    sheets = xlsx_strings(out / "tables.xlsx")
    assert ("Parents" in sheets) == (expected_lang == "en")
    assert len(_leftovers(tmp_path)) == 1  # the staging (killed while writing) or the earlier set
    assert main(_report(folder, out, config, "--format", "html")) == 0
    assert _leftovers(tmp_path) == []
    assert sorted(p.name for p in out.iterdir()) == ["figures", "report.html"]


def test_a_second_run_into_the_same_folder_waits_its_turn(tmp_path, extract, capsys):
    folder, config = extract
    out = tmp_path / "reports"
    child = _child(tmp_path, "hold", _report(folder, out, config, "--format", "html", "--lang", "en"))
    ready = (tmp_path / "go").with_suffix(".ready")
    for _ in range(6000):
        if ready.exists() or child.poll() is not None:
            break
        time.sleep(0.05)
    assert ready.exists(), child.communicate()[1].decode()
    try:
        assert main(_report(folder, out, config, "--format", "html")) == 2
        err = capsys.readouterr().err
        assert "Another opgang-eval run" in err and "Traceback" not in err
        assert not out.exists()
    finally:
        (tmp_path / "go").touch()
    assert child.wait(timeout=300) == 0, child.communicate()[1].decode()
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")


def test_without_an_atomic_exchange_the_set_is_still_switched_whole(tmp_path, extract, monkeypatch):
    """Kernels and filesystems without renameat2(RENAME_EXCHANGE): two renames, same result."""
    folder, config = extract
    out = tmp_path / "reports"
    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
    assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 0
    assert sorted(p.name for p in out.iterdir()) == ["figures", "report.html"]
    assert '<html lang="en">' in (out / "report.html").read_text(encoding="utf-8")
    assert _leftovers(tmp_path) == []


@pytest.fixture
def mount_point(tmp_path) -> Iterator[Path]:
    """A tmpfs mounted at a fresh folder: another filesystem, as a Docker volume or a USB stick is."""
    volume = tmp_path / "volume"
    volume.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(volume)], capture_output=True)
    if made.returncode != 0:
        pytest.skip(f"mounting a tmpfs needs root: {made.stderr.decode().strip()}")
    try:
        yield volume
    finally:
        subprocess.run(["umount", str(volume)], check=True)


def test_out_that_is_a_mount_point_gets_the_whole_set_through_one_pointer(tmp_path, extract, mount_point):
    folder, config = extract
    (mount_point / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(_report(folder, mount_point, config, "--format", "html,xlsx")) == 0
    first = _snapshot(mount_point)
    assert {"report.html", "tables.xlsx", "notes.txt"} <= set(first)
    assert any(name.startswith("figures/") and name.endswith(".svg") for name in first)
    assert main(_report(folder, mount_point, config, "--format", "html", "--lang", "en")) == 0
    shown = sorted(p.name for p in mount_point.iterdir() if not p.name.startswith("."))
    assert shown == ["figures", "notes.txt", "report.html"]  # the spreadsheet of the first run is gone
    assert '<html lang="en">' in (mount_point / "report.html").read_text(encoding="utf-8")
    versions = [p for p in mount_point.iterdir() if p.name.startswith(".opgang-report-")]
    assert len(versions) == 1 and (mount_point / ".opgang-current").resolve() == versions[0].resolve()
    assert (mount_point / "notes.txt").read_text(encoding="utf-8") == "mine"
