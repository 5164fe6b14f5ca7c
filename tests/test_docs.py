"""Documentation that cannot drift: every code block in README.md and docs/*.md is checked.

Each fenced block is one test, with the id ``file:line`` of its opening fence.

- ``python`` blocks run in order, one namespace per Markdown file, so a later
  block can use the names of an earlier one. Selecting a single block (``-k``)
  first runs the blocks above it in its file.
- ``sh``, ``bash`` and ``console`` blocks (only the ``$ `` lines of a console
  block): each ``opgang-eval …`` command — also written ``.venv/bin/opgang-eval``
  or ``python -m opgang_eval`` — goes through :func:`opgang_eval.cli.main` and
  must exit with status 0. They share the order and the folder of their file's
  Python blocks (``opgang-eval sample x`` then ``oe.load("x")`` works). Lines
  with ``make``, ``pip`` or ``python -m venv``/``pip`` are not run: they set up
  the environment this test runs in, and the fresh-clone check runs them.
  Any other command fails, so a new kind of command gets a way to check it.
- ``toml`` blocks are parsed, and checked with ``oe.Config.from_dict`` when
  they set any evaluation setting.
- ``csv`` blocks are parsed; a block whose header is a contract table's is read
  with the package's CSV reader and every column must parse without a problem.
- ``text`` blocks are not run.

Where blocks run: each Markdown file gets a fresh temporary folder holding a
*copy* of ``data/`` (so ``oe.load("data/sample")`` works and no block can
change the repository's data) as its working directory. Arguments under
``/tmp/`` are moved into that folder, so runs never meet an earlier run's
output and parallel runs do not collide. Matplotlib uses the Agg backend.

Also here: ``docs/cli.md`` must equal what :func:`opgang_eval.cli_docs.cli_markdown`
generates from the argument parser.
"""

from __future__ import annotations

import csv
import io
import re
import shlex
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt

import opgang_eval as oe
from opgang_eval.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]

PYTHON = {"python", "py"}
SHELL = {"sh", "bash", "shell", "console"}
KNOWN = PYTHON | SHELL | {"toml", "csv", "text"}

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")


@dataclass(frozen=True)
class Block:
    path: Path
    line: int  # of the opening fence, 1-based
    lang: str
    code: str

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT).as_posix()}:{self.line}"


def _blocks(path: Path) -> list[Block]:
    """Fenced code blocks of a Markdown file (CommonMark fences: ``` or ~~~, up to three spaces in)."""
    blocks, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = _FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"])
        body, j = [], i + 1
        while j < len(lines):
            closing = _FENCE.match(lines[j])
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"]
            ):
                break
            line = lines[j]
            body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
            j += 1
        lang = opening["info"].split()[0].lower() if opening["info"] else ""
        blocks.append(Block(path, i + 1, lang, "\n".join(body) + "\n"))
        i = j + 1
    return blocks


ALL_BLOCKS = [block for path in DOC_FILES for block in _blocks(path)]


def _of(langs: set[str]) -> list[pytest.param]:
    return [pytest.param(b, id=b.id) for b in ALL_BLOCKS if b.lang in langs]


def _runnable(path: Path) -> list[Block]:
    return [b for b in ALL_BLOCKS if b.path == path and b.lang in PYTHON | SHELL]


# -- the generated CLI reference -----------------------------------------------------------------------------------


def test_cli_reference_is_up_to_date():
    from opgang_eval.cli_docs import cli_markdown

    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == cli_markdown(), (
        "docs/cli.md differs from the argument parser; regenerate it with\n"
        "    .venv/bin/python -m opgang_eval.cli_docs > docs/cli.md"
    )


def test_cli_reference_lists_every_option():
    from opgang_eval.cli import build_parser
    from opgang_eval.cli_docs import cli_markdown

    text = cli_markdown()
    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.choices and isinstance(a.choices, dict)]
    for name, sub in commands.choices.items():
        assert f"## opgang-eval {name}\n" in text
        for action in sub._actions:
            for option in action.option_strings:
                if option not in ("-h", "--help"):
                    assert f"`{option}" in text, (name, option)


# -- the blocks themselves -----------------------------------------------------------------------------------------


def test_docs_have_code_blocks_of_known_kinds():
    assert len(DOC_FILES) > 1 and ALL_BLOCKS
    unknown = [(b.id, b.lang) for b in ALL_BLOCKS if b.lang not in KNOWN]
    assert not unknown, f"blocks the docs test cannot check (add a language it knows, or teach it): {unknown}"


@dataclass
class _Workspace:
    folder: Path
    namespace: dict = field(default_factory=lambda: {"__name__": "__docs__"})
    done: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def workspaces(tmp_path_factory):
    made: dict[Path, _Workspace] = {}

    def get(path: Path) -> _Workspace:
        if path not in made:
            folder = tmp_path_factory.mktemp(re.sub(r"\W", "_", path.stem))
            shutil.copytree(ROOT / "data", folder / "data")
            made[path] = _Workspace(folder)
        return made[path]

    yield get
    plt.close("all")


