"""The release ledger (issue 12, part 6): two reports one family apart cannot both be published.

Every expected difference below is counted by hand from the id lists in the
test, not computed by the code under test.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from opgang_eval.errors import ConfigError
from opgang_eval.release.ledger import LEDGER, LOCK, SALT, Ledger, LedgerRelease

#: Ten families of the intervention arm and five of the control arm.
INTERVENTION = [f"F{i:03d}" for i in range(1, 11)]  # F001 … F010
CONTROL = [f"F{i:03d}" for i in range(11, 16)]  # F011 … F015
FIRST = {"arm:intervention": np.array(INTERVENTION, dtype=object), "arm:control": np.array(CONTROL, dtype=object)}

#: Processes started by ``fork`` (the tests need Linux for flock anyway): a child inherits the
#: imported package instead of importing it again, and can drop root before it touches the folder.
_FORK = multiprocessing.get_context("fork")


def _recorded(folder: Path, populations: dict[str, object] | None = None) -> Ledger:
    ledger = Ledger.open(folder)
    ledger.record(populations or FIRST, when="2024-01-31")
    return Ledger.open(folder)


def _without(ids: list[str], *drop: str) -> np.ndarray:
    return np.array([i for i in ids if i not in drop], dtype=object)


# ---------------------------------------------------------------------------------- differencing


def test_one_family_apart_is_reported_with_its_difference(tmp_path):
    ledger = _recorded(tmp_path)
    # All intervention families but F007: {F001…F010} Δ {F001…F010} − {F007} = {F007}, one family.
    found = ledger.differencing({"arm:intervention": _without(INTERVENTION, "F007")}, min_cell=5)
    assert found == {"arm:intervention": 1}


def test_an_identical_population_is_not_reported(tmp_path):
    ledger = _recorded(tmp_path)
    # The same ids in another order, as a list, with a duplicate (a family with two parents).
    again = {"arm:intervention": [*reversed(INTERVENTION), "F003"], "arm:control": CONTROL}
    assert ledger.differencing(again, min_cell=5) == {}


def test_five_apart_is_safe_with_min_cell_five_and_four_apart_is_not(tmp_path):
    ledger = _recorded(tmp_path)
    five = _without(INTERVENTION, "F001", "F002", "F003", "F004", "F005")  # 10 − 5: five apart
    four = _without(INTERVENTION, "F001", "F002", "F003", "F004")  # 10 − 4: four apart
    assert ledger.differencing({"arm:intervention": five}, min_cell=5) == {}
    assert ledger.differencing({"arm:intervention": four}, min_cell=5) == {"arm:intervention": 4}
    # The threshold is the report's: with min_cell 6 five apart is too close.
    assert ledger.differencing({"arm:intervention": five}, min_cell=6) == {"arm:intervention": 5}


def test_new_families_count_as_differences_too(tmp_path):
    ledger = _recorded(tmp_path)
    # F001 and F002 left, two new families (never seen by the ledger) joined: four apart, same size.
    swapped = np.array([*INTERVENTION[2:], "N001", "N002"], dtype=object)
    assert ledger.differencing({"arm:intervention": swapped}, min_cell=5) == {"arm:intervention": 4}


def test_a_key_never_recorded_is_not_reported(tmp_path):
    ledger = _recorded(tmp_path)
    # The same ten families minus one, but under a key no earlier release published.
    assert ledger.differencing({"site:Nord/arm:intervention": _without(INTERVENTION, "F007")}, min_cell=5) == {}


def test_an_empty_ledger_reports_nothing(tmp_path):
    ledger = Ledger.open(tmp_path)
    assert ledger.differencing(FIRST, min_cell=5) == {}
    assert ledger.releases == ()
    assert not (tmp_path / LEDGER).exists() and not (tmp_path / SALT).exists()  # opening writes nothing


def test_every_recorded_release_counts_and_the_smallest_difference_is_given(tmp_path):
    ledger = Ledger.open(tmp_path)
    ledger.record(FIRST, when="2024-01-31")
    ledger.record({"arm:intervention": _without(INTERVENTION, "F001", "F002", "F003")}, when="2024-02-29")
    # Without F001, F002: two from the first release, one (F003 back) from the second.
    now = Ledger.open(tmp_path).differencing({"arm:intervention": _without(INTERVENTION, "F001", "F002")}, 5)
    assert now == {"arm:intervention": 1}
    assert Ledger.open(tmp_path).releases == (
        LedgerRelease("2024-01-31", ("arm:control", "arm:intervention")),
        LedgerRelease("2024-02-29", ("arm:intervention",)),
    )


def test_recorded_populations_survive_new_families_joining_the_table(tmp_path):
    ledger = Ledger.open(tmp_path)
    ledger.record({"arm:control": CONTROL}, when="1")
    # New families move every stored bitmap onto a larger table; the control arm must still be itself.
    ledger.record({"arm:intervention": INTERVENTION, "other": ["A", "Z", "M"]}, when="2")
    reread = Ledger.open(tmp_path)
    assert reread.n_units == 15 + 3
    assert reread.differencing({"arm:control": CONTROL}, 5) == {}
    assert reread.differencing({"arm:control": _without(CONTROL, "F015")}, 5) == {"arm:control": 1}
    assert reread.differencing({"other": ["A", "Z"]}, 5) == {"other": 1}


def test_identical_populations_are_stored_once(tmp_path):
    ledger = Ledger.open(tmp_path)
    ledger.record(FIRST, when="1")
    ledger.record({**FIRST, "all": INTERVENTION}, when="2")  # "all" is the intervention population again
    doc = json.loads((tmp_path / LEDGER).read_text(encoding="utf-8"))
    assert len(doc["populations"]) == 2
    assert [r["cells"] for r in doc["releases"]] == [
        {"arm:control": 0, "arm:intervention": 1},  # keys in sorted order: the control arm came first
        {"all": 1, "arm:control": 0, "arm:intervention": 1},
    ]
    assert [p["families"] for p in doc["populations"]] == [5, 10]


def test_a_missing_id_is_a_programming_error(tmp_path):
    ledger = Ledger.open(tmp_path)
    with pytest.raises(ValueError, match="arm:intervention"):
        ledger.record({"arm:intervention": np.array(["F001", None], dtype=object)}, when="1")


# ------------------------------------------------------------------------------ what is stored


def test_the_ledger_holds_no_id_and_its_digests_depend_on_the_salt(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"
    for folder, salt in ((one, bytes(range(32))), (other, bytes(range(32, 64)))):
        folder.mkdir()
        # Fixed salts (a salt without a ledger is used as it is), so that an id cannot turn up in the
        # base64 by chance on some runs and not others.
        (folder / SALT).write_bytes(salt)
        _recorded(folder)
    raw = (one / LEDGER).read_bytes()
    for family in [*INTERVENTION, *CONTROL]:
        assert family.encode() not in raw
    a, b = (json.loads((f / LEDGER).read_text(encoding="utf-8")) for f in (one, other))
    assert a["table"] != b["table"] and a["salt_check"] != b["salt_check"]
    salted = ("table", "salt_check", "populations")
    assert {k: v for k, v in a.items() if k not in salted} == {k: v for k, v in b.items() if k not in salted}
    assert [p["families"] for p in a["populations"]] == [p["families"] for p in b["populations"]]


def test_the_same_releases_give_the_same_bytes(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"
    one.mkdir()
    other.mkdir()
    _recorded(one)
    (other / SALT).write_bytes((one / SALT).read_bytes())  # the same salt: nothing may differ
    reordered = {key: list(reversed(ids)) for key, ids in reversed(FIRST.items())}
    _recorded(other, reordered)
    assert (one / LEDGER).read_bytes() == (other / LEDGER).read_bytes()
    text = (one / LEDGER).read_text(encoding="utf-8")
    assert '"arm:intervention": 1' in text and '"when": "2024-01-31"' in text  # readable as it is


def test_a_new_salt_is_random_and_private(tmp_path):
    one, other = tmp_path / "one", tmp_path / "other"
    for folder in (one, other):
        folder.mkdir()
        _recorded(folder)
    assert len((one / SALT).read_bytes()) == 32
    assert (one / SALT).read_bytes() != (other / SALT).read_bytes()
    for name in (SALT, LEDGER):
        assert stat.S_IMODE((one / name).stat().st_mode) == 0o600
    # Nothing but the three files is left behind (no temporary file of the atomic write).
    assert sorted(p.name for p in one.iterdir()) == sorted([LEDGER, SALT, LOCK])


def test_a_temporary_file_left_by_a_killed_write_is_removed_by_the_next(tmp_path):
    _recorded(tmp_path)
    (tmp_path / ".opgang-ledger-abc123.tmp").write_bytes(b"half a ledger")
    Ledger.open(tmp_path).record(FIRST, when="later")
    assert not (tmp_path / ".opgang-ledger-abc123.tmp").exists()


# ----------------------------------------------------------------------------------- refusals


def _no_secret(message: str, folder: Path) -> None:
    """No id, digest or salt in a message."""
    for family in [*INTERVENTION, *CONTROL]:
        assert family not in message
    doc = (folder / LEDGER).read_text(encoding="utf-8", errors="replace") if (folder / LEDGER).is_file() else ""
    for blob in re.findall(r'"([A-Za-z0-9+/=]{12,})"', doc):
        assert blob not in message
    assert (folder / SALT).exists() is False or (folder / SALT).read_bytes().hex() not in message


@pytest.mark.parametrize(
    ("damage", "why"),
    [
        (lambda raw: raw[: len(raw) // 2], "not valid JSON"),
        (lambda raw: b"\xff\xfe" + raw, "not UTF-8"),
        (lambda raw: b"[]", "not an opgang-eval release ledger"),
        (lambda raw: raw.replace(b'"units": 15', b'"units": 16'), "table of digests is damaged"),
        (lambda raw: re.sub(rb'"bits": "[^"]*"', b'"bits": "AAAA"', raw, count=1), "damaged"),
        (lambda raw: raw.replace(b'"arm:intervention": 1', b'"arm:intervention": 7'), "does not hold"),
        (lambda raw: raw.replace(b'"when": "2024-01-31"', b'"when": 2024'), "'when'"),
    ],
)
def test_a_damaged_ledger_is_refused_with_what_to_do(tmp_path, damage, why):
    _recorded(tmp_path)
    (tmp_path / LEDGER).write_bytes(damage((tmp_path / LEDGER).read_bytes()))
    with pytest.raises(ConfigError) as caught:
        Ledger.open(tmp_path)
    message = str(caught.value)
    assert "release ledger" in message and why in message
    assert "backup" in message and "delete" in message and "forgets the earlier releases" in message
    _no_secret(message, tmp_path)


def test_a_ledger_of_a_newer_version_asks_for_that_version(tmp_path):
    _recorded(tmp_path)
    raw = (tmp_path / LEDGER).read_bytes().replace(b'"version": 1', b'"version": 2')
    (tmp_path / LEDGER).write_bytes(raw)
    with pytest.raises(ConfigError, match="newer opgang-eval"):
        Ledger.open(tmp_path)


def test_an_unreadable_ledger_is_refused(tmp_path):
    _recorded(tmp_path)
    (tmp_path / LEDGER).unlink()
    (tmp_path / LEDGER).mkdir()  # readable by nobody as a file, whoever runs the test
    with pytest.raises(ConfigError, match=r"cannot be read .*backup") as caught:
        Ledger.open(tmp_path)
    _no_secret(str(caught.value), tmp_path)


def test_a_ledger_without_its_salt_is_refused(tmp_path):
    _recorded(tmp_path)
    (tmp_path / SALT).unlink()
    with pytest.raises(ConfigError) as caught:
        Ledger.open(tmp_path)
    message = str(caught.value)
    assert "salt file" in message and "missing" in message and "cannot be compared" in message
    assert "Restore" in message and "forgets the earlier releases" in message
    _no_secret(message, tmp_path)


def test_a_salt_lost_after_opening_is_not_replaced_by_a_record(tmp_path):
    ledger = _recorded(tmp_path)
    (tmp_path / SALT).unlink()
    # The record re-reads under the lock and refuses: a new salt would make every recorded population unmatchable.
    with pytest.raises(ConfigError, match="missing"):
        ledger.record(FIRST, when="later")
    assert not (tmp_path / SALT).exists()


def test_a_damaged_or_replaced_salt_is_refused(tmp_path):
    _recorded(tmp_path)
    (tmp_path / SALT).write_bytes(b"short")
    with pytest.raises(ConfigError, match=r"salt file .* is damaged"):
        Ledger.open(tmp_path)
    (tmp_path / SALT).write_bytes(os.urandom(32))
    with pytest.raises(ConfigError, match="not the one the release ledger") as caught:
        Ledger.open(tmp_path)
    _no_secret(str(caught.value), tmp_path)


def _as_unprivileged(action: Callable[[], None]) -> str:
    """The message of the ConfigError ``action`` raises, run as a user the folder does not belong to.

    As root, chmod changes nothing (root writes anyway), so the action runs in a
    forked child that first becomes ``nobody``: the real condition of an analyst
    whose extract folder is read-only to them.
    """
    if os.geteuid() != 0:
        with pytest.raises(ConfigError) as caught:
            action()
        return str(caught.value)
    queue = _FORK.SimpleQueue()

    def child() -> None:
        os.setgid(65534)
        os.setuid(65534)
        try:
            action()
        except ConfigError as exc:
            queue.put(str(exc))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            queue.put(f"unexpected {type(exc).__name__}: {exc}")
        else:
            queue.put("no error")

    process = _FORK.Process(target=child)
    process.start()
    process.join(60)
    return queue.get()


@pytest.fixture
def read_only_folder() -> Iterator[Path]:
    """A folder its user may read but not write (outside pytest's root-only tmp, so ``nobody`` can see it)."""
    folder = Path(tempfile.mkdtemp(prefix="ledger-ro-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()


def test_a_read_only_extract_folder_is_refused_before_the_report(read_only_folder):
    _recorded(read_only_folder)
    before = sorted(p.name for p in read_only_folder.iterdir())
    read_only_folder.chmod(0o555)
    for name in before:
        (read_only_folder / name).chmod(0o644)  # readable by all, so only the folder is in the way
    message = _as_unprivileged(lambda: Ledger.open(read_only_folder))
    assert "cannot be written in the extract folder" in message, message
    assert "make the folder writable" in message and "--no-ledger" in message
    _no_secret(message, read_only_folder)
    assert sorted(p.name for p in read_only_folder.iterdir()) == before


def test_a_read_only_extract_folder_refuses_the_record_too(read_only_folder):
    read_only_folder.chmod(0o555)
    message = _as_unprivileged(
        lambda: Ledger.open(read_only_folder, check_writable=False).record(FIRST, when="2024-01-31")
    )
    assert "cannot be written in the extract folder" in message and "--no-ledger" in message, message
    assert list(read_only_folder.iterdir()) == []


# -------------------------------------------------------------------------------- concurrency


def _record_many(folder: str, worker: int, start: multiprocessing.synchronize.Barrier) -> None:
    start.wait()
    for n in range(8):
        ledger = Ledger.open(folder)
        ledger.record({f"worker{worker}/release{n}": [f"W{worker}-{n}", "F001"]}, when=f"{worker}-{n}")


def test_two_reports_recording_at_once_lose_no_entry(tmp_path):
    start = _FORK.Barrier(2)
    workers = [_FORK.Process(target=_record_many, args=(str(tmp_path), w, start)) for w in (1, 2)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(120)
    assert [p.exitcode for p in workers] == [0, 0]
    ledger = Ledger.open(tmp_path)
    assert sorted(r.when for r in ledger.releases) == sorted(f"{w}-{n}" for w in (1, 2) for n in range(8))
    assert ledger.n_units == 1 + 16  # F001 and one family per record
    for w in (1, 2):
        for n in range(8):  # every population is the one recorded: one family apart when F001 is left out
            key = f"worker{w}/release{n}"
            assert ledger.differencing({key: [f"W{w}-{n}"]}, 5) == {key: 1}


def _try_record(folder: str, answer: multiprocessing.SimpleQueue) -> None:
    try:
        Ledger.open(folder).record(FIRST, when="too soon", timeout=0.3)
    except ConfigError as exc:
        answer.put(str(exc))
    else:
        answer.put("recorded")


def test_a_check_and_record_under_the_lock_keeps_other_runs_out(tmp_path):
    answer = _FORK.SimpleQueue()
    with Ledger.locked(tmp_path) as ledger:
        assert ledger.differencing(FIRST, 5) == {}
        other = _FORK.Process(target=_try_record, args=(str(tmp_path), answer))
        other.start()
        other.join(60)
        ledger.record(FIRST, when="first")
    message = answer.get()
    assert "Another opgang-eval run has held the release ledger" in message and "run again" in message
    assert [r.when for r in Ledger.open(tmp_path).releases] == ["first"]
    # Once the block is left, the lock is free again.
    Ledger.open(tmp_path).record(FIRST, when="second", timeout=5)
    assert [r.when for r in Ledger.open(tmp_path).releases] == ["first", "second"]


def test_a_failed_write_leaves_the_ledger_and_the_object_as_they_were(tmp_path, monkeypatch):
    _recorded(tmp_path)
    before = (tmp_path / LEDGER).read_bytes()

    def full(*args: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with Ledger.locked(tmp_path) as ledger:
        monkeypatch.setattr(os, "replace", full)  # the disk fills up at the last step
        with pytest.raises(ConfigError, match="No space left on device") as caught:
            ledger.record({"arm:intervention": ["N001", *INTERVENTION]}, when="never")
        monkeypatch.undo()
        assert [r.when for r in ledger.releases] == ["2024-01-31"]
        assert ledger.n_units == 15
        assert ledger.differencing({"arm:intervention": _without(INTERVENTION, "F001")}, 5) == {"arm:intervention": 1}
    assert "--no-ledger" in str(caught.value)
    assert (tmp_path / LEDGER).read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([LEDGER, SALT, LOCK])
