"""Event study: the share in work or education by months relative to enrolment.

The model is the saturated regression of a parent-month's work status on
period dummies, group and their interactions, weighted by the family's
matching or weighting weight:

    y_it = α_k + γ·treated + β_k·treated·[period k] + ε,   k ≠ reference (the period holding month −1).

Saturated, its coefficients are differences of weighted cell means,
β_k = (ȳ_treated,k − ȳ_treated,ref) − (ȳ_comparison,k − ȳ_comparison,ref),
so they are computed directly from cell sums rather than from a design
matrix of (parent-months × 2·periods) — for a weighted pool of thousands of
families and five years of months that matrix would not fit in memory.
The family-clustered covariance is the usual sandwich, which for a
saturated model is the sum over families of the outer products of each
family's influence on the cell means (the residuals' weighted sums per
cell divided by the cell weight), with the CR1 small-sample factor
G/(G−1)·(N−1)/(N−K) — exactly what statsmodels' ``cov_type="cluster"``
gives for the same regression (a test checks this).

Pre-trends: the joint Wald test that every β_k before enrolment is zero,
as an F statistic with (q, G−1) degrees of freedom.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ..results import Parts

__all__ = ["EventStudy", "PretrendTest", "event_study_from_rows"]


@dataclass(frozen=True)
class PretrendTest(Parts):
    """The joint F test that every pre-enrolment coefficient is zero; NaN with a ``reason`` when it cannot be run."""

    statistic: float = float("nan")
    df_num: float = float("nan")
    df_den: float = float("nan")
    p_value: float = float("nan")
    reason: str | None = None


@dataclass(frozen=True)
class EventStudy:
    """Event-study coefficients and the pre-trend test.

    Attributes
    ----------
    table
        One row per period (``period`` = first month of the bin relative to
        enrolment): ``estimate``, ``ci_low``, ``ci_high``, ``std_error``
        (0 and no interval at the reference), ``share_treated``,
        ``share_comparison`` (weighted cell means), ``persons_treated``,
        ``persons_comparison`` (distinct parents behind each cell),
        ``families_treated``, ``families_comparison`` (their families).
    pretrend
        ``statistic`` (F), ``df_num``, ``df_den``, ``p_value`` of the joint
        test of the pre-enrolment coefficients; NaN with a ``reason`` when
        it cannot be computed.
    reference, bin_months, level, n_families, method
        The omitted period, the bin width, the interval level, the
        clusters and a description.
    """

    table: pd.DataFrame
    pretrend: PretrendTest
    reference: int
    bin_months: int
    level: float
    n_families: int
    method: str
    reason: str | None = None
    notes: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The coefficients by period (the tidy table)."""
        return self.table

    def _heading(self) -> str:
        if self.reason is not None:
            return f"Event study: not available – {self.reason}"
        t = self.pretrend
        test = (
            f"pre-trend F = {t.statistic:.2f} ({t.df_num:.0f}, {t.df_den:.0f} df), p = {t.p_value:.3f}"
            if np.isfinite(t.p_value)
            else f"pre-trend test not available – {t.reason or ''}"
        )
        unit = "months" if self.bin_months == 1 else "quarters"
        return f"Event study ({unit}, reference {self.reference}, {self.n_families:,} families); {test}"

    def __str__(self) -> str:
        return f"{self._heading()}\n{self.table.to_string(index=False)}"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self._heading())}</p>" + self.table.to_html(index=False)


