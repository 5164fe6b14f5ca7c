"""Publishing a report set whole or not at all.

A report set (``report.html``, ``report.pdf``, ``tables.xlsx``,
``figures/``) is read together: a PDF from old data beside an HTML from new
data is worse than no report. So the set is written into a staging folder on
the same filesystem as ``--out`` and switched in with one atomic step; a
failure or a ``kill -9`` at any moment leaves either the earlier set or the
new one, never a mixture. The standard library has no directory exchange,
so the switch is hand-written here:

* ``--out`` is an ordinary folder: the staging folder is its sibling, and
  Linux's ``renameat2(RENAME_EXCHANGE)`` swaps the two in one step (where the
  kernel or filesystem lacks it: two renames, with a moment in which the
  folder is absent, but still never mixed). Files in ``--out`` that are not
  part of a report (a ``README.md``) are carried over as hard links, so they
  stay the same files.
* ``--out`` is a mount point (a Docker volume, a USB stick), which cannot be
  renamed: each set is a hidden version folder inside it, and the report's
  names are fixed relative links through one pointer, ``.opgang-current``,
  which is replaced atomically. The first run into a mount point that holds
  a report of the old layout converts it (that step is not atomic).

An advisory lock (``flock`` on the folder that holds the staging) keeps two
runs from interleaving; the second exits with a message. Staging left by a
killed run is removed by the next run, which holds the lock and so knows no
live run uses it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import glob
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ..errors import ConfigError, Failure, Rule, failure_frame

#: Names of a report set inside ``--out`` (set by :mod:`opgang_eval.presentation`).
FILES = {"html": "report.html", "pdf": "report.pdf", "xlsx": "tables.xlsx"}
FIGURE_DIR = "figures"
REPORT_NAMES = frozenset({*FILES.values(), FIGURE_DIR})

_OURS = ".opgang-"
_POINTER = ".opgang-current"
_VERSION = ".opgang-report-"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def out_failure(out: Path, hint: str) -> ConfigError:
    failure = Failure("config", str(out), "out", None, "", "", Rule.BAD_CONFIG, hint)
    return ConfigError(failure_frame([failure]))


@contextlib.contextmanager
def report_set(out: Path) -> Iterator[Path]:
    """Yield an empty staging folder; publish it as ``out`` when the block ends without error.

    ``out`` must not be a symbolic link (resolve it first). An error inside
    the block removes the staging folder and leaves ``out`` as it was.
    """
    mount = out.is_dir() and os.path.ismount(out)
    home = out if mount else out.parent
    home.mkdir(parents=True, exist_ok=True)
    with _locked(home, out):
        if mount:
            _clean_mount(out)
            _check_figures(out)
            staging = Path(tempfile.mkdtemp(prefix=_VERSION, dir=out))
        else:
            _clean(home, out.name)
            if out.exists():
                _check_figures(out)
            staging = Path(tempfile.mkdtemp(prefix=f".{out.name}{_OURS}staging-", dir=home))
        try:
            yield staging
            _sync(staging)
            if mount:
                _switch_pointer(out, staging)
            else:
                _switch_folder(out, staging)
        finally:
            if staging.exists() and not (mount and _current(out) == staging.name):
                shutil.rmtree(staging, ignore_errors=True)


@contextlib.contextmanager
def _locked(home: Path, out: Path) -> Iterator[None]:
    fd = os.open(home, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise out_failure(
                out,
                "Another opgang-eval run is writing a report here; wait for it to finish or choose another folder.",
            ) from None
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _check_figures(out: Path) -> None:
    """Refuse to replace a ``figures`` folder that holds files the report did not write."""
    figures = out / FIGURE_DIR
    if figures.is_symlink() or not figures.is_dir():
        return
    foreign = sorted(p.name for p in figures.iterdir() if p.suffix != ".svg" or not p.is_file())
    if foreign:
        shown = ", ".join(foreign[:3]) + (" …" if len(foreign) > 3 else "")
        raise out_failure(
            out,
            f"The folder {FIGURE_DIR}/ in the output folder holds files the report did not write ({shown}); "
            "move them elsewhere or choose another output folder.",
        )


def _clean(home: Path, name: str) -> None:
    """Remove staging and old sets that a killed run left beside ``home/name``."""
    for left in home.glob(f".{glob.escape(name)}{_OURS}*"):
        _remove(left)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _sync(folder: Path) -> None:
    """Flush the staged files to disk, so the switch never publishes a set a power cut can empty."""
    for path in [*folder.rglob("*"), folder]:
        if path.is_symlink():
            continue
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _carry_over(out: Path, staging: Path) -> None:
    """Hard-link the files in ``out`` that are not the report's into the new set (copy where links cannot be)."""
    for entry in out.iterdir():
        if entry.name in REPORT_NAMES or entry.name.startswith(_OURS):
            continue
        target = staging / entry.name
        if entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        elif entry.is_dir():
            shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
        else:
            _link_or_copy(entry, target)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; ``False`` where the kernel or filesystem cannot."""
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


def _switch_folder(out: Path, staging: Path) -> None:
    if not out.exists():
        staging.chmod(0o777 & ~_umask())
        os.rename(staging, out)
    else:
        _carry_over(out, staging)
        staging.chmod(out.stat().st_mode & 0o7777)
        if not _exchange(staging, out):
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}{_OURS}old-", dir=out.parent))
            os.rename(out, old / out.name)
            os.rename(staging, out)
            staging = old
        shutil.rmtree(staging, ignore_errors=True)  # now the earlier set
    _sync_dir(out.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _sync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _current(out: Path) -> str | None:
    pointer = out / _POINTER
    return os.readlink(pointer) if pointer.is_symlink() else None


def _clean_mount(out: Path) -> None:
    """Remove versions, temporary pointers and trash that are not the current set."""
    current = _current(out)
    for entry in out.iterdir():
        if entry.name.startswith(_OURS) and entry.name not in (_POINTER, current):
            _remove(entry)


def _switch_pointer(out: Path, staging: Path) -> None:
    trash = Path(tempfile.mkdtemp(prefix=f"{_OURS}trash-", dir=out))
    try:
        for name in sorted(p.name for p in staging.iterdir()):
            link = out / name
            wanted = f"{_POINTER}/{name}"
            if link.is_symlink() and os.readlink(link) == wanted:
                continue
            if link.exists() or link.is_symlink():
                os.rename(link, trash / name)  # a report of the old layout
            _symlink(wanted, link, out)
        _symlink(staging.name, out / _POINTER, out)
        for name in REPORT_NAMES:  # formats or figures of an earlier run that this one did not write
            link = out / name
            if link.is_symlink() and not link.exists():
                link.unlink()
        _sync_dir(out)
    finally:
        _clean_mount(out)


def _symlink(target: str, link: Path, out: Path) -> None:
    """Point ``link`` at ``target``, replacing what is there in one rename."""
    temporary = out / f"{_OURS}link-{link.name}"
    temporary.unlink(missing_ok=True)
    try:
        os.symlink(target, temporary)
    except OSError as error:
        if error.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS):
            raise out_failure(
                out,
                "The output folder is a mount point whose filesystem has no symbolic links (e.g. FAT), "
                "so the report set cannot be switched in whole; give a folder inside it, e.g. --out "
                f"{out / 'report'}.",
            ) from None
        raise
    os.replace(temporary, link)
