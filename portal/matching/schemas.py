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
    explanation: list[str] = Field(description="reasons and gaps, in Chinese")


class MatchList(BaseModel):
    strategy: Literal["full", "text"]
    matches: list[MatchPublic]
