"""Registrations nobody finished stop holding the email and the credit code once their
link has expired: registering again gets a fresh account, and the CLI frees them all."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from portal.auth import password_reset, registration
from portal.cli import app
from portal.clock import get_clock
from portal.db import get_engine
from portal.kit.errors import FieldErrors
from portal.models import AuditLog, Membership, Organization, PasswordReset, User
from tests.auth.test_service import T0, VALID_CODE, form
from tests.factories import make_solution

OTHER_CODE = "91430100MA4L00000F"
LATER = T0 + registration.VERIFY_LIFETIME + timedelta(minutes=1)


def register(session: Session, **changes: str):  # type: ignore[no-untyped-def]
    return registration.register(session, form=form(**changes), ip=None, now=T0, min_length=10)


def test_after_the_link_expires_the_owner_registers_as_if_nothing_was_there(
    session: Session,
) -> None:
    squatter = register(session, email="owner@example.com").user
    assert squatter is not None and squatter.id is not None
    membership = session.exec(select(Membership).where(Membership.user_id == squatter.id)).one()
    squatted = session.get(Organization, membership.org_id)
    assert squatted is not None
    squatted_id = squatted.external_id

    # Within the link's lifetime the address and the code are still held.
    with pytest.raises(FieldErrors) as refused:
        registration.register(
            session, form=form(email="x@example.com"), ip=None, now=T0, min_length=10
        )
    assert set(refused.value.errors) == {"credit_code"}
    early = registration.register(
        session,
        form=form(email="owner@example.com", credit_code=OTHER_CODE),
        ip=None,
        now=T0,
        min_length=10,
    )
    assert early.existing is not None and early.user is None

    again = registration.register(
        session, form=form(email="owner@example.com"), ip=None, now=LATER, min_length=10
    )
    assert again.user is not None and again.token and again.user.id != squatter.id
    session.refresh(squatter)
    assert squatter.email.endswith("@registration.invalid") and not squatter.is_active
    assert squatter.password_hash is None
    gone = select(Organization).where(Organization.external_id == squatted_id)
    assert session.exec(gone).first() is None  # the squatted organisation
    links = select(PasswordReset).where(PasswordReset.user_id == squatter.id)
    assert session.exec(links).all() == []
    org = session.exec(select(Organization).where(Organization.credit_code == VALID_CODE)).one()
    owner = session.exec(select(Membership).where(Membership.org_id == org.id)).one()
    assert owner.user_id == again.user.id
    released = session.exec(
        select(AuditLog).where(AuditLog.action == "account.registration_released")
    ).one()
    assert released.entity_id == str(squatter.id)
    # The audit trail of the released account is kept.
    assert session.exec(select(AuditLog).where(AuditLog.actor_user_id == squatter.id)).first()


def test_the_credit_code_alone_is_released_too(session: Session) -> None:
    register(session, email="first@example.com")
    result = registration.register(
        session, form=form(email="second@example.com"), ip=None, now=LATER, min_length=10
    )
    assert result.user is not None


def test_verified_accounts_and_open_links_are_never_released(session: Session) -> None:
    done = register(session, email="done@example.com")
    assert done.token is not None
    registration.verify_email(session, token=done.token, now=T0 + timedelta(hours=1))
    with pytest.raises(FieldErrors):  # the code is the verified account's for good
        registration.register(
            session, form=form(email="w@example.com"), ip=None, now=LATER, min_length=10
        )

    pending = register(session, email="reset@example.com", credit_code=OTHER_CODE)
    assert pending.user is not None
    password_reset.request_password_reset(session, email="reset@example.com", ip=None, now=LATER)
    stale = registration.abandoned_registrations(session, now=LATER)
    emails = {u.email for u in stale}
    assert "done@example.com" not in emails and "reset@example.com" not in emails


def test_an_organisation_in_use_is_kept(session: Session) -> None:
    result = register(session, email="vendor@example.com")
    assert result.user is not None
    membership = session.exec(select(Membership).where(Membership.user_id == result.user.id)).one()
    org = session.get(Organization, membership.org_id)
    make_solution(session, org)  # e.g. listed by an administrator on its behalf
    registration.release_registration(session, result.user, now=LATER)
    assert session.get(Organization, membership.org_id) is not None
    assert session.exec(select(Membership).where(Membership.user_id == result.user.id)).all() == []


def test_cli_lists_and_releases_them(data_dir: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0
    now = get_clock().now()
    with Session(get_engine(), expire_on_commit=False) as session:
        old = registration.register(
            session,
            form=form(email="old@example.com"),
            ip=None,
            now=now - registration.VERIFY_LIFETIME - timedelta(hours=1),
            min_length=10,
        )
        fresh = registration.register(
            session,
            form=form(email="fresh@example.com", credit_code=OTHER_CODE),
            ip=None,
            now=now,
            min_length=10,
        )
        session.commit()
    listed = runner.invoke(app, ["user", "release-abandoned", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert "old@example.com" in listed.output and "fresh@example.com" not in listed.output
    done = runner.invoke(app, ["user", "release-abandoned"])
    assert done.exit_code == 0 and "已释放 1 个" in done.output
    with Session(get_engine()) as session:
        assert old.user is not None and fresh.user is not None
        assert session.get(User, old.user.id).is_active is False  # type: ignore[union-attr]
        assert session.get(User, fresh.user.id).is_active is True  # type: ignore[union-attr]
