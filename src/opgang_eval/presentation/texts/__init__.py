"""Every word the report prints: one catalogue per language (:mod:`.da`, :mod:`.en`), with the same keys.

Sections never branch on the language: they ask :class:`Words` for a key and
get the text of the report's language, with ``{placeholders}`` filled in. A
test keeps the two catalogues' keys equal and the section modules free of
language branches.

A measure's words are keyed by its registry id: ``measure:<id>`` (its name)
and ``definition:<id>`` (what it measures, with ``{end}``, ``{youth_low}``
and ``{youth_high}`` filled in). A measure added through the registry brings
its words with :func:`add_words`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ...config import Lang
from ...errors import ConfigError, Failure, Rule
from . import da, en

__all__ = ["CATALOGUES", "Words", "add_words", "missing_words", "t"]

#: Language → key → text.
CATALOGUES: Mapping[Lang, dict[str, str]] = {"da": da.WORDS, "en": en.WORDS}

#: Prefixes :func:`add_words` accepts: the words a registered measure brings (and a status label).
_MEASURE_PREFIXES = ("measure", "definition", "status")


@dataclass(frozen=True)
class Words:
    """The catalogue of one language: ``w("key", name=value)`` is the text with its placeholders filled in."""

    lang: Lang

    def __call__(self, key: str, **values: object) -> str:
        text = CATALOGUES[self.lang][key]
        return text.format(**values) if values else text

    def get(self, key: str, default: str) -> str:
        """The text of ``key``, or ``default`` (a name from the data, shown as it is) when there is none."""
        return CATALOGUES[self.lang].get(key, default)


def t(key: str, lang: Lang, **values: object) -> str:
    """The text ``key`` in ``lang``, with ``{placeholders}`` filled in."""
    return Words(lang)(key, **values)


def missing_words(keys: Iterable[str]) -> list[str]:
    """The keys among ``keys`` that a catalogue has no words for."""
    return [key for key in keys if any(key not in words for words in CATALOGUES.values())]


def add_words(words: Mapping[str, tuple[str, str]]) -> None:
    """Add (or replace) catalogue entries: key → (Danish, English).

    A measure registered with :func:`opgang_eval.register_measure` needs
    ``measure:<id>`` (its name in tables, figures and the flow) and
    ``definition:<id>`` (its definition in its section and the methods)::

        oe.add_words({
            "measure:parents_in_job": ("Forældre i ordinært job", "Parents in an ordinary job"),
            "definition:parents_in_job": ("Andelen ... i {end}.", "The share ... in {end}."),
        })

    Raises
    ------
    ConfigError
        When a key has no known prefix or a value is not a (Danish, English) pair.
    """
    problems = []
    for key, pair in words.items():
        prefix, _, name = key.partition(":")
        ok = isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        if prefix not in _MEASURE_PREFIXES or not name or not ok:
            hint = f"Give words as '<{'|'.join(_MEASURE_PREFIXES)}>:<id>' = (Danish, English)."
            problems.append(Failure("config", "words", key, None, "", "", Rule.BAD_CONFIG, hint))
    if problems:
        raise ConfigError.from_failures(problems)
    for key, (danish, english) in words.items():
        CATALOGUES["da"][key] = danish
        CATALOGUES["en"][key] = english