@pytest.mark.parametrize("block", _of(PYTHON | SHELL))
def test_block_runs(block, workspaces, monkeypatch, capsys):
    ws = workspaces(block.path)
    monkeypatch.chdir(ws.folder)
    blocks = _runnable(block.path)
    for earlier in blocks[: blocks.index(block)]:
        if earlier.id in ws.failed:
            pytest.skip(f"needs {earlier.id}, which fails")
        if earlier.id not in ws.done:
            try:
                _run(earlier, ws, capsys)
            except Exception:  # noqa: BLE001 - any failure: that block's own test reports it
                ws.failed.add(earlier.id)
                pytest.skip(f"needs {earlier.id}, which fails")
    try:
        ran = _run(block, ws, capsys)
    except BaseException:
        ws.failed.add(block.id)
        raise
    if not ran:
        pytest.skip("only environment set-up (make, pip, venv): run by the fresh-clone check")


def _run(block: Block, ws: _Workspace, capsys) -> bool:
    """Run one block in its file's workspace; False when nothing in it is for this test to run."""
    if block.id in ws.done:
        return True
    try:
        if block.lang in PYTHON:
            # Leading newlines make tracebacks point at the block's lines in the Markdown file.
            exec(compile("\n" * block.line + block.code, str(block.path), "exec"), ws.namespace)
            ran = True
        else:
            ran = _run_shell(block, ws, capsys)
    finally:
        plt.close("all")
    ws.done.add(block.id)
    return ran


_SETUP = ("make", "pip", "pip3")
_SHELL_SYNTAX = {"|", "||", "&&", ";", ">", ">>", "<", "&"}


def _commands(block: Block) -> list[str]:
    lines, pending = [], ""
    for raw in block.code.splitlines():
        line = raw.rstrip()
        if block.lang == "console" and not pending:
            if not line.startswith("$ "):
                continue  # output shown after a command
            line = line[2:]
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        if line.strip() and not line.lstrip().startswith("#"):
            lines.append(line.strip())
    assert not pending, f"{block.id}: the last line ends with a continuation backslash"
    return lines


def _run_shell(block: Block, ws: _Workspace, capsys) -> bool:
    ran = False
    for command in _commands(block):
        words = shlex.split(command, comments=True)
        if not words:
            continue
        program = Path(words[0]).name
        if program in _SETUP or (program.startswith("python") and words[1:3] in (["-m", "venv"], ["-m", "pip"])):
            continue
        if program == "opgang-eval":
            args = words[1:]
        elif program.startswith("python") and words[1:3] == ["-m", "opgang_eval"]:
            args = words[3:]
        else:
            pytest.fail(f"{block.id}: the docs test does not know how to run `{command}`")
        assert not _SHELL_SYNTAX & set(args), f"{block.id}: `{command}` needs a shell; write it as a plain command"
        args = [_into(arg, ws.folder) for arg in args]
        capsys.readouterr()
        try:
            status = main(args)
        except SystemExit as stop:  # argparse refusing the arguments
            status = stop.code
        out = capsys.readouterr()
        assert status == 0, f"{block.id}: `{command}` exited with status {status}\n{out.err}"
        ran = True
    return ran


def _into(arg: str, folder: Path) -> str:
    """Move a ``/tmp/…`` path (also in ``--opt=/tmp/…``) into the workspace."""
    head, sep, value = arg.rpartition("=") if arg.startswith("--") else ("", "", arg)
    if value.startswith("/tmp/"):
        value = str(folder / "tmp" / value.removeprefix("/tmp/"))
    return head + sep + value


_SETTINGS = set(oe.Config.model_fields)


@pytest.mark.parametrize("block", _of({"toml"}))
def test_toml_block(block):
    data = tomllib.loads(block.code)
    if _SETTINGS & set(data):
        oe.Config.from_dict(data, source=block.id)


@pytest.mark.parametrize("block", _of({"csv"}))
def test_csv_block(block, tmp_path):
    from opgang_eval.loading.readers import RawTable, read_table
    from opgang_eval.schema import TABLES
    from opgang_eval.validation.parse import parse_column

    rows = list(csv.reader(io.StringIO(block.code)))
    header = rows[0] if rows else []
    assert header and all(name.strip() for name in header), "the header row names every column"
    assert all(len(row) == len(header) for row in rows[1:]), "every row has as many fields as the header"
    columns = {name.strip().lower() for name in header}
    matches = [
        t
        for t in TABLES.values()
        if columns <= set(t.column_names) and {c.name for c in t.columns if c.required} <= columns
    ]
    if not matches:
        return
    table = matches[0]
    path = tmp_path / f"{table.name}.csv"
    path.write_text(block.code, encoding="utf-8")
    raw = read_table(table.name, path)
    assert isinstance(raw, RawTable), raw
    for name in raw.frame.columns:
        parsed = parse_column(raw.frame[name], table.column(name), raw.decimal_comma)
        problems = [(rule.value, hint) for _mask, rule, hint in parsed.problems]
        assert not problems, f"{table.name}.{name}: {problems}"
