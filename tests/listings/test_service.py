"""The one listing service, for every kind: one validation path, create, update, retire,
read and list — each write a flush, an outbox row and an audit row."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from portal.auth.permissions import Principal
from portal.imports.service import import_lines
from portal.kit.errors import FieldErrors, Forbidden, NotFound
from portal.listings import service
from portal.listings.kinds import ListingKind
from portal.listings.registry import DEMAND, KINDS, SOLUTION
from portal.models import AuditLog, OutboxEvent
from tests.factories import make_org, make_user

NOW = datetime(2026, 11, 2, 9, tzinfo=UTC)
TODAY = NOW.date()
VALID: dict[str, dict[str, Any]] = {
    "solution": {
        "title": "5G+机器视觉陶瓷缺陷检测",
        "summary": "釉面缺陷识别",
        "industries": ["ceramics"],
        "scenarios": ["machine_vision_qc"],
        "capabilities": ["embb", "mec"],
        "regions": ["zhuzhou"],
        "price_min": 30.0,
        "price_max": 120.0,
    },
    "demand": {
        "title": "窑炉巡检远程视频",
        "description": "醴陵窑炉车间需要高清视频回传",
        "industry": "ceramics",
        "city": "zhuzhou",
        "must_have": ["mec"],
        "budget_min": 50.0,
        "budget_max": 80.0,
        "deadline": TODAY + timedelta(days=30),
    },
}
VALID.update(
    {
        "funding": {
            "title": "5G项目贷",
            "summary": "5G应用项目的中长期贷款",
            "industries": ["ceramics", "steel"],
            "regions": ["zhuzhou", "xiangtan"],
            "stages": ["contract"],
            "amount_min": 100.0,
            "amount_max": 3000.0,
            "deadline": TODAY + timedelta(days=60),
        },
        "platform": {
            "title": "北斗高精度定位服务",
            "platform_capabilities": ["positioning_outdoor"],
            "regions": ["hunan"],
            "access": "api",
        },
        "incubation": {
            "title": "5G应用创新孵化营",
            "industries": ["culture_media"],
            "regions": ["malanshan"],
            "support": ["space", "test_network"],
            "starts_on": TODAY + timedelta(days=10),
            "ends_on": TODAY + timedelta(days=190),
        },
    }
)
POSTER = {
    "solution": "integrator",
    "demand": "enterprise",
    "funding": "finance",
    "platform": "operator",
    "incubation": "incubator",
}
# A field of each kind that takes vocabulary codes, and the two fields of a range.
CODES = {
    "solution": "scenarios",
    "demand": "scenarios",
    "funding": "stages",
    "platform": "platform_capabilities",
    "incubation": "support",
}
RANGES: dict[str, tuple[str, str, Any, Any]] = {
    "solution": ("price_min", "price_max", 90.0, 10.0),
    "demand": ("budget_min", "budget_max", 90.0, 10.0),
    "funding": ("amount_min", "amount_max", 90.0, 10.0),
    "incubation": ("starts_on", "ends_on", TODAY + timedelta(days=9), TODAY + timedelta(days=8)),
}
BY_KIND = pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))


def owner(session: Session, kind: ListingKind) -> tuple[Principal, Any]:
    org = make_org(session, kind=POSTER[kind.name])
    return Principal(make_user(session, org=org)), org


def created(session: Session, kind: ListingKind, **changes: Any) -> tuple[Principal, Any]:
    principal, org = owner(session, kind)
    row = service.create(
        session,
        kind,
        principal=principal,
        org=org,
        values={**VALID[kind.name], **changes},
        submit=True,
        now=NOW,
    )
    return principal, row


def audit_actions(session: Session, row: Any) -> list[str]:
    return list(
        session.exec(
            select(AuditLog.action)
            .where(AuditLog.entity_id == row.external_id)
            .order_by(col(AuditLog.id))
        )
    )


@BY_KIND
def test_every_mistake_is_reported_at_once(session: Session, kind: ListingKind) -> None:
    values = {**VALID[kind.name], "title": "", CODES[kind.name]: ["no_such_code"]}
    expected = {"title", CODES[kind.name]}
    if kind.name in RANGES:
        low, high, low_value, high_value = RANGES[kind.name]
        values.update({low: low_value, high: high_value})
        expected.add(high)
    errors = service.errors_in(kind, values, today=TODAY)
    assert set(errors) == expected
    assert all(errors.values())
    with pytest.raises(FieldErrors) as refused:
        service.fields_from(kind, values, today=TODAY)
    assert refused.value.errors == errors


@BY_KIND
def test_create_writes_the_row_an_outbox_row_and_an_audit_row(
    session: Session, kind: ListingKind
) -> None:
    _, row = created(session, kind)
    assert row.status == "pending" and row.version == 1
    assert row.external_id.startswith(kind.id_prefix + "-")
    outbox = session.exec(
        select(OutboxEvent).where(OutboxEvent.entity == kind.name, OutboxEvent.entity_id == row.id)
    ).all()
    assert [(e.version, e.op) for e in outbox] == [(1, "upsert")]
    assert audit_actions(session, row) == ["listing.created"]
    assert service.values_of(kind, row)["title"] == VALID[kind.name]["title"]


@BY_KIND
def test_update_patch_and_retire_follow_the_lifecycle(session: Session, kind: ListingKind) -> None:
    principal, row = created(session, kind)
    row.status = "published"  # as an official's approval leaves it
    later = NOW + timedelta(hours=1)
    values = {**service.values_of(kind, row), "title": "改过的标题"}
    service.update(
        session, kind, principal=principal, row=row, values=values, status=None, now=later
    )
    assert (row.title, row.status, row.version) == ("改过的标题", "pending", 2)
    # An unchanged save changes nothing (no version, no outbox row, no audit row).
    service.update(
        session, kind, principal=principal, row=row, values=values, status=None, now=later
    )
    assert row.version == 2
    service.patch(
        session, kind, principal=principal, row=row, changes={"status": kind.retired}, now=later
    )
    assert row.status == kind.retired and getattr(row, kind.retired_at) is not None
    assert row.version == 3
    assert audit_actions(session, row) == [
        "listing.created",
        "listing.updated",
        f"listing.{kind.retired}",
    ]


@BY_KIND
def test_only_its_organisation_changes_a_listing(session: Session, kind: ListingKind) -> None:
    _, row = created(session, kind)
    stranger, _ = owner(session, kind)
    with pytest.raises(Forbidden):
        service.retire(session, kind, principal=stranger, row=row, now=NOW)
    other_kind = DEMAND if kind is not DEMAND else SOLUTION
    wrong, wrong_org = owner(session, other_kind)
    with pytest.raises(Forbidden):
        service.create(
            session,
            kind,
            principal=wrong,
            org=wrong_org,
            values=VALID[kind.name],
            submit=True,
            now=NOW,
        )


@BY_KIND
def test_the_public_reads_only_public_listings(session: Session, kind: ListingKind) -> None:
    principal, row = created(session, kind)
    with pytest.raises(NotFound):
        service.readable(session, kind, None, row.id, today=TODAY)
    assert service.readable(session, kind, principal, row.id, today=TODAY)[2] is True
    row.status = "published"
    listing, org, private = service.readable(session, kind, None, row.id, today=TODAY)
    assert listing is row and private is False
    assert service.public_of_org(session, kind, org.id, today=TODAY) == [row]


def test_an_anonymous_demand_hides_its_organisation_from_the_public_only(
    session: Session,
) -> None:
    _, row = created(session, DEMAND, anonymous=True)
    row.status = "published"
    org = service.org_of(session, row)
    public = service.public_model(DEMAND, row, org, private=False, today=TODAY)
    assert public.org_id is None and public.org_name is None  # type: ignore[attr-defined]
    private = service.public_model(DEMAND, row, org, private=True, today=TODAY)
    assert private.org_name == org.name  # type: ignore[attr-defined]
    assert service.public_of_org(session, DEMAND, org.id, today=TODAY) == []


def test_a_stored_past_deadline_may_stay_but_a_new_one_may_not(session: Session) -> None:
    _, row = created(session, DEMAND)
    row.deadline = TODAY - timedelta(days=3)
    values = service.values_of(DEMAND, row)
    assert "deadline" not in service.errors_in(DEMAND, values, today=TODAY, previous=row)
    moved = {**values, "deadline": TODAY - timedelta(days=1)}
    assert "deadline" in service.errors_in(DEMAND, moved, today=TODAY, previous=row)
    assert "deadline" not in service.errors_in(DEMAND, moved, today=None)  # an import


@BY_KIND
def test_the_importer_refuses_with_the_same_words_as_the_service(
    session: Session, kind: ListingKind
) -> None:
    org = make_org(session, kind=POSTER[kind.name])
    values = {**VALID[kind.name], "scenarios": ["no_such_scenario"]}
    expected = service.errors_in(kind, values, today=None)["scenarios"]
    record = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in values.items()}
    line = {"type": kind.name, "external_id": "x-1", "org": org.external_id, **record}
    report = import_lines(session, [json.dumps(line, ensure_ascii=False)])
    assert [(i.field, i.message) for i in report.issues] == [("scenarios", expected)]
