"""Disclosure control (contract section 5): the rules, and what actually leaves the process.

First the rules a count and a share must pass on their own
(:mod:`opgang_eval.release.collect`; secondary suppression over linked tables
is the engine's, tested in ``test_release_engine``). Then the rendered
report as a security property: on the hand-built extract of
``report_helpers`` and on the committed ``data/sample``, no person_id or
family_id appears in any output file, no count cell shows 1 … min_cell−1,
tiny groups read "<5" in the HTML *and* the spreadsheet, no hidden cell
can be recovered by subtracting shown numbers, and a higher ``min_cell``
hides more.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import opgang_eval as oe
from handbuilt import load
from opgang_eval.release.collect import count_ok, share_ok
from report_helpers import (
    CONFIG,
    EPOCH,
    build_extract,
    html_tables,
    input_ids,
    leaked_ids,
    tokens,
    xlsx_tables,
)

SAMPLE = Path(__file__).parents[1] / "data" / "sample"


# -- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "min_cell", "ok"),
    [
        (0, 5, True),  # zero may be shown
        (1, 5, False),
        (4, 5, False),
        (4.0, 5, False),
        (5, 5, True),
        (94, 5, True),
        (9, 10, False),
        (10, 10, True),
    ],
)
def test_count_ok(n, min_cell, ok):
    assert count_ok(n, min_cell) is ok


@pytest.mark.parametrize(
    ("k", "n", "ok", "why"),
    [
        (49, 94, True, "both parts large"),
        (3, 94, False, "3 % of 94 reveals three persons"),
        (90, 94, False, "96 % of 94 reveals the four others"),
        (0, 94, True, "0 % is a zero count"),
        (94, 94, True, "100 %: the complement is zero"),
        (5, 10, True, "5 and 5"),
        (5, 9, False, "complement 4"),
        (2, 4, False, "denominator below min_cell"),
        (0, 3, False, "0 % of 3 still rests on three persons"),
    ],
)
def test_share_ok(k, n, ok, why):
    assert share_ok(k, n, 5) is ok, why


def test_share_ok_with_a_higher_threshold():
    assert share_ok(5, 17, 5)
    assert not share_ok(5, 17, 10)  # numerator 5 < 10
    assert share_ok(10, 20, 10)
    assert not share_ok(10, 19, 10)  # complement 9


# -- the rendered report --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def handbuilt_folder(tmp_path_factory) -> Path:
    return build_extract(tmp_path_factory.mktemp("handbuilt") / "extract")


@pytest.fixture(scope="module")
def handbuilt_ev(handbuilt_folder) -> oe.Evaluation:
    return oe.evaluate(load(handbuilt_folder), config=CONFIG)


def _render(ev: oe.Evaluation, out: Path, lang: str, formats=("html", "pdf", "xlsx"), ledger: bool = True) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
        oe.render_report(ev, out, formats=formats, lang=lang, ledger=ledger)
    return out


@pytest.fixture(scope="module")
def handbuilt_reports(handbuilt_ev, tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("handbuilt-reports")
    return {lang: _render(handbuilt_ev, root / lang, lang) for lang in ("da", "en")}


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory) -> Path:
    ev = oe.evaluate(load(SAMPLE), config={"bootstrap_replicates": 200})
    return _render(ev, tmp_path_factory.mktemp("sample-report") / "da", "da", ledger=False)  # the committed sample


@pytest.fixture(scope="module")
def reports(handbuilt_folder, handbuilt_reports, sample_report) -> dict[str, tuple[Path, Path]]:
    """Report folder and the extract folder it came from."""
    return {
        "handbuilt-da": (handbuilt_reports["da"], handbuilt_folder),
        "handbuilt-en": (handbuilt_reports["en"], handbuilt_folder),
        "sample-da": (sample_report, SAMPLE),
    }


def test_input_ids_are_read_from_the_extracts(handbuilt_folder):
    ids = input_ids(handbuilt_folder)
    # 24 families + 31 parents (17 + 14) + 24 children
    assert len(ids) == 24 + 31 + 24
    assert {"FX-I01", "PX-I01a", "KX-C12"} <= ids
    assert len(input_ids(SAMPLE)) == 124 + 194 + 376  # families.csv, parents.csv, children.csv rows


def test_the_id_scan_finds_an_id_when_there_is_one():
    assert tokens("Familie FX-I01 (n = 3)") & {"FX-I01"} == {"FX-I01"}
    assert tokens('<text id="PX-I01a">') & {"PX-I01a"} == {"PX-I01a"}
    assert tokens("F00011") & {"F0001"} == set()  # a longer token is not the id


@pytest.mark.parametrize("name", ["handbuilt-da", "handbuilt-en", "sample-da"])
def test_no_person_or_family_id_in_any_output(reports, name):
    out, extract = reports[name]
    files = {"report.html", "report.pdf", "tables.xlsx"} | {f"figures/{p.name}" for p in (out / "figures").glob("*")}
    assert len(files) > 3  # figures were written too, and are scanned
    assert leaked_ids(out, input_ids(extract)) == {}


COUNT_HEADERS = {"Antal", "N", "Rækker", "Rows"}
FLOW_CAPTIONS = {"Deltagere", "Participants"}
HIDDEN = {"<5", "–", "", "skjult", "hidden"}  # "skjult"/"hidden": withheld to protect another cell


def _as_int(text: str) -> int:
    return int(text.replace(".", "").replace(",", ""))


def _count_cells(tables: list[dict]) -> list[tuple[str, object]]:
    """(where, value) of every cell that holds a count: flow table, N/Antal/Rows columns, by-site "(n = …)"."""
    out = []
    for table in tables:
        header = [str(h) for h in table["header"]]
        columns = [j for j, h in enumerate(header) if h in COUNT_HEADERS]
        if table["caption"] in FLOW_CAPTIONS:
            columns = list(range(1, len(header)))
        for row in table["rows"]:
            for j in columns:
                out.append((f"{table['caption']} / {row[0]} / {header[j]}", row[j]))
            for j, cell in enumerate(row):
                for n in re.findall(r"\(n = ([\d.,]+)\)", str(cell)):
                    out.append((f"{table['caption']} / {row[0]} / {header[j]}", n))
    return out


def _small_counts(cells: list[tuple[str, object]], min_cell: int) -> list[tuple[str, object]]:
    bad = []
    for where, value in cells:
        if value is None or value in HIDDEN or value == f"<{min_cell}":
            continue
        n = value if isinstance(value, int | float) else _as_int(str(value))
        if 0 < n < min_cell:
            bad.append((where, value))
    return bad


@pytest.mark.parametrize("name", ["handbuilt-da", "handbuilt-en", "sample-da"])
def test_no_count_below_min_cell_in_html_or_spreadsheet(reports, name):
    out, _ = reports[name]
    html = html_tables((out / "report.html").read_text(encoding="utf-8"))
    sheets = list(xlsx_tables(out / "tables.xlsx").values())
    html_cells, xlsx_cells = _count_cells(html), _count_cells(sheets)
    assert len(html_cells) > 40 and len(xlsx_cells) > 40  # the flow table alone has 22
    assert _small_counts(html_cells, 5) == []
    assert _small_counts(xlsx_cells, 5) == []


def test_hand_built_report_hides_the_small_counts_it_holds(handbuilt_reports):
    tables = {t["caption"]: t for t in html_tables((handbuilt_reports["da"] / "report.html").read_text("utf-8"))}
    flow = {row[0]: row[1:] for row in tables["Deltagere"]["rows"]}
    # one family (FX-I12) left before the end; no control family did
    assert flow["Familier, der stoppede før slut"] == ["<5", "0"]
    # three control children have absence rows in both school years
    assert flow["Indgår i: Ændring i børnenes skolefravær"] == ["12", "<5"]


def _labels(lang: str) -> tuple[str, str, str]:
    if lang == "da":
        return "Kontrol", "Familiernes egen vurdering", "Ændring i børnenes skolefravær"
    return "Control", "Families' own assessment", "Change in children's school absence"


@pytest.mark.parametrize("lang", ["da", "en"])
def test_tiny_groups_read_marker_in_html(handbuilt_reports, lang):
    out = handbuilt_reports[lang]
    html = {t["caption"]: t for t in html_tables((out / "report.html").read_text(encoding="utf-8"))}
    control, survey, absence = _labels(lang)
    # Survey: three control parents answered both waves (C01a, C02a, C03a) → every cell hidden, n too.
    row = next(r for r in html[survey]["rows"] if r[1] == control)
    assert row[2:] == ["<5"] * 6
    # School absence: three control children → before, after, change, interval and n hidden.
    row = next(r for r in html[absence]["rows"] if r[0] == control)
    assert row[1:] == ["<5"] * 5


@pytest.mark.parametrize("lang", ["da", "en"])
def test_tiny_absence_group_reads_marker_in_spreadsheet(handbuilt_reports, lang):
    control, _, _ = _labels(lang)
    xlsx = xlsx_tables(handbuilt_reports[lang] / "tables.xlsx")
    row = next(r for r in xlsx["school_absence_change"]["rows"] if r[0] == control)
    assert row[1:] == ["<5"] * 6  # before, after, change, the interval's two bounds, n


@pytest.mark.parametrize("lang", ["da", "en"])
def test_tiny_survey_group_reads_marker_in_spreadsheet(handbuilt_reports, lang):
    # The HTML shows "<5" for the three control parents; the spreadsheet must say the same
    # (contract: such cells read "<5"), not leave the cells blank as if there were no data.
    control, _, _ = _labels(lang)
    xlsx = xlsx_tables(handbuilt_reports[lang] / "tables.xlsx")
    row = next(r for r in xlsx["survey"]["rows"] if r[1] == control)
    assert row[2:] == ["<5"] * 7  # before, after, change, the interval's two bounds, p, n


def test_hidden_arm_count_cannot_be_recovered_from_the_difference_row(handbuilt_reports):
    # School absence: the control N (3 children) is hidden, but the difference row's N counts both arms
    # (12 + 3 = 15): 15 − 12 gives the hidden 3 back. Whenever an arm's N is hidden, the difference
    # row's N must not be shown as a number.
    for lang in ("da", "en"):
        out = handbuilt_reports[lang]
        checked = 0
        for table in html_tables((out / "report.html").read_text(encoding="utf-8")):
            header = table["header"]
            if not header or header[-1] not in ("Antal", "N") or header[0] not in ("Gruppe", "Group"):
                continue
            arms = [r for r in table["rows"] if r[0] not in ("Forskel", "Difference")]
            difference = [r for r in table["rows"] if r[0] in ("Forskel", "Difference")]
            if any(r[-1] == "<5" for r in arms) and difference:
                checked += 1
                assert not difference[0][-1].replace(".", "").replace(",", "").isdigit(), (
                    f"{lang}: {table['caption']}: N of the difference row {difference[0][-1]} minus the shown "
                    f"arm N gives the hidden count"
                )
        assert checked >= 1  # the school absence table has a hidden control N


def test_by_site_cells_cannot_be_recovered_from_the_total(handbuilt_reports):
    # Intervention parents: Gellerup 15, Tilst 2 (I11a job, I12a cash benefit); children: 10 and 2.
    # The flow table and the measure tables show the totals (17 parents, 12 children); the by-site
    # table shows Gellerup "60 % (n = 15)" and Tilst "<5" — so Tilst's n = 17 − 15 = 2 and its number
    # in work = 10 − 9 = 1 are recovered by subtraction. With every family in a site, a measure row
    # with exactly one hidden site must hide a second one (contract section 5).
    out = handbuilt_reports["da"]
    tables = {t["caption"]: t for t in html_tables((out / "report.html").read_text(encoding="utf-8"))}
    by_site = tables["Resultater pr. område"]
    # Tilst has fewer than min_cell families, so it is shown (hidden) as "other sites", never by name.
    assert by_site["header"] == ["Forhold", "Gellerup", "Øvrige områder"]
    assert len(by_site["rows"]) == 6  # every headline measure but savings
    for row in by_site["rows"]:
        hidden = [cell for cell in row[1:] if cell in ("<5", "skjult")]
        shown = [cell for cell in row[1:] if cell not in ("<5", "skjult", "–")]
        # a single hidden site beside shown sites is the total minus the shown ones
        assert not (len(hidden) == 1 and shown), f"{row[0]}: {row[1:]} — the hidden site follows from the total"


def test_share_with_a_small_complement_is_hidden_in_the_baseline_table(handbuilt_reports):
    # Status in the month before enrolment, intervention: 15 of 17 on cash benefit, I10a on sickness
    # benefit, I12a in a resource course. "88 %" of 17 parents says that 2 were not on cash benefit,
    # and with the sickness and resource rows reading "<5" (so 1–4 each) both are 1: two single persons
    # disclosed. share_ok(15, 17) is False (complement 2), so the cell must read "<5".
    assert not share_ok(15, 17, 5)
    out = handbuilt_reports["da"]
    tables = {t["caption"]: t for t in html_tables((out / "report.html").read_text(encoding="utf-8"))}
    rows = {r[0]: r[1:] for r in tables["Udgangspunkt"]["rows"]}
    assert rows["Status før start: Sygedagpenge"][0] == "<5"
    assert rows["Status før start: Ressourceforløb"][0] == "<5"
    assert rows["Status før start: Kontanthjælp m.fl."][0] == "<5"


# -- a higher threshold -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def strict_report(handbuilt_folder, tmp_path_factory) -> Path:
    ev = oe.evaluate(load(handbuilt_folder), config={**CONFIG, "min_cell": 10})
    # The same families were reported at min_cell 5 (handbuilt_reports): a release under another min_cell is
    # refused by the ledger, so this comparison is a draft.
    return _render(ev, tmp_path_factory.mktemp("strict") / "da", "da", formats=("html", "xlsx"), ledger=False)


def _hidden_cells(tables: list[dict], mark: str) -> int:
    return sum(cell == mark for t in tables for row in t["rows"] for cell in row)


def test_min_cell_10_hides_more(strict_report, handbuilt_reports):
    html = (strict_report / "report.html").read_text(encoding="utf-8")
    tables = html_tables(html)
    by_caption = {t["caption"]: t for t in tables}
    normal = html_tables((handbuilt_reports["da"] / "report.html").read_text(encoding="utf-8"))
    assert _hidden_cells(tables, "<10") > _hidden_cells(normal, "<5")
    assert "«&lt;10»" in html  # the note names the threshold
    # flexjob among the 10 intervention parents in work: 5 → hidden at 10. Its n (10) is the work share's
    # numerator, which is hidden (complement 7 < 10): printed, it would give 17 − 10 = 7 away, so it is withheld.
    flex = {r[0]: r[1:] for r in by_caption["Heraf i fleksjob"]["rows"]}
    assert flex["Indsats"] == ["<10", "<10", "skjult"]
    # The parents' counts (17 and 14) are withheld too: both work shares are hidden (complements 7 and 9), and
    # with the control arm's count hidden, the intervention's 17 and the parents file's 31 rows would give it
    # by subtraction (the release protects the counts of every table together).
    retired = {r[0]: r[1:] for r in by_caption["Forældre på førtidspension"]["rows"]}
    assert retired["Indsats"] == ["<10", "<10", "skjult"]
    # work or education: 10 of 17 (complement 7 < 10) → hidden; control 5 of 14 → hidden
    work = {r[0]: r[1:] for r in by_caption["Forældre i beskæftigelse eller uddannelse"]["rows"]}
    assert work["Indsats"] == ["<10", "<10", "skjult"]
    assert work["Kontrol"] == ["<10", "<10", "skjult"]
    flow = {r[0]: r[1:] for r in by_caption["Deltagere"]["rows"]}
    assert flow["Indgår i: Heraf i fleksjob"] == ["skjult", "<10"]  # intervention: the 10 in work; control: 5
    # so the headline drops the share sentences (and the effect, whose control arm is hidden)
    headline = re.search(r'<section class="headline".*?</section>', html, re.S).group(0)
    assert "af forældrene er kommet i uddannelse eller beskæftigelse" not in headline
    assert "førtidspension" not in headline
    assert "Sammenlignet med kontrolgruppen" not in headline
    # and no count between 1 and 9 is left in any count cell
    assert _small_counts(_count_cells(tables), 10) == []
    xlsx = list(xlsx_tables(strict_report / "tables.xlsx").values())
    assert _small_counts(_count_cells(xlsx), 10) == []
