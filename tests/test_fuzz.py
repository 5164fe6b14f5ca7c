"""Fuzzing the command line (issue 18): mutated extracts, settings and arguments never break the CLI's contract.

Each example is a valid extract with a few mutations drawn by Hypothesis
(see ``fuzzing.py`` for what is mutated and what is checked), run through
``opgang_eval.cli.main`` in-process: exit 0 or 2, never 1 or an exception,
no "Traceback", a message on exit 2, and on exit 2 nothing written (the
input, an existing ``--out`` and its earlier report unchanged byte for
byte, no new ``--out``).

Derandomised, so every run sees the same examples, and without Hypothesis's
shrinking (each example runs the CLI; the reproducer printed with a failure
is readable as it is: the case, what it did to the extract, the argv and
the output). ``benchmarks/fuzz_cli.py`` runs the same strategy for
thousands of examples and reduces each failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, currently_in_test_context, example, given, note, settings
from hypothesis import strategies as st

import fuzzing as fz

SETTINGS = {
    "deadline": None,
    "derandomize": True,
    "database": None,
    "phases": [Phase.explicit, Phase.generate],
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> fz.Base:
    return fz.make_base(tmp_path_factory.mktemp("fuzz-base"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-case") / "case"


def check(case: fz.Case, base: fz.Base, folder: Path) -> fz.Outcome:
    outcome = fz.run_case(case, base, fz.fresh(folder), timeout=120)
    found = fz.problems(case, outcome)
    if found and currently_in_test_context():
        note(fz.describe(case, outcome))
    assert not found, "\n\n".join(f"{p.kind}\n{p.detail}" for p in found) + "\n\n" + fz.describe(case, outcome)
    return outcome


# -- the fuzz targets ------------------------------------------------------------------------------------------


def without_known_bugs(strategy: st.SearchStrategy[fz.Case]) -> st.SearchStrategy[fz.Case]:
    """Leave out the cases of known, unfixed bugs (``fuzzing.KNOWN_BUGS``, each pinned here by a strict xfail)."""
    return strategy.filter(lambda case: fz.known_bug(case) is None)


@settings(max_examples=160, **SETTINGS)
@given(case=without_known_bugs(fz.cases(report_share=0)))
@example(case=fz.Case())
@example(case=fz.Case(extract=(fz.Folder("parents", "folder instead"), fz.Folder("parents", "folder instead"))))
# enrolled_on twice in families.csv: the row rule on blank enrolment months read a frame (AttributeError; fixed)
@example(case=fz.Case(extract=(fz.Column(table="families", col=92, op="duplicate", value="1899-12-30"),)))
def test_validate_on_mutated_extracts_exits_0_or_2_and_writes_nothing(base, scratch, case):
    check(case, base, scratch)


@settings(max_examples=40, **SETTINGS)
@given(case=without_known_bugs(fz.cases(report_share=100, max_mutations=3)))
@example(case=fz.Case("report"))
@example(case=fz.Case("report", out_place="existing report"))
@example(case=fz.Case("report", out_place="existing with files"))  # refused, left .opgang-lock behind (fixed)
@example(case=fz.Case("report", config=(fz.Set("end", '"2020-06"'),)))  # before enrolment: was a ValueError (af47666)
@example(case=fz.Case("report", config=(fz.Set("end", '"2024-01"'),)))  # after the data: was a ValueError (af47666)
@example(case=fz.Case("report", formats="xlsx", epoch="4354819200"))  # 2108-01-01: was a struct.error (a5d2f7c)
@example(case=fz.Case("report", formats="xlsx", epoch="253402300799"))  # 9999-12-31: was a struct.error (a5d2f7c)
def test_report_on_mutated_extracts_exits_0_or_2_and_writes_only_a_report(base, scratch, case):
    check(case, base, scratch)


# -- the fuzz harness itself ----------------------------------------------------------------------------------


def test_the_base_case_passes_and_a_plain_report_is_written(base, scratch):
    assert check(fz.Case(), base, scratch).status == 0
    outcome = check(fz.Case("report"), base, scratch)
    assert outcome.status == 0 and outcome.out is not None and (outcome.out / "report.html").is_file()


def test_the_checks_catch_what_they_are_for(base, scratch):
    outcome = fz.run_case(fz.Case("report"), base, fz.fresh(scratch))
    assert not fz.problems(fz.Case("report"), outcome)
    outcome.status = 2  # as if it had failed after writing the report
    outcome.stderr = "Traceback (most recent call last):\nValueError: x\n"
    kinds = {p.kind for p in fz.problems(fz.Case("report"), outcome)}
    # the report and its record in the release ledger (in the extract folder): neither is allowed on exit 2
    assert kinds == {"'Traceback' on stderr: ValueError", "exit 2 but wrote (--out, input)"}
    outcome.status, outcome.stderr = 1, ""
    assert [p.kind for p in fz.problems(fz.Case("report"), outcome)] == ["exit status 1"]


def test_a_mutation_changes_the_file_it_names(base, scratch):
    case = fz.Case(extract=(fz.Cell("families", 0, 1, "nope"),))
    outcome = fz.run_case(case, base, fz.fresh(scratch))
    assert outcome.applied == ["families row 2 column 'arm' = 'nope'"]
    assert outcome.status == 2 and "families.csv" in outcome.stderr and "'nope'" in outcome.stderr
