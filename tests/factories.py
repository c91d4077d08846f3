"""Small factories: each test builds the rows it needs."""

from __future__ import annotations

from itertools import count
from typing import Any

from sqlmodel import Session

from portal.models import (
    Demand,
    Funding,
    Incubation,
    Membership,
    Organization,
    Platform,
    PrivateNetwork,
    Solution,
    UseCase,
    User,
)

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


# --- accounts (issue 3) ---------------------------------------------------------------

PASSWORD = "correct-horse-battery"
# Hashing with argon2's defaults is slow on purpose; factories share one hash.
_password_hash: str | None = None


def _hash() -> str:
    global _password_hash
    if _password_hash is None:
        from portal.auth.passwords import hash_password

        _password_hash = hash_password(PASSWORD)
    return _password_hash


def make_user(
    session: Session, *, org: Organization | None = None, member_role: str = "owner", **kw: Any
) -> User:
    """A local account (password ``PASSWORD``); with ``org``, a member of it."""
    from portal.auth.permissions import role_for_org_kind

    n = _next()
    values: dict[str, Any] = {
        "email": f"user{n}@example.com",
        "display_name": f"用户{n}",
        "password_hash": _hash(),
        "role": role_for_org_kind(org.kind).value if org is not None else "enterprise",
    }
    values.update(kw)
    user = User(**values)
    session.add(user)
    session.flush()
    if org is not None:
        assert user.id is not None and org.id is not None
        session.add(Membership(user_id=user.id, org_id=org.id, role=member_role))
        session.flush()
    return user


def make_token(session: Session, user: User, *, scope: str = "write") -> str:
    """A personal API token of ``user``; returns the raw Bearer token."""
    from portal.auth.tokens import create_token
    from portal.clock import get_clock

    raw, _ = create_token(
        session,
        user=user,
        name="测试令牌",
        scope="write" if scope == "write" else "read",
        now=get_clock().now(),
    )
    return raw


def make_funding(session: Session, org: Organization | None = None, **kw: Any) -> Funding:
    n = _next()
    org = org or make_org(session, kind="finance")
    values: dict[str, Any] = {
        "external_id": f"fund-{n}",
        "org_id": org.id,
        "title": f"5G应用资金{n}",
        "summary": "一句话简介",
        "regions": ["hunan"],
    }
    values.update(kw)
    row = Funding(**values)
    session.add(row)
    session.flush()
    return row


def make_platform(session: Session, org: Organization | None = None, **kw: Any) -> Platform:
    n = _next()
    org = org or make_org(session, kind="operator")
    values: dict[str, Any] = {
        "external_id": f"plat-{n}",
        "org_id": org.id,
        "title": f"共性技术平台{n}",
        "platform_capabilities": ["ai"],
        "regions": ["hunan"],
    }
    values.update(kw)
    row = Platform(**values)
    session.add(row)
    session.flush()
    return row


def make_incubation(session: Session, org: Organization | None = None, **kw: Any) -> Incubation:
    n = _next()
    org = org or make_org(session, kind="incubator")
    values: dict[str, Any] = {
        "external_id": f"incu-{n}",
        "org_id": org.id,
        "title": f"5G应用孵化{n}",
        "regions": ["changsha"],
    }
    values.update(kw)
    row = Incubation(**values)
    session.add(row)
    session.flush()
    return row
