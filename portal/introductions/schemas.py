"""Introductions in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from portal.listings.schemas import Money

NextStep = Literal["call", "visit", "demo", "quote"]
DeclineReason = Literal["not_fit", "budget", "timing", "region", "other"]
Stage = Literal[
    "requested",
    "accepted",
    "declined",
    "expired",
    "negotiating",
    "poc",
    "contract",
    "network_live",
    "closed",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class IntroductionCreate(_Strict):
    """``POST /api/v1/introductions``: a member of one side asks for the other."""

    demand_id: int = Field(ge=1, le=2_147_483_647)
    solution_id: int = Field(ge=1, le=2_147_483_647)
    message: str = Field(max_length=1000, description="10–1,000 characters")
    next_step: NextStep = "call"


class DeclineBody(_Strict):
    reason: DeclineReason
    note: str | None = Field(default=None, max_length=500)


class StageBody(_Strict):
    stage: Literal["negotiating", "poc", "contract", "network_live", "closed"]
    note: str | None = Field(default=None, max_length=500, description="required to close")
    amount: Money | None = Field(default=None, description="the contract's amount, 万元")
    network_id: int | None = Field(
        default=None, ge=1, le=2_147_483_647, description="network_live: a network of the demand"
    )


class MessageBody(_Strict):
    body: str = Field(max_length=2000)


class ContactPublic(BaseModel):
    name: str | None
    phone: str | None
    email: str | None
    org_name: str


class Contacts(BaseModel):
    demand_side: ContactPublic
    solution_side: ContactPublic


class StepPublic(BaseModel):
    stage: Stage
    at: datetime
    note: str | None


class IntroductionPublic(BaseModel):
    id: int
    status: Literal["requested", "accepted", "declined", "expired"]
    stage: Stage
    demand_id: int
    solution_id: int
    demand_title: str
    solution_title: str
    initiator: Literal["demand", "solution"]
    requester_org: str = Field(description="匿名企业 for an anonymous demand until accepted")
    receiver_org: str
    message: str
    next_step: NextStep
    decline_reason: DeclineReason | None
    decline_note: str | None
    close_reason: str | None
    amount: float | None
    network_id: int | None
    created_at: datetime
    expires_at: datetime
    answered_at: datetime | None
    contacts: Contacts | None = Field(
        description="null until accepted; only for the two organisations (officials: null)"
    )
    timeline: list[StepPublic]


class IntroductionList(BaseModel):
    total: int
    items: list[IntroductionPublic]


class MessagePublic(BaseModel):
    id: int
    author_org: str
    body: str
    flagged_contact: bool = Field(
        description="contact details typed before the introduction was accepted"
    )
    created_at: datetime


class FunnelPublic(BaseModel):
    stages: dict[str, int] = Field(description="how many reached (or passed) each stage")
    current: dict[str, int] = Field(description="where each introduction stands now")
    conversion: dict[str, float | None] = Field(description="'a→b': share of a that reached b")
    median_days: dict[str, float | None] = Field(description="'a→b': median days from a to b")
    total: int
    networks_born: int = Field(description="registry networks linked through the pipeline")
    source: str
    as_of: str
