"""The report set's output folder: refused when it would pollute the extract or cannot be made."""

from __future__ import annotations

from pathlib import Path

from opgang_eval.cli import main
from report_helpers import build_extract


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
