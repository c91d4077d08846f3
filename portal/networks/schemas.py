from __future__ import annotations

from pydantic import BaseModel, Field


class ValueYear(BaseModel):
    value: float | None
    year: int | None


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
