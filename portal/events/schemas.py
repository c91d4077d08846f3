"""Matchmaking events in the JSON API. No contact detail of any organisation is here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel


class SlotPublic(BaseModel):
    id: str
    starts: datetime
    ends: datetime


class EventPublic(BaseModel):
    id: int
    title: str
    description: str
    starts_on: date
    ends_on: date
    venue: str | None
    online_url: str | None
    slot_minutes: int
    slots: list[SlotPublic]
    tables: int
    industries: list[str]
    zones: list[str]
    registration_deadline: date
    capacity: int
    registered: int
    registration_open: bool
    agenda_generated_at: datetime | None


class EventList(BaseModel):
    total: int
    items: list[EventPublic]


class AgendaItem(BaseModel):
    meeting_id: int
    introduction_id: int
    stage: str
    slot: str | None
    starts: datetime | None
    ends: datetime | None
    table: int | None
    demand_id: int
    demand_title: str
    demand_org: str
    solution_id: int
    solution_title: str
    solution_org: str
    attendance: Literal["held", "no_show"] | None


class AgendaPublic(BaseModel):
    event_id: int
    scope: Literal["own", "all"]
    generated_at: datetime | None
    summary: dict[str, Any] | None  # the last generation's figures (officials)
    items: list[AgendaItem]
