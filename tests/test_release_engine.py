"""The disclosure engine's core on abstract problems: cells, links, protect and the LP audit.

Every expected interval below is worked out by hand in the comment above it,
from the links alone; the audit must agree. The property tests draw small
2-D and 3-way tables of counts with margins and check that ``protect`` leaves
no exposure, and (independently of any solver) that the audit's intervals are
the minimum and maximum over all integer completions of the hidden cells.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from opgang_eval.release import (
    Cell,
    InconsistentLinksError,
    Link,
    Protection,
    ReleaseError,
    audit,
    intervals,
    protect,
    protection_range,
    reader_bounds,
    shows_marker,
)
from opgang_eval.release.audit import Auditor

M = 5  # min_cell


def count(key: str, value: int, primary: bool | None = None) -> Cell:
    """A count of persons; primary when 1..M-1 unless said otherwise."""
    return Cell(key, float(value), "count", (1 <= value < M) if primary is None else primary)


def amount(key: str, value: float, primary: bool = False, lower: float = 0.0) -> Cell:
    return Cell(key, float(value), "amount", primary, lower=lower)


def same(a: str, b: str) -> Link:
    """The same population in two places, as two cells."""
    return Link(((a, 1.0), (b, -1.0)))


# -- a 2x2 table with margins ----------------------------------------------------------------

#        col1  col2 | row
#  row1    2    10  |  12
#  row2    7    15  |  22
#  col     9    25  |  34
TABLE_2X2 = [
    count("a", 2),
    count("b", 10),
    count("c", 7),
    count("d", 15),
    count("r1", 12),
    count("r2", 22),
    count("c1", 9),
    count("c2", 25),
    count("T", 34),
]
LINKS_2X2 = [
    Link.total("r1", ["a", "b"]),
    Link.total("r2", ["c", "d"]),
    Link.total("c1", ["a", "c"]),
    Link.total("c2", ["b", "d"]),
    Link.total("T", ["r1", "r2"]),
    Link.total("T", ["c1", "c2"]),
]


def test_2x2_primary_alone_is_pinned() -> None:
    # a = r1 - b = 12 - 10 = 2.
    exposures = audit(TABLE_2X2, LINKS_2X2, {"a"}, M)
    assert [(e.key, e.lo, e.hi, e.reason) for e in exposures] == [("a", 2.0, 2.0, "pinned")]
    # The protection range of a "<5" cell holding 2: [1, 3].
    assert (exposures[0].need_lo, exposures[0].need_hi) == (1.0, 3.0)


def test_2x2_protect_hides_a_second_cell_per_row_and_column() -> None:
    hidden = protect(TABLE_2X2, LINKS_2X2, M)
    assert hidden == {"a", "b", "c", "d"}
    assert audit(TABLE_2X2, LINKS_2X2, hidden, M) == []
    # With the margins published, a = t fixes b = 12 - t, c = 9 - t, d = 22 - c = 13 + t;
    # t in [1, 4] (the "<5" marker) and b, c, d >= 0 hold for every such t.
    assert intervals(TABLE_2X2, LINKS_2X2, hidden, M) == {
        "a": (1.0, 4.0),
        "b": (8.0, 11.0),
        "c": (5.0, 8.0),
        "d": (14.0, 17.0),
    }


def test_2x2_hiding_a_row_only_leaves_the_column_to_pin_it() -> None:
    # Hidden a and b: a = c1 - c = 2 and b = c2 - d = 10.
    exposures = audit(TABLE_2X2, LINKS_2X2, {"a", "b"}, M)
    assert [(e.key, e.lo, e.hi) for e in exposures] == [("a", 2.0, 2.0), ("b", 10.0, 10.0)]


# -- a share and its complement --------------------------------------------------------------

SHARE = [count("in_work", 90), count("not_in_work", 4), count("parents", 94)]
SHARE_LINKS = [Link((("in_work", 1.0), ("not_in_work", 1.0), ("parents", -1.0)))]


def test_share_complement_is_pinned_unless_the_numerator_is_hidden() -> None:
    # 94 - 90 = 4.
    exposures = audit(SHARE, SHARE_LINKS, {"not_in_work"}, M)
    assert [(e.key, e.lo, e.hi, e.reason) for e in exposures] == [("not_in_work", 4.0, 4.0, "pinned")]
    assert audit(SHARE, SHARE_LINKS, {"not_in_work", "in_work"}, M) == []
    # not_in_work in [1, 4] ("<5"), in_work = 94 - not_in_work in [90, 93].
    assert intervals(SHARE, SHARE_LINKS, {"not_in_work", "in_work"}, M) == {
        "in_work": (90.0, 93.0),
        "not_in_work": (1.0, 4.0),
    }
    # The numerator is smaller than the denominator, so it is the one hidden.
    assert protect(SHARE, SHARE_LINKS, M) == {"in_work", "not_in_work"}


# -- two tables sharing a population ---------------------------------------------------------

# Table A: participants by arm.      Table B: the control arm by status.
#   intervention   3 (primary)         employed       12
#   control       20                   not employed    8
#   total         23                   control        20   (the same 20 persons as A/control)
LINKED = [
    count("A/intervention", 3),
    count("A/control", 20),
    count("A/total", 23),
    count("B/employed", 12),
    count("B/not_employed", 8),
    count("B/control", 20),
]
LINKED_LINKS = [
    Link.total("A/total", ["A/intervention", "A/control"]),
    Link.total("B/control", ["B/employed", "B/not_employed"]),
    same("A/control", "B/control"),
]


def test_table_by_table_suppression_is_undone_by_the_other_table() -> None:
    table_a = protect(LINKED[:3], LINKED_LINKS[:1], M)
    table_b = protect(LINKED[3:], LINKED_LINKS[1:2], M)
    assert table_a == {"A/intervention", "A/control"}
    assert table_b == set()
    # Each table passes on its own ...
    assert audit(LINKED[:3], LINKED_LINKS[:1], table_a, M) == []
    # ... but B publishes the control arm: A/control = B/control = 20, A/intervention = 23 - 20 = 3.
    exposures = audit(LINKED, LINKED_LINKS, table_a | table_b, M)
    assert [(e.key, e.lo, e.hi) for e in exposures] == [("A/control", 20.0, 20.0), ("A/intervention", 3.0, 3.0)]


def test_joint_protection_of_linked_tables() -> None:
    hidden = protect(LINKED, LINKED_LINKS, M)
    # The margin A/total is in one link, A/control in two (it is B/control too): hiding the margin protects the
    # 3 without touching table B, where hiding A/control would have taken B/control and B/not_employed with it.
    assert hidden == {"A/intervention", "A/total"}
    assert audit(LINKED, LINKED_LINKS, hidden, M) == []
    # A/total = A/intervention + 20 with A/intervention in [1, 4] (its "<5"): A/total in [21, 24].
    assert intervals(LINKED, LINKED_LINKS, hidden, M) == {"A/intervention": (1.0, 4.0), "A/total": (21.0, 24.0)}


# -- amounts ---------------------------------------------------------------------------------

DOMAINS = [amount("total", 300_000), amount("D1", 40_000, primary=True), amount("D2", 260_000)]
DOMAIN_LINKS = [Link.total("total", ["D1", "D2"])]


def test_amount_total_of_two_domains_one_primary() -> None:
    exposures = audit(DOMAINS, DOMAIN_LINKS, {"D1"}, M)
    assert [(e.key, e.lo, e.hi, e.reason) for e in exposures] == [("D1", 40_000.0, 40_000.0, "pinned")]
    # 15 % either side of 40,000.
    assert (exposures[0].need_lo, exposures[0].need_hi) == pytest.approx((34_000.0, 46_000.0))
    hidden = protect(DOMAINS, DOMAIN_LINKS, M)
    assert hidden == {"D1", "D2"}
    assert audit(DOMAINS, DOMAIN_LINKS, hidden, M) == []
    # D1 + D2 = 300,000 with both >= 0.
    got = intervals(DOMAINS, DOMAIN_LINKS, hidden, M)
    assert got == {"D1": pytest.approx((0.0, 300_000.0)), "D2": pytest.approx((0.0, 300_000.0))}


def test_signed_amount_is_unbounded_when_hidden_with_its_partner() -> None:
    cells = [amount("total", 1_000), amount("D1", -500, primary=True, lower=-math.inf), amount("D2", 1_500)]
    assert intervals(cells, DOMAIN_LINKS, {"D1", "D2"}, M) == {
        "D1": (-math.inf, 1_000.0),
        "D2": (0.0, math.inf),
    }
    assert audit(cells, DOMAIN_LINKS, {"D1", "D2"}, M) == []


def test_amount_narrowed_but_not_pinned_is_an_exposure() -> None:
    # D2 = 255,000 + E2 with E2 >= 0, so D1 = 300,000 - D2 = 45,000 - E2 lies in [0, 45,000]:
    # 46,000 (40,000 + 15 %) is ruled out although nothing is pinned.
    cells = [*DOMAINS, amount("E1", 255_000), amount("E2", 5_000)]
    links = [*DOMAIN_LINKS, Link.total("D2", ["E1", "E2"])]
    exposures = audit(cells, links, {"D1", "D2", "E2"}, M)
    assert [(e.key, e.reason) for e in exposures] == [("D1", "narrowed")]
    assert (exposures[0].lo, exposures[0].hi) == pytest.approx((0.0, 45_000.0))
    hidden = protect(cells, links, M)
    assert "D1" in hidden
    assert audit(cells, links, hidden, M) == []


def test_mean_times_public_n_gives_the_sum() -> None:
    # Savings 12,000 in 2 families: mean 6,000. With n published, sum - n * mean = 0.
    cells = [count("n", 2, primary=False), amount("sum", 12_000, primary=True), amount("mean", 6_000, primary=True)]
    links = [Link((("sum", 1.0), ("mean", -2.0)))]
    # Hiding the sum but publishing the mean: sum = 2 * 6,000 (and the mean, primary, is published).
    exposures = audit(cells, links, {"sum"}, M)
    assert [(e.key, e.reason, e.lo) for e in exposures] == [("mean", "published", 6_000.0), ("sum", "pinned", 12_000.0)]
    assert audit(cells, links, {"sum", "mean"}, M) == []


# -- integrality -----------------------------------------------------------------------------


def test_integrality_narrows_what_the_lp_relaxation_would_pass() -> None:
    # parents = 2 x two-parent families + 1 x one-parent families: 9 = 2 * 3 + 3.
    # one_parent is "<5", so 1 <= y <= 4, and x = (9 - y) / 2.
    # LP relaxation: y in [1, 4] contains the protection range [2, 4] -> would pass.
    # Integers: 9 - y must be even, so y in {1, 3}: the interval is [1, 3] and 4 is ruled out.
    cells = [count("parents", 9), count("two_parent", 3, primary=False), count("one_parent", 3)]
    links = [Link((("parents", 1.0), ("two_parent", -2.0), ("one_parent", -1.0)))]
    hidden = {"two_parent", "one_parent"}
    relaxed = [
        linprog(c, A_eq=[[2.0, 1.0]], b_eq=[9.0], bounds=[(0, None), (1, 4)], method="highs").fun
        for c in ([0.0, 1.0], [0.0, -1.0])
    ]
    assert (relaxed[0], -relaxed[1]) == pytest.approx((1.0, 4.0))
    assert intervals(cells, links, hidden, M) == {"one_parent": (1.0, 3.0), "two_parent": (3.0, 4.0)}
    exposures = audit(cells, links, hidden, M)
    assert [(e.key, e.lo, e.hi, e.reason, e.need_lo, e.need_hi) for e in exposures] == [
        ("one_parent", 1.0, 3.0, "narrowed", 2.0, 4.0)
    ]
    hidden = protect(cells, links, M)
    assert audit(cells, links, hidden, M) == []


# -- errors, reader model, determinism --------------------------------------------------------


def test_links_that_the_values_contradict_raise() -> None:
    cells = [count("total", 10), count("left", 3), count("right", 6)]
    links = [Link.total("total", ["left", "right"])]
    with pytest.raises(InconsistentLinksError, match="contradict") as info:
        audit(cells, links, {"left"}, M)
    assert not any(ch.isdigit() for ch in str(info.value)), "the message must not repeat values"
    with pytest.raises(InconsistentLinksError):
        protect(cells, links, M)


def test_bad_arguments_raise() -> None:
    with pytest.raises(ReleaseError, match="two cells"):
        audit([count("x", 1), count("x", 2)], [], set(), M)
    with pytest.raises(ReleaseError, match="not among the cells"):
        audit([count("x", 7)], [Link.total("x", ["y"])], set(), M)
    with pytest.raises(ReleaseError, match="do not exist"):
        audit([count("x", 7)], [], {"y"}, M)
    with pytest.raises(ReleaseError, match="min_cell"):
        protect([count("x", 7)], [], 2)
    with pytest.raises(ReleaseError, match="whole number"):
        Cell("x", 1.5, "count", False)
    with pytest.raises(ReleaseError, match="a-priori"):
        Cell("x", -1.0, "count", False)


def test_published_primary_and_isolated_hidden_cells() -> None:
    cells = [count("alone", 2), count("big", 40)]
    assert [e.reason for e in audit(cells, [], set(), M)] == ["published"]
    # A hidden cell in no link keeps its reader bounds: nothing to solve.
    assert audit(cells, [], {"alone"}, M) == []
    assert intervals(cells, [], {"alone", "big"}, M) == {"alone": (1.0, 4.0), "big": (0.0, math.inf)}
    assert protect(cells, [], M) == {"alone"}


def test_reader_model() -> None:
    small = count("small", 3)
    many_persons_few_families = Cell("p", 6.0, "count", True)  # primary by the family rule
    assert shows_marker(small, M) and not shows_marker(many_persons_few_families, M)
    assert reader_bounds(small, M) == (1.0, 4.0)
    assert reader_bounds(many_persons_few_families, M) == (0.0, math.inf)
    assert protection_range(small, M, Protection()) == (2.0, 4.0)
    assert protection_range(count("one", 1), M, Protection()) == (1.0, 2.0)
    assert protection_range(count("four", 4), M, Protection()) == (3.0, 4.0)
    assert protection_range(amount("x", 1_000, primary=True), M, Protection(amount_ratio=0.2)) == (800.0, 1_200.0)
    assert protection_range(count("secondary", 30), M, Protection()) == (30.0, 30.0)


def test_a_total_forced_by_markers_is_not_an_exposure() -> None:
    # total = a + b with a = b = 1 both "<5": with everything hidden a reader still knows
    # total >= 2 = its value. That is forced by the markers, not by anything published.
    cells = [count("a", 1), count("b", 1), count("total", 2, primary=False)]
    links = [Link.total("total", ["a", "b"])]
    hidden = protect(cells, links, M)
    assert hidden == {"a", "b", "total"}
    assert intervals(cells, links, hidden, M) == {"a": (1.0, 4.0), "b": (1.0, 4.0), "total": (2.0, 8.0)}
    assert audit(cells, links, hidden, M) == []


def test_a_cell_in_many_tables_triggers_the_fallback_and_the_give_back() -> None:
    # x (2 persons, "<5") is a part in five tables: total_i = x + other_i, all published.
    # Each round hides one other_i; after three rounds the fallback hides everything in the
    # remaining links (other_3, other_4 and every total), and the give-back publishes the
    # totals again: with x and every other_i hidden, x in [1, 4] and other_i = total_i - x.
    cells = [count("x", 2)]
    links = []
    for i in range(5):
        cells += [count(f"other{i}", 10 + i), count(f"total{i}", 12 + i)]
        links.append(Link.total(f"total{i}", ["x", f"other{i}"]))
    hidden = protect(cells, links, M)
    assert hidden == {"x", *(f"other{i}" for i in range(5))}
    assert audit(cells, links, hidden, M) == []
    assert intervals(cells, links, hidden, M)["other4"] == (12.0, 15.0)


def _grid(seed: int, tables: int = 6) -> tuple[list[Cell], list[Link]]:
    """Several 3x3 tables with margins, chained by totals shared in groups of three."""
    rng = random.Random(seed)
    cells: list[Cell] = []
    links: list[Link] = []
    base: list[int] = []
    for t in range(tables):
        if t % 3 == 0:
            base = [rng.choice([0, 1, 2, 3, 4, 6, 9, 12, 20]) for _ in range(9)]
        values = base[:]
        rng.shuffle(values)
        table = Table.build(f"t{t}", (3, 3), values)
        cells.extend(table.cells)
        links.extend(table.links)
        if t % 3:
            links.append(same(f"t{t}/+/+", f"t{t - 1}/+/+"))
    return cells, links


def test_protect_is_deterministic_and_ignores_input_order() -> None:
    cells, links = _grid(7)
    hidden = protect(cells, links, M)
    assert protect(cells, links, M) == hidden
    rng = random.Random(1)
    for _ in range(3):
        shuffled_cells = rng.sample(cells, len(cells))
        shuffled_links = [Link(tuple(rng.sample(lk.terms, len(lk.terms))), lk.constant) for lk in links]
        rng.shuffle(shuffled_links)
        assert protect(shuffled_cells, shuffled_links, M) == hidden
    assert audit(cells, links, hidden, M) == []
    assert {c.key for c in cells if c.primary} <= hidden


# -- property tests --------------------------------------------------------------------------


@dataclass
class Table:
    """A d-way table of counts with every margin; ``members`` lists the inner cells behind each cell."""

    cells: list[Cell]
    links: list[Link]
    members: dict[str, list[str]]
    values: dict[str, int]
    grand: str

    @staticmethod
    def key(name: str, index: tuple[object, ...]) -> str:
        return "/".join([name, *map(str, index)])

    @classmethod
    def build(cls, name: str, shape: tuple[int, ...], inner: list[int]) -> Table:
        levels = [[*range(n), "+"] for n in shape]
        inner_index = list(itertools.product(*(range(n) for n in shape)))
        inner_value = dict(zip(inner_index, inner, strict=True))
        values: dict[str, int] = {}
        members: dict[str, list[str]] = {}
        links: list[Link] = []
        for index in itertools.product(*levels):
            below = [i for i in inner_index if all(x == "+" or x == y for x, y in zip(index, i, strict=True))]
            key = cls.key(name, index)
            members[key] = [cls.key(name, i) for i in below]
            values[key] = sum(inner_value[i] for i in below)
            for d, x in enumerate(index):
                if x == "+":
                    parts = [cls.key(name, (*index[:d], level, *index[d + 1 :])) for level in range(shape[d])]
                    links.append(Link.total(key, parts))
        cells = [count(key, value) for key, value in values.items()]
        return cls(cells, links, members, values, cls.key(name, ("+",) * len(shape)))


SMALL = st.one_of(st.integers(0, 4), st.integers(0, 12))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    shape = draw(st.sampled_from([(2, 2), (2, 3), (3, 3), (3, 4), (2, 2, 2), (2, 2, 3)]))
    inner = draw(st.lists(SMALL, min_size=math.prod(shape), max_size=math.prod(shape)))
    return Table.build("t", shape, inner)


PROPERTY = settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(tables(), st.booleans())
def test_protect_leaves_no_exposure(table: Table, twin: bool) -> None:
    cells, links = list(table.cells), list(table.links)
    if twin:
        # The same population split another way in a second table: its total is the same persons.
        inner = [table.values[k] for k in table.members[table.grand]]
        other = Table.build("u", (len(inner),), inner[::-1])
        cells += other.cells
        links += [*other.links, same(other.grand, table.grand)]
    hidden = protect(cells, links, M)
    assert {c.key for c in cells if c.primary} <= hidden
    assert audit(cells, links, hidden, M) == []


def brute_force(table: Table, hidden: set[str]) -> dict[str, tuple[float, float]]:
    """Min and max of every hidden cell over all integer completions, by enumeration.

    The inner hidden cells are the unknowns (every margin is a sum of inner cells); a
    published cell must equal its value, a hidden one must lie in [1, 4] when it shows
    "<5" and be >= 0 otherwise. The grand total is published, so every cell is at most it.
    """
    total = table.values[table.grand]
    inner = [k for k, m in table.members.items() if m == [k]]
    unknown = [k for k in inner if k in hidden]
    value = table.values

    def bounds(key: str) -> tuple[int, int]:
        primary = 1 <= value[key] <= M - 1
        return (1, M - 1) if primary else (0, total)

    solutions = np.zeros((1, 0), dtype=np.int64)
    for j, key in enumerate(unknown):
        lo, hi = bounds(key)
        options = np.arange(lo, hi + 1)
        solutions = np.hstack([np.repeat(solutions, len(options), axis=0), np.tile(options, len(solutions))[:, None]])
        # Prune: a published cell's members (all >= 0) may not add up to more than it.
        assigned = set(unknown[: j + 1])
        keep = np.ones(len(solutions), dtype=bool)
        for key2, members in table.members.items():
            if key2 in hidden or not assigned & set(members):
                continue
            known = sum(value[m] for m in members if m not in hidden)
            cols = [unknown.index(m) for m in members if m in assigned]
            keep &= known + solutions[:, cols].sum(axis=1) <= value[key2]
        solutions = solutions[keep]
    sums: dict[str, np.ndarray] = {}
    keep = np.ones(len(solutions), dtype=bool)
    for key, members in table.members.items():
        known = sum(value[m] for m in members if m not in hidden)
        cols = [unknown.index(m) for m in members if m in hidden]
        sums[key] = known + solutions[:, cols].sum(axis=1)
        if key in hidden:
            lo, hi = bounds(key)
            keep &= (sums[key] >= lo) & (sums[key] <= hi)
        else:
            keep &= sums[key] == value[key]
    assert keep.any(), "the true values are a completion"
    return {key: (float(sums[key][keep].min()), float(sums[key][keep].max())) for key in sorted(hidden)}


@st.composite
def tiny_cases(draw: st.DrawFn) -> tuple[Table, set[str]]:
    shape = draw(st.sampled_from([(2, 2), (2, 3), (2, 2, 2)]))
    top = 8 if len(shape) == 2 else 3
    inner = draw(st.lists(st.integers(0, top), min_size=math.prod(shape), max_size=math.prod(shape)))
    table = Table.build("t", shape, inner)
    hidden = set(protect(table.cells, table.links, M)) if draw(st.booleans()) else set()
    hidden |= {c.key for c in table.cells if c.primary}
    others = sorted(k for k in table.values if k != table.grand)
    hidden |= set(draw(st.lists(st.sampled_from(others), max_size=4)))
    assume(table.grand not in hidden)
    return table, hidden


@PROPERTY
@given(tiny_cases())
def test_audit_intervals_match_enumeration(case: tuple[Table, set[str]]) -> None:
    table, hidden = case
    expected = brute_force(table, hidden)
    got = intervals(table.cells, table.links, hidden, M)
    assert got == expected

    # The audit's verdict (witnesses, shortcuts) against the rule applied to the enumerated
    # intervals. The rule is clipped to R, the interval with every cell hidden (an exact solve;
    # it is an unbounded enumeration), which only matters for a cell that fails without it.
    def fails(key: str, lo: float, hi: float, r_lo: float = -math.inf, r_hi: float = math.inf) -> bool:
        v = table.values[key]
        if r_lo == r_hi:
            return False
        marker = 1 <= v <= M - 1
        return lo == hi or (marker and (lo > max(v - 1, 1, r_lo) or hi < min(v + 1, M - 1, r_hi)))

    exposed = {key for key, (lo, hi) in expected.items() if fails(key, lo, hi)}
    auditor = Auditor(table.cells, table.links, M, Protection())
    exposed = {k for k in exposed if fails(k, *expected[k], auditor.r_bound(k, -1), auditor.r_bound(k, +1))}
    assert {e.key for e in audit(table.cells, table.links, hidden, M)} == exposed


# -- parts no output prints, counts without a marker, unbounded sides ------------------------------------------------


def test_an_unprinted_part_is_protected_only_when_small() -> None:
    # 97 parents, 94 with a status in the end month: the 3 without one are printed nowhere, but 97 - 94 gives them.
    cells = [count("enrolled", 97), count("with_status", 94)]
    small = Cell("without_status", 3.0, "count", True, printed=False)
    hidden = protect([*cells, small], [Link.total("enrolled", ["with_status", "without_status"])], M)
    assert "without_status" in hidden and len(hidden & {"enrolled", "with_status"}) == 1
    # 100 - 94 = 6: not small, so nothing else is hidden; the part is worked out, and that is allowed.
    cells = [count("enrolled", 100), count("with_status", 94)]
    large = Cell("without_status", 6.0, "count", False, printed=False)
    links = [Link.total("enrolled", ["with_status", "without_status"])]
    assert protect([*cells, large], links, M) == {"without_status"}
    assert audit([*cells, large], links, set(), M) == []  # unprinted cells are hidden by themselves


def test_an_unmarked_count_gives_the_reader_no_range() -> None:
    # A rate's numerator of 3 behind a relative change shows no "<5" of its own: hidden, a reader knows only >= 0.
    unmarked = Cell("numerator", 3.0, "count", True, marked=False)
    assert not shows_marker(unmarked, M) and reader_bounds(unmarked, M) == (0.0, math.inf)
    cells = [unmarked, count("other", 9), count("total", 12)]
    links = [Link.total("total", ["numerator", "other"])]
    hidden = protect(cells, links, M)
    assert hidden == {"numerator", "other"}
    # numerator + other = 12, both >= 0: each anywhere in [0, 12] (a marked numerator would be in [1, 4]).
    assert intervals(cells, links, hidden, M) == {"numerator": (0.0, 12.0), "other": (0.0, 12.0)}


def test_a_hidden_cell_unbounded_on_one_side_is_not_pinned() -> None:
    # total = a + b + zero, all hidden and none bounded above: the zero can grow without limit. The maximum is
    # unbounded, so no solver witness shows it moving; the audit must still see that it moves.
    cells = [count("total", 14, primary=False), count("a", 14, primary=False), count("zero", 0, primary=False)]
    links = [Link.total("total", ["a", "zero"])]
    hidden = {"total", "a", "zero"}
    assert intervals(cells, links, hidden, M)["zero"] == (0.0, math.inf)
    assert audit(cells, links, hidden, M) == []
