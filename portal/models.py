"""Tables of the whole domain.

Lists of vocabulary codes (scenarios, capabilities, regions …) are JSON arrays: they are
read whole, filtered through the search backend, and never joined on.
Contact details live only on the table models; the ``*Public`` models that leave the
process do not have them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint, text
from sqlalchemy import true as sa_true
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


def _timestamp() -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


def _optional_timestamp() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


# --- reference data -------------------------------------------------------------------


class VocabularyTerm(SQLModel, table=True):
    """A code of one controlled vocabulary (industry, capability, scenario, operator, org kind)."""

    __tablename__ = "vocabulary_term"

    vocabulary: str = Field(primary_key=True, max_length=32)
    code: str = Field(primary_key=True, max_length=64)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=128)
    sort: int = 0
    featured: bool = False
    # Industries only: codes of the industries counted as adjacent for matching.
    adjacent: list[str] = _json_list()


class City(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=32)
    name_zh: str = Field(max_length=32)
    # The name used by the Hunan map (echarts' hunan.json), e.g. 长沙市, 湘西土家族苗族自治州.
    map_name: str = Field(max_length=64)
    name_en: str = Field(max_length=64)
    sort: int = 0


class PilotZone(SQLModel, table=True):
    """One of 三市两山: the three cities and the two parks."""

    __tablename__ = "pilot_zone"

    code: str = Field(primary_key=True, max_length=32)
    name_zh: str = Field(max_length=64)
    name_en: str = Field(max_length=128)
    kind: str = Field(max_length=8)  # city | park
    city: str = Field(foreign_key="city.code", max_length=32)
    sort: int = 0


# --- organisations and people ---------------------------------------------------------


class OrganizationBase(SQLModel):
    external_id: str = Field(max_length=100, unique=True, index=True)
    name: str = Field(max_length=200)
    kind: str = Field(max_length=32, index=True)
    city: str = Field(foreign_key="city.code", max_length=32)
    credit_code: str | None = Field(default=None, max_length=18)
    website: str | None = Field(default=None, max_length=300)
    description: str = ""
    verified: bool = False


class Organization(OrganizationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    contact_name: str | None = Field(default=None, max_length=64)
    contact_phone: str | None = Field(default=None, max_length=32)
    contact_email: str | None = Field(default=None, max_length=254)
    is_demo: bool = False
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class OrganizationPublic(OrganizationBase):
    id: int


class User(SQLModel, table=True):
    __tablename__ = "user_account"
    # OIDC users are keyed by (issuer, sub); NULLs (local accounts) do not collide.
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_user_account_oidc"),)

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(default="", max_length=100)
    password_hash: str | None = Field(default=None, max_length=255)
    role: str = Field(max_length=32)  # enterprise | vendor | official | admin
    is_active: bool = True
    # False only between local registration and the click on the emailed link.
    email_verified: bool = Field(default=True, sa_column_kwargs={"server_default": sa_true()})
    oidc_issuer: str | None = Field(default=None, max_length=300)
    oidc_subject: str | None = Field(default=None, max_length=255)
    is_demo: bool = False
    created_at: datetime = _timestamp()
    last_sign_in_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # The interface language the user chose (issue 18): zh_CN | en; None = not chosen yet.
    locale: str | None = Field(default=None, max_length=8)


class Membership(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("user_id", "org_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    role: str = Field(default="member", max_length=16)  # owner | member
    created_at: datetime = _timestamp()


# --- listings -------------------------------------------------------------------------


class UseCaseBase(SQLModel):
    external_id: str = Field(max_length=100, unique=True, index=True)
    title: str = Field(max_length=200)
    summary: str = ""
    industry: str = Field(max_length=64, index=True)
    scenarios: list[str] = _json_list()
    capabilities: list[str] = _json_list()
    city: str = Field(foreign_key="city.code", max_length=32, index=True)
    enterprise: str = Field(max_length=200)
    providers: list[str] = _json_list()
    network_type: str | None = Field(default=None, max_length=300)
    year: int | None = None
    benefits: str | None = None
    source: str | None = None
    evidence: str = Field(default="self_reported", max_length=32)


class UseCase(UseCaseBase, table=True):
    """A benchmark case (标杆案例)."""

    __tablename__ = "use_case"

    id: int | None = Field(default=None, primary_key=True)
    version: int = 1
    is_demo: bool = False
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class UseCasePublic(UseCaseBase):
    id: int


class Solution(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True, index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=200)
    summary: str = ""
    description: str = ""
    industries: list[str] = _json_list()
    scenarios: list[str] = _json_list()
    capabilities: list[str] = _json_list()
    regions: list[str] = _json_list()
    price_min: float | None = None
    price_max: float | None = None
    preferences: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    status: str = Field(default="published", max_length=16, index=True)
    reject_reason: str | None = None
    expires_on: date | None = None
    # The last moderation decision (issue 5): who decided, and when.
    reviewed_by: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    archived_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # Freshness (issue 14): the owner's last "still current" and when it was marked stale.
    confirmed_at: datetime | None = _optional_timestamp()
    stale_at: datetime | None = _optional_timestamp()
    version: int = 1
    is_demo: bool = False
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # Optional English title and summary (issue 18), shown in English and searched.
    title_en: str = Field(default="", max_length=200)
    summary_en: str = ""


class Demand(SQLModel, table=True):
    # Covers the dashboards' one scan of published demands (portal.dashboards.cubes).
    __table_args__ = (
        Index("ix_demand_published_cube", "status", "industry", "city", "zone", "deadline"),
    )

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True, index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=200)
    description: str = ""
    industry: str = Field(max_length=64, index=True)
    scenarios: list[str] = _json_list()
    capabilities: list[str] = _json_list()
    must_have: list[str] = _json_list()
    city: str = Field(foreign_key="city.code", max_length=32, index=True)
    zone: str | None = Field(default=None, foreign_key="pilot_zone.code", max_length=32)
    budget_min: float | None = None
    budget_max: float | None = None
    deadline: date | None = None
    anonymous: bool = False
    status: str = Field(default="published", max_length=16, index=True)
    reject_reason: str | None = None
    reviewed_by: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    closed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    confirmed_at: datetime | None = _optional_timestamp()
    stale_at: datetime | None = _optional_timestamp()
    version: int = 1
    is_demo: bool = False
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # Optional English title and summary (issue 18), shown in English and searched.
    title_en: str = Field(default="", max_length=200)
    summary_en: str = ""


class PrivateNetwork(SQLModel, table=True):
    """A 5G industry private network (5G行业虚拟专网 and its hybrid/independent kin)."""

    __tablename__ = "private_network"
    # Covers the dashboards' two scans of the counted networks (portal.dashboards.cubes).
    __table_args__ = (
        Index(
            "ix_private_network_counted_cube",
            "status", "confirmed", "city", "zone", "industry", "mode", "operator",
            "commissioned_on",
        ),
    )  # fmt: skip

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True, index=True)
    name: str = Field(max_length=200)
    enterprise: str = Field(max_length=200)
    org_id: int | None = Field(default=None, foreign_key="organization.id", index=True)
    operator: str = Field(max_length=32, index=True)
    industry: str = Field(max_length=64, index=True)
    city: str = Field(foreign_key="city.code", max_length=32, index=True)
    zone: str | None = Field(default=None, foreign_key="pilot_zone.code", max_length=32)
    mode: str = Field(max_length=16)  # virtual | hybrid | independent
    status: str = Field(max_length=16, index=True)  # planned | building | in_service | retired
    commissioned_on: date | None = None
    demand_id: int | None = Field(default=None, foreign_key="demand.id")
    # Born from the portal: the introduction whose pipeline reached network_live with it.
    introduction_id: int | None = Field(default=None, index=True)
    # Only networks confirmed by an official count towards the plan's indicator.
    confirmed: bool = True
    is_demo: bool = False
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


# --- the plan's indicators ------------------------------------------------------------


class Indicator(SQLModel, table=True):
    """One row of 表1 发展主要预期指标, kept exactly as printed."""

    code: str = Field(primary_key=True, max_length=64)
    seq: str = Field(default="", max_length=4)  # 序号; empty for 其中 sub-rows
    category: str = Field(max_length=16)  # 类型
    name: str = Field(max_length=100, unique=True)
    parent_code: str | None = Field(default=None, max_length=64)
    unit: str = Field(max_length=16)
    baseline_year: int = 2020
    baseline_printed: str = Field(max_length=32)
    baseline: float | None = None
    target_year: int = 2025
    target_printed: str = Field(max_length=32)
    target: float | None = None
    growth_printed: str = Field(max_length=16)
    # "annual" (年均增速), "cumulative" ([ ] = 5-year cumulative change) or None when printed "-".
    growth_kind: str | None = Field(default=None, max_length=16)
    growth: float | None = None
    sort: int = 0


class IndicatorValue(SQLModel, table=True):
    __tablename__ = "indicator_value"
    __table_args__ = (UniqueConstraint("indicator_code", "year"),)

    id: int | None = Field(default=None, primary_key=True)
    indicator_code: str = Field(foreign_key="indicator.code", max_length=64, index=True)
    year: int
    value: float
    source: str | None = None
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    # When the figure was published (or the date it stands at), and when officials expect
    # the next one: a figure past its next update is shown as 待更新.
    as_of: date | None = None
    next_update: date | None = None


# --- plumbing -------------------------------------------------------------------------


class OutboxEvent(SQLModel, table=True):
    """A change to apply to the search index, written in the same transaction as the change."""

    __tablename__ = "outbox_event"
    __table_args__ = (Index("ix_outbox_pending", "processed_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity: str = Field(max_length=16)  # solution | demand | use_case
    entity_id: int
    op: str = Field(max_length=8)  # upsert | delete
    version: int = 1
    attempts: int = 0
    last_error: str | None = None
    created_at: datetime = _timestamp()
    processed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Lease(SQLModel, table=True):
    """Who runs a piece of work that must run once per stack, not once per process, and
    until when (see :mod:`portal.leases`)."""

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=200)
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


class OutgoingMail(SQLModel, table=True):
    """A mail to send, written in the same transaction as what it tells of and delivered
    after the commit (:mod:`portal.mail`). Due while unsent and ``next_attempt_at`` has come."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index("ix_outgoing_mail_due", "sent_at", "next_attempt_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    recipient: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str
    reply_to: str | None = Field(default=None, max_length=254)
    # Extra headers (List-Unsubscribe and the like), name → value.
    headers: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = _timestamp()
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime = _timestamp()
    sent_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    # The request that queued it: its delivery logs under the same id (issue 19).
    request_id: str | None = Field(default=None, max_length=64)


