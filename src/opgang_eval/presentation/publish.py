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
knows no live run uses them. The standard library and the field's packages
offer none of this, hence the hand-written module.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
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
_VERSION = ".opgang-report-"
_LINK = ".opgang-link-"
_TRASH = ".opgang-trash"
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
    analyst's and stops the run. An error inside the block removes the
    version and leaves ``out`` as it was (a folder this run created is
    removed again).
    """
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    with _locked(out) as new_lock:  # a run that cannot take the lock stops here and removes nothing
        staging = _next_version(out)
        try:
            _clean(out)
            _check_figures(out, figures)
            staging.mkdir()  # mode 0777 & ~umask, as any folder the user makes: colleagues can read the report
            yield staging
            _sync(staging)
            if _has_symlinks(out):
                _switch_pointer(out, staging)
            else:
                _replace_entries(out, staging)
        except BaseException:
            _remove(staging)
            if new_lock:  # leave no trace of a run that published nothing
                (out / _LOCK).unlink(missing_ok=True)
            if created:
                with contextlib.suppress(OSError):
                    out.rmdir()
            raise


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[bool]:
    """Hold the folder's lock; yield whether this run made the lock file."""
    made = not (out / _LOCK).exists()
    fd = os.open(out / _LOCK, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise out_failure(
                out,
                f"Another opgang-eval run is writing a report into {out}; "
                "wait for it to finish or choose another folder.",
            ) from None
        yield made
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _current(out: Path) -> str | None:
    pointer = out / _POINTER
    return os.readlink(pointer) if pointer.is_symlink() else None


def _next_version(out: Path) -> Path:
    """The version after the current one: numbered, so identical runs give identical folders."""
    current = (_current(out) or "").removeprefix(_VERSION)
    return out / f"{_VERSION}{int(current) + 1 if current.isdigit() else 1}"


def _clean(out: Path) -> None:
    """Remove versions and temporary links that are not in use (left by a killed run)."""
    current = _current(out)
    for entry in out.iterdir():
        if entry.name.startswith((_VERSION, _LINK)) and entry.name != current:
            _remove(entry)


def _check_figures(out: Path, figures: frozenset[str]) -> None:
    """Refuse to replace a ``figures`` folder that holds files the report did not write."""
    folder = out / FIGURE_DIR
    if not folder.is_dir():
        return
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
    probe = out / f"{_LINK}probe"
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
    temporary = link.with_name(f"{_LINK}{link.name}")
    temporary.unlink(missing_ok=True)
    os.symlink(target, temporary)
    os.replace(temporary, link)


def _is_ours(link: Path) -> bool:
    return link.is_symlink() and os.readlink(link) == f"{_POINTER}/{link.name}"


def _switch_pointer(out: Path, staging: Path) -> None:
    names = sorted(p.name for p in staging.iterdir())
    for name in names:  # new names first: dangling (absent) until the pointer reaches them
        if not (out / name).exists() and not (out / name).is_symlink():
            _link(f"{_POINTER}/{name}", out / name)
    _link(staging.name, out / _POINTER)  # the switch
    trash = out / _TRASH
    for name in names:  # real files of an older version's report become links
        link = out / name
        if _is_ours(link):
            continue
        if link.is_dir() and not link.is_symlink():
            trash.mkdir(exist_ok=True)
            _remove(trash / name)  # what a killed conversion left: replaced already
            os.rename(link, trash / name)
            try:
                _link(f"{_POINTER}/{name}", link)
            except BaseException:
                os.rename(trash / name, link)
                raise
        else:
            _link(f"{_POINTER}/{name}", link)
    for name in REPORT_NAMES:  # formats and figures of an earlier run that this one did not write
        if _is_ours(out / name) and not (out / name).exists():
            (out / name).unlink()
    _fsync(out)  # the folder only: the analyst's files are not ours to touch
    for entry in out.iterdir():
        if entry.name.startswith((_VERSION, _TRASH)) and entry.name != staging.name:
            _remove(entry)


def _replace_entries(out: Path, staging: Path) -> None:
    """Without symbolic links: each file replaced in one rename, ``figures`` by two; not atomic as a set."""
    names = {p.name for p in staging.iterdir()}
    trash = out / _TRASH
    _remove(trash)
    trash.mkdir()
    for name in REPORT_NAMES:
        target = out / name
        if name in names and not target.is_dir():
            os.replace(staging / name, target)
        elif target.exists():
            os.rename(target, trash / name)
            if name in names:
                os.rename(staging / name, target)
    _fsync(out)  # the folder only: the analyst's files are not ours to touch
    _remove(trash)
    _remove(staging)
