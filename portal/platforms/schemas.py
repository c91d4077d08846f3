"""Shared technology platforms (共性技术平台) in the JSON API and the import format."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from portal.listings.schemas import (
    Codes,
    ExternalId,
    ListingText,
    ListingTextPublic,
    ListingTextUpdate,
    ShortText,
)

PlatformStatus = Literal["draft", "pending", "published", "rejected", "closed", "expired"]


class PlatformFields(ListingText):
    """Everything of a platform its owner (the operator of the platform) writes."""

    summary: ShortText = ""
    platform_capabilities: Codes = Field(
        min_length=1,
        description="positioning_outdoor, positioning_indoor, ai, uhd_video, ar_vr",
    )
    regions: Codes = Field(min_length=1, description="cities served, `hunan` or `national`")
    access: str | None = Field(default=None, max_length=16, description="api, on_site, service")
    price_model: str | None = Field(
        default=None, max_length=16, description="free, pay_per_use, subscription, quote"
    )


class PlatformCreate(PlatformFields):
    """``POST /api/v1/platforms``. ``status`` ``pending`` submits it for review."""

    external_id: ExternalId | None = Field(default=None, description="generated when absent")
    org: ExternalId | None = Field(
        default=None, description="external_id of the owning organisation, if several"
    )
    status: Literal["draft", "pending"] = "pending"


class PlatformUpdate(ListingTextUpdate):
    """``PATCH /api/v1/platforms/{id}``: only the fields sent change."""

    summary: ShortText | None = None
    platform_capabilities: Codes | None = None
    regions: Codes | None = None
    access: str | None = Field(default=None, max_length=16)
    price_model: str | None = Field(default=None, max_length=16)
    status: Literal["draft", "pending", "closed"] | None = None


class PlatformPublic(ListingTextPublic):
    id: int
    external_id: str
    org_id: int
    org_name: str
    org_verified: bool
    summary: str
    platform_capabilities: list[str]
    regions: list[str]
    access: str | None
    price_model: str | None
    expires_on: date | None
    status: PlatformStatus
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime
