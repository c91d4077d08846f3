"""Saved searches in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SavedSearchCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["solution", "demand"]
    q: str = Field(default="", max_length=200)
    filters: dict[str, str] = Field(
        default_factory=dict,
        description="the search page's filters: industry, scenario, capability, city, zone, "
        "org_kind (vocabulary codes)",
    )
    name: str | None = Field(
        default=None, max_length=100, description="default: made from the search"
    )


class SavedSearchUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    paused: bool | None = None


class SavedSearchPublic(BaseModel):
    id: int
    type: str
    name: str
    q: str
    filters: dict[str, str]
    paused: bool
    url: str = Field(description="the search page with this search")
    created_at: datetime
