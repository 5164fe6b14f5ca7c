"""A small hand-built extract for the report tests, and readers for the rendered files.

The extract has 12 intervention and 12 control families (evaluation end
2023-08, everyone enrolled 2021-03-01), built so that most cells pass
``min_cell = 5`` and a few deliberately do not. Every number the report
tests expect is worked out by hand from the tables below, in the tests.

The readers only *parse* the report (HTML tables, spreadsheet sheets, PDF
text); they never compute an expected value.
"""

from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook
from pypdf import PdfReader

from handbuilt import spell, write_extract

ITV_FAMILIES = [f"I{i:02d}" for i in range(1, 13)]
CTL_FAMILIES = [f"C{i:02d}" for i in range(1, 13)]
EXITED = "I12"  # left the programme on 2022-06-30 (the only family that did)

#: Site of each family: the first ten of each arm in Gellerup, the last two in a tiny site.
TINY_SITE = "Tilst"

# parent id → (birth_year, sex, status in 2021-02 (month before enrolment), status 2021-03 … 2023-08)
ITV_PARENTS = {
    "I01a": (1985, "F", "cash_benefit", "job"),
    "I01b": (1983, "M", "cash_benefit", "flexjob"),
    "I02a": (1990, "F", "cash_benefit", "job"),
    "I02b": (1988, "M", "cash_benefit", "flexjob"),
    "I03a": (1979, "F", "cash_benefit", "job"),
    "I03b": (1977, "M", "cash_benefit", "flexjob"),
    "I04a": (1992, "F", "cash_benefit", "education"),
    "I04b": (1970, "M", "cash_benefit", "early_retirement"),
    "I05a": (1986, "F", "cash_benefit", "flexjob"),
    "I05b": (1972, "M", "cash_benefit", "early_retirement"),
    "I06a": (1981, "F", "cash_benefit", "flexjob"),
    "I07a": (1968, "F", "cash_benefit", "early_retirement"),
    "I08a": (1975, "F", "cash_benefit", "early_retirement"),
    "I09a": (1974, "M", "cash_benefit", "early_retirement"),
    "I10a": (1984, "F", "sickness_benefit", "cash_benefit"),
    "I11a": (1989, "F", "cash_benefit", "job"),
    "I12a": (1987, "M", "resource_course", "cash_benefit"),
}
CTL_PARENTS = {
    "C01a": (1984, "F", "cash_benefit", "job"),
    "C01b": (1982, "M", "cash_benefit", "cash_benefit"),
    "C02a": (1980, "F", "cash_benefit", "job"),
    "C02b": (1978, "M", "cash_benefit", "early_retirement"),
    "C03a": (1991, "F", "cash_benefit", "job"),
    "C04a": (1986, "M", "cash_benefit", "flexjob"),
    "C05a": (1976, "F", "cash_benefit", "education"),
    "C06a": (1973, "F", "cash_benefit", "early_retirement"),
    "C07a": (1983, "M", "cash_benefit", "cash_benefit"),
    "C08a": (1987, "F", "cash_benefit", "cash_benefit"),
    "C09a": (1979, "M", "cash_benefit", "cash_benefit"),
    "C10a": (1985, "F", "cash_benefit", "cash_benefit"),
    "C11a": (1988, "F", "cash_benefit", "cash_benefit"),
    "C12a": (1981, "M", "cash_benefit", "cash_benefit"),
}
#: These two have statuses from 2019-03 only: 24 (not 36) months on benefits before enrolment.
SHORT_HISTORY = ("I01a", "I02a")

#: One child per family, born 2007 (13 in 2020 … 16 in 2023: a youth in both windows).
#: Absence: every intervention child 20 of 200 days in 2019/20 and 15 of 200 in 2022/23;
#: only three control children have absence rows (10 → 12 days of 200).
ABSENCE_CONTROL = ("C01", "C02", "C03")
#: Youth jobs: a job month in 2020-06 (before) and/or 2023-06 (after).
JOB_BEFORE = ("I01", "I02", "I03", "I04", "I05", "C01", "C02", "C03", "C04", "C05")
JOB_AFTER = ("I01", "I02", "I03", "I04", "I05", "I06", "I07", "C06", "C07", "C08", "C09", "C10")

