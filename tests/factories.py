"""Small factories: each test builds the rows it needs."""

from __future__ import annotations

from itertools import count
from typing import Any

from sqlmodel import Session

from portal.models import Demand, Organization, PrivateNetwork, Solution, UseCase

_seq = count(1)


def _next() -> int:
    return next(_seq)


def make_org(session: Session, **kw: Any) -> Organization:
    n = _next()
    values: dict[str, Any] = {
        "external_id": f"org-{n}",
        "name": f"测试机构{n}",
        "kind": "enterprise",
        "city": "changsha",
    }
    values.update(kw)
    org = Organization(**values)
    session.add(org)
    session.flush()
    return org


def make_solution(session: Session, org: Organization | None = None, **kw: Any) -> Solution:
    n = _next()
    org = org or make_org(session, kind="integrator")
    values: dict[str, Any] = {
        "external_id": f"sol-{n}",
        "org_id": org.id,
        "title": f"5G解决方案{n}",
        "summary": "一句话简介",
        "regions": ["hunan"],
    }
    values.update(kw)
    row = Solution(**values)
    session.add(row)
    session.flush()
    return row


def make_demand(session: Session, org: Organization | None = None, **kw: Any) -> Demand:
    n = _next()
    org = org or make_org(session)
    values: dict[str, Any] = {
        "external_id": f"dem-{n}",
        "org_id": org.id,
        "title": f"5G应用需求{n}",
        "industry": "ceramics",
        "city": "zhuzhou",
    }
    values.update(kw)
    row = Demand(**values)
    session.add(row)
    session.flush()
    return row


def make_case(session: Session, **kw: Any) -> UseCase:
    n = _next()
    values: dict[str, Any] = {
        "external_id": f"case-{n}",
        "title": f"标杆案例{n}",
        "summary": "案例概述",
        "industry": "steel",
        "city": "xiangtan",
        "enterprise": "某钢铁企业",
        "source": "https://example.org/case",
    }
    values.update(kw)
    row = UseCase(**values)
    session.add(row)
    session.flush()
    return row


def make_network(session: Session, **kw: Any) -> PrivateNetwork:
    n = _next()
    values: dict[str, Any] = {
        "external_id": f"net-{n}",
        "name": f"5G专网{n}",
        "enterprise": "某企业",
        "operator": "china_mobile",
        "industry": "steel",
        "city": "xiangtan",
        "mode": "virtual",
        "status": "in_service",
    }
    values.update(kw)
    row = PrivateNetwork(**values)
    session.add(row)
    session.flush()
    return row
