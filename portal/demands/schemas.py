"""Demands in the JSON API: the import format's fields, strict types."""

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
    Money,
)

DemandStatus = Literal["draft", "pending", "published", "rejected", "closed", "expired"]


class DemandFields(ListingText):
    """Everything of a demand its owner writes (DESIGN.md, import format ``demand``)."""

    industry: str = Field(max_length=64)
    scenarios: Codes = Field(default=[], description="left empty: inferred from the text")
    capabilities: Codes = Field(default=[])
    must_have: Codes = Field(default=[], description="capabilities a solution must offer")
    city: str = Field(max_length=32)
    zone: str | None = Field(default=None, max_length=32, description="a pilot zone code")
    budget_min: Money | None = Field(default=None, description="in 10,000 yuan (万元)")
    budget_max: Money | None = Field(default=None, description="in 10,000 yuan (万元)")
    deadline: IsoDate | None = Field(default=None, description="YYYY-MM-DD; not in the past")
    anonymous: bool = Field(default=False, description="hide the organisation's name publicly")


class DemandCreate(DemandFields):
    """``POST /api/v1/demands``. ``status`` ``pending`` submits it for review."""

    external_id: ExternalId | None = Field(default=None, description="generated when absent")
    org: ExternalId | None = Field(
        default=None,
        description="external_id of the owning enterprise; needed only when the user "
        "belongs to several enterprises",
    )
    status: Literal["draft", "pending"] = "pending"


class DemandUpdate(ListingTextUpdate):
    """``PATCH /api/v1/demands/{id}``: only the fields sent change. A change to a published
    demand sends it back for review."""

    industry: str | None = Field(default=None, max_length=64)
    scenarios: Codes | None = None
    capabilities: Codes | None = None
    must_have: Codes | None = None
    city: str | None = Field(default=None, max_length=32)
    zone: str | None = Field(default=None, max_length=32)
    budget_min: Money | None = None
    budget_max: Money | None = None
    deadline: IsoDate | None = None
    anonymous: bool | None = None
    status: Literal["draft", "pending", "closed"] | None = None


class DemandPublic(ListingTextPublic):
    id: int
    external_id: str
    org_id: int | None = Field(description="absent for anonymous demands, except to owners")
    org_name: str | None = Field(description="absent for anonymous demands, except to owners")
    industry: str
    scenarios: list[str]
    capabilities: list[str]
    must_have: list[str]
    city: str
    zone: str | None
    budget_min: float | None
    budget_max: float | None
    deadline: date | None
    anonymous: bool
    status: DemandStatus
    reject_reason: str | None
    created_at: datetime
    updated_at: datetime
