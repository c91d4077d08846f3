"""Solutions in the JSON API: the import format's fields, strict types."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from portal.listings.schemas import (
    Codes,
    ExternalId,
    ListingText,
    ListingTextPublic,
    ListingTextUpdate,
    Money,
    Preferences,
    ShortText,
)

SolutionStatus = Literal["draft", "pending", "published", "rejected", "archived", "expired"]


class SolutionFields(ListingText):
    """Everything of a solution its owner writes (DESIGN.md, import format ``solution``)."""

    summary: ShortText = ""
    industries: Codes = Field(default=[], description="industry codes; empty = any industry")
    scenarios: Codes = Field(default=[])
    capabilities: Codes = Field(default=[])
    regions: Codes = Field(min_length=1, description="city codes, `hunan` or `national`")
    price_min: Money | None = Field(default=None, description="in 10,000 yuan (万元)")
    price_max: Money | None = Field(default=None, description="in 10,000 yuan (万元)")
    preferences: Preferences | None = None


class SolutionCreate(SolutionFields):
    """``POST /api/v1/solutions``. ``status`` ``pending`` submits it for review."""

    external_id: ExternalId | None = Field(default=None, description="generated when absent")
    org: ExternalId | None = Field(
        default=None,
        description="external_id of the owning organisation; needed only when the user "
        "belongs to several vendor organisations",
    )
    status: Literal["draft", "pending"] = "pending"


class SolutionUpdate(ListingTextUpdate):
    """``PATCH /api/v1/solutions/{id}``: only the fields sent change. A change to a
    published solution sends it back for review."""

    summary: ShortText | None = None
    industries: Codes | None = None
    scenarios: Codes | None = None
    capabilities: Codes | None = None
    regions: Codes | None = None
    price_min: Money | None = None
    price_max: Money | None = None
    preferences: Preferences | None = None
    status: Literal["draft", "pending", "archived"] | None = None


class SolutionPublic(ListingTextPublic):
    id: int
    external_id: str
    org_id: int
    org_name: str
    org_verified: bool
    summary: str
    industries: list[str]
    scenarios: list[str]
    capabilities: list[str]
    regions: list[str]
    price_min: float | None
    price_max: float | None
    preferences: dict[str, Any]
    status: SolutionStatus
    reject_reason: str | None = Field(description="why it was rejected (owners and officials)")
    created_at: datetime
    updated_at: datetime
