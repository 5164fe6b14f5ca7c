"""Hostile input through the command line (issue 18): it works, or it exits 2 with one clear message.

A failure names the file or table, the column or setting and the fix; no
traceback reaches the analyst, and ``--out`` is not created. The extracts
are the hand-built one of ``report_helpers`` with one thing changed.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import opgang_eval as oe
from handbuilt import load
from opgang_eval.cli import main
from opgang_eval.presentation import figures
from opgang_eval.presentation.formatting import Formatter
from report_helpers import CTL_FAMILIES, ITV_FAMILIES, build_extract, family_id, html_tables, pdf_text, xlsx_tables

SRC = Path(__file__).resolve().parents[1] / "src"
SETTINGS = 'end = "2023-08"\nbootstrap_replicates = 50\nseed = 7\n'


def _config(tmp_path: Path, extra: str = "", end: str = "2023-08") -> Path:
    path = tmp_path / "small.toml"
    path.write_text(SETTINGS.replace("2023-08", end) + extra, encoding="utf-8")
    return path


def _report(folder: Path, out: Path, config: Path, *options: str) -> list[str]:
    return ["report", str(folder), "--out", str(out), "--config", str(config), "--quiet", *options]


def _refused(capsys: pytest.CaptureFixture[str], args: list[str], out: Path) -> str:
    """Run the CLI, expect exit 2 and no --out; the message on stderr."""
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "Traceback" not in captured.out
    assert not out.exists()
    return captured.err


def _as_comparison(folder: Path, families: tuple[str, ...] = tuple(CTL_FAMILIES)) -> Path:
    """Turn the given families (default: the control arm) into comparison families: an observational design."""
    path = folder / "families.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    ids = {f"FX-{f}" for f in families}
    for i, line in enumerate(lines):
        fields = line.split(",")
        if fields[0] in ids:
            fields[1] = "comparison"
            lines[i] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


# -- 1. control characters in text from the data --------------------------------------------------------------


def test_control_characters_in_a_site_are_shown_as_a_replacement_in_every_format(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract", big_site="Til\x0bst\x01")
    out = tmp_path / "out"
    assert main(_report(folder, out, _config(tmp_path), "--format", "html,pdf,xlsx")) == 0
    shown = "Til\ufffdst\ufffd"  # each control character is one U+FFFD
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "\x0b" not in html and "\x01" not in html
    by_site = next(t for t in html_tables(html) if shown in t["header"])
    assert by_site["header"][1] == shown
    sheets = xlsx_tables(out / "tables.xlsx")
    assert any(shown in (sheet["header"] or ()) for sheet in sheets.values())
    assert shown in pdf_text(out / "report.pdf")


def test_figures_draw_control_characters_as_a_replacement_without_a_missing_glyph():
    data = pd.DataFrame({"label": ["Site: Til\x0bst", "Site: Gellerup"], "before": [0.3, 0.1], "after": [0.1, 0.02]})
    labels = {"x": "|SMD|", "before": "before", "after": "after"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph 11 missing from font(s)"
        fig = figures.love_plot(data, labels)
        svg = figures.to_svg(fig)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["Site: Til\ufffdst", "Site: Gellerup"]
    assert "\x0b" not in svg


# -- 2. $…$ in a site name: no mathtext -----------------------------------------------------------------------


@pytest.fixture(scope="module", params=["Tilst $\\frac$", "Tilst $x^2$"])
def math_site(request, tmp_path_factory) -> tuple[str, Path]:
    # Three families a side move to the site (six in all): a site of fewer than min_cell families would not be
    # named at all, and of three sites the matching keeps an indicator for the two smaller ones.
    folder = build_extract(tmp_path_factory.mktemp("math") / "extract")
    path = folder / "families.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    moved = {family_id(f) for f in (*ITV_FAMILIES[:3], *CTL_FAMILIES[:3])}
    for i, line in enumerate(lines[1:], 1):
        fields = line.split(",")
        if fields[0] in moved:
            fields[3] = request.param
            lines[i] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return request.param, _as_comparison(folder)


def test_a_dollar_site_name_is_drawn_verbatim_in_the_analysts_own_axes(math_site):
    site, folder = math_site
    ev = oe.evaluate(load(folder), config={"end": "2023-08", "bootstrap_replicates": 50, "seed": 7})
    assert ev.design == "matched"
    fig = Figure()
    ax = fig.add_subplot()
    oe.plot(ev, "love_plot", ax=ax, lang="en")
    fig.savefig(io.StringIO(), format="svg")  # outside the package's style: mathtext would parse here
    texts = [t.get_text() for t in ax.get_yticklabels()]
    assert f"Site: {site}" in texts
    assert not any(t.get_parse_math() for t in ax.get_yticklabels())
    own = oe.plot(ev, "love_plot", lang="en")  # a new figure of its own
    own.savefig(io.StringIO(), format="svg")
    assert f"Site: {site}" in [t.get_text() for t in own.axes[0].get_yticklabels()]


def test_a_dollar_site_name_in_the_observational_report(math_site, tmp_path, capsys):
    site, folder = math_site
    out = tmp_path / "out"
    assert main(_report(folder, out, _config(tmp_path), "--format", "html")) == 0
    assert "Traceback" not in capsys.readouterr().err
    html = (out / "report.html").read_text(encoding="utf-8")
    assert any(site in cell for table in html_tables(html) for row in table["rows"] for cell in row)
    assert (out / "figures" / "love_plot.svg").exists()


# -- 3. no intervention arm -----------------------------------------------------------------------------------


def test_an_extract_of_comparison_families_only_gets_a_report_saying_so(tmp_path, capsys):
    folder = _as_comparison(build_extract(tmp_path / "extract"), tuple(f"I{i:02d}" for i in range(1, 13)))
    _as_comparison(folder)
    out = tmp_path / "out"
    assert main(_report(folder, out, _config(tmp_path), "--format", "html,xlsx", "--lang", "en")) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "The extract has no intervention families" in captured.out  # the report's headline, not str(ev)
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "The extract has no intervention families (arm = intervention in families)" in html
    assert (out / "tables.xlsx").exists()


# -- 4. amounts that would add up to infinity -------------------------------------------------------------------


def test_an_expenditure_amount_of_1e307_is_refused_naming_the_rows(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    path = folder / "expenditure.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",10000\n", ",1e307\n"), encoding="utf-8")
    out = tmp_path / "out"
    err = _refused(capsys, _report(folder, out, _config(tmp_path), "--format", "html"), out)
    assert "expenditure.csv" in err and "column 'amount_dkk'" in err and "out_of_range (12×)" in err
    assert "amount_dkk must be from -1e+12 to 1e+12" in err  # schema.MAX_AMOUNT, checked by validation
    assert "row 2, family_id=FX-I01, value '1e307'" in err


def test_a_unit_cost_of_1e307_is_refused(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    (folder / "expenditure.csv").unlink()
    statuses = ("job", "flexjob", "education", "early_retirement", "cash_benefit", "sickness_benefit")
    rows = [f"{s},{'-1e307' if s == 'job' else 16000},2023" for s in (*statuses, "resource_course")]
    (folder / "unit_costs.csv").write_text("status,monthly_cost_dkk,price_year\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    err = _refused(capsys, _report(folder, out, _config(tmp_path), "--format", "html"), out)
    assert "unit_costs.csv" in err and "column 'monthly_cost_dkk'" in err and "(1×)" in err
    assert "row 2, status=job, value '-1e307'" in err


def test_the_formatter_rounds_any_finite_amount():
    # Decimal's default 28 digits made quantize fail from 10^28 up.
    assert Formatter("en").dkk(1e30) == "DKK\u00a01" + ",000" * 10
    assert Formatter("da").number(-1.5e300).startswith("\u22121.500.000")
    assert Formatter("en").number(2.5) == "3"


# -- 5. settings beyond their bounds ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "key", "words"),
    [
        ("bootstrap_replicates = 1000000000\n", "'bootstrap_replicates'", "from 1 to 100,000"),
        ("[comparison]\nevent_window = [-100000, 100000]\n", "'comparison.event_window'", "within ±240"),
        ("programme_cost_dkk = 1e308\n", "'programme_cost_dkk'", "at most 1,000,000,000,000"),
    ],
)
def test_a_setting_beyond_its_bound_is_refused(tmp_path, capsys, setting, key, words):
    folder = build_extract(tmp_path / "extract")
    config = tmp_path / "small.toml"
    body = SETTINGS.replace("bootstrap_replicates = 50\n", "") if "bootstrap" in setting else SETTINGS
    config.write_text(body + setting, encoding="utf-8")
    out = tmp_path / "out"
    err = _refused(capsys, _report(folder, out, config, "--format", "html"), out)
    assert "small.toml" in err and f"column {key}" in err and words in err


# -- 6. SOURCE_DATE_EPOCH --------------------------------------------------------------------------------------


def _child(args: list[str], epoch: str) -> subprocess.CompletedProcess[str]:
    """The CLI in a fresh interpreter: numpy reads SOURCE_DATE_EPOCH when scipy is first imported."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "SOURCE_DATE_EPOCH": epoch}
    return subprocess.run([sys.executable, "-m", "opgang_eval", *args], env=env, capture_output=True, text=True)


