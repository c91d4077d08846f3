"""Incubation programmes (应用孵化) in the JSON API and the import format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from portal.listings.schemas import (
    Codes,
    ExternalId,
    IsoDate,
    ListingText,
    ListingTextPublic,
    ListingTextUpdate,
    ShortText,
)

IncubationStatus = Literal["draft", "pending", "published", "rejected", "closed", "expired"]


class IncubationFields(ListingText):
    """Everything of a cohort its incubator or park writes (import format ``incubation``);
    who may join is said by the industries, the regions and the description."""

    summary: ShortText = ""
    industries: Codes = Field(default=[], description="industry codes; empty = any industry")
    regions: Codes = Field(min_length=1, description="cities or pilot zones, `hunan`, `national`")
    starts_on: IsoDate | None = Field(default=None, description="the cohort starts, YYYY-MM-DD")
    ends_on: IsoDate | None = Field(default=None, description="the cohort ends, YYYY-MM-DD")
    support: Codes = Field(
        default=[],
        description="space, test_network, mentoring, demo_day, funding_link, training",
    )


class IncubationCreate(IncubationFields):
    """``POST /api/v1/incubations``. ``status`` ``pending`` submits it for review."""

    external_id: ExternalId | None = Field(default=None, description="generated when absent")
    org: ExternalId | None = Field(
        default=None, description="external_id of the owning organisation, if several"
    )
    status: Literal["draft", "pending"] = "pending"


class IncubationUpdate(ListingTextUpdate):
    """``PATCH /api/v1/incubations/{id}``: only the fields sent change."""

    summary: ShortText | None = None
    industries: Codes | None = None
    regions: Codes | None = None
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    support: Codes | None = None
    status: Literal["draft", "pending", "closed"] | None = None


class IncubationPublic(ListingTextPublic):
    id: int
    external_id: str
    org_id: int
    org_name: str
    org_verified: bool
    summary: str
    industries: list[str]
    regions: list[str]
    starts_on: date | None
    ends_on: date | None
    support: list[str]
    status: IncubationStatus
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime
