"""Trajectories towards the plan's targets, and a trend forecast. Pure functions.

The plan prints an average annual growth rate beside each indicator (35.4 % for 66 → 300 in
five years: (300/66)^(1/5) − 1 = 0.354). The expected value of a year on the way is the
geometric path between two anchor points — the baseline and each period's target — so
``expected(2020) = 66``, ``expected(2025) = 300`` and every year between grows by the same
rate. A later plan's target (2030) simply adds an anchor.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise


def geometric(start: float, start_year: int, end: float, end_year: int, year: int) -> float:
    """The value in ``year`` on the constant-growth path from (start_year, start) to
    (end_year, end); linear when either end is not positive (a path from 0 %)."""
    if end_year == start_year:
        return end
    t = (year - start_year) / (end_year - start_year)
    if start > 0 and end > 0:
        return float(start * (end / start) ** t)
    return float(start + (end - start) * t)


def annual_rate(start: float, start_year: int, end: float, end_year: int) -> float | None:
    """The constant annual growth rate between two points, e.g. 66 → 300 in 5 years: 0.354."""
    if start <= 0 or end <= 0 or end_year <= start_year:
        return None
    return float((end / start) ** (1 / (end_year - start_year)) - 1)


def expected_path(anchors: Sequence[tuple[int, float]]) -> dict[int, float]:
    """Every year from the first anchor to the last, geometric between consecutive anchors.

    ``anchors`` are (year, value) pairs: the baseline, then each period's target."""
    points = sorted(anchors)
    path: dict[int, float] = {}
    for (y0, v0), (y1, v1) in pairwise(points):
        for year in range(y0, y1 + 1):
            path[year] = geometric(v0, y0, v1, y1, year)
    if len(points) == 1:
        path[points[0][0]] = points[0][1]
    return path


def implied_expected(
    *,
    baseline: float | None,
    baseline_year: int,
    target: float | None,
    target_year: int,
    growth_kind: str | None,
    growth: float | None,
    year: int,
) -> float | None:
    """Where an indicator of 表1 should be in ``year`` according to its growth column.

    - annual ("35.4%"): baseline · (1 + g)^(year − baseline_year), as printed (even where the
      printed rate does not follow from baseline and target, like 省际出口带宽);
    - cumulative ("[15]", a 5-year cumulative change): the change accrued evenly, g · t / 5;
    - "-" with a numeric baseline and target: the straight line between them.
    """
    years = target_year - baseline_year
    elapsed = max(0, min(year, target_year) - baseline_year)
    if growth_kind == "annual" and growth is not None and baseline is not None:
        return float(baseline * (1 + growth) ** elapsed)
    if growth_kind == "cumulative" and growth is not None and years > 0:
        return float(growth * elapsed / years)
    if baseline is not None and target is not None and years > 0:
        return float(baseline + (target - baseline) * elapsed / years)
    return None


@dataclass(frozen=True)
class Trend:
    """A log-linear (constant growth) fit through yearly values."""

    rate: float  # annual growth as a fraction
    intercept: float  # ln(value) at year 0
    points: int

    def at(self, year: int) -> float:
        return float(math.exp(self.intercept + math.log1p(self.rate) * year))


def fit_trend(points: Sequence[tuple[int, float]]) -> Trend | None:
    """Least squares of ln(value) on year; None with fewer than two distinct years."""
    usable = [(y, v) for y, v in points if v > 0]
    if len({y for y, _ in usable}) < 2:
        return None
    n = len(usable)
    mean_x = sum(y for y, _ in usable) / n
    mean_y = sum(math.log(v) for _, v in usable) / n
    sxx = sum((y - mean_x) ** 2 for y, _ in usable)
    sxy = sum((y - mean_x) * (math.log(v) - mean_y) for y, v in usable)
    slope = sxy / sxx
    return Trend(rate=math.expm1(slope), intercept=mean_y - slope * mean_x, points=n)


def needed_per_year(current: float, current_year: int, target: float, target_year: int) -> float:
    """How many more a year, evenly, from now to the target (0 when reached or past)."""
    if target_year <= current_year or current >= target:
        return 0.0
    return (target - current) / (target_year - current_year)