@pytest.mark.parametrize("epoch", ["abc", "1e9", " "])
@pytest.mark.parametrize("command", ["report", "sample"])
def test_a_bad_source_date_epoch_is_named_before_any_import_trips_on_it(tmp_path, epoch, command):
    folder = build_extract(tmp_path / "extract")
    out = tmp_path / "out"
    args = _report(folder, out, _config(tmp_path), "--format", "html") if command == "report" else ["sample", str(out)]
    done = _child(args, epoch)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "SOURCE_DATE_EPOCH must be whole seconds since 1970-01-01" in done.stderr and "unset it" in done.stderr
    assert not out.exists()


def test_an_empty_source_date_epoch_means_unset(tmp_path):
    folder = build_extract(tmp_path / "extract")
    out = tmp_path / "out"
    done = _child(_report(folder, out, _config(tmp_path), "--format", "html"), "")
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").exists()


# -- 7. an end month in the future ----------------------------------------------------------------------------


def test_an_end_in_the_future_is_named_as_such(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    out = tmp_path / "out"
    err = _refused(capsys, _report(folder, out, _config(tmp_path, end="2099-12"), "--format", "html"), out)
    assert "column 'end'" in err and "value '2099-12'" in err
    assert "end = 2099-12 is in the future (after " in err
    assert "and after the last month of parent_status (2023-08)" in err
    assert "Set end to 2023-08 or earlier, or leave end out" in err
    assert "price" not in err


def test_next_month_as_end_is_refused_too(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    out = tmp_path / "out"
    month = str(pd.Period(dt.date.today(), "M") + 1)
    err = _refused(capsys, _report(folder, out, _config(tmp_path, end=month), "--format", "html"), out)
    assert f"end = {month} is in the future" in err


# -- 8. the --config file --------------------------------------------------------------------------------------


def test_a_missing_config_file_is_said_not_to_exist(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    out = tmp_path / "out"
    err = _refused(capsys, _report(folder, out, tmp_path / "missing.toml", "--format", "html"), out)
    assert "missing.toml" in err and "does not exist" in err and "TOML syntax" not in err


def test_a_config_folder_and_bad_toml_get_their_own_messages(tmp_path, capsys):
    folder = build_extract(tmp_path / "extract")
    out = tmp_path / "out"
    (tmp_path / "settings").mkdir()
    err = _refused(capsys, _report(folder, out, tmp_path / "settings", "--format", "html"), out)
    assert "is a folder" in err and "TOML syntax" not in err
    broken = tmp_path / "broken.toml"
    broken.write_text('end = "2023-08\n', encoding="utf-8")
    err = _refused(capsys, _report(folder, out, broken, "--format", "html"), out)
    assert "not valid TOML" in err and "Fix the TOML syntax" in err
    latin = tmp_path / "latin.toml"
    latin.write_bytes('lang = "da" # område\n'.encode("latin-1"))
    err = _refused(capsys, _report(folder, out, latin, "--format", "html"), out)
    assert "not UTF-8" in err


# -- found by the fuzz target (benchmarks/fuzz_cli.py) ------------------------------------------------------------


def test_an_end_month_before_anyone_is_in_work_gives_reasons_not_a_traceback(tmp_path, capsys):
    # end = 2020-06: no parent of the hand-built extract is in work or education yet, so the flexjob
    # share (of those in work or education) has no rows in either arm: no regression to fit.
    folder = build_extract(tmp_path / "extract")
    config = _config(tmp_path, end="2020-06")
    ev = oe.evaluate(oe.load(folder), oe.Config.from_toml(config))
    assert ev.arms["intervention"]["parents_in_work_or_education"].estimate == 0
    effect = ev.effects["flexjob_share_of_work_or_education"]
    assert np.isnan(effect.estimate) and "no family of one of the groups has the data" in effect.reason
    out = tmp_path / "out"
    assert main(_report(folder, out, config, "--format", "html")) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert (out / "report.html").exists()