#: Survey item ``surplus``: (baseline, follow-up) for the parents who answered both waves.
SURVEY_ITV = {
    "I01a": (2, 3),
    "I02a": (2, 4),
    "I03a": (3, 3),
    "I04a": (2, 3),
    "I05a": (1, 3),
    "I06a": (3, 4),
    "I07a": (2, 2),
    "I08a": (2, 4),
    "I09a": (3, 4),
    "I10a": (2, 3),
    "I11a": (2, 3),
    "I12a": (1, 2),
}
SURVEY_CTL = {"C01a": (3, 4), "C02a": (2, 2), "C03a": (4, 3)}  # only three control parents: a tiny group
SURVEY_CTL_BASELINE_ONLY = ("C04a", "C05a", "C06a", "C07a")

#: Expenditure: one amount per family in 2023-03 (the price year), so every family of an arm costs the same.
COST_ITV, COST_CTL = 10_000, 40_000
PROGRAMME_COST = 300_000

CONFIG = {"end": "2023-08", "bootstrap_replicates": 200, "seed": 7, "programme_cost_dkk": PROGRAMME_COST}

#: 2024-01-15 00:00 UTC.
EPOCH = "1705276800"


def family_id(f: str) -> str:
    return f"FX-{f}"


def person_id(p: str) -> str:
    return f"PX-{p}"


def child_id(f: str) -> str:
    return f"KX-{f}"


def _quoted(value: str) -> str:
    """A CSV field, quoted (and inner quotes doubled) the way a spreadsheet would write it."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="").writerow([value])
    return buffer.getvalue()


def build_extract(
    folder: Path, tiny_site: str = TINY_SITE, strata: tuple[str, str] | None = None, big_site: str = "Gellerup"
) -> Path:
    """Write the hand-built extract into ``folder``.

    ``tiny_site`` names the site of the last two families of each arm (it is
    written quoted; with 4 families it is shown only as "other sites"),
    ``big_site`` that of the first ten of each arm (quoted too); ``strata`` gives two stratum names alternated over the
    families (written quoted), else no stratum.
    """
    families = []
    for arm, fams in (("intervention", ITV_FAMILIES), ("control", CTL_FAMILIES)):
        for i, f in enumerate(fams, 1):
            site = _quoted(big_site) if i <= 10 else _quoted(tiny_site)
            stratum = _quoted(strata[i % 2]) if strata else ""
            exited = "2022-06-30" if f == EXITED else ""
            families.append(f"{family_id(f)},{arm},2021-03-01,{site},{stratum},{exited}")
    everyone = {**ITV_PARENTS, **CTL_PARENTS}
    parents = [f"{person_id(p)},{family_id(p[:3])},{by},{sex}" for p, (by, sex, _, _) in everyone.items()]
    status = []
    for p, (_, _, before, after) in everyone.items():
        status += spell(person_id(p), "2019-03" if p in SHORT_HISTORY else "2018-03", "2021-02", before)
        status += spell(person_id(p), "2021-03", "2023-08", after)
    children = [f"{child_id(f)},{family_id(f)},2007,F" for f in ITV_FAMILIES + CTL_FAMILIES]
    absence = []
    for f in ITV_FAMILIES:
        absence += [f"{child_id(f)},2019/20,20,200", f"{child_id(f)},2022/23,15,200"]
    for f in ABSENCE_CONTROL:
        absence += [f"{child_id(f)},2019/20,10,200", f"{child_id(f)},2022/23,12,200"]
    youth = [f"{child_id(f)},2020-06,2500" for f in JOB_BEFORE]
    youth += [f"{child_id(f)},2023-06,3000" for f in JOB_AFTER]
    survey = []
    for p, (b, a) in {**SURVEY_ITV, **SURVEY_CTL}.items():
        survey += [f"{person_id(p)},baseline,surplus,{b}", f"{person_id(p)},followup,surplus,{a}"]
    survey += [f"{person_id(p)},baseline,surplus,3" for p in SURVEY_CTL_BASELINE_ONLY]
    write_extract(
        folder,
        families=families,
        parents=parents,
        status=status,
        children=children,
        school_absence=absence,
        youth_jobs=youth,
        survey=survey,
    )
    expenditure = ["family_id,month,domain,amount_dkk"]
    expenditure += [f"{family_id(f)},2023-03,social,{COST_ITV}" for f in ITV_FAMILIES]
    expenditure += [f"{family_id(f)},2023-03,social,{COST_CTL}" for f in CTL_FAMILIES]
    (folder / "expenditure.csv").write_text("\n".join(expenditure) + "\n", encoding="utf-8")
    return folder


def input_ids(folder: Path) -> set[str]:
    """Every family_id and person_id in an extract folder's CSV files."""
    ids: set[str] = set()
    for path in folder.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                for column in ("family_id", "person_id"):
                    if row.get(column):
                        ids.add(row[column])
    return ids


