"""The release ledger in the report (issue 12, part 6), through the CLI and ``render_report``.

Every extract here is a copy of ``data/sample`` (or a hand-built folder) in
``tmp_path``: the ledger is written into the extract folder, and the
committed sample must stay as it is (tests that merely render the sample
pass ``--no-ledger``/``ledger=False``). The counts below are read off the
sample's ``families.csv``: intervention 47 families in Gellerup and 15 in
Toveshøj (62), control 46 and 16 (62); ``min_cell`` is 5.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import pytest

import opgang_eval as oe
from handbuilt import load, spell, write_extract
from opgang_eval.cli import main
from opgang_eval.release.ledger import LEDGER, LOCK, SALT, Ledger
from report_helpers import input_ids, tokens, xlsx_tables

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
LEDGER_FILES = (LEDGER, SALT, LOCK)


def _copy_sample(folder: Path) -> Path:
    """The sample's extract files (not a ledger a local ``make report`` may have left in data/sample)."""
    shutil.copytree(SAMPLE, folder, ignore=shutil.ignore_patterns(".*"))
    return folder


def _config(tmp_path: Path) -> Path:
    """The sample's settings with a small bootstrap (``--config`` replaces the folder's file)."""
    text = (SAMPLE / "evaluation.toml").read_text(encoding="utf-8")
    path = tmp_path / "small.toml"
    path.write_text(re.sub(r"(?m)^bootstrap_replicates = \d+", "bootstrap_replicates = 50", text), encoding="utf-8")
    return path


def _report(folder: Path, out: Path, config: Path, *options: str) -> list[str]:
    return [
        "report",
        str(folder),
        "--out",
        str(out),
        "--config",
        str(config),
        "--quiet",
        "--format=html,xlsx",
        *options,
    ]


def _rows(path: Path) -> tuple[str, list[tuple[str, dict[str, str]]]]:
    """A CSV file's header line and its lines with their fields (each line kept as written)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    header = next(csv.reader([lines[0]]))
    return lines[0], [(line, dict(zip(header, next(csv.reader([line])), strict=True))) for line in lines[1:] if line]


def _families(folder: Path) -> list[dict[str, str]]:
    return [fields for _, fields in _rows(folder / "families.csv")[1]]


def _drop(folder: Path, families: set[str]) -> None:
    """Remove ``families`` from every table: their rows, their parents' and children's rows."""
    persons = {
        fields["person_id"]
        for name in ("parents", "children")
        for _, fields in _rows(folder / f"{name}.csv")[1]
        if fields["family_id"] in families
    }
    assert persons  # every family of the sample has parents
    for path in folder.glob("*.csv"):
        header, rows = _rows(path)
        kept = [
            line
            for line, fields in rows
            if fields.get("family_id") not in families and fields.get("person_id") not in persons
        ]
        path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")


def _move(folder: Path, families: set[str], site: str) -> None:
    """Put ``families`` into ``site`` (families.csv only; nothing else names a site)."""
    header, rows = _rows(folder / "families.csv")
    names = next(csv.reader([header]))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for _, fields in rows:
        if fields["family_id"] in families:
            fields["site"] = site
        writer.writerow([fields[n] for n in names])
    (folder / "families.csv").write_text(out.getvalue(), encoding="utf-8")


def _row(table: dict, label: str) -> list:
    """A by-site row's results, one per site (the spreadsheet gives each site its result and its n)."""
    (row,) = [row[1::2] for row in table["rows"] if row[0] == label]
    return row


def _ids(folder: Path, arm: str, site: str) -> list[str]:
    return sorted(f["family_id"] for f in _families(folder) if f["arm"] == arm and f["site"] == site)


# -- two reports one family apart ------------------------------------------------------------------------------------


def test_a_report_one_family_short_of_an_earlier_one_is_refused(tmp_path, capsys):
    extract = _copy_sample(tmp_path / "extract")
    config = _config(tmp_path)
    assert main(_report(extract, tmp_path / "first", config)) == 0
    assert sorted(p.name for p in extract.iterdir() if p.name.startswith(".")) == sorted(LEDGER_FILES)
    recorded = (extract / LEDGER).read_bytes()

    # One Gellerup intervention family less: the arm has 61 families instead of 62, 1 apart (1 <= 1 <= 4).
    hidden = _ids(extract, "intervention", "Gellerup")[0]
    before = input_ids(extract)
    _drop(extract, {hidden})
    gone = before - input_ids(extract)
    assert hidden in gone and len(gone) > 1  # the family, its parents and children
    capsys.readouterr()
    second = tmp_path / "second"
    assert main(_report(extract, second, config)) == 2
    stdout, stderr = capsys.readouterr()
    assert not second.exists()  # nothing of the second report was published ...
    assert stdout == ""  # ... nor printed
    assert LEDGER in stderr
    assert "release ledger" in stderr and "--no-ledger" in stderr and "intervention arm" in stderr
    assert "Traceback" not in stderr
    assert tokens(stderr) & gone == set()  # no id of the dropped family in the message
    assert (extract / LEDGER).read_bytes() == recorded  # a refused report records nothing

    # The API refuses alike.
    ev = oe.evaluate(load(extract), config=config, progress=False)
    with pytest.raises(oe.ConfigError, match="no-ledger"):
        oe.render_report(ev, second, formats=("html",), progress=False)
    assert not second.exists()

    # Only when the first report was never released: --no-ledger neither checks nor records.
    assert main(_report(extract, second, config, "--no-ledger")) == 0
    assert (second / "report.html").is_file() and (second / "tables.xlsx").is_file()
    assert (extract / LEDGER).read_bytes() == recorded


