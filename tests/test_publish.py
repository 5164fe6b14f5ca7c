"""The report set's output folder: refused when it would pollute the extract, published whole or not at all."""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
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
from report_helpers import build_extract, report_files, xlsx_strings


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
# spreadsheet is being written (the new set half made), `switched` right after the pointer was
# replaced (before the earlier version is removed), `hold` waits inside the lock until a file appears.
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
    link = publish._link
    def _link(target, path):
        link(target, path)
        if path.name == ".opgang-current":
            os.kill(os.getpid(), signal.SIGKILL)
    publish._link = _link
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


def _shown(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def _lang(out: Path) -> str:
    return re.search(r'<html lang="(\w+)">', (out / "report.html").read_text(encoding="utf-8")).group(1)


def _report(folder: Path, out: Path, config: Path, *options: str) -> list[str]:
    return ["report", str(folder), "--out", str(out), "--config", str(config), *options]


@pytest.fixture
def extract(tmp_path) -> tuple[Path, Path]:
    return build_extract(tmp_path / "extract"), _config(tmp_path)


def test_a_new_run_leaves_no_file_of_the_earlier_one_and_touches_nothing_else(tmp_path, extract):
    folder, config = extract
    out = tmp_path / "reports"
    out.mkdir()
    (out / "README.md").write_text("Generated output.\n", encoding="utf-8")
    readme = (out / "README.md").stat()
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
    assert _shown(out) == ["README.md", "figures", "report.html", "tables.xlsx"]
    assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 0
    assert _shown(out) == ["README.md", "figures", "report.html"]
    assert _lang(out) == "en"
    assert (out / "README.md").stat() == readme  # the same file, not even its times changed
    assert _hidden(out) == [".opgang-current", ".opgang-lock", ".opgang-report-2"]
    assert os.readlink(out / "report.html") == ".opgang-current/report.html"  # relative: the folder can be moved


def test_the_version_folder_is_readable_as_any_folder_the_user_makes(tmp_path, extract):
    folder, config = extract
    out = tmp_path / "reports"
    assert main(_report(folder, out, config, "--format", "html")) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((out / ".opgang-current").resolve().stat().st_mode) == 0o777 & ~umask


def test_files_of_the_analyst_inside_figures_are_not_replaced(tmp_path, extract, capsys):
    folder, config = extract
    out = tmp_path / "reports"
    assert main(_report(folder, out, config, "--format", "html")) == 0
    (out / "figures" / "our-logo.svg").write_text("<svg/>", encoding="utf-8")  # saved through the link
    before, hidden = report_files(out), _hidden(out)
    assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 2
    err = capsys.readouterr().err
    assert "our-logo.svg" in err and "Traceback" not in err
    assert report_files(out) == before and _hidden(out) == hidden
    # a real figures/ folder (an older version's report) with a file of the analyst's: the same
    (out / "figures").unlink()
    shutil.copytree(out / ".opgang-report-1" / "figures", out / "figures")
    (out / "figures" / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 2
    assert "notes.txt" in capsys.readouterr().err
    assert (out / "figures" / "notes.txt").read_text(encoding="utf-8") == "mine"
    # an older version's folder without a lock file: the refused run leaves none (found by benchmarks/fuzz_cli.py)
    (out / ".opgang-lock").unlink()
    hidden = _hidden(out)
    assert main(_report(folder, out, config, "--format", "html")) == 2
    assert _hidden(out) == hidden


def test_a_failure_while_rendering_leaves_the_earlier_set_untouched(tmp_path, extract, monkeypatch):
    folder, config = extract
    out = tmp_path / "reports"
    ev = oe.evaluate(oe.load(folder), oe.Config.from_toml(config))
    oe.render_report(ev, out, formats=("html", "xlsx"))
    before, hidden = report_files(out), _hidden(out)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(render, "render_xlsx", broken)
    with pytest.raises(OSError, match="No space"):
        oe.render_report(ev, out, formats=("html", "xlsx"), lang="en")
    assert report_files(out) == before and _hidden(out) == hidden
    with pytest.raises(OSError, match="No space"):
        oe.render_report(ev, tmp_path / "new", formats=("html", "xlsx"))
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(("point", "expected_lang", "next_version"), [("staged", "da", 2), ("switched", "en", 3)])
def test_kill_9_leaves_one_whole_set_and_the_next_run_cleans_up(tmp_path, extract, point, expected_lang, next_version):
    folder, config = extract
    out = tmp_path / "reports"
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
    child = _child(tmp_path, point, _report(folder, out, config, "--format", "html,xlsx", "--lang", "en"))
    assert child.wait(timeout=300) == -signal.SIGKILL
    # Either the whole earlier set (Danish) or the whole new one (English), never a mixture.
    assert _shown(out) == ["figures", "report.html", "tables.xlsx"]
    assert _lang(out) == expected_lang
    assert ("Parents" in xlsx_strings(out / "tables.xlsx")) == (expected_lang == "en")
    assert [name for name in _hidden(out) if name.startswith(".opgang-report-")] == [
        ".opgang-report-1",
        ".opgang-report-2",
    ]  # the killed run's half-made version, or the earlier one not yet removed
    assert main(_report(folder, out, config, "--format", "html")) == 0
    assert _hidden(out) == [".opgang-current", ".opgang-lock", f".opgang-report-{next_version}"]
    assert _shown(out) == ["figures", "report.html"]


def test_a_second_run_into_the_same_folder_at_the_same_time_exits_2(tmp_path, extract, capsys):
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
        assert "Another opgang-eval run is writing a report into" in err and "Traceback" not in err
        assert _shown(out) == []
        other = tmp_path / "elsewhere"  # the lock is the folder's: a run into a sibling is not held up
        assert main(_report(folder, other, config, "--format", "html")) == 0
    finally:
        (tmp_path / "go").touch()
    assert child.wait(timeout=300) == 0, child.communicate()[1].decode()
    assert _lang(out) == "en" and _shown(out) == ["figures", "report.html"]


def test_without_symbolic_links_the_files_are_replaced_and_later_converted(tmp_path, extract, monkeypatch):
    """A filesystem without symbolic links (FAT): real files, replaced one by one; later runs convert."""
    folder, config = extract
    out = tmp_path / "reports"
    with monkeypatch.context() as patch:
        patch.setattr(publish, "_has_symlinks", lambda out: False)
        assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
        assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 0
        assert _shown(out) == ["figures", "report.html"] and _hidden(out) == [".opgang-lock"]
        assert not (out / "report.html").is_symlink() and _lang(out) == "en"
    # the same folder on a filesystem with links (a report of an older version): converted
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
    assert _shown(out) == ["figures", "report.html", "tables.xlsx"] and _lang(out) == "da"
    assert all((out / name).is_symlink() for name in _shown(out))
    assert _hidden(out) == [".opgang-current", ".opgang-lock", ".opgang-report-1"]


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


def test_out_that_is_a_mount_point_gets_the_whole_set(tmp_path, extract, mount_point):
    folder, config = extract
    (mount_point / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(_report(folder, mount_point, config, "--format", "html,xlsx")) == 0
    assert _shown(mount_point) == ["figures", "notes.txt", "report.html", "tables.xlsx"]
    assert main(_report(folder, mount_point, config, "--format", "html", "--lang", "en")) == 0
    assert _shown(mount_point) == ["figures", "notes.txt", "report.html"]
    assert _lang(mount_point) == "en"
    assert any(p.suffix == ".svg" for p in (mount_point / "figures").iterdir())
    assert _hidden(mount_point) == [".opgang-current", ".opgang-lock", ".opgang-report-2"]
    assert (mount_point / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_an_interruption_after_the_switch_keeps_the_new_set(tmp_path, extract, monkeypatch):
    """Ctrl-C or a full disk while tidying up: the set is published already, and stays."""
    folder, config = extract
    out = tmp_path / "reports"
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0

    def interrupted(out, staging):
        raise KeyboardInterrupt

    monkeypatch.setattr(publish, "_tidy", interrupted)
    with pytest.raises(KeyboardInterrupt):
        main(_report(folder, out, config, "--format", "html", "--lang", "en"))
    assert _lang(out) == "en" and (out / ".opgang-current").resolve().name == ".opgang-report-2"
    monkeypatch.undo()
    assert main(_report(folder, out, config, "--format", "html")) == 0  # the next run tidies
    assert _shown(out) == ["figures", "report.html"]
    assert _hidden(out) == [".opgang-current", ".opgang-lock", ".opgang-report-3"]


def test_nothing_of_the_analyst_named_like_the_report_is_removed(tmp_path, extract, capsys):
    folder, config = extract
    out = tmp_path / "reports"
    (out / "tables.xlsx").mkdir(parents=True)  # a folder of the analyst's, named like the spreadsheet
    (out / "tables.xlsx" / "precious.txt").write_text("mine", encoding="utf-8")
    (out / ".opgang-report-backup").mkdir()
    (out / ".opgang-report-backup" / "old.html").write_text("mine", encoding="utf-8")
    assert main(_report(folder, out, config, "--format", "html,xlsx")) == 2
    assert "tables.xlsx in the output folder is a folder" in capsys.readouterr().err
    assert (out / "tables.xlsx" / "precious.txt").read_text(encoding="utf-8") == "mine"
    (out / "tables.xlsx").rename(tmp_path / "moved")  # as the message says
    assert main(_report(folder, out, config, "--format", "html")) == 0
    assert main(_report(folder, out, config, "--format", "html")) == 0  # its cleaning of earlier versions
    assert (out / ".opgang-report-backup" / "old.html").read_text(encoding="utf-8") == "mine"


def test_a_report_of_real_files_is_converted_without_leaving_a_stale_one(tmp_path, extract, monkeypatch):
    folder, config = extract
    out = tmp_path / "reports"
    with monkeypatch.context() as patch:  # an older version's report: real files
        patch.setattr(publish, "_has_symlinks", lambda out: False)
        assert main(_report(folder, out, config, "--format", "html,xlsx")) == 0
    assert main(_report(folder, out, config, "--format", "html", "--lang", "en")) == 0
    assert _shown(out) == ["figures", "report.html"]  # the real Danish tables.xlsx is not left beside
    assert _lang(out) == "en" and (out / "figures").is_symlink()
