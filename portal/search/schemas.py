from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

SearchType = Literal["solution", "demand", "use_case", "funding", "platform", "incubation"]
SortOption = Literal["relevance", "newest", "deadline", "year"]


class SearchHitPublic(BaseModel):
    id: int
    external_id: str
    title: str
    summary: str = ""
    title_en: str = Field(default="", description="the optional English title")
    summary_en: str = ""
    score: float = Field(ge=0, le=1, description="relevance in 0..1")
    industry: str | None = None
    industries: list[str] | None = None
    scenarios: list[str] = []
    capabilities: list[str] = []
    city: str | None = None
    regions: list[str] | None = None
    org_name: str | None = Field(default=None, description="absent for anonymous demands")
    org_kind: str | None = None
    verified: bool | None = None
    price_min: float | None = None
    price_max: float | None = None
    budget_min: float | None = None
    budget_max: float | None = None
    deadline: str | None = None
    year: int | None = None
    evidence: str | None = None
    # Funding, platforms, incubation (issue 16).
    amount_min: float | None = None
    amount_max: float | None = None
    stages: list[str] | None = None
    org_kinds: list[str] | None = None
    platform_capabilities: list[str] | None = None
    access: str | None = None
    price_model: str | None = None
    support: list[str] | None = None
    starts_on: str | None = None


class SearchResultPublic(BaseModel):
    total: int
    page: int
    per_page: int
    hits: list[SearchHitPublic]
    facets: dict[str, dict[str, int]] = Field(
        description="per facet (industry, scenario, capability, city, zone, org_kind, evidence; "
        "funding: stage; platforms: platform_capability, access; incubation: support): "
        "code → count over the filtered set"
    )