# -- readers --------------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """Collects every ``<table>``: caption, header cells and body rows as text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._in_caption = False
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "header": [], "rows": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "thead":
            self._in_head = True
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption":
            self._in_caption = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if self._in_head:
                table["header"] = self._row
            else:
                table["rows"].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._in_caption and self.tables:
            self.tables[-1]["caption"] += data
        elif self._cell is not None:
            self._cell.append(data)


def html_tables(html: str) -> list[dict]:
    """The report's tables as ``{"caption", "header", "rows"}`` with unescaped cell text."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def xlsx_tables(path: Path) -> dict[str, dict]:
    """Each sheet of ``tables.xlsx`` as ``{"caption", "header", "rows", "note"}`` (cell values as stored)."""
    book = load_workbook(path)
    out = {}
    for sheet in book.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        body = rows[2:]
        note = ""
        if len(body) >= 2 and all(v is None for v in body[-2]) and body[-1][1:] == [None] * (len(body[-1]) - 1):
            note = body[-1][0]
            body = body[:-2]
        out[sheet.title] = {"caption": rows[0][0], "header": rows[1], "rows": body, "note": note}
    return out


def pdf_text(path: Path) -> str:
    """The PDF's text with line breaks joined (a break after a hyphen joins without a space)."""
    reader = PdfReader(path)
    text = "\n".join(page.extract_text() for page in reader.pages)
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    text = re.sub(r"-[ \t]*\n[ \t]*", "-", text)
    text = re.sub(r"[ \t]*\n[ \t]*", " ", text)
    return text + " " + meta


def xlsx_strings(path: Path) -> str:
    """Every text inside ``tables.xlsx`` (all XML parts: cells, sheet names, properties)."""
    with zipfile.ZipFile(path) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())


def tokens(text: str) -> set[str]:
    """Id-like tokens of a text (letters, digits, ``-`` and ``_``)."""
    return set(re.findall(r"[A-Za-z0-9_-]+", text))


def leaked_ids(out: Path, ids: set[str]) -> dict[str, set[str]]:
    """Which of ``ids`` appear as whole tokens in each rendered file of a report folder."""
    texts = {"report.html": (out / "report.html").read_text(encoding="utf-8")}
    if (out / "report.pdf").exists():
        texts["report.pdf"] = pdf_text(out / "report.pdf")
    if (out / "tables.xlsx").exists():
        texts["tables.xlsx"] = xlsx_strings(out / "tables.xlsx")
    for svg in sorted((out / "figures").glob("*.svg")):
        texts[f"figures/{svg.name}"] = svg.read_text(encoding="utf-8")
    return {name: tokens(text) & ids for name, text in texts.items() if tokens(text) & ids}


def report_files(folder: Path) -> dict[str, bytes]:
    """What a reader of a report folder sees: every file under its visible names (links followed), with its bytes.

    The hidden version folder, pointer and lock (``.opgang-*``) are the
    publisher's; ``figures`` is a link, which ``rglob`` would not follow.
    """
    files = [
        Path(root, name)
        for top in folder.iterdir()
        if not top.name.startswith(".")
        for root, _, names in ([(top.parent, [], [top.name])] if top.is_file() else os.walk(top, followlinks=True))
        for name in names
    ]
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(files)}
