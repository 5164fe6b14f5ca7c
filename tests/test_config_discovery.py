"""A settings file in the extract folder is read or refused, never silently ignored (issue 12, part 5).

``min_cell = 10`` is the setting at stake: a raised disclosure threshold the
analyst believes is in force. The folder's configuration is read as
``evaluation.toml`` in any case, when it is the only such file (as
``FAMILIES.CSV`` is read); a file that only looks like it
(``evaluation.toml.txt``, ``evaluation.txt``, a misspelling) or a second
copy is refused, naming the fix. ``--config FILE`` (``oe.load(dir,
config=...)``) replaces the folder's file without parsing it.
"""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import pytest

import opgang_eval as oe
from opgang_eval.cli import main
from report_helpers import build_extract

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
RAISED = 'end = "2023-08"\nmin_cell = 10\n'
BROKEN = 'end = "2023-08\nmin_cell = \n'


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """The shipped sample without its evaluation.toml."""
    folder = tmp_path / "extract"
    shutil.copytree(SAMPLE, folder)
    (folder / "evaluation.toml").unlink()
    return folder


def _load(folder: Path, **options) -> oe.Extracts:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", oe.DataQualityWarning)
        return oe.load(folder, **options)


def _refused(folder: Path) -> oe.ValidationError:
    with pytest.raises(oe.ValidationError) as info:
        _load(folder)
    return info.value


def _config_failures(error: oe.ValidationError) -> dict[str, str]:
    """File → hint of the bad_config failures."""
    f = error.failures[error.failures["rule"] == "bad_config"]
    return dict(zip(f["file"], f["hint"], strict=True))


# -- the folder's file under another case is read ------------------------------------------------------------


def test_without_a_settings_file_the_defaults_apply(sample: Path):
    assert _load(sample).config.min_cell == 5


@pytest.mark.parametrize("name", ["evaluation.toml", "Evaluation.toml", "EVALUATION.TOML", "Evaluation.Toml"])
def test_the_settings_file_is_read_in_any_case(sample: Path, name: str):
    (sample / name).write_text(RAISED, encoding="utf-8")
    assert _load(sample).config.min_cell == 10


