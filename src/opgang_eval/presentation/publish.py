"""Publishing a report set whole or not at all.

A report set (``report.html``, ``report.pdf``, ``tables.xlsx``,
``figures/``) is read together: a PDF from old data beside an HTML from new
data is worse than no report. POSIX has no rename of several files at once,
and renaming the whole ``--out`` folder would disturb what else lives there
(an analyst's ``README.md``, a shell whose working folder it is, a mount point,
a folder shared with colleagues). So the set is published through one
pointer, inside ``--out``, in the layout every atomic-deploy tool uses:

* each run writes a hidden version folder ``.opgang-report-<token>/``;
* ``.opgang-current`` is a relative symbolic link to the version in use,
  replaced with one ``rename`` — the single atomic step;
* ``report.html``, ``report.pdf``, ``tables.xlsx`` and ``figures`` are fixed
  relative links through the pointer (``.opgang-current/report.html``), so
  every name switches at the same instant. A name the new set lacks (a
  format left out) is a dangling link until it is removed, which reads as
  absent — never as the earlier run's file.

A failure, a full disk or ``kill -9`` at any moment therefore leaves the
earlier set or the new one. Nothing else in ``--out`` is touched. The first
run into a folder that holds a report of an older version (real files)
converts it, a step that is not atomic. On a filesystem without symbolic
links (FAT) the files are replaced one by one instead: also never lost, but
a kill in that moment can leave a mixed set until the next run.

An advisory lock (``flock`` on ``.opgang-lock`` inside ``--out``, a file so it
works on network filesystems too) keeps two runs into one folder from
interleaving: the second exits with a message. Versions and temporary links
left by a killed run are removed by the next run, which holds the lock and so
knows no live run uses them. Only what is provably the publisher's is ever
removed: entries with the exact names below, and a version folder only when
it holds nothing but the files its manifest lists (a file an analyst saved
through the ``figures`` link keeps its version). The standard library and the
field's packages offer none of this, hence the hand-written module.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from ..errors import ConfigError, Failure, Rule, failure_frame

#: Names of a report set inside ``--out``.
FILES = {"html": "report.html", "pdf": "report.pdf", "xlsx": "tables.xlsx"}
FIGURE_DIR = "figures"
REPORT_NAMES = (*FILES.values(), FIGURE_DIR)

_LOCK = ".opgang-lock"
_POINTER = ".opgang-current"
_VERSION = re.compile(r"\.opgang-report-(\d+)")
#: Temporary links, named by process so another user's leftover in a shared folder is never in the way.
_LINK = re.compile(r"\.opgang-link-\d+-(" + "|".join(map(re.escape, (*REPORT_NAMES, _POINTER, "probe"))) + ")")
_TRASH = ".opgang-trash"
_MANIFEST = ".opgang-manifest"
#: Files an operating system drops into folders on its own; they do not make a folder the analyst's.
_SYSTEM_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_NO_SYMLINKS = (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS)


def out_failure(out: Path, hint: str) -> ConfigError:
    """A refused output folder, in the form of every other refused setting."""
    failure = Failure("config", str(out), "out", None, "", "", Rule.BAD_CONFIG, hint)
    return ConfigError(failure_frame([failure]))


@contextlib.contextmanager
def report_set(out: Path, figures: frozenset[str]) -> Iterator[Path]:
    """Yield an empty version folder inside ``out``; publish it when the block ends without error.

    ``out`` must be resolved (no symbolic link). ``figures`` are the file
    names the report may write into ``figures/``; anything else there is the
    analyst's and stops the run. An error before the switch removes the
    version and leaves ``out`` as it was (a folder this run created is
    removed again); after the switch the new set stays published, and what
    could not be tidied is left for the next run.
    """
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out) as new_lock:  # a run that cannot take the lock stops here and removes nothing
        staging = _next_version(out)
        published = False
        try:
            _clean(out)
            _check(out, figures)
            staging.mkdir()  # mode 0777 & ~umask, as any folder the user makes: colleagues can read the report
            yield staging
            _write_manifest(staging)
            _sync(staging)
            if _has_symlinks(out):
                for name in _names(staging):  # new names first: dangling (absent) until the pointer reaches them
                    if not (out / name).exists() and not (out / name).is_symlink():
                        _link(f"{_POINTER}/{name}", out / name)
                _link(staging.name, out / _POINTER)  # the switch
                published = True
                _tidy(out, staging)
            else:
                _replace_entries(out, staging)
                published = True
        except BaseException:
            if not published:
                _remove(staging)
                if new_lock:  # leave no trace of a run that published nothing (a later run retakes the lock)
                    (out / _LOCK).unlink(missing_ok=True)
                if created:
                    for entry in out.iterdir():
                        if entry.name == _LOCK or _LINK.fullmatch(entry.name):
                            entry.unlink(missing_ok=True)
                    with contextlib.suppress(OSError):
                        out.rmdir()
            raise


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[bool]:
    """Hold the folder's lock file; yield whether this run made it.

    A run that failed into a folder it created removes the lock file while
    holding it; a run that opened the file just before holds a lock on a
    file no longer there, so the lock is only taken once the open file is
    still the one at the path.
    """
    while True:
        made = not (out / _LOCK).exists()
        fd = os.open(out / _LOCK, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise out_failure(
                out,
                f"Another opgang-eval run is writing a report into {out}; "
                "wait for it to finish or choose another folder.",
            ) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(out / _LOCK).st_ino
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield made
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _current(out: Path) -> str | None:
    pointer = out / _POINTER
    return os.readlink(pointer) if pointer.is_symlink() else None


def _next_version(out: Path) -> Path:
    """The version after the current one: numbered, so identical runs give identical folders."""
    current = _VERSION.fullmatch(_current(out) or "")
    return out / f".opgang-report-{int(current.group(1)) + 1 if current else 1}"


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != _MANIFEST)


def _write_manifest(version: Path) -> None:
    files = sorted(str(p.relative_to(version)) for p in version.rglob("*") if not p.is_dir())
    (version / _MANIFEST).write_text("".join(f"{f}\n" for f in files), encoding="utf-8")


def _foreign(version: Path) -> list[str]:
    """Files in ``version`` that its manifest does not list (an analyst's file keeps the version)."""
    try:
        listed = set((version / _MANIFEST).read_text(encoding="utf-8").splitlines())
    except OSError:
        listed = set()  # a version killed before its manifest: only what the report writes
    found = []
    for path in sorted(version.rglob("*")):
        name = str(path.relative_to(version))
        if (path.is_dir() and not path.is_symlink()) or name == _MANIFEST:
            continue
        if name not in listed and (listed or not _report_file(name)):
            found.append(name)
    return found


def _report_file(name: str) -> bool:
    top, _, rest = name.partition("/")
    return top in REPORT_NAMES or top == "report.typ" or (top == FIGURE_DIR and rest.endswith(".svg"))


def _clean(out: Path) -> None:
    """Remove versions and temporary links that are not in use (left by a killed run), where provably ours."""
    current = _current(out)
    for entry in out.iterdir():
        with contextlib.suppress(OSError):  # another user's leftover in a shared folder: leave it
            if _LINK.fullmatch(entry.name):
                entry.unlink()
            elif _VERSION.fullmatch(entry.name) and entry.name != current and not _foreign(entry):
                _remove(entry)


def _check(out: Path, figures: frozenset[str]) -> None:
    """Refuse to publish over an analyst's folder named like a report file, or their files in ``figures``."""
    pointer = out / _POINTER
    if pointer.exists() and not pointer.is_symlink():
        raise out_failure(
            out, f"{_POINTER} in the output folder is not the report's; move it or choose another folder."
        )
    for name in FILES.values():
        if (out / name).is_dir() and not (out / name).is_symlink():
            raise out_failure(
                out, f"{name} in the output folder is a folder, not a report; move it or choose another output folder."
            )
    folder = out / FIGURE_DIR
    if not folder.is_dir():
        return
    if _is_ours(folder):
        current = _current(out)
        foreign = [] if current is None else [name.removeprefix(f"{FIGURE_DIR}/") for name in _foreign(out / current)]
    else:
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in figures | _SYSTEM_FILES)
    if foreign:
        shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise out_failure(
            out,
            f"The folder {FIGURE_DIR}/ in the output folder holds files the report did not write ({shown}); "
            "move them elsewhere or choose another output folder.",
        )


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _sync(folder: Path) -> None:
    """Flush the new set to disk before it is published, so a power cut cannot publish empty files."""
    for path in [*folder.rglob("*"), folder]:
        _fsync(path)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _has_symlinks(out: Path) -> bool:
    probe = out / f".opgang-link-{os.getpid()}-probe"
    probe.unlink(missing_ok=True)
    try:
        os.symlink(_POINTER, probe)
    except OSError as error:
        if error.errno in _NO_SYMLINKS:
            return False
        raise
    probe.unlink()
    return True


