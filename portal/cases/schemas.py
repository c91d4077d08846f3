from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portal.inputs import MultiLine, SingleLine, VisibleLine, VisibleText
from portal.listings.schemas import Title
from portal.models import UseCasePublic


class UseCaseList(BaseModel):
    total: int
    page: int
    per_page: int
    items: list[UseCasePublic]


class CaseFields(BaseModel):
    """A benchmark case as officials write it (DESIGN.md, import format ``use_case``)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    title: Title
    summary: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), VisibleText
    ]
    industry: str = Field(max_length=64)
    scenarios: list[str] = []
    capabilities: list[str] = []
    city: str = Field(max_length=32)
    enterprise: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), VisibleLine
    ]
    providers: list[Annotated[str, VisibleLine]] = []
    network_type: Annotated[str, Field(max_length=300), SingleLine] | None = None
    year: Annotated[int, Field(ge=2015, le=2100)] | None = None
    benefits: Annotated[str, Field(max_length=5000), MultiLine] | None = None
    source: Annotated[str, Field(max_length=2000), SingleLine] | None = None
    evidence: Literal["self_reported", "operator_verified", "third_party_measured"] = (
        "self_reported"
    )
