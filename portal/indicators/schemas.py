from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class IndicatorActual(BaseModel):
    year: int
    value: float
    source: str | None
    # Added by issue 17.
    as_of: date | None = Field(default=None, description="when the figure was published")
    next_update: date | None = Field(
        default=None, description="when officials expect the next figure"
    )


class PeriodPublic(BaseModel):
    """A plan period, e.g. 2021–2025 (baseline 2020)."""

    code: str = Field(description="'2021-2025', as in /reports/{period}.pdf")
    name: str = Field(
        description="the plan's name as printed, e.g. “十四五” (the 14th Five-Year Plan)"
    )
    baseline_year: int
    target_year: int
    ended: bool = Field(description="true once the target year is over")
    source: str | None = Field(description="the plan document the period's targets come from")


class OutcomePublic(BaseModel):
    """An ended period's outcome: the final figure against the target."""

    value: float | None = Field(description="the figure judged; null when none")
    year: int | None
    target: float
    target_year: int
    difference: float | None = Field(description="value − target")
    basis: str | None = Field(description="official | registered")
    source: str | None
    as_of: date | None


class IndicatorTargetPublic(BaseModel):
    year: int
    value: float | None = Field(description="null when the target is prose")
    printed: str
    source: str | None


class IndicatorPublic(BaseModel):
    """One row of 表1, its printed cells kept as printed beside their numeric reading."""

    code: str
    seq: str = Field(description="序号 as printed; empty for 其中 sub-rows")
    category: str = Field(
        description="类型 as printed: 总体规模, 基础设施, 绿色节能, 应用普及, 普惠共享"
    )
    name: str = Field(description="指标名称 exactly as printed")
    parent: str | None = Field(description="code of the row a 其中 sub-row belongs to")
    unit: str
    baseline_year: int
    baseline: float | None = Field(description="the 2020 value; null when printed '-'")
    baseline_printed: str
    target_year: int
    target: float | None = Field(description="the 2025 target; null when not a number")
    target_printed: str
    growth: str = Field(
        description="年均/累计 as printed: '35.4%', '[15]' (5-year cumulative) or '-'"
    )
    growth_kind: str | None = Field(description="annual | cumulative | null")
    growth_rate: float | None = Field(
        description="annual growth as a fraction, or the cumulative change"
    )
    actuals: list[IndicatorActual]
    # Added by issue 6 (the shape above is kept).
    targets: list[IndicatorTargetPublic] = Field(
        default_factory=list, description="targets per period end year (表1's 2025, later plans')"
    )
    latest: IndicatorActual | None = Field(default=None, description="the latest actual")
    expected: float | None = Field(
        default=None,
        description="where the trajectory implied by the growth column puts the latest year",
    )
    progress_percent: float | None = Field(
        default=None, description="share of the way from baseline to target, in %"
    )
    status: str = Field(
        default="no_data",
        description="achieved | missed (the period ended) | on_track | behind (in progress) | "
        "no_data (nothing after the period's baseline) | not_measurable",
    )
    # Added by issue 17.
    period: PeriodPublic | None = Field(
        default=None, description="the plan period the row is judged in"
    )
    period_target: IndicatorTargetPublic | None = Field(
        default=None, description="the target of that period"
    )
    outcome: OutcomePublic | None = Field(default=None, description="set when the period has ended")
    next_update: date | None = Field(
        default=None, description="when the next official figure is expected"
    )
    stale: bool = Field(default=False, description="past its next update: 待更新")
