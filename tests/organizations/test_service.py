from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from portal.auth.permissions import Principal
from portal.kit.errors import Conflict, FieldErrors, Forbidden, NotFound
from portal.models import AuditLog, Membership
from portal.organizations import service
from tests.factories import make_org, make_user

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def test_update_profile_validates_and_audits(session: Session) -> None:
    org = make_org(session, verified=True)
    owner = make_user(session, org=org)
    with pytest.raises(FieldErrors) as refused:
        service.update_profile(
            session,
            principal=Principal(owner),
            org=org,
            changes={"website": "ftp://x", "contact_phone": "abc"},
            now=T0,
        )
    assert set(refused.value.errors) == {"website", "contact_phone"}
    service.update_profile(
        session,
        principal=Principal(owner),
        org=org,
        changes={"name": "新名字", "website": "https://new.example"},
        now=T0,
    )
    assert org.name == "新名字" and org.verified is False  # a new name needs verifying again
    entry = session.exec(select(AuditLog).where(AuditLog.action == "organization.updated")).one()
    assert entry.detail == {"fields": ["name", "website"]}


def test_invitation_flow(session: Session) -> None:
    org = make_org(session, kind="integrator")
    owner = make_user(session, org=org)
    invitation, token = service.invite(
        session,
        principal=Principal(owner),
        org=org,
        email="New@Example.com",
        role="member",
        now=T0,
    )
    assert invitation.email == "new@example.com" and token not in invitation.token_hash
    stranger = make_user(session, email="stranger@example.com", role="vendor")
    with pytest.raises(Forbidden):
        service.accept_invitation(session, user=stranger, token=token, now=T0)
    user = service.register_invited(
        session,
        token=token,
        display_name="新人",
        password="a-good-passphrase",
        confirm="a-good-passphrase",
        now=T0,
        min_length=10,
    )
    assert user.role == "vendor"
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert membership.org_id == org.id and membership.role == "member"
    with pytest.raises(NotFound):  # used up
        service.accept_invitation(session, user=user, token=token, now=T0)


def test_invitations_expire_and_check_the_role(session: Session) -> None:
    org = make_org(session, kind="integrator")
    owner = make_user(session, org=org)
    make_user(session, email="ent@example.com", role="enterprise")
    with pytest.raises(FieldErrors):
        service.invite(
            session,
            principal=Principal(owner),
            org=org,
            email="ent@example.com",
            role="member",
            now=T0,
        )
    _, token = service.invite(
        session,
        principal=Principal(owner),
        org=org,
        email="late@example.com",
        role="owner",
        now=T0,
    )
    assert service.find_invitation(session, token=token, now=T0 + timedelta(days=8)) is None


def test_the_last_owner_stays(session: Session) -> None:
    org = make_org(session)
    owner = make_user(session, org=org)
    member = make_user(session, org=org, member_role="member")
    with pytest.raises(Conflict):
        service.remove_member(
            session, principal=Principal(owner), org=org, user_id=owner.id or 0, now=T0
        )
    service.remove_member(
        session, principal=Principal(owner), org=org, user_id=member.id or 0, now=T0
    )
    assert session.exec(select(AuditLog).where(AuditLog.action == "membership.removed")).one()


def test_members_cannot_manage_members(session: Session) -> None:
    org = make_org(session)
    make_user(session, org=org)
    member = make_user(session, org=org, member_role="member")
    with pytest.raises(Forbidden):
        service.invite(
            session,
            principal=Principal(member),
            org=org,
            email="x@example.com",
            role="member",
            now=T0,
        )


def test_officials_verify(session: Session) -> None:
    org = make_org(session)
    official = make_user(session, role="official")
    service.set_verified(session, principal=Principal(official), org=org, verified=True, now=T0)
    assert org.verified
    assert session.exec(select(AuditLog).where(AuditLog.action == "organization.verified")).one()
