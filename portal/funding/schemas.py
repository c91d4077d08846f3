"""Funding (资金扶持) in the JSON API and the import format: strict types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from portal.inputs import SingleLine
from portal.listings.schemas import (
    Codes,
    ExternalId,
    IsoDate,
    ListingText,
    ListingTextPublic,
    ListingTextUpdate,
    Money,
    ShortText,
)

FundingStatus = Literal["draft", "pending", "published", "rejected", "closed", "expired"]
Share = Annotated[float, Field(gt=0, le=100)]
Link = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SingleLine]


class FundingFields(ListingText):
    """Everything of a funding call its owner writes (import format ``funding``)."""

    summary: ShortText = ""
    industries: Codes = Field(default=[], description="industry codes; empty = any industry")
    regions: Codes = Field(
        min_length=1, description="city or pilot zone codes, `hunan` or `national`"
    )
    org_kinds: Codes = Field(default=[], description="organisation kinds; empty = any")
    stages: Codes = Field(
        default=[], description="project stages that may apply (poc, contract, network_live)"
    )
    amount_min: Money | None = Field(default=None, description="in 10,000 yuan (万元)")
    amount_max: Money | None = Field(default=None, description="in 10,000 yuan (万元)")
    cost_share: Share | None = Field(default=None, description="largest share of the cost, %")
    deadline: IsoDate | None = Field(default=None, description="last day to apply, YYYY-MM-DD")
    apply_url: Link | None = None
    source: Link | None = Field(default=None, description="the document it is taken from")


class FundingCreate(FundingFields):
    """``POST /api/v1/funds``. ``status`` ``pending`` submits it for review."""

    external_id: ExternalId | None = Field(default=None, description="generated when absent")
    org: ExternalId | None = Field(
        default=None, description="external_id of the owning organisation, if several"
    )
    status: Literal["draft", "pending"] = "pending"


class FundingUpdate(ListingTextUpdate):
    """``PATCH /api/v1/funds/{id}``: only the fields sent change."""

    summary: ShortText | None = None
    industries: Codes | None = None
    regions: Codes | None = None
    org_kinds: Codes | None = None
    stages: Codes | None = None
    amount_min: Money | None = None
    amount_max: Money | None = None
    cost_share: Share | None = None
    deadline: IsoDate | None = None
    apply_url: Link | None = None
    source: Link | None = None
    status: Literal["draft", "pending", "closed"] | None = None


class FundingPublic(ListingTextPublic):
    id: int
    external_id: str
    org_id: int
    org_name: str
    org_verified: bool
    summary: str
    industries: list[str]
    regions: list[str]
    org_kinds: list[str]
    stages: list[str]
    amount_min: float | None
    amount_max: float | None
    cost_share: float | None
    deadline: date | None
    apply_url: str | None
    source: str | None
    status: FundingStatus
    reject_reason: str | None = Field(description="why it was rejected (owners and officials)")
    created_at: datetime
    updated_at: datetime


class ProgrammeMatch(BaseModel):
    """A funding call or a platform for a demand, with the reasons."""

    id: int
    external_id: str
    title: str
    score: float = Field(ge=0, le=1)
    eligible: bool = Field(
        default=True, description="false: not yet, `missing` says what the demand lacks"
    )
    explanation: list[str]
    missing: list[str] = []
    shortlisted: bool | None = Field(
        default=None, description="funding only: shortlisted for this demand by its owner"
    )


class ProgrammeMatches(BaseModel):
    matches: list[ProgrammeMatch]
