"""The command-line reference (``docs/cli.md``), generated from the argument parser.

``python -m opgang_eval.cli_docs > docs/cli.md`` rewrites the committed file;
``tests/test_docs.py`` fails when it no longer matches :func:`cli_markdown`,
so the reference cannot drift from :func:`opgang_eval.cli.build_parser`.

The output depends on nothing but the parser: usage lines and argument
tables are written from the parser's actions at a fixed width, not with
argparse's help formatter, whose layout follows the terminal's ``COLUMNS``
and differs between Python versions.
"""

from __future__ import annotations

import argparse
import sys

from .cli import build_parser

__all__ = ["cli_markdown"]

#: Width the usage lines are wrapped at, whatever the terminal.
WIDTH = 88

_HEADER = """\
<!-- Generated from the argument parser in src/opgang_eval/cli.py: do not edit by hand.
     Regenerate with:  .venv/bin/python -m opgang_eval.cli_docs > docs/cli.md
     tests/test_docs.py fails when this file and the parser disagree. -->
"""


def cli_markdown() -> str:
    """The command-line reference as Markdown: every command's usage, description and arguments."""
    parser = build_parser()
    lines = [_HEADER, "# Command line reference", ""]
    lines += [f"`{parser.prog}`: {parser.description}", ""]
    lines += [_usage(parser), ""]
    lines += _arguments(parser, with_help=True)
    commands = _subcommands(parser)
    if commands:
        lines += ["## Commands", ""]
        lines += [f"- [`{name}`](#{_anchor(sub.prog)}): {help_}" for name, sub, help_ in commands]
        lines += ["", "Every command also accepts `-h` / `--help`.", ""]
    for _name, sub, _help in commands:
        lines += [f"## {sub.prog}", ""]
        if sub.description:
            lines += [sub.description, ""]
        lines += [_usage(sub), ""]
        lines += _arguments(sub, with_help=False)
    return "\n".join(lines).rstrip("\n") + "\n"


def _usage(parser: argparse.ArgumentParser) -> str:
    """``usage: prog [options] positionals``, wrapped at :data:`WIDTH` with a hanging indent."""
    optional, positional = [], []
    for action in parser._actions:
        if action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._SubParsersAction):
            positional.append(f"{action.metavar or action.dest.upper()} ...")
        elif action.option_strings:
            metavar = _metavar(action)
            token = action.option_strings[0] + (f" {metavar}" if metavar else "")
            optional.append(token if action.required else f"[{token}]")
        else:
            positional.append(_metavar(action))
    first = f"usage: {parser.prog}"
    indent = " " * len(first)
    lines, line = [], first
    for token in optional + positional:
        if len(line) + 1 + len(token) > WIDTH and line not in (first, indent):
            lines.append(line)
            line = indent
        line += " " + token
    lines.append(line)
    return "```text\n" + "\n".join(lines) + "\n```"


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser, str]]:
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            out += [(name, sub, helps.get(name, "")) for name, sub in action.choices.items()]
    return out


def _arguments(parser: argparse.ArgumentParser, with_help: bool) -> list[str]:
    positional: list[str] = []
    optional: list[str] = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) or action.help == argparse.SUPPRESS:
            continue
        if isinstance(action, argparse._HelpAction) and not with_help:
            continue
        (optional if action.option_strings else positional).append(_row(parser, action))
    lines = []
    for title, rows in (("Arguments", positional), ("Options", optional)):
        if rows:
            lines += [f"**{title}**", "", "| argument | description | default |", "|---|---|---|", *rows, ""]
    return lines


def _row(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    metavar = _metavar(action)
    if action.option_strings:
        names = ", ".join(f"`{o}{' ' + metavar if metavar else ''}`" for o in action.option_strings)
    else:
        names = f"`{metavar}`"
    help_ = action.help or ""
    if "%(" in help_:
        help_ = help_ % {**vars(action), "prog": parser.prog}
    if action.required:
        default = "required"
    elif action.nargs == 0 or action.default in (None, argparse.SUPPRESS):
        default = ""
    else:
        default = f"`{action.default}`"
    return f"| {names} | {_cell(help_)} | {default} |"


def _metavar(action: argparse.Action) -> str:
    if action.nargs == 0:
        return ""
    if action.metavar is not None:
        return str(action.metavar)
    if action.choices is not None:
        return "{" + ",".join(map(str, action.choices)) + "}"
    return action.dest.upper() if action.option_strings else action.dest


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, spaces to hyphens, punctuation dropped."""
    kept = "".join(c for c in heading.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


if __name__ == "__main__":  # pragma: no cover
    sys.stdout.write(cli_markdown())