# --- introductions: from a match to a contract and a network (issue 13) -----------------


class Introduction(SQLModel, table=True):
    """A request by one side of a demand–solution pair to be introduced to the other, and
    what came of it. ``stage``: requested → accepted | declined | expired; after acceptance
    negotiating → poc → contract → network_live, or closed. ``is_open`` (requested or
    accepted, not closed) is kept by the service; one open introduction per pair."""

    __table_args__ = (
        Index(
            "uq_introduction_open_pair",
            "demand_id",
            "solution_id",
            unique=True,
            sqlite_where=text("is_open"),
            postgresql_where=text("is_open"),
        ),
        Index("ix_introduction_requester_created", "requester_org_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    solution_id: int = Field(foreign_key="solution.id", index=True)
    initiator: str = Field(max_length=16)  # demand | solution: the side that asked
    requester_org_id: int = Field(foreign_key="organization.id", index=True)
    receiver_org_id: int = Field(foreign_key="organization.id", index=True)
    requested_by: int | None = Field(default=None, foreign_key="user_account.id")
    message: str = Field(max_length=1000)
    next_step: str = Field(default="call", max_length=16)  # call | visit | demo | quote
    event_id: int | None = Field(  # a matchmaking event carrying it (issue 15)
        default=None, foreign_key="matchmaking_event.id", index=True
    )
    stage: str = Field(default="requested", max_length=16, index=True)
    is_open: bool = True
    decline_reason: str | None = Field(default=None, max_length=16)
    decline_note: str | None = Field(default=None, max_length=500)
    close_reason: str | None = Field(default=None, max_length=500)
    amount: float | None = None  # the contract's amount, 万元
    network_id: int | None = Field(default=None, foreign_key="private_network.id")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    answered_at: datetime | None = _optional_timestamp()
    updated_at: datetime = _timestamp()


class IntroductionStep(SQLModel, table=True):
    """One dated step of an introduction's timeline (requested, accepted, a stage …)."""

    __tablename__ = "introduction_step"

    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(foreign_key="introduction.id", index=True)
    stage: str = Field(max_length=16)
    at: datetime = _timestamp()
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    actor_org_id: int | None = Field(default=None, foreign_key="organization.id")
    note: str | None = Field(default=None, max_length=500)


class IntroductionMessage(SQLModel, table=True):
    """A plain-text message of an introduction's thread (its two organisations only)."""

    __tablename__ = "introduction_message"

    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(foreign_key="introduction.id", index=True)
    author_user_id: int | None = Field(default=None, foreign_key="user_account.id")
    author_org_id: int = Field(foreign_key="organization.id")
    body: str = Field(max_length=2000)
    # A phone number or an email address typed before the introduction was accepted.
    flagged_contact: bool = False
    created_at: datetime = _timestamp()


class MatchMark(SQLModel, table=True):
    """An organisation's mark on a demand–solution pair of its match list: shortlisted
    (收藏) or dismissed (不合适, with the reason)."""

    __tablename__ = "match_mark"
    __table_args__ = (UniqueConstraint("org_id", "demand_id", "solution_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    demand_id: int = Field(foreign_key="demand.id")
    solution_id: int = Field(foreign_key="solution.id")
    shortlisted: bool = False
    dismissed: bool = False
    dismiss_reason: str | None = Field(default=None, max_length=16)
    updated_at: datetime = _timestamp()


class MatchFeedback(SQLModel, table=True):
    """What people did with a match, kept for learning the ranking: request, accept,
    decline, shortlist, dismiss (and their undoing)."""

    __tablename__ = "match_feedback"

    id: int | None = Field(default=None, primary_key=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    solution_id: int = Field(foreign_key="solution.id", index=True)
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    side: str = Field(max_length=16)  # demand | solution: whose view it is
    action: str = Field(max_length=16)
    reason: str | None = Field(default=None, max_length=16)
    score: float | None = None  # the match's score when it was shown, if known
    at: datetime = _timestamp()


class AuditLog(SQLModel, table=True):
    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _timestamp()
    actor_user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    actor: str = Field(default="system", max_length=254)
    action: str = Field(max_length=64, index=True)
    entity: str | None = Field(default=None, max_length=32)
    entity_id: str | None = Field(default=None, max_length=100)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    ip: str | None = Field(default=None, max_length=64)


class Meta(SQLModel, table=True):
    """Small key/value facts about this installation (e.g. which seed files were loaded)."""

    key: str = Field(primary_key=True, max_length=64)
    value: str


# --- accounts and security ------------------------------------------------------------


class WebSession(SQLModel, table=True):
    """A server-side browser session. Only the SHA-256 of the cookie's random id is stored,
    so a copy of the database does not hand out live sessions."""

    __tablename__ = "web_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = _timestamp()
    last_seen_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    # Short-lived state of flows in progress (the OIDC state, nonce and PKCE verifier).
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class ApiToken(SQLModel, table=True):
    """A personal API token; only its SHA-256 is kept, the token is shown once."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=100)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(max_length=64, unique=True)
    scope: str = Field(max_length=8)  # read | write
    created_at: datetime = _timestamp()
    last_used_at: datetime | None = _optional_timestamp()
    revoked_at: datetime | None = _optional_timestamp()


class PasswordReset(SQLModel, table=True):
    __tablename__ = "password_reset"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    used_at: datetime | None = _optional_timestamp()


class Invitation(SQLModel, table=True):
    """An invitation by email to join an organisation."""

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    email: str = Field(max_length=254, index=True)
    role: str = Field(default="member", max_length=16)  # owner | member
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _timestamp()
    expires_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    accepted_at: datetime | None = _optional_timestamp()


class ThrottleBucket(SQLModel, table=True):
    """Failed attempts of one action from one key (an IP or an account), kept in the
    database so that every worker sees the same count."""

    __tablename__ = "throttle_bucket"

    action: str = Field(primary_key=True, max_length=16)  # sign_in | register | reset
    key: str = Field(primary_key=True, max_length=100)  # ip:… | account:<sha256 of email>
    failures: int = 0
    last_failure_at: datetime = _timestamp()
    blocked_until: datetime | None = _optional_timestamp()


# --- 5G private networks, targets and dashboards (issue 6) ---------------------------


class IndicatorTarget(SQLModel, table=True):
    """A target of one indicator for one period's end year (表1 gives 2025; a later plan's
    2030 target is one more row). The trajectory towards a target starts at the previous
    target, or at the indicator's baseline."""

    __tablename__ = "indicator_target"

    indicator_code: str = Field(foreign_key="indicator.code", primary_key=True, max_length=64)
    year: int = Field(primary_key=True)
    value: float | None = None  # None when the target is prose (力争小于1.35)
    printed: str = Field(default="", max_length=32)
    source: str | None = None
    created_at: datetime = _timestamp()


class NetworkUpload(SQLModel, table=True):
    """A CSV/XLSX file of networks an official uploaded, kept between the mapping, the
    validation report and the confirmation; nothing reaches the registry before that."""

    __tablename__ = "network_upload"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    filename: str = Field(max_length=200)
    headers: list[str] = _json_list()
    # [{"row": the row number in the file, "cells": [text, …]}, …]
    rows: list[dict[str, Any]] = _json_list()
    mapping: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    applied_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: datetime = _timestamp()


class SolutionReach(SQLModel, table=True):
    """Derived from ``solution.regions`` × ``solution.industries`` of published solutions,
    so "solutions serving a city" and "an industry covered in a city" are SQL aggregates on
    both SQLite and PostgreSQL (no JSON-array functions). Kept in step by the flush
    listener below; ``industry`` is "" for a solution open to any industry."""

    __tablename__ = "solution_reach"
    __table_args__ = (Index("ix_solution_reach_region", "region", "industry", "solution_id"),)

    solution_id: int = Field(primary_key=True)
    region: str = Field(primary_key=True, max_length=32)
    industry: str = Field(primary_key=True, max_length=64)
    expires_on: date | None = None


def solution_reach_rows(solution: Solution) -> list[dict[str, Any]]:
    if solution.id is None or solution.status != "published":
        return []
    industries = list(dict.fromkeys(solution.industries)) or [""]
    return [
        {"solution_id": solution.id, "region": r, "industry": i, "expires_on": solution.expires_on}
        for r in dict.fromkeys(solution.regions)
        for i in industries
    ]


PROVINCE_WIDE = ("hunan", "national")
NEVER = date(9999, 12, 31)  # ``solution_serving.expires_on`` of solutions that never expire


class SolutionServing(SQLModel, table=True):
    """How many published solutions serve each city, per expiry date: a solution serves
    every city when its regions name ``hunan`` or ``national``, else the cities it names,
    each once. Kept in step by the flush listener below (the old reach rows are subtracted,
    the new ones added), so "solutions serving each city today" is a sum over at most
    14 × (distinct expiry dates) rows instead of a DISTINCT over every reach row."""

    __tablename__ = "solution_serving"

    city: str = Field(primary_key=True, max_length=32)
    expires_on: date = Field(primary_key=True)  # NEVER for solutions without an end date
    solutions: int = 0


def _served_cities(regions: Any, cities: tuple[str, ...]) -> list[str]:
    """The cities a solution with these regions serves."""
    named = set(regions)
    if named & set(PROVINCE_WIDE):
        return list(cities)
    return [c for c in cities if c in named]


def _serving_delta(
    before: dict[int, tuple[set[str], date | None]],
    after: dict[int, tuple[set[str], date | None]],
    cities: tuple[str, ...],
) -> dict[tuple[str, date], int]:
    delta: dict[tuple[str, date], int] = {}
    for states, sign in ((before, -1), (after, 1)):
        for regions, expires_on in states.values():
            for city in _served_cities(regions, cities):
                key = (city, expires_on or NEVER)
                delta[key] = delta.get(key, 0) + sign
    return {k: n for k, n in delta.items() if n}


def _add_serving(connection: Any, delta: dict[tuple[str, date], int]) -> None:
    """Add ``delta`` to the counts, one upsert per (city, expiry), in key order so that
    concurrent writers on PostgreSQL take the row locks in the same order."""
    if not delta:
        return
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert  # type: ignore[assignment]
    statement = upsert(SolutionServing)
    statement = statement.on_conflict_do_update(
        index_elements=["city", "expires_on"],
        set_={"solutions": SolutionServing.solutions + statement.excluded.solutions},
    )
    rows = [{"city": c, "expires_on": e, "solutions": n} for (c, e), n in sorted(delta.items())]
    connection.execute(statement, rows)


def _city_codes() -> tuple[str, ...]:
    from portal.reference.vocab import get_vocabularies

    return tuple(get_vocabularies().codes("city"))


def rebuild_solution_serving(connection: Any) -> None:
    """Recount ``solution_serving`` from ``solution_reach`` (for writers that bypass the
    ORM, such as bulk loads)."""
    from sqlalchemy import delete

    connection.execute(delete(SolutionServing))
    reach = connection.execute(_reach_columns())
    _add_serving(connection, _serving_delta({}, _reach_states(reach), _city_codes()))


def _reach_columns() -> Any:
    from sqlmodel import col, select

    return select(
        col(SolutionReach.solution_id), col(SolutionReach.region), col(SolutionReach.expires_on)
    )


def _reach_states(rows: Any) -> dict[int, tuple[set[str], date | None]]:
    states: dict[int, tuple[set[str], date | None]] = {}
    for solution_id, region, expires_on in rows:
        states.setdefault(solution_id, (set(), expires_on))[0].add(region)
    return states


def _sync_solution_reach(session: Any, _context: Any) -> None:
    from sqlalchemy import delete, insert

    touched = [
        o for o in (*session.new, *session.dirty, *session.deleted) if isinstance(o, Solution)
    ]
    ids = [o.id for o in touched if o.id is not None]
    if not ids:
        return
    connection = session.connection()
    ids_in = SolutionReach.solution_id.in_(ids)  # type: ignore[attr-defined]
    before = _reach_states(connection.execute(_reach_columns().where(ids_in)))
    connection.execute(delete(SolutionReach).where(ids_in))
    deleted = {id(o) for o in session.deleted}
    rows = [r for o in touched if id(o) not in deleted for r in solution_reach_rows(o)]
    if rows:
        connection.execute(insert(SolutionReach), rows)
    after = _reach_states((r["solution_id"], r["region"], r["expires_on"]) for r in rows)
    _add_serving(connection, _serving_delta(before, after, _city_codes()))


# --- notifications, saved searches and the worker (issue 14) ----------------------------


class Notification(SQLModel, table=True):
    """One item of a user's inbox. ``dedupe_key`` makes an event raised twice (a rerun
    scan, two workers) one item; mail and webhook deliveries are queued beside it."""

    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key", name="uq_notification_user_dedupe"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
        Index("ix_notification_digest", "digest_pending", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    kind: str = Field(max_length=32)
    title: str = Field(max_length=300)
    body: str = ""
    url: str = Field(max_length=500)
    dedupe_key: str | None = Field(default=None, max_length=200)
    created_at: datetime = _timestamp()
    read_at: datetime | None = _optional_timestamp()
    # Waiting for the user's daily mail digest (their preference for this kind).
    digest_pending: bool = False
    emailed_at: datetime | None = _optional_timestamp()


class NotificationPreference(SQLModel, table=True):
    """How a user wants mail of one kind: immediate | digest | off (absent: the default)."""

    __tablename__ = "notification_preference"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    kind: str = Field(max_length=32, primary_key=True)
    mode: str = Field(max_length=16)


class OrgWebhook(SQLModel, table=True):
    """An organisation's 企业微信 group robot: its webhook URL and how it wants messages."""

    __tablename__ = "org_webhook"

    org_id: int = Field(foreign_key="organization.id", primary_key=True)
    url: str = Field(max_length=500)
    mode: str = Field(default="immediate", max_length=16)  # immediate | digest | off
    updated_at: datetime = _timestamp()


class WebhookDelivery(SQLModel, table=True):
    """A message to post to an organisation's robot, written in the event's transaction and
    posted by the worker. ``held`` rows wait for the organisation's daily digest."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (Index("ix_webhook_delivery_due", "sent_at", "held", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    url: str = Field(max_length=500)
    text: str
    held: bool = False
    created_at: datetime = _timestamp()
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime = _timestamp()
    sent_at: datetime | None = _optional_timestamp()
    # The request that queued it: its delivery logs under the same id (issue 19).
    request_id: str | None = Field(default=None, max_length=64)


class SavedSearch(SQLModel, table=True):
    """A search kept by a user ("保存搜索并提醒我"): new published listings that meet it
    raise ``saved_search_match``. ``words`` are the query's tokens, cut once at save time."""

    __tablename__ = "saved_search"
    __table_args__ = (Index("ix_saved_search_type_active", "type", "paused"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    type: str = Field(max_length=16)  # solution | demand
    name: str = Field(max_length=100)
    q: str = Field(default="", max_length=200)
    filters: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    words: list[str] = _json_list()
    paused: bool = False
    created_at: datetime = _timestamp()


class PublishedListing(SQLModel, table=True):
    """A listing just published, for the worker's new-match and saved-search scans."""

    __tablename__ = "published_listing"
    __table_args__ = (Index("ix_published_listing_pending", "scanned_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    listing_id: int
    created_at: datetime = _timestamp()
    scanned_at: datetime | None = _optional_timestamp()


class WorkerJob(SQLModel, table=True):
    """When each scheduled job of the worker last ran (it is due at its next fire time)."""

    __tablename__ = "worker_job"

    name: str = Field(primary_key=True, max_length=64)
    last_run_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))


STATS_VERSION_KEY = "stats_version"  # global: stamped by ``dashboards.cache.bump`` only
# "programmes": what a demand's funding calls and platforms are judged on besides the
# demand — the calls, the platforms, the organisations (kinds, names) and the introductions
# (the project's stage). "marks": what the owners of a demand marked on its matches and
# funding calls (shortlisted, dismissed), shown on its page.
STATS_FAMILIES = (
    "solutions",
    "demands",
    "cases",
    "networks",
    "indicators",
    "programmes",
    "marks",
    "members",  # who belongs to which organisation: what they may see and do there
)


def stats_family_key(family: str) -> str:
    return f"{STATS_VERSION_KEY}:{family}"


def _bump_stats_version(session: Any, _context: Any) -> None:
    """A write to anything the dashboards count gets a new random stamp in ``meta`` for
    each family of tables it touched, in the same transaction, so every worker knows which
    of its memoized aggregates are stale."""
    from uuid import uuid4

    from sqlalchemy import insert, update

    watched: tuple[tuple[type, str], ...] = (
        (Solution, "solutions"),
        (Demand, "demands"),
        (UseCase, "cases"),
        (PrivateNetwork, "networks"),
        (IndicatorValue, "indicators"),
        (IndicatorTarget, "indicators"),
        (PlanPeriod, "indicators"),
        (Funding, "programmes"),
        (Platform, "programmes"),
        (Organization, "programmes"),
        (Introduction, "programmes"),
        (MatchMark, "marks"),
        (FundingMark, "marks"),
        (Membership, "members"),
    )
    families = {
        family
        for o in (*session.new, *session.dirty, *session.deleted)
        for cls, family in watched
        if isinstance(o, cls)
    }
    if not families:
        return
    connection = session.connection()
    for family in sorted(families):
        key, token = stats_family_key(family), uuid4().hex
        done = connection.execute(
            update(Meta).where(Meta.key == key).values(value=token)  # type: ignore[arg-type]
        )
        if done.rowcount == 0:
            connection.execute(insert(Meta).values(key=key, value=token))


def _register_reach_listener() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    for listener in (_sync_solution_reach, _bump_stats_version):
        if not event.contains(OrmSession, "after_flush", listener):
            event.listen(OrmSession, "after_flush", listener)


_register_reach_listener()


# --- matchmaking events (对接会, issue 15) ------------------------------------------------


class Event(SQLModel, table=True):
    """A matchmaking event: when and where, the meeting slots (``day_start``–``day_end`` cut
    into ``slot_minutes`` slots, skipping ``breaks`` such as "12:00-13:30", local time of
    the venue), how many tables, whom it targets, and the agenda's last generation."""

    __tablename__ = "matchmaking_event"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    description: str = Field(default="", max_length=4000)
    starts_on: date = Field(index=True)
    ends_on: date
    day_start: str = Field(default="09:00", max_length=5)  # HH:MM
    day_end: str = Field(default="12:00", max_length=5)
    slot_minutes: int = 20
    breaks: list[str] = _json_list()  # "HH:MM-HH:MM"
    venue: str | None = Field(default=None, max_length=200)
    online_url: str | None = Field(default=None, max_length=300)
    tables: int = 10
    industries: list[str] = _json_list()  # target industries (the featured ones are clusters)
    zones: list[str] = _json_list()  # target pilot zones
    registration_deadline: date
    capacity: int = 50  # organisations
    registration_closed: bool = False
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    agenda_at: datetime | None = _optional_timestamp()
    # The last generation's figures: scheduled, unscheduled, objective, optimal,
    # baseline_scheduled, moved, seconds.
    agenda_summary: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )


class EventRegistration(SQLModel, table=True):
    """An organisation at an event: the listings it brings, the slots it cannot attend
    (slot ids), who comes, and its check-in on the day."""

    __tablename__ = "event_registration"
    __table_args__ = (UniqueConstraint("event_id", "org_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="matchmaking_event.id", index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    demand_ids: list[int] = _json_list()
    solution_ids: list[int] = _json_list()
    unavailable: list[str] = _json_list()
    attendees: str = Field(default="", max_length=500)
    registered_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()
    checked_in_at: datetime | None = _optional_timestamp()


class EventMeeting(SQLModel, table=True):
    """A one-to-one meeting requested at an event: an introduction carried by the event,
    its place in the agenda (slot id and table, once generated), whether it was held, and
    each side's answer to 继续对接？ afterwards."""

    __tablename__ = "event_meeting"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="matchmaking_event.id", index=True)
    introduction_id: int = Field(foreign_key="introduction.id", unique=True)
    score: float = 0.0  # the match score when it was requested: the agenda's weight
    slot: str | None = Field(default=None, max_length=32)
    table_no: int | None = None
    attendance: str | None = Field(default=None, max_length=16)  # held | no_show
    follow_up_demand: bool | None = None
    follow_up_solution: bool | None = None
    created_at: datetime = _timestamp()
    updated_at: datetime = _timestamp()


class PlanPeriod(SQLModel, table=True):
    """A plan period (表1's 2021–2025, a later plan's 2026–2030): its targets are the
    ``indicator_target`` rows of its target year; it starts where the previous one ended.
    Officials add one with the document it comes from; no code names a period."""

    __tablename__ = "plan_period"

    target_year: int = Field(primary_key=True)
    baseline_year: int
    name: str = Field(max_length=100)  # “十四五”
    source: str = Field(max_length=300)  # the plan document
    created_at: datetime = _timestamp()


class IndicatorUpload(SQLModel, table=True):
    """A yearly statistics sheet an official uploaded, kept between the validation report
    and the confirmation (like ``network_upload``); nothing is applied before that."""

    __tablename__ = "indicator_upload"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    filename: str = Field(max_length=200)
    headers: list[str] = _json_list()
    rows: list[dict[str, Any]] = _json_list()
    applied_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    created_at: datetime = _timestamp()


# --- funding, shared technology platforms, incubation (issue 16) ------------------------


def _json_codes() -> Any:
    # ``sa_type`` rather than ``sa_column``: a column object cannot be shared by the tables
    # that inherit a field.
    return Field(default_factory=list, sa_type=JSON, nullable=False)


def _moment(*, required: bool = False) -> Any:
    if required:
        return Field(default_factory=utcnow, sa_type=DateTime(timezone=True), nullable=False)
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)


class _ProgrammeColumns(SQLModel):
    """What the three listing kinds of issue 16 share with every listing (lifecycle,
    moderation, versioning); each table adds its own fields."""

    id: int | None = Field(default=None, primary_key=True)
    external_id: str = Field(max_length=100, unique=True, index=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    title: str = Field(max_length=200)
    summary: str = ""
    description: str = ""
    regions: list[str] = _json_codes()  # cities, pilot zones, ``hunan`` or ``national``
    status: str = Field(default="published", max_length=16, index=True)
    reject_reason: str | None = None
    reviewed_by: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = _moment()
    closed_at: datetime | None = _moment()
    version: int = 1
    is_demo: bool = False
    created_at: datetime = _moment(required=True)
    updated_at: datetime = _moment(required=True)
    # Optional English title and summary (issue 18), as on solutions and demands.
    title_en: str = Field(default="", max_length=200)
    summary_en: str = ""


class Funding(_ProgrammeColumns, table=True):
    """资金扶持: a fund call, subsidy, loan product or equity programme. Money in 万元."""

    industries: list[str] = _json_codes()  # empty = any industry
    org_kinds: list[str] = _json_codes()  # empty = any organisation kind
    stages: list[str] = _json_codes()  # project stages that may apply; empty = any
    amount_min: float | None = None
    amount_max: float | None = None
    cost_share: float | None = None  # the largest share of the project cost, in %
    deadline: date | None = None  # the application deadline (the last day one may apply)
    apply_url: str | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=500)


class Platform(_ProgrammeColumns, table=True):
    """共性技术平台: positioning, AI, ultra-HD video or AR/VR offered as a service."""

    platform_capabilities: list[str] = _json_codes()
    access: str | None = Field(default=None, max_length=16)
    price_model: str | None = Field(default=None, max_length=16)
    expires_on: date | None = None


class Incubation(_ProgrammeColumns, table=True):
    """应用孵化: a cohort of an incubator's or a park's programme."""

    industries: list[str] = _json_codes()  # empty = any industry
    support: list[str] = _json_codes()
    starts_on: date | None = None
    ends_on: date | None = None


class FundingMark(SQLModel, table=True):
    """A demand's owner shortlisted a funding call for it (收藏); the deadline reminder of
    the notifications reads these."""

    __tablename__ = "funding_mark"
    __table_args__ = (UniqueConstraint("org_id", "demand_id", "funding_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    demand_id: int = Field(foreign_key="demand.id", index=True)
    funding_id: int = Field(foreign_key="funding.id", index=True)
    created_at: datetime = _moment(required=True)
