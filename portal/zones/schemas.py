from __future__ import annotations

from pydantic import BaseModel, Field


class PlacePublic(BaseModel):
    code: str
    name: str
    kind: str = Field(description="city | park")
    city: str = Field(description="the city the place is in (itself for a city)")
    demands: int = Field(description="published demands in the place")
    solutions: int = Field(description="published, unexpired solutions serving the place")
    networks: int = Field(description="counted 5G private networks (confirmed, in service)")
    cases: int | None = Field(description="benchmark cases; null for parks (not recorded)")


class ZonesPublic(BaseModel):
    as_of: str
    zones: list[PlacePublic] = Field(
        description="the pilot zones (三市两山: three cities, two parks)"
    )
    cities: list[PlacePublic] = Field(description="the 14 cities")