def _link(target: str, link: Path) -> None:
    """Point ``link`` at ``target``, replacing a link or file there in one rename."""
    temporary = link.with_name(f".opgang-link-{os.getpid()}-{link.name}")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    try:
        os.replace(temporary, link)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _is_ours(link: Path) -> bool:
    return link.is_symlink() and os.readlink(link) == f"{_POINTER}/{link.name}"


def _tidy(out: Path, staging: Path) -> None:
    """After the switch: links for an older version's real files, stale links, earlier versions.

    Best effort: the new set is published already, so what cannot be done
    now (a full disk, another user's file) is left for the next run.
    """
    names = _names(staging)
    trash = out / _TRASH
    with contextlib.suppress(OSError):
        for name in REPORT_NAMES:
            entry = out / name
            if _is_ours(entry):
                if not entry.exists():  # a format or figure of an earlier run that this one did not write
                    entry.unlink()
            elif name == FIGURE_DIR and entry.is_dir() and not entry.is_symlink():  # an older version's, checked
                trash.mkdir(exist_ok=True)
                _remove(trash / name)
                os.rename(entry, trash / name)
                try:
                    _link(f"{_POINTER}/{name}", entry)
                except BaseException:
                    os.rename(trash / name, entry)
                    raise
            elif entry.exists() or entry.is_symlink():  # an older version's report file (or a foreign link)
                if name in names:
                    _link(f"{_POINTER}/{name}", entry)
                else:
                    trash.mkdir(exist_ok=True)
                    os.replace(entry, trash / name)
        _fsync(out)  # the folder only: the analyst's files are not ours to touch
        _remove(trash)
        _clean(out)


def _replace_entries(out: Path, staging: Path) -> None:
    """Without symbolic links: each file replaced in one rename, ``figures`` by two; not atomic as a set.

    On an error the entries already moved aside are put back.
    """
    names = set(_names(staging))
    trash = out / _TRASH
    _remove(trash)
    trash.mkdir()
    moved: list[str] = []
    try:
        for name in REPORT_NAMES:
            target = out / name
            if name in names and not target.is_dir():
                os.replace(staging / name, target)
            elif target.exists():
                os.rename(target, trash / name)
                moved.append(name)
                if name in names:
                    os.rename(staging / name, target)
                    moved.remove(name)
    except BaseException:
        for name in moved:
            with contextlib.suppress(OSError):
                os.rename(trash / name, out / name)
        raise
    _fsync(out)
    _remove(trash)
    _remove(staging)
