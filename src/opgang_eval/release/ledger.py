"""The release ledger: two reports must not be subtractable.

A report on all families and a second one on all families but one give that
family's values by subtraction, although every cell of each report passes the
disclosure rules on its own. The release ledger closes this: it remembers the
population (the set of units, normally families) behind every group a report
published, and a later report whose group rests on a population that differs
from a recorded one *under the same key* by 1 to ``min_cell − 1`` units has that
group suppressed (:meth:`Ledger.differencing`). A difference of 0 (the same
population, the same numbers again) or of at least ``min_cell`` units is safe.

Where it lives, and why
-----------------------
The ledger belongs to the data, not to a report: it is kept in the *extract
folder* (which the extract reader already ignores for names starting with a
dot), never in the report folder, which is meant to leave the research server.

* ``.opgang-ledger.json`` — the ledger, deterministic JSON (sorted keys, fixed
  layout): the releases (``when`` and, per key, which population), the
  populations (their size and a membership bitmap) and one sorted table of
  every unit digest ever recorded. Keys, dates and sizes are readable as they
  are; digests and bitmaps are base64. Mode 0600.
* ``.opgang-ledger-salt`` — 32 random bytes (:func:`os.urandom`), made once,
  mode 0600. Every id is stored as ``blake2b(id, key=salt)``, so without the
  salt no digest can be matched to an id by trying every plausible one (ids
  such as ``F0001`` are easily enumerated). A ledger without its salt can
  compare nothing and is refused, as is a salt that is not the ledger's own
  (the ledger stores a keyed check value of its salt, not the salt).
* ``.opgang-ledger.lock`` — an empty file for ``flock``: a replaced file cannot
  be locked, so the lock is a file of its own that is never replaced.

Digests are 8 bytes (64 bits), not 16: the salt, not the digest length, is
what keeps ids from being recovered, and an accidental collision of two ids
over even a million ids has a probability of about 3 · 10⁻⁸ (and would at
worst hide one unit of a difference). Eight bytes halve the file and make the
table a ``uint64`` array that numpy sorts and searches natively.

Sizes
-----
A population is a bitmap over the sorted table (one bit per unit ever seen),
zlib-compressed: 100,000 families × 20 keys × 10 releases is about 0.8 MB of
table and at most 200 bitmaps of 12.5 kB (identical populations, common
between releases, are stored once): a few MB. Comparisons are XOR and
popcount of bitmaps; the only loop per unit is hashing the *unique* ids once
per call (hashlib has no vectorised form, and a hash whose output could change
with a library version would silently make the ledger useless).

Concurrency and failure
-----------------------
Writes go to a temporary file that is flushed, ``fsync``-ed and moved into
place with :func:`os.replace`, so a kill or power cut leaves the old ledger or
the new one. :meth:`Ledger.record` holds the lock and re-reads the ledger
before adding to it, so two reports at once cannot lose an entry; for a check
and a record that no other report may come between, use
:meth:`Ledger.locked`. Every problem a user can meet is a
:class:`~opgang_eval.errors.ConfigError` with one message that says what to
do; no message ever shows an id, a digest or the salt.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from ..errors import ConfigError, Failure, Rule, failure_frame

__all__ = ["LEDGER", "LOCK", "SALT", "Ledger", "LedgerRelease"]

#: File names inside the extract folder (hidden: the extract reader skips them).
LEDGER = ".opgang-ledger.json"
SALT = ".opgang-ledger-salt"
LOCK = ".opgang-ledger.lock"

FORMAT = "opgang-eval release ledger"
VERSION = 1

_SALT_BYTES = 32
_DIGEST_BYTES = 8
#: blake2b personalisation (16 bytes at most): the id digests and the salt check can never coincide.
_PERSON_ID = b"opgang-ledger-id"
_PERSON_CHECK = b"opgang-saltcheck"
#: Temporary files of an interrupted write, removed by the next writer (which holds the lock).
_TEMP = re.compile(r"\.opgang-ledger-.*\.tmp")
_ABOUT = (
    "Populations behind the cells of earlier reports, kept so that a later report cannot be subtracted "
    "from them. Ids are stored only as blake2b digests (8 bytes) keyed with the random salt in "
    f"{SALT}; without that file nothing here can be matched to an id. Do not copy this file, or the "
    "salt, out of the extract folder."
)
_FORGETS = "deleting the ledger forgets the earlier releases, so a new report could again be subtracted from them"

#: One population as the ledger holds it: a packed bitmap over the table (``np.uint8``).
_Bits = npt.NDArray[np.uint8]
_Digests = npt.NDArray[np.uint64]


@dataclass(slots=True)
class _Population:
    """One recorded population: its bitmap over the table, its size, and its stored form once made.

    The stored form (``blob``, compressed and base64) is kept from reading and
    remade only for a new population or when new units move every bitmap:
    compressing all of them again on every record made it the slowest step.
    """

    bits: _Bits
    count: int
    blob: str | None = None

    def stored(self) -> str:
        if self.blob is None:
            self.blob = _b64(zlib.compress(self.bits.tobytes(), 6))
        return self.blob


@dataclass(frozen=True, slots=True)
class LedgerRelease:
    """One recorded release: when it was made, the keys it published and its disclosure settings."""

    when: str
    keys: tuple[str, ...]
    settings: str = ""


class Ledger:
    """The release ledger of one extract folder (see the module docstring).

    Build it with :meth:`open` (a snapshot) or :meth:`locked` (held for a
    check and a record); the constructor is not public.
    """

    def __init__(
        self,
        folder: Path,
        salt: bytes | None,
        table: _Digests,
        populations: list[_Population],
        releases: list[tuple[str, dict[str, int], str]],
    ) -> None:
        self.folder = folder
        self._salt = salt
        self._table = table
        self._populations = populations
        self._releases = releases
        self._lock_fd: int | None = None
        #: The ids last hashed and their digests: a record after a differencing of the same ids hashes nothing.
        self._memo: tuple[pd.Index, _Digests] = (pd.Index([], dtype=object), np.zeros(0, dtype=np.uint64))

    # ------------------------------------------------------------------ opening

    @classmethod
    def open(cls, folder: str | os.PathLike[str], *, check_writable: bool = True) -> Ledger:
        """Read the ledger of ``folder``; a folder without one has an empty ledger.

        Parameters
        ----------
        folder
            The extract folder.
        check_writable
            Refuse a folder the ledger cannot be written to now, before a
            report is made, rather than after it was published unrecorded.

        Raises
        ------
        ConfigError
            The ledger is unreadable or damaged, its salt is missing or not its
            own, or (with ``check_writable``) the folder is not writable.
        """
        path = Path(folder)
        if check_writable:
            _probe(path)
        return _read(path)

    @classmethod
    @contextlib.contextmanager
    def locked(cls, folder: str | os.PathLike[str], *, timeout: float = 300.0) -> Iterator[Ledger]:
        """The ledger of ``folder``, read and held under its lock for the block.

        A report that checks (:meth:`differencing`) and then records
        (:meth:`record`) must not let another report record in between:
        two reports one family apart, made at the same moment, would each
        pass against the old ledger. Inside the block no other run can
        record; one that tries waits up to its ``timeout``.

        Raises
        ------
        ConfigError
            As :meth:`open`; or another run held the lock for ``timeout``
            seconds.
        """
        path = Path(folder)
        with _lock(path, timeout) as fd:
            ledger = _read(path)
            ledger._lock_fd = fd
            try:
                yield ledger
            finally:
                ledger._lock_fd = None

    # --------------------------------------------------------------- inspecting

    @property
    def releases(self) -> tuple[LedgerRelease, ...]:
        """The recorded releases, oldest first."""
        return tuple(LedgerRelease(when, tuple(cells), settings) for when, cells, settings in self._releases)

    @property
    def n_units(self) -> int:
        """How many distinct units (families) the ledger has ever recorded."""
        return len(self._table)

    # -------------------------------------------------------------- comparing

    def differencing(self, populations: Mapping[str, npt.ArrayLike], min_cell: int) -> dict[str, int]:
        """The keys whose population is 1 to ``min_cell − 1`` units away from a recorded one.

        Parameters
        ----------
        populations
            Key of a published group → the ids of the units behind it (family
            ids; duplicates count once). Ids are compared as text (``str``).
        min_cell
            The disclosure threshold of this report.

        Returns
        -------
        dict
            Key → the smallest such difference (size of the symmetric
            difference), sorted by key. A key never recorded, an identical
            population (0) and one at least ``min_cell`` away are absent: the
            first cannot be subtracted from anything, the second gives the
            same numbers again, the third differs by a publishable group.
        """
        if min_cell < 1:
            raise ValueError("min_cell must be at least 1")
        recorded = self._recorded()
        wanted = {key: ids for key, ids in populations.items() if key in recorded}
        if not wanted:
            return {}
        digests = self._digest(wanted)
        found: dict[str, int] = {}
        for key in sorted(wanted):
            new = digests[key]
            mask, outside = self._mask(new)
            smallest = 0
            for index in recorded[key]:
                old = self._populations[index]
                if abs(len(new) - old.count) >= min_cell:
                    continue  # the sizes alone put it at least min_cell away
                apart = outside + int(np.bitwise_count(mask ^ old.bits).sum())
                if 0 < apart < min_cell and (not smallest or apart < smallest):
                    smallest = apart
            if smallest:
                found[key] = smallest
        return found

    def other_settings(self, populations: Mapping[str, npt.ArrayLike], settings: str) -> tuple[str, ...]:
        """The other disclosure settings of earlier releases that published one of these very populations.

        The same groups under another ``min_cell`` are hidden and protected
        differently, and the two reports together print what neither hides
        alone (the first shows the count the second protects by hiding its
        neighbour, and the other way round). A release without recorded
        settings (an older ledger) is not compared.
        """
        recorded = self._recorded()
        wanted = {key: ids for key, ids in populations.items() if key in recorded}
        if not wanted:
            return ()
        digests = self._digest(wanted)
        same: dict[str, set[int]] = {}
        for key, new in digests.items():
            bits, outside = self._mask(new)
            same[key] = {i for i in recorded[key] if outside == 0 and np.array_equal(bits, self._populations[i].bits)}
        found = {
            recorded_settings
            for _, cells, recorded_settings in self._releases
            if recorded_settings
            and recorded_settings != settings
            and any(cells.get(key) in indices for key, indices in same.items())
        }
        return tuple(sorted(found))

    # -------------------------------------------------------------- recording

    def record(
        self, populations: Mapping[str, npt.ArrayLike], *, when: str, settings: str = "", timeout: float = 300.0
    ) -> None:
        """Add a release: the populations behind what it published.

        Record only what is published (after suppression): a hidden group left
        out of the ledger cannot be subtracted from later, and one put in would
        only suppress more than needed. Outside :meth:`locked` the lock is
        taken here and the ledger re-read from disk first, so nothing another
        run recorded meanwhile is lost; this object then shows the merged
        ledger.

        Parameters
        ----------
        populations
            As for :meth:`differencing`.
        when
            When the release was made (e.g. an ISO date); stored as given.
        settings
            The disclosure settings the release was made with (``min_cell``,
            the dominance share), as text; see :meth:`other_settings`.
        timeout
            Seconds to wait for another run's lock (outside :meth:`locked`).

        Raises
        ------
        ConfigError
            The folder is not writable (or full), the ledger became unreadable,
            or another run held the lock for ``timeout`` seconds.
        """
        if not isinstance(when, str):
            raise TypeError("when must be a string")
        for key in populations:
            if not isinstance(key, str) or not key:
                raise TypeError("every population key must be a non-empty string")
        if self._lock_fd is not None:
            before = (self._salt, self._table, list(self._populations), list(self._releases))
            try:
                self._add(populations, when, settings)
            except BaseException:  # not written: this object must not claim a release the file lacks
                self._salt, self._table, self._populations, self._releases = before
                raise
            return
        with _lock(self.folder, timeout) as fd:
            fresh = _read(self.folder)
            if fresh._salt == self._salt:
                fresh._memo = self._memo
            fresh._lock_fd = fd
            fresh._add(populations, when, settings)
            fresh._lock_fd = None
        self._salt, self._table, self._populations = fresh._salt, fresh._table, fresh._populations
        self._releases, self._memo = fresh._releases, fresh._memo

    # ---------------------------------------------------------------- helpers

    def _recorded(self) -> dict[str, list[int]]:
        """Key → the distinct populations recorded under it."""
        out: dict[str, set[int]] = {}
        for _, cells, _ in self._releases:
            for key, index in cells.items():
                out.setdefault(key, set()).add(index)
        return {key: sorted(indices) for key, indices in out.items()}

    def _digest(self, populations: Mapping[str, npt.ArrayLike]) -> dict[str, _Digests]:
        """Key → sorted unique digests; each distinct id is hashed once for all keys."""
        if self._salt is None:
            raise RuntimeError("no salt: nothing recorded yet")  # callers only digest with a salt
        keys = list(populations)
        arrays = [np.asarray(populations[key], dtype=object).ravel() for key in keys]
        codes, uniques = pd.factorize(np.concatenate(arrays) if arrays else np.array([], dtype=object))
        if (codes < 0).any():
            bad = next(k for k, a in zip(keys, arrays, strict=True) if pd.isna(a).any())
            raise ValueError(f"population {bad!r} holds a missing id")
        digests = self._hash(uniques)
        out: dict[str, _Digests] = {}
        start = 0
        for key, array in zip(keys, arrays, strict=True):
            out[key] = np.unique(digests[codes[start : start + len(array)]])
            start += len(array)
        return out

    def _hash(self, ids: npt.NDArray[Any]) -> _Digests:
        """The digests of distinct ``ids``, reusing those of the previous call (the one loop per id)."""
        assert self._salt is not None
        known, known_digests = self._memo
        where = known.get_indexer(pd.Index(ids, dtype=object)) if len(known) else np.full(len(ids), -1)
        digests = np.zeros(len(ids), dtype=np.uint64)
        digests[where >= 0] = known_digests[where[where >= 0]]
        missing = np.flatnonzero(where < 0)
        salt = self._salt
        joined = b"".join(
            [
                hashlib.blake2b(str(u).encode("utf-8"), digest_size=_DIGEST_BYTES, key=salt, person=_PERSON_ID).digest()
                for u in ids[missing]
            ]
        )
        digests[missing] = np.frombuffer(joined, dtype="<u8")
        self._memo = (pd.Index(ids, dtype=object), digests)
        return digests

    def _mask(self, digests: _Digests) -> tuple[_Bits, int]:
        """The packed bitmap of ``digests`` over the table, and how many are not in it."""
        n = len(self._table)
        pos = np.searchsorted(self._table, digests)
        hit = np.zeros(len(digests), dtype=bool)
        inside = pos < n
        hit[inside] = self._table[pos[inside]] == digests[inside]
        member = np.zeros(n, dtype=bool)
        member[pos[hit]] = True
        return np.packbits(member), int(len(digests) - hit.sum())

    def _add(self, populations: Mapping[str, npt.ArrayLike], when: str, settings: str = "") -> None:
        """Merge a release into this (locked, fresh) ledger and write it."""
        if self._salt is None:
            self._salt = _make_salt(self.folder)
        digests = self._digest(populations)
        table = np.unique(np.concatenate([self._table, *digests.values()])).astype(np.uint64)
        if len(table) != len(self._table):  # new units: every bitmap moves onto the larger table
            where = np.searchsorted(table, self._table)
            moved = []
            for pop in self._populations:  # new objects: a failed write leaves the old ones as they were
                member = np.zeros(len(table), dtype=bool)
                member[where[np.flatnonzero(np.unpackbits(pop.bits, count=len(self._table)))]] = True
                moved.append(_Population(np.packbits(member), pop.count))
            self._table, self._populations = table, moved
        index = {pop.bits.tobytes(): i for i, pop in enumerate(self._populations)}
        cells: dict[str, int] = {}
        for key in sorted(digests):
            bits, _ = self._mask(digests[key])
            raw = bits.tobytes()
            if raw not in index:
                index[raw] = len(self._populations)
                self._populations.append(_Population(bits, len(digests[key])))
            cells[key] = index[raw]
        self._releases.append((when, cells, settings))
        _write(self.folder / LEDGER, _dump(self).encode("utf-8"))


# ---------------------------------------------------------------------- file format


def _salt_check(salt: bytes) -> str:
    """A keyed check value of the salt: tells a replaced salt from the ledger's own, reveals nothing."""
    return hashlib.blake2b(b"", digest_size=_DIGEST_BYTES, key=salt, person=_PERSON_CHECK).hexdigest()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _dump(ledger: Ledger) -> str:
    """The ledger as deterministic JSON: the same releases give the same bytes (up to salt and ``when``)."""
    assert ledger._salt is not None
    doc = {
        "about": _ABOUT,
        "digest": f"blake2b-{8 * _DIGEST_BYTES}, keyed with {SALT}",
        "format": FORMAT,
        "populations": [{"families": pop.count, "bits": pop.stored()} for pop in ledger._populations],
        "releases": [
            {"when": when, "cells": dict(sorted(cells.items())), **({"settings": settings} if settings else {})}
            for when, cells, settings in ledger._releases
        ],
        "salt_check": _salt_check(ledger._salt),
        "table": _b64(ledger._table.astype("<u8").tobytes()),
        "units": len(ledger._table),
        "version": VERSION,
    }
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


