"""Write ``fixtures.csv``: small synthetic datasets for the CR2 / Satterthwaite reference.

Standalone (numpy + pandas only). ``reference.R`` beside this file fits the
models in R with clubSandwich and writes ``reference.csv``; the Python test
suite reads both files and needs no R. Re-run from this folder:

    python make_fixtures.py && Rscript reference.R

Columns: ``case,row,family,stratum,treat,post,weight,y``. Each ``case`` is an
independent dataset; ``row`` numbers the rows of a case from 1; ``family`` is
the cluster id (unique within a case); ``stratum`` is empty (NA) where a case
has no strata. Difference cases have ``post == 1`` on every row; DiD cases
have each person twice (``post`` 0 and 1, adjacent rows).

Cases:

* ``difference``: 40 families in 4 strata (12, 10, 10, 8), half the families
  of each stratum treated, 1-4 persons, y ~ Bernoulli(0.3 + 0.15 * treat).
* ``did``: 30 families in 3 strata of 10 (5 treated each), 1-3 persons x 2
  periods, y binary with an effect on treat:post.
* ``did_weighted``: 50 families (25 treated), no strata, 1-3 persons x 2
  periods, one weight per family ~ uniform(0.2, 3), y normal with a family
  effect.
* ``singleton_stratum``: 15 families in 4 strata of sizes 5, 5, 4, 1; the lone
  family of stratum 4 has 3 persons, so its stratum dummy gives its hat block
  an eigenvalue of exactly 1 (I - H_gg is singular there). y binary.
* ``few_clusters``: 8 families in 2 strata of 4 (2 treated each), 1-3 persons,
  y normal.
* ``did_row_weights``: 24 families in 2 strata of 12 (6 treated each), 1-3
  children x 2 school years, each row weighted by its own school days
  (150-200) times a family weight ~ uniform(0.5, 2): weights vary within a
  family, as the absence effect's rows do; y an absence rate.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20190901
HERE = Path(__file__).resolve().parent


def _treat_per_stratum(rng: np.random.Generator, sizes: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Stratum label (1-based) and treatment (half per stratum, rounded down) for each family."""
    stratum, treat = [], []
    for s, n in enumerate(sizes, start=1):
        t = np.zeros(n, dtype=int)
        t[: n // 2] = 1
        stratum.extend([s] * n)
        treat.extend(rng.permutation(t).tolist())
    return np.array(stratum), np.array(treat)


def _frame(
    case: str, fam: list[int], stratum: list, treat: list[int], post: list[int], weight: list[float], y: list[float]
) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "case": case,
            "family": fam,
            "stratum": pd.array(stratum, dtype="Int64"),
            "treat": treat,
            "post": post,
            "weight": weight,
            "y": y,
        }
    )
    df.insert(1, "row", np.arange(1, len(df) + 1))
    return df


def difference(rng: np.random.Generator) -> pd.DataFrame:
    strata, treat = _treat_per_stratum(rng, [12, 10, 10, 8])
    fam, st, tr, y = [], [], [], []
    for f, (s, t) in enumerate(zip(strata, treat, strict=True), start=1):
        for _ in range(rng.integers(1, 5)):
            fam.append(f)
            st.append(s)
            tr.append(t)
            y.append(int(rng.random() < 0.3 + 0.15 * t))
    n = len(fam)
    return _frame("difference", fam, st, tr, [1] * n, [1.0] * n, y)


def did(rng: np.random.Generator) -> pd.DataFrame:
    strata, treat = _treat_per_stratum(rng, [10, 10, 10])
    fam, st, tr, po, y = [], [], [], [], []
    for f, (s, t) in enumerate(zip(strata, treat, strict=True), start=1):
        for _ in range(rng.integers(1, 4)):
            for p in (0, 1):
                fam.append(f)
                st.append(s)
                tr.append(t)
                po.append(p)
                prob = 0.3 + 0.05 * t + 0.05 * s + 0.1 * p + 0.2 * t * p
                y.append(int(rng.random() < prob))
    return _frame("did", fam, st, tr, po, [1.0] * len(fam), y)


def did_weighted(rng: np.random.Generator) -> pd.DataFrame:
    n_fam = 50
    treat = rng.permutation(np.repeat([0, 1], n_fam // 2))
    fam, tr, po, w, y = [], [], [], [], []
    for f, t in enumerate(treat, start=1):
        wf = float(rng.uniform(0.2, 3.0))
        u = rng.normal(0.0, 0.5)
        for _ in range(rng.integers(1, 4)):
            for p in (0, 1):
                fam.append(f)
                tr.append(t)
                po.append(p)
                w.append(wf)
                y.append(float(1.0 + 0.2 * t + 0.3 * p + 0.5 * t * p + u + rng.normal(0.0, 1.0)))
    return _frame("did_weighted", fam, [pd.NA] * len(fam), tr, po, w, y)


def singleton_stratum(rng: np.random.Generator) -> pd.DataFrame:
    strata, treat = _treat_per_stratum(rng, [5, 5, 4, 1])
    fam, st, tr, y = [], [], [], []
    for f, (s, t) in enumerate(zip(strata, treat, strict=True), start=1):
        persons = 3 if s == 4 else rng.integers(1, 5)
        for _ in range(persons):
            fam.append(f)
            st.append(s)
            tr.append(t)
            y.append(int(rng.random() < 0.3 + 0.2 * t))
    n = len(fam)
    return _frame("singleton_stratum", fam, st, tr, [1] * n, [1.0] * n, y)


def few_clusters(rng: np.random.Generator) -> pd.DataFrame:
    strata, treat = _treat_per_stratum(rng, [4, 4])
    fam, st, tr, y = [], [], [], []
    for f, (s, t) in enumerate(zip(strata, treat, strict=True), start=1):
        u = rng.normal(0.0, 0.5)
        for _ in range(rng.integers(1, 4)):
            fam.append(f)
            st.append(s)
            tr.append(t)
            y.append(float(0.5 * s + 0.4 * t + u + rng.normal(0.0, 1.0)))
    n = len(fam)
    return _frame("few_clusters", fam, st, tr, [1] * n, [1.0] * n, y)


def did_row_weights(rng: np.random.Generator) -> pd.DataFrame:
    strata, treat = _treat_per_stratum(rng, [12, 12])
    fam, st, tr, po, w, y = [], [], [], [], [], []
    for f, (s, t) in enumerate(zip(strata, treat, strict=True), start=1):
        wf = float(rng.uniform(0.5, 2.0))
        for _ in range(rng.integers(1, 4)):
            for p in (0, 1):
                fam.append(f)
                st.append(s)
                tr.append(t)
                po.append(p)
                w.append(float(rng.integers(150, 201)) * wf)
                y.append(float(np.clip(0.1 + 0.02 * s - 0.03 * t * p + rng.normal(0.0, 0.05), 0.0, 1.0)))
    return _frame("did_row_weights", fam, st, tr, po, w, y)


def main() -> None:
    rng = np.random.default_rng(SEED)
    frames = [make(rng) for make in (difference, did, did_weighted, singleton_stratum, few_clusters, did_row_weights)]
    out = pd.concat(frames, ignore_index=True)
    out.to_csv(HERE / "fixtures.csv", index=False)
    print(out.groupby("case", sort=False).agg(rows=("row", "size"), families=("family", "nunique")))


if __name__ == "__main__":
    main()
