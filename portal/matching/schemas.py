from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class MatchPublic(BaseModel):
    id: int
    external_id: str
    title: str
    score: float = Field(ge=0, le=1)
    features: dict[str, float] = Field(
        description="each feature's contribution to the demand's view; vendor_view is the "
        "vendor's view of the pair; the score is their harmonic mean"
    )
    explanation: list[str] = Field(description="every reason and gap, in Chinese")
    verdict: str = Field(
        default="",
        description="one line in Chinese leading the match: the fit tier (高度匹配, 基本匹配, "
        "匹配度低) and what decides it (scenarios, capabilities, industry, budget)",
    )
    gaps: list[str] = Field(
        default_factory=list,
        description="the lines of the explanation on what is missing or does not fit",
    )
    fit: Literal["high", "low"] | None = Field(
        default=None,
        description="high: a recommendation (score at or above the minimum fit); low: shown "
        "only among the nearest; null under the text baseline, which judges no fit",
    )


class MatchList(BaseModel):
    strategy: Literal["full", "text"]
    matches: list[MatchPublic]