class _Damaged(Exception):
    """The ledger file does not hold a ledger; the message says what is wrong (never its content)."""


def _parse(raw: bytes, salt: bytes, folder: Path) -> Ledger:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise _Damaged("it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise _Damaged(f"it is not valid JSON (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise _Damaged("it is not an opgang-eval release ledger")
    if isinstance(doc.get("version"), int) and doc["version"] > VERSION:
        raise _Newer
    if doc.get("version") != VERSION:
        raise _Damaged("its version is not one this opgang-eval knows")
    if doc.get("salt_check") != _salt_check(salt):
        raise _Foreign
    try:
        units = _field(doc, "units", int)
        table = np.frombuffer(base64.b64decode(_field(doc, "table", str), validate=True), dtype="<u8")
        if len(table) != units or (units > 1 and not bool(np.all(table[1:] > table[:-1]))):
            raise _Damaged("its table of digests is damaged")
        size = (units + 7) // 8
        populations: list[_Population] = []
        for pop in _field(doc, "populations", list):
            blob = _field(pop, "bits", str)
            packed = np.frombuffer(zlib.decompress(base64.b64decode(blob, validate=True)), np.uint8)
            count = _field(pop, "families", int)
            if len(packed) != size or int(np.bitwise_count(packed).sum()) != count:
                raise _Damaged("a population does not match the table")
            if units % 8 and packed[-1] & (0xFF >> (units % 8)):
                raise _Damaged("a population does not match the table")
            populations.append(_Population(packed.copy(), count, blob))
        releases: list[tuple[str, dict[str, int], str]] = []
        for rel in _field(doc, "releases", list):
            cells = _field(rel, "cells", dict)
            if not all(isinstance(k, str) and type(v) is int and 0 <= v < len(populations) for k, v in cells.items()):
                raise _Damaged("a release refers to a population it does not hold")
            settings = rel.get("settings", "")  # absent in a ledger written before settings were recorded
            if not isinstance(settings, str):
                raise _Damaged("a release's settings are not text")
            releases.append((_field(rel, "when", str), dict(cells), settings))
    except (binascii.Error, zlib.error, ValueError):
        raise _Damaged("its digests or populations are damaged") from None
    return Ledger(folder, salt, table.astype(np.uint64), populations, releases)


def _field(doc: Any, name: str, kind: type) -> Any:
    if not isinstance(doc, dict) or not isinstance(doc.get(name), kind) or isinstance(doc.get(name), bool):
        raise _Damaged(f"its field {name!r} is missing or of the wrong kind")
    return doc[name]


class _Newer(Exception):
    """Written by a newer opgang-eval."""


class _Foreign(Exception):
    """The salt beside the ledger is not the one it was written with."""


# ------------------------------------------------------------------------- disk


def _refused(path: Path, hint: str) -> ConfigError:
    """One refused ledger problem, in the form of every other refused setting."""
    return ConfigError(failure_frame([Failure("config", str(path), "", None, "", "", Rule.BAD_CONFIG, hint)]))


def _why(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _unwritable(folder: Path, exc: OSError) -> ConfigError:
    if exc.errno == errno.ENOENT:
        return _refused(folder, f"The extract folder {folder} does not exist, so the release ledger cannot be kept.")
    return _refused(
        folder,
        f"The release ledger cannot be written in the extract folder {folder} ({_why(exc)}). The ledger keeps a "
        "later report from being subtracted from this one; make the folder writable (or free space), or pass "
        "--no-ledger, accepting that risk.",
    )


def _probe(folder: Path) -> None:
    """Fail now, before any report is made, when the folder cannot take the ledger."""
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".opgang-ledger-", suffix=".tmp")
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    os.close(fd)
    os.unlink(name)


def _read_salt(folder: Path) -> bytes | None:
    """The salt, or ``None`` when there is no usable one (a new ledger makes its own)."""
    try:
        salt = (folder / SALT).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if not (folder / LEDGER).exists():
            return None
        raise _refused(
            folder / SALT,
            f"The release ledger's salt file cannot be read ({_why(exc)}); make it readable for the user who "
            "runs the report.",
        ) from None
    return salt if len(salt) == _SALT_BYTES else None


def _read(folder: Path) -> Ledger:
    """The ledger of ``folder``, checked whole; a missing ledger is an empty one."""
    path = folder / LEDGER
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Ledger(folder, _read_salt(folder), np.zeros(0, dtype=np.uint64), [], [])
    except OSError as exc:
        hint = (
            f"The release ledger {LEDGER} cannot be read ({_why(exc)}). Make it readable, or restore it from a "
            f"backup; it can also be deleted, but {_FORGETS}."
        )
        raise _refused(path, hint) from None
    salt = _read_salt(folder)
    if salt is None:
        present = (folder / SALT).exists()
        hint = (
            f"The release ledger's salt file {SALT} is {'damaged' if present else 'missing'}, and without it the "
            f"ledger cannot be compared with anything. Restore {SALT} from the same backup as {LEDGER}; "
            f"otherwise delete {LEDGER}{f' and {SALT}' if present else ''} to start a new ledger — {_FORGETS}."
        )
        raise _refused(folder / SALT, hint)
    try:
        return _parse(raw, salt, folder)
    except _Damaged as exc:
        hint = f"The release ledger {LEDGER} is damaged: {exc}. Restore it from a backup, or delete it: {_FORGETS}."
    except _Newer:
        hint = f"The release ledger {LEDGER} was written by a newer opgang-eval; use that version or a newer one."
    except _Foreign:
        hint = (
            f"The salt file {SALT} is not the one the release ledger {LEDGER} was written with (it was replaced). "
            f"Restore the original {SALT} from a backup; otherwise delete both files to start a new ledger — "
            f"{_FORGETS}."
        )
    raise _refused(path, hint)


@contextlib.contextmanager
def _lock(folder: Path, timeout: float) -> Iterator[int]:
    """Hold ``flock`` on the folder's lock file (never replaced, so the lock is on the file every run opens)."""
    try:
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _refused(
                        folder / LOCK,
                        f"Another opgang-eval run has held the release ledger in {folder} for {timeout:g} s; "
                        "wait for it to finish and run again.",
                    ) from None
                time.sleep(0.05)
        for leftover in folder.iterdir():  # an interrupted write's temporary file: ours, and no run is writing
            if _TEMP.fullmatch(leftover.name):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        yield fd
    finally:
        os.close(fd)  # releases the lock


def _make_salt(folder: Path) -> bytes:
    """A new salt, written before any digest made with it (called under the lock)."""
    salt = os.urandom(_SALT_BYTES)
    _write(folder / SALT, salt)
    return salt


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically and durably (mode 0600, as :func:`tempfile.mkstemp` makes it)."""
    folder = path.parent
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=".opgang-ledger-", suffix=".tmp")
    except OSError as exc:
        raise _unwritable(folder, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(name, path)
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise _unwritable(folder, exc) from None
