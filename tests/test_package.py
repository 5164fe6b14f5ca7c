"""Package surface: the public names, a quick CLI, and layering."""

from __future__ import annotations

import subprocess
import sys

import pytest

import opgang_eval as oe


def test_every_public_name_resolves():
    import opgang_eval.evaluation  # noqa: F401 - importing submodules must not shadow public names

    assert callable(oe.evaluate) and callable(oe.load) and callable(oe.render_report)
    for name in oe.__all__:
        assert getattr(oe, name) is not None, name
    assert set(oe.__all__) == {*oe._WHERE, "__version__"}


def test_cli_help_does_not_import_the_data_stack():
    code = (
        "import sys\n"
        "from opgang_eval.cli import build_parser\n"
        "build_parser().format_help()\n"
        "heavy = [m for m in ('pandas', 'numpy', 'scipy', 'statsmodels', 'matplotlib') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_lists_the_three_commands(capsys):
    from opgang_eval.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    for command in ("validate", "report", "sample"):
        assert command in text


def test_typed_parts_flatten_into_the_tidy_row():
    # A share of 3 out of 4: its parts are two named counts, read by attribute (or by name, as before).
    share = oe.Share("m", "intervention", 0.75, 0.3, 0.95, 4, 3, "Wilson", parts=oe.ShareParts(3, 4))
    row = share.summary()
    assert (row["kind"], row["numerator"], row["denominator"], row["n_families"]) == ("share", 3, 4, 3)
    assert share.parts.numerator == share.parts["numerator"] == 3
    with pytest.raises(KeyError):
        share.parts["persons_intervention_post"]
    missing = oe.Effect.unavailable("m", "effect", "no control arm", scale="percentage_points")
    assert missing.reason == "no control arm" and missing.parts.cells == () and missing.parts.to_frame().empty
    cells = (
        oe.EffectCell("intervention", "post", 0.5, 4, 3, 2, 4.0),
        oe.EffectCell("control", "post", 0.25, 8, 5, 2, 8.0),
    )
    frame = oe.EffectParts(cells).to_frame()
    assert frame[["group", "persons", "with_outcome"]].values.tolist() == [["intervention", 4, 2], ["control", 8, 2]]
