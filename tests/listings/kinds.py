"""The two kinds of listing as the tests see them from outside: URLs, the retire action,
who may post, valid payloads and the fields whose mistakes are the kind's own. The tests
in this folder run once per kind against the pages, the JSON API and the database rows,
so they hold before and after solutions and demands share one implementation."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from portal.models import (
    AuditLog,
    Demand,
    Funding,
    Incubation,
    Organization,
    OutboxEvent,
    Platform,
    Solution,
    User,
)
from tests.factories import (
    make_demand,
    make_funding,
    make_incubation,
    make_org,
    make_platform,
    make_solution,
    make_token,
    make_user,
)
from tests.support.web import sign_in

Listing = Solution | Demand | Funding | Platform | Incubation


@dataclass(frozen=True)
class Kind:
    name: str  # the entity of outbox and audit rows, the moderation key's prefix
    prefix: str  # the pages: {prefix}/new, {prefix}/{id}, {prefix}/{id}/edit
    api: str
    model: type[Listing]
    make: Callable[..., Listing]
    route_names: dict[str, str]  # route name → path with {id}
    org_kind: str  # an organisation kind whose members post this kind
    other_org_kind: str  # one whose members may not
    retire: str  # the owner's action: POST {prefix}/{id}/{retire}
    retired: str  # the status it leaves (also the API's PATCH status)
    retired_at: str  # the column stamped by it
    retired_label: str
    retired_flag: str  # the query flag of the redirect to /my/listings
    mine_table: str  # data-testid of the kind's table on /my/listings
    form: dict[str, Any]  # a valid form (without csrf_token and intent)
    body: dict[str, Any]  # a valid API body
    low: str | None  # the range of amounts checked across two fields: low, then high
    high: str | None
    date_field: str  # the date after which a published listing reads "expired"
    public_after_date: bool  # whether the public still reads it then
    codes_field: str = "capabilities"  # a field of vocabulary codes

    def get(self, session: Session, listing_id: int) -> Listing:
        row = session.get(self.model, listing_id)
        assert isinstance(row, self.model), listing_id
        return row

    def of_org(self, session: Session, org: Organization) -> list[Listing]:
        rows = session.exec(select(self.model).where(self.model.org_id == org.id)).all()
        return cast(list[Listing], list(rows))

    def titled(self, session: Session, title: str) -> list[Listing]:
        rows = session.exec(select(self.model).where(self.model.title == title)).all()
        return cast(list[Listing], list(rows))


SOLUTION = Kind(
    name="solution",
    prefix="/solutions",
    api="/api/v1/solutions",
    model=Solution,
    make=make_solution,
    route_names={
        "solution": "/solutions/{id}",
        "solution_new": "/solutions/new",
        "solution_create": "/solutions/new",
        "solution_edit": "/solutions/{id}/edit",
        "solution_update": "/solutions/{id}/edit",
        "solution_archive": "/solutions/{id}/archive",
    },
    org_kind="integrator",
    other_org_kind="enterprise",
    retire="archive",
    retired="archived",
    retired_at="archived_at",
    retired_label="已下架",
    retired_flag="archived",
    mine_table="my-solutions",
    form={
        "title": "陶瓷窑炉5G智能巡检",
        "summary": "窑炉温度与设备巡检",
        "description": "以5G回传窑炉视频，边缘侧识别异常。",
        "industries": ["ceramics"],
        "scenarios": ["video_monitoring"],
        "capabilities": ["embb", "mec"],
        "regions": ["zhuzhou", "changsha"],
        "price_min": "20",
        "price_max": "80",
    },
    body={
        "title": "5G+机器视觉陶瓷缺陷检测",
        "summary": "釉面缺陷识别",
        "industries": ["ceramics"],
        "scenarios": ["machine_vision_qc"],
        "capabilities": ["embb", "mec"],
        "regions": ["hunan"],
        "price_min": 30,
        "price_max": 120,
    },
    low="price_min",
    high="price_max",
    date_field="expires_on",
    public_after_date=False,
)

DEMAND = Kind(
    name="demand",
    prefix="/demands",
    api="/api/v1/demands",
    model=Demand,
    make=make_demand,
    route_names={
        "demand": "/demands/{id}",
        "demand_new": "/demands/new",
        "demand_create": "/demands/new",
        "demand_edit": "/demands/{id}/edit",
        "demand_update": "/demands/{id}/edit",
        "demand_close": "/demands/{id}/close",
    },
    org_kind="enterprise",
    other_org_kind="integrator",
    retire="close",
    retired="closed",
    retired_at="closed_at",
    retired_label="已关闭",
    retired_flag="closed",
    mine_table="my-demands",
    form={
        "title": "陶瓷酒瓶釉面缺陷自动检测",
        "description": "出窑后人工检选漏检多，希望用机器视觉自动识别釉面缺陷。",
        "industry": "ceramics",
        "city": "zhuzhou",
        "scenarios": ["machine_vision_qc"],
        "must_have": ["mec"],
        "budget_min": "50",
        "budget_max": "120",
    },
    body={
        "title": "注塑车间设备预测性维护",
        "description": "62 台注塑机，希望提前发现故障",
        "industry": "injection_molding",
        "city": "xiangtan",
        "zone": "xiangtan",
        "budget_min": 20,
        "budget_max": 60,
    },
    low="budget_min",
    high="budget_max",
    date_field="deadline",
    public_after_date=True,
)

FUNDING = Kind(
    name="funding",
    prefix="/funds",
    api="/api/v1/funds",
    model=Funding,
    make=make_funding,
    route_names={
        "funding": "/funds/{id}",
        "funding_new": "/funds/new",
        "funding_create": "/funds/new",
        "funding_edit": "/funds/{id}/edit",
        "funding_update": "/funds/{id}/edit",
        "funding_close": "/funds/{id}/close",
    },
    org_kind="finance",
    other_org_kind="integrator",
    retire="close",
    retired="closed",
    retired_at="closed_at",
    retired_label="已关闭",
    retired_flag="closed",
    mine_table="my-funds",
    form={
        "title": "5G项目贷（陶瓷、钢铁）",
        "summary": "面向5G应用项目的中长期贷款",
        "description": "已签约的5G应用项目可申请，按项目投资的七成以内放款。",
        "industries": ["ceramics", "steel"],
        "regions": ["zhuzhou", "xiangtan"],
        "stages": ["contract"],
        "amount_min": "100",
        "amount_max": "3000",
    },
    body={
        "title": "5G应用专项资金",
        "summary": "省级专项资金",
        "regions": ["hunan"],
        "org_kinds": ["enterprise"],
        "amount_min": 50,
        "amount_max": 500,
        "cost_share": 30,
    },
    low="amount_min",
    high="amount_max",
    date_field="deadline",
    public_after_date=True,
    codes_field="stages",
)

PLATFORM = Kind(
    name="platform",
    prefix="/platforms",
    api="/api/v1/platforms",
    model=Platform,
    make=make_platform,
    route_names={
        "platform": "/platforms/{id}",
        "platform_new": "/platforms/new",
        "platform_create": "/platforms/new",
        "platform_edit": "/platforms/{id}/edit",
        "platform_update": "/platforms/{id}/edit",
        "platform_close": "/platforms/{id}/close",
    },
    org_kind="operator",
    other_org_kind="finance",
    retire="close",
    retired="closed",
    retired_at="closed_at",
    retired_label="已关闭",
    retired_flag="closed",
    mine_table="my-platforms",
    form={
        "title": "北斗高精度定位服务平台",
        "summary": "厘米级室外定位",
        "description": "以北斗地基增强网提供厘米级定位，API 接入。",
        "platform_capabilities": ["positioning_outdoor"],
        "regions": ["hunan"],
        "access": "api",
        "price_model": "pay_per_use",
    },
    body={
        "title": "工业AI视觉开放平台",
        "summary": "缺陷识别模型训练与推理",
        "platform_capabilities": ["ai"],
        "regions": ["changsha", "zhuzhou"],
        "access": "service",
    },
    low=None,
    high=None,
    date_field="expires_on",
    public_after_date=False,
    codes_field="platform_capabilities",
)

INCUBATION = Kind(
    name="incubation",
    prefix="/incubations",
    api="/api/v1/incubations",
    model=Incubation,
    make=make_incubation,
    route_names={
        "incubation": "/incubations/{id}",
        "incubation_new": "/incubations/new",
        "incubation_create": "/incubations/new",
        "incubation_edit": "/incubations/{id}/edit",
        "incubation_update": "/incubations/{id}/edit",
        "incubation_close": "/incubations/{id}/close",
    },
    org_kind="incubator",
    other_org_kind="integrator",
    retire="close",
    retired="closed",
    retired_at="closed_at",
    retired_label="已关闭",
    retired_flag="closed",
    mine_table="my-incubations",
    form={
        "title": "视频文创5G应用孵化营",
        "summary": "超高清与AR/VR初创团队",
        "description": "提供工位、5G测试网络和导师辅导，结营路演。",
        "industries": ["culture_media"],
        "regions": ["malanshan"],
        "support": ["space", "test_network"],
    },
    body={
        "title": "大学科技城5G应用孵化项目",
        "summary": "高校团队的5G应用",
        "regions": ["yuelushan"],
        "support": ["mentoring", "demo_day"],
    },
    low=None,
    high=None,
    date_field="ends_on",
    public_after_date=False,
    codes_field="support",
)

KINDS = [SOLUTION, DEMAND, FUNDING, PLATFORM, INCUBATION]
IDS = ["solution", "demand", "funding", "platform", "incubation"]
RANGED = [k for k in KINDS if k.low is not None]


# --- people ---------------------------------------------------------------------------


def owner(session: Session, kind: Kind) -> tuple[Organization, User]:
    """An organisation that may post ``kind``, and a member of it."""
    org = make_org(session, kind=kind.org_kind)
    return org, make_user(session, org=org)


def owner_token(session: Session, kind: Kind, *, scope: str = "write") -> tuple[Organization, str]:
    org, user = owner(session, kind)
    return org, make_token(session, user, scope=scope)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def moderate(
    client: TestClient, session: Session, kind: Kind, row: Listing, *, reason: str = ""
) -> None:
    """An official approves ``row`` (or rejects it, with ``reason``) in /moderation. The
    client is left signed in as the official."""
    official = make_user(session, role="official")
    csrf = sign_in(client, official.email)
    data = {
        "csrf_token": csrf,
        "items": [f"{kind.name}:{row.id}"],
        "decision": "reject" if reason else "approve",
        "reason": reason,
    }
    response = client.post("/moderation", data=data, follow_redirects=False)
    assert response.status_code == 303, response.text


# --- rows -----------------------------------------------------------------------------


def outbox_versions(session: Session, kind: Kind, row: Listing) -> list[int]:
    return list(
        session.exec(
            select(OutboxEvent.version)
            .where(OutboxEvent.entity == kind.name, OutboxEvent.entity_id == row.id)
            .order_by(col(OutboxEvent.id))
        ).all()
    )


def audit_trail(session: Session, kind: Kind, row: Listing) -> list[AuditLog]:
    return list(
        session.exec(
            select(AuditLog)
            .where(AuditLog.entity == kind.name, AuditLog.entity_id == row.external_id)
            .order_by(col(AuditLog.id))
        ).all()
    )


# --- pages ----------------------------------------------------------------------------


def field_error(html: str, name: str) -> str | None:
    """The error shown beside the form field ``name``, once the field points to it."""
    match = re.search(rf'<p class="field-error" id="f-{name}-error"[^>]*>(.*?)</p>', html, re.S)
    if match is None:
        return None
    assert re.search(rf'aria-describedby="[^"]*f-{name}-error"', html), name
    return match.group(1).strip()


def status_on_my_listings(html: str, kind: Kind, title: str) -> str:
    """The status label of the row titled ``title`` in the kind's table of /my/listings."""
    table = re.search(rf'<table[^>]*data-testid="{kind.mine_table}".*?</table>', html, re.S)
    assert table, f"no {kind.mine_table} table"
    for row in re.findall(r"<tr>.*?</tr>", table.group(0), re.S):
        if title in row:
            badge = re.search(r'data-testid="status">([^<]*)<', row)
            assert badge, row
            return badge.group(1)
    raise AssertionError(f"{title} is not on /my/listings")


def has_cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None