def test_a_report_one_parent_short_of_an_earlier_one_is_refused(tmp_path, capsys):
    # The families are the same, but one parent fewer: the participants table (parents with a status, in work) and
    # the shares subtracted from the earlier report's give that parent's status in the end month.
    extract = _copy_sample(tmp_path / "extract")
    config = _config(tmp_path)
    assert main(_report(extract, tmp_path / "first", config)) == 0
    parents = _rows(extract / "parents.csv")[1]
    family = _ids(extract, "intervention", "Gellerup")[0]
    (dropped,) = [f["person_id"] for _, f in parents if f["family_id"] == family][:1]
    assert sum(f["family_id"] == family for _, f in parents) >= 2  # the family keeps a parent
    for path in extract.glob("*.csv"):
        header, rows = _rows(path)
        kept = [line for line, fields in rows if fields.get("person_id") != dropped]
        path.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8")
    capsys.readouterr()
    assert main(_report(extract, tmp_path / "second", config)) == 2
    stderr = capsys.readouterr().err
    assert "intervention arm's parents" in stderr and "Traceback" not in stderr
    assert dropped not in stderr
    assert not (tmp_path / "second").exists()


def test_a_report_of_the_same_families_under_another_min_cell_is_refused(tmp_path, capsys):
    # A review published the same extract with min_cell 6 and 8: the first printed a count the second hid to
    # protect a neighbour, and the other way round (34 − 32 = the 2 control parents in work). Same groups, other
    # settings: refused; the same settings again: fine.
    extract = _copy_sample(tmp_path / "extract")
    config = _config(tmp_path)
    assert main(_report(extract, tmp_path / "first", config)) == 0
    stricter = tmp_path / "stricter.toml"
    stricter.write_text(re.sub(r"(?m)^min_cell = 5", "min_cell = 8", config.read_text(encoding="utf-8")), "utf-8")
    capsys.readouterr()
    assert main(_report(extract, tmp_path / "second", stricter)) == 2
    stderr = capsys.readouterr().err
    assert "min_cell = 5" in stderr and "min_cell = 8" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "second").exists()
    assert Ledger.open(extract).releases[-1].settings == "min_cell = 5, dominance_share = 0.85"
    assert main(_report(extract, tmp_path / "again", config)) == 0


def test_the_same_report_twice_is_fine_and_the_ledger_holds_no_id(tmp_path, capsys):
    extract = _copy_sample(tmp_path / "extract")
    config = _config(tmp_path)
    assert main(_report(extract, tmp_path / "a", config)) == 0
    assert main(_report(extract, tmp_path / "b", config)) == 0  # the same families: a difference of 0
    releases = Ledger.open(extract).releases
    assert len(releases) == 2 and releases[0].keys == releases[1].keys
    assert releases[0].keys == (
        "arm:control",
        "arm:control/children",
        "arm:control/parents",
        "arm:intervention",
        "arm:intervention/children",
        "arm:intervention/parents",
        "site:Gellerup/arm:intervention",
        "site:Toveshøj/arm:intervention",
    )
    ids = input_ids(extract)
    assert len(ids) > 124  # 124 families and their parents and children
    for name in LEDGER_FILES:
        raw = (extract / name).read_bytes()
        text = raw.decode("latin-1")
        assert tokens(text) & ids == set(), name
        assert not any(i.encode() in raw for i in ids if len(i) > 5), name  # person ids, not even inside a run
    # The report folders hold no ledger file.
    assert not [p for p in (tmp_path / "a").rglob(".opgang-ledger*")]


# -- a site one family apart --------------------------------------------------------------------------------------


