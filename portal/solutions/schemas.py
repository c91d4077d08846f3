"""Solutions in the JSON API: the import format's fields, strict types."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from portal.listings.schemas import (
    Codes,
    ExternalId,
    LongText,
    Money,
    Preferences,
    ShortText,
    Title,
)

SolutionStatus = Literal["draft", "pending", "published", "rejected", "archived", "expired"]

# The fields an owner writes, in the order of the form.
FIELDS = (
    "title",
    "summary",
    "description",
    "industries",
    "scenarios",
    "capabilities",
    "regions",
    "price_min",
    "price_max",
    "preferences",
)


class SolutionFields(BaseModel):
    """Everything of a solution its owner writes (DESIGN.md, import format ``solution``)."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    title: Title
    summary: ShortText = ""
    description: LongText = ""
    industries: Codes = Field(default=[], description="industry codes; empty = any industry")
    scenarios: Codes = []
    capabilities: Codes = []
    regions: Codes = Field(min_length=1, description="city codes, `hunan` or `national`")
    price_min: Money | None = Field(default=None, description="万元")
    price_max: Money | None = Field(default=None, description="万元")
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


class SolutionUpdate(BaseModel):
    """``PATCH /api/v1/solutions/{id}``: only the fields sent change. A change to a
    published solution sends it back for review."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    title: Title | None = None
    summary: ShortText | None = None
    description: LongText | None = None
    industries: Codes | None = None
    scenarios: Codes | None = None
    capabilities: Codes | None = None
    regions: Codes | None = None
    price_min: Money | None = None
    price_max: Money | None = None
    preferences: Preferences | None = None
    status: Literal["draft", "pending", "archived"] | None = None


class SolutionPublic(BaseModel):
    id: int
    external_id: str
    org_id: int
    org_name: str
    org_verified: bool
    title: str
    summary: str
    description: str
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