def test_a_case_variant_is_read_by_the_cli_too(sample: Path, capsys):
    # validate checks against the settings: a survey score of 7 is out of range on the default 1-5 scale,
    # and in range once Evaluation.toml gives the item a 1-10 scale.
    lines = (sample / "survey.csv").read_text(encoding="utf-8").splitlines()
    cells = lines[1].split(",")
    cells[3] = "7"
    lines[1] = ",".join(cells)
    (sample / "survey.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["validate", str(sample), "--quiet"]) == 2
    (sample / "Evaluation.toml").write_text(f"[survey_scales]\n{cells[2]} = [1, 10]\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(sample), "--quiet"]) == 0


def test_a_broken_case_variant_is_reported_under_its_name(sample: Path):
    (sample / "Evaluation.toml").write_text(BROKEN, encoding="utf-8")
    failures = _config_failures(_refused(sample))
    assert list(failures) == ["Evaluation.toml"] and "not valid TOML" in failures["Evaluation.toml"]


# -- anything else that looks like it is refused ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "evaluation.toml.txt",
        "Evaluation.TOML.txt",
        "evaluation.txt",
        "evalution.toml",
        "evaluation (1).toml",
        "settings.toml",
        "evaluation",
    ],
)
def test_a_file_that_looks_like_the_settings_is_refused_with_the_fix(sample: Path, name: str, capsys):
    (sample / name).write_text(RAISED, encoding="utf-8")
    failures = _config_failures(_refused(sample))
    assert list(failures) == [name]
    assert "Rename it to evaluation.toml" in failures[name]
    assert main(["validate", str(sample), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert f"{name}:" in err and "bad_config" in err and "Rename it to evaluation.toml" in err


def test_two_case_variants_are_refused(sample: Path):
    (sample / "evaluation.toml").write_text('end = "2023-08"\n', encoding="utf-8")
    (sample / "Evaluation.toml").write_text(RAISED, encoding="utf-8")
    if len({p.name.lower() for p in sample.iterdir()}) == len(list(sample.iterdir())) - 1:
        failures = _config_failures(_refused(sample))
        assert len(failures) == 1
        hint = next(iter(failures.values()))
        assert "Several files are the configuration" in hint and "Keep exactly one" in hint
    else:  # a case-insensitive file system keeps one file: it is read
        assert _load(sample).config.min_cell == 10


def test_a_copy_beside_the_settings_file_is_refused(sample: Path):
    (sample / "evaluation.toml").write_text('end = "2023-08"\n', encoding="utf-8")
    (sample / "evaluation.toml.txt").write_text(RAISED, encoding="utf-8")
    failures = _config_failures(_refused(sample))
    assert list(failures) == ["evaluation.toml.txt"]
    assert "second copy of the configuration beside evaluation.toml" in failures["evaluation.toml.txt"]


def test_a_folder_named_as_the_settings_file_is_refused(sample: Path):
    (sample / "evaluation.toml").mkdir()
    failures = _config_failures(_refused(sample))
    assert "is a folder" in failures["evaluation.toml"]


def test_unrelated_files_and_folders_are_not_taken_for_the_settings(sample: Path):
    (sample / "evaluation").mkdir()  # e.g. a report folder
    (sample / "Evaluation.docx").write_bytes(b"PK")
    (sample / "notes.txt").write_text("min_cell = 10\n", encoding="utf-8")
    ex = _load(sample)
    assert ex.config.min_cell == 5
    assert set(ex.warnings["file"]) == {"notes.txt"}  # a stray text file is warned about, as before


# -- --config replaces the folder's file without parsing it -------------------------------------------------


def _settings(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "small.toml"
    path.write_text('end = "2023-08"\nbootstrap_replicates = 50\nseed = 7\nmin_cell = 10\n' + extra, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", ["evaluation.toml", "evaluation.toml.txt"])
def test_a_given_config_replaces_the_folder_file_unparsed(sample: Path, tmp_path: Path, name: str):
    (sample / name).write_text(BROKEN, encoding="utf-8")
    _refused(sample)  # on its own, the folder's file stops the load
    settings = _settings(tmp_path)
    with pytest.warns(oe.DataQualityWarning, match="it was not read, because a configuration was given"):
        ex = oe.load(sample, config=settings)
    assert ex.config.min_cell == 10
    assert list(ex.warnings["file"]) == [name]
    for given in (oe.Config(min_cell=10), {"min_cell": 10}, str(settings)):
        assert _load(sample, config=given).config.min_cell == 10


def test_report_with_config_ignores_a_broken_folder_file(tmp_path: Path, capsys):
    folder = build_extract(tmp_path / "extract")
    (folder / "evaluation.toml").write_text(BROKEN, encoding="utf-8")
    out = tmp_path / "out"
    args = ["report", str(folder), "--out", str(out), "--quiet", "--format", "html"]
    assert main(args) == 2  # the folder's own file is broken
    assert "not valid TOML" in capsys.readouterr().err
    assert main([*args, "--config", str(_settings(tmp_path))]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert (out / "report.html").exists()


def test_the_given_config_is_the_one_in_force(tmp_path: Path):
    # The folder says min_cell = 20; --config says 10: the extracts and the evaluation use 10.
    folder = build_extract(tmp_path / "extract")
    (folder / "evaluation.toml").write_text('end = "2023-08"\nmin_cell = 20\n', encoding="utf-8")
    assert _load(folder).config.min_cell == 20
    with pytest.warns(oe.DataQualityWarning):
        ex = oe.load(folder, config=_settings(tmp_path))
    assert ex.config.min_cell == 10
    assert oe.evaluate(ex).config.min_cell == 10


def test_an_invalid_given_config_is_a_settings_error(sample: Path, tmp_path: Path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("min_cell = 3\n", encoding="utf-8")  # below the floor of 5
    with pytest.raises(oe.ConfigError) as info:
        _load(sample, config=bad)
    assert "min_cell" in str(info.value) and str(info.value).startswith("The settings are not valid")
    out = tmp_path / "out"
    assert main(["report", str(sample), "--out", str(out), "--config", str(bad), "--quiet"]) == 2
    assert "The settings are not valid" in capsys.readouterr().err
    assert not out.exists()