def event_study_from_rows(
    family: np.ndarray,
    treated: np.ndarray,
    k: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    person: np.ndarray,
    *,
    window: tuple[int, int],
    bin_months: int = 1,
    level: float = 0.95,
) -> EventStudy:
    """Estimate the event study from person-period rows.

    Parameters
    ----------
    family
        Cluster (family code) of each row.
    treated
        Whether the row's family is in the intervention group.
    k
        Months relative to the family's enrolment month.
    y
        Outcome (1 = in work or education).
    weight
        The family's weight (rows with weight 0 are ignored).
    person
        Person code of each row (for the persons behind each cell).
    window
        First and last month relative to enrolment.
    bin_months
        1 for months, 3 for quarters; bins are ``floor(k / bin_months)``.
    """
    method = (
        "weighted saturated regression of work or education per parent and "
        f"{'month' if bin_months == 1 else 'quarter'} "
        "on period × group; family-clustered CR1 standard errors; pre-trend: joint F test of the pre-enrolment "
        "coefficients"
    )
    keep = (k >= window[0]) & (k <= window[1]) & (weight > 0)
    family, treated, k, y, weight, person = (a[keep] for a in (family, treated, k, y, weight, person))
    first_bin = window[0] // bin_months
    b = k // bin_months - first_bin
    n_bins = window[1] // bin_months - first_bin + 1
    ref = -1 // bin_months - first_bin
    cell = treated.astype(np.int64) * n_bins + b
    n_cells = 2 * n_bins
    w_cell = np.bincount(cell, weights=weight, minlength=n_cells)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(cell, weights=weight * y, minlength=n_cells) / w_cell
    periods = (np.arange(n_bins) + first_bin) * bin_months
    persons = _distinct_per_cell(person, cell, n_cells)
    families = _distinct_per_cell(family, cell, n_cells)
    estimable = (w_cell[:n_bins] > 0) & (w_cell[n_bins:] > 0)
    groups, g = np.unique(family, return_inverse=True)
    n_groups = len(groups)
    empty = pd.DataFrame({"period": periods})
    if n_groups < 2 or not estimable[ref]:
        why = "too few families" if n_groups < 2 else "no parent of one of the groups has a status in the month before"
        return EventStudy(empty, _no_test(why), int(periods[ref]), bin_months, level, n_groups, method, why)
    resid = y - mean[cell]
    influence = sparse.csr_matrix((weight * resid / w_cell[cell], (g, cell)), shape=(n_groups, n_cells))
    meat = (influence.T @ influence).toarray()
    n_obs, n_par = len(y), int(np.count_nonzero(w_cell > 0))
    meat *= n_groups / (n_groups - 1) * (n_obs - 1) / max(n_obs - n_par, 1)
    # β_k = (m_t,k − m_t,ref) − (m_c,k − m_c,ref): one contrast row per period (zero at the reference).
    contrast = np.zeros((n_bins, n_cells))
    idx = np.arange(n_bins)
    contrast[idx, n_bins + idx] += 1
    contrast[:, n_bins + ref] -= 1
    contrast[idx, idx] -= 1
    contrast[:, ref] += 1
    safe_mean = np.nan_to_num(mean)
    beta = contrast @ safe_mean
    cov = contrast @ meat @ contrast.T
    se = np.sqrt(np.clip(np.diag(cov), 0, None))
    crit = stats.t.ppf(0.5 + level / 2, n_groups - 1)
    beta = np.where(estimable, beta, np.nan)
    se = np.where(estimable, se, np.nan)
    table = pd.DataFrame(
        {
            "period": periods,
            "estimate": beta,
            "ci_low": np.where(idx == ref, np.nan, beta - crit * se),
            "ci_high": np.where(idx == ref, np.nan, beta + crit * se),
            "std_error": se,
            "share_treated": mean[n_bins:],
            "share_comparison": mean[:n_bins],
            "persons_treated": persons[n_bins:],
            "persons_comparison": persons[:n_bins],
            "families_treated": families[n_bins:],
            "families_comparison": families[:n_bins],
        }
    )
    table = table[estimable].reset_index(drop=True)  # periods with parents of both groups (within E)
    pre = np.flatnonzero((idx < ref) & estimable)
    notes = () if estimable.all() else ("periods without parents in one of the groups are left out",)
    return EventStudy(
        table,
        _pretrend(beta[pre], cov[np.ix_(pre, pre)], n_groups),
        int(periods[ref]),
        bin_months,
        level,
        n_groups,
        method,
        None,
        notes,
    )


def _distinct_per_cell(person: np.ndarray, cell: np.ndarray, n_cells: int) -> np.ndarray:
    """Distinct persons in each cell (a person counts once per cell, also with several months in a quarter)."""
    pairs = np.unique(person.astype(np.int64) * n_cells + cell)
    return np.bincount(pairs % n_cells, minlength=n_cells)


def _no_test(reason: str) -> PretrendTest:
    return PretrendTest(reason=reason)


def _pretrend(beta: np.ndarray, cov: np.ndarray, n_groups: int) -> PretrendTest:
    """Joint F test that the pre-enrolment coefficients are zero (Wald / q, with G−1 denominator df).

    When the clustered covariance is singular — with few families whose
    status ever changes before enrolment, some coefficients carry no
    independent information — the test uses its generalised inverse and
    counts only the independent restrictions, as Stata's ``test`` drops
    collinear constraints.
    """
    if len(beta) == 0:
        return _no_test("no period before the reference period")
    values, vectors = np.linalg.eigh(cov)
    keep = values > 1e-10 * max(values.max(), 0.0)
    q = int(keep.sum())
    if q == 0:
        return _no_test("no family's work status varies before enrolment")
    projected = vectors[:, keep].T @ beta
    wald = float(projected @ (projected / values[keep]))
    f = wald / q
    p = float(stats.f.sf(f, q, n_groups - 1))
    return PretrendTest(f, float(q), float(n_groups - 1), p)