def test_a_site_one_family_apart_is_withheld_while_the_arm_is_published(tmp_path):
    extract = _copy_sample(tmp_path / "extract")
    # A third site: 10 intervention and 10 control families of Gellerup move to Hasle (37, 10, 15 intervention).
    hasle = set(_ids(extract, "intervention", "Gellerup")[-10:]) | set(_ids(extract, "control", "Gellerup")[-10:])
    _move(extract, hasle, "Hasle")
    config = {"bootstrap_replicates": 50}
    first = oe.evaluate(load(extract), config=config, progress=False)
    oe.render_report(first, tmp_path / "first", formats=("xlsx",), lang="en", progress=False)
    before = xlsx_tables(tmp_path / "first" / "tables.xlsx")["by_site"]
    assert before["header"][1::2] == ["Gellerup", "Hasle", "Toveshøj"]
    assert "hidden" not in before["note"]
    absence = "Change in children's school absence"
    assert all(isinstance(v, float) for v in _row(before, absence))  # every site's absence change is shown

    # Report 2: 1 Toveshøj family (15 -> 14: 1 apart) and 5 Gellerup families (37 -> 32: 5 apart) fewer;
    # the intervention arm has 62 - 6 = 56 families, 6 apart from 62; Hasle is unchanged (0 apart).
    _drop(extract, {_ids(extract, "intervention", "Toveshøj")[0], *_ids(extract, "intervention", "Gellerup")[:5]})
    second = oe.evaluate(load(extract), config=config, progress=False)
    sizes = [len(second.populations[f"site:{s}/arm:intervention"]) for s in ("Gellerup", "Hasle", "Toveshøj")]
    assert sizes == [32, 10, 14]
    oe.render_report(second, tmp_path / "second", formats=("xlsx",), lang="en", progress=False)
    table = xlsx_tables(tmp_path / "second" / "tables.xlsx")["by_site"]
    assert table["header"][1::2] == ["Gellerup", "Hasle", "Toveshøj"]
    assert "The results for Toveshøj are hidden" in table["note"]
    assert "Gellerup" not in table["note"] and "Hasle" not in table["note"]
    toveshoj = [row[5] for row in table["rows"] if row[5] is not None]
    assert toveshoj and all(v in ("hidden", "<5") for v in toveshoj)  # every Toveshøj result withheld
    # With the arm's total published, Toveshøj alone hidden would be the total minus the other two sites:
    # the shown site with fewer persons, Hasle (10 families against 32), is hidden with it; Gellerup stays.
    gellerup, hasle_cell, _ = _row(table, absence)
    assert isinstance(gellerup, float) and hasle_cell == "hidden"
    # The ledger records what was published: not Toveshøj (the next report is compared with the first for it).
    assert Ledger.open(extract).releases[-1].keys == (
        "arm:control",
        "arm:control/children",
        "arm:control/parents",
        "arm:intervention",
        "arm:intervention/children",
        "arm:intervention/parents",
        "site:Gellerup/arm:intervention",
        "site:Hasle/arm:intervention",
    )


# -- what the CLI prints -------------------------------------------------------------------------------------------

END = "2023-02"
ITV = [f"I{i:02d}" for i in range(1, 13)]
CTL = [f"C{i:02d}" for i in range(1, 7)]


def _small_extract(folder: Path) -> Path:
    """12 intervention families (10 parents in a job in E, 2 on cash benefit), 6 control (2 in a job)."""
    families = [f"{f},{'intervention' if f in ITV else 'control'},2022-03-01,Gellerup,," for f in ITV + CTL]
    parents = [f"P{f},{f},1985,F" for f in ITV + CTL]
    working = set(ITV[:10]) | set(CTL[:2])
    status: list[str] = []
    for f in ITV + CTL:
        status += [*spell(f"P{f}", "2022-03", "2023-01", "cash_benefit")]
        status.append(f"P{f},{END},{'job' if f in working else 'cash_benefit'}")
    return write_extract(folder, families=families, parents=parents, status=status)


def test_the_cli_prints_the_released_headline_not_the_unsuppressed_summary(tmp_path, capsys):
    extract = _small_extract(tmp_path / "extract")
    config = tmp_path / "small.toml"
    config.write_text(f'end = "{END}"\nbootstrap_replicates = 50\nseed = 7\nlang = "en"\n', encoding="utf-8")
    ev = oe.evaluate(load(extract), config=config, progress=False)
    work = ev.measures["parents_in_work_or_education"]
    # By hand: 10 of the 12 intervention parents in work, a complement of 2 (< 5): the share is not released.
    assert (work.estimate, work.n) == (pytest.approx(10 / 12), 12)
    assert "0.833" in str(ev)  # what the CLI used to print
    capsys.readouterr()
    out = tmp_path / "out"
    assert main(["report", str(extract), "--out", str(out), "--config", str(config), "--quiet"]) == 0
    stdout = capsys.readouterr().out
    for form in ("0.833", "0,833", "83%", "83 %", "83\xa0%", "83.3", "83,3", "0.333", "33%", "33 %", "33\xa0%"):
        assert form not in stdout, form
    assert "10 of 12" not in stdout and "10/12" not in stdout
    headline, _, written = stdout.partition("\nWrote ")
    assert re.match(r"\d+ files to ", written)  # the "Wrote N files" lines stay
    lines = [line for line in headline.splitlines() if line]
    assert lines  # the report's own headline, as released
    html = (out / "report.html").read_text(encoding="utf-8")
    import html as html_module

    text = html_module.unescape(html)
    assert all(line in text for line in lines)
