from __future__ import annotations

from pydantic import BaseModel, Field


class IndicatorActual(BaseModel):
    year: int
    value: float
    source: str | None


class IndicatorPublic(BaseModel):
    """One row of 表1, its printed cells kept as printed beside their numeric reading."""

    code: str
    seq: str = Field(description="序号 as printed; empty for 其中 sub-rows")
    category: str = Field(description="类型: 总体规模, 基础设施, 绿色节能, 应用普及, 普惠共享")
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
