"""Write ``sample_fixtures.csv``: the analysis rows of every regression effect of the shipped sample.

``reference.R`` fits each with R's clubSandwich (``sample_reference.csv``), and
tests/test_inference.py checks the package's own inference panel
(``ev.effects[m].inference``) against it: the package's CR2 on the rows the
package itself builds. Same columns as ``fixtures.csv``; ``case`` is the
measure id. Run with the project's environment, from this folder:

    ../../../.venv/bin/python export_sample.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import opgang_eval as oe
from opgang_eval.comparison import randomised
from opgang_eval.config import Config
from opgang_eval.measures.frames import build_frames
from opgang_eval.measures.registry import Inputs, measures

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[2] / "data" / "sample"


def main() -> None:
    extracts = oe.load(SAMPLE)
    cfg = Config.resolve(None, default=extracts.config)
    frames = build_frames(extracts, cfg)
    design = randomised(frames)
    inputs = Inputs(frames, cfg, extracts.unit_costs, design)
    parts = []
    for measure in measures():
        contrast = measure.contrast.get("randomised")
        if measure.rows is None or contrast is None:
            continue
        rows = measure.rows(inputs, ("intervention", "control"), contrast)
        if isinstance(rows, str):
            continue
        parts.append(
            pd.DataFrame(
                {
                    "case": measure.id,
                    "row": np.arange(1, len(rows) + 1),
                    "family": rows.fc,
                    "stratum": np.asarray(frames.codes.families["stratum"].astype("str").to_numpy()[rows.fc]),
                    "treat": rows.treated.astype(int),
                    "post": rows.post.astype(int),
                    "weight": np.ones(len(rows)) if rows.weight is None else rows.weight,
                    "y": rows.y.astype(float),
                }
            )
        )
    out = pd.concat(parts, ignore_index=True)
    out.to_csv(HERE / "sample_fixtures.csv", index=False, float_format="%.17g")
    print(out.groupby("case", sort=False).agg(rows=("row", "size"), families=("family", "nunique")))


if __name__ == "__main__":
    main()
