from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class ValueYear(BaseModel):
    value: float | None
    year: int | None


class PeriodRange(BaseModel):
    baseline_year: int
    target_year: int
    ended: bool
    code: str = Field(description="'2021-2025'")
    name: str
    source: str | None


class NetworkOutcome(BaseModel):
    value: float | None
    year: int | None
    target: float
    difference: float | None = Field(description="value − target")
    basis: str | None
    source: str | None
    as_of: date | None


class NetworkProgressPublic(BaseModel):
    """Indicator 16 (5G虚拟专网数): the target, the official statistic and the registry."""

    target: ValueYear = Field(description="the current period's target (表1: 300 in 2025)")
    baseline: ValueYear = Field(description="表1's 2020 value (66)")
    registered_in_service: int = Field(
        description="networks in the registry that count: confirmed, in service, virtual or hybrid"
    )
    born_from_portal: int = Field(
        default=0,
        description="of the registered ones, those an introduction of this portal reached",
    )
    official: ValueYear = Field(description="the latest official statistic (indicator value)")
    expected: dict[int, float] = Field(
        description="the plan's geometric trajectory, year → value: 66·(300/66)^((year−2020)/5)"
    )
    by_city: dict[str, int]
    by_industry: dict[str, int]
    by_operator: dict[str, int]
    # Added by issue 17.
    period: PeriodRange | None = Field(
        default=None, description="the plan period shown (the current one unless asked)"
    )
    status: str = Field(
        default="no_data",
        description="achieved | missed (period ended) | on_track | behind (in progress) | no_data",
    )
    status_basis: str | None = Field(
        default=None,
        description="official (the latest official figure of the period) | registered "
        "(the registry's count, when there is no official figure)",
    )
    outcome: NetworkOutcome | None = Field(
        default=None, description="set when the period has ended"
    )
    periods: list[str] = Field(
        default_factory=list, description="codes of every period, for ?period="
    )
