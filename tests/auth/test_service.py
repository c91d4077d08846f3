from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from portal.auth import (
    accounts,
    oidc,
    password_reset,
    registration,
    sessions,
    signin,
    throttle,
    tokens,
)
from portal.auth.permissions import Principal
from portal.auth.schemas import RegistrationForm
from portal.auth.sessions import SessionPolicy
from portal.kit.errors import Conflict, FieldErrors, Forbidden, NotFound
from portal.models import AuditLog, Membership, Organization, PasswordReset, User
from tests.factories import PASSWORD, make_org, make_user

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
VALID_CODE = "91350100M000100Y43"


def actions(session: Session) -> list[str]:
    return list(session.exec(select(AuditLog.action).order_by(AuditLog.id)).all())  # type: ignore[arg-type]


# --- sign-in and throttling ---------------------------------------------------------------


def test_sign_in_checks_the_password_and_audits_both_outcomes(session: Session) -> None:
    user = make_user(session, email="a@example.com")
    with pytest.raises(FieldErrors, match="邮箱或密码不正确"):
        signin.sign_in(session, email="a@example.com", password="wrong", ip="10.0.0.1", now=T0)
    assert (
        signin.sign_in(session, email=" A@Example.com ", password=PASSWORD, ip="10.0.0.1", now=T0)
        == user
    )
    assert actions(session)[-2:] == ["sign_in.failure", "sign_in.success"]
    failure = session.exec(select(AuditLog).where(AuditLog.action == "sign_in.failure")).one()
    assert failure.ip == "10.0.0.1" and failure.actor == "a@example.com"
    assert "wrong" not in str(failure.detail)


def test_unknown_account_gets_the_same_message(session: Session) -> None:
    with pytest.raises(FieldErrors) as refused:
        signin.sign_in(session, email="nobody@example.com", password="x", ip="1.1.1.1", now=T0)
    assert refused.value.message == signin.GENERIC_SIGN_IN_ERROR


def test_a_disabled_account_cannot_sign_in(session: Session) -> None:
    make_user(session, email="off@example.com", is_active=False)
    with pytest.raises(FieldErrors, match="邮箱或密码不正确"):
        signin.sign_in(session, email="off@example.com", password=PASSWORD, ip=None, now=T0)


def fail(session: Session, email: str, ip: str, *, now: datetime = T0) -> FieldErrors:
    with pytest.raises(FieldErrors) as refused:
        signin.sign_in(session, email=email, password="guess", ip=ip, now=now)
    return refused.value


def test_wrong_passwords_lock_out_the_failing_source_not_the_owner(session: Session) -> None:
    make_user(session, email="target@example.com")
    refusals = [fail(session, "target@example.com", "10.9.9.9") for _ in range(10)]
    assert refusals[0].status_code == 400 and refusals[-1].status_code == 429
    # The attacker's address is held back, even with the right password …
    with pytest.raises(FieldErrors) as refused:
        signin.sign_in(
            session, email="target@example.com", password=PASSWORD, ip="10.9.9.9", now=T0
        )
    assert refused.value.status_code == 429 and "请等待" in refused.value.message
    # … while the owner, elsewhere, signs in.
    user = signin.sign_in(
        session, email="target@example.com", password=PASSWORD, ip="10.9.9.8", now=T0
    )
    assert user.email == "target@example.com"
    # The attacker's back-off ends too (at most 15 minutes).
    later = T0 + timedelta(minutes=16)
    signin.sign_in(session, email="target@example.com", password=PASSWORD, ip="10.9.9.9", now=later)


def lock_account(session: Session, email: str) -> list[FieldErrors]:
    """Wrong passwords from many addresses, four each (under the per-source limit), until
    the account-wide limit holds; the refusals in order."""
    refusals: list[FieldErrors] = []
    for n in range(throttle.SIGN_IN_ACCOUNT.free):
        refusals.append(fail(session, email, f"192.0.2.{n // 4}"))
    return refusals


def test_an_attack_from_many_addresses_locks_the_account_and_mails_an_unlock_link(
    session: Session,
) -> None:
    user = make_user(session, email="owner@example.com")
    refusals = lock_account(session, "owner@example.com")
    assert [r.status_code for r in refusals] == [400] * len(refusals)
    # The failure that reached the limit carries the link to mail; no other does.
    *earlier, last = refusals
    assert all(isinstance(r, signin.SignInRefused) and r.unlock is None for r in earlier)
    assert isinstance(last, signin.SignInRefused) and last.unlock is not None
    mailed_to, token = last.unlock
    assert mailed_to.id == user.id
    # The owner's right password is refused everywhere now, with a pointer to the mail.
    with pytest.raises(FieldErrors) as refused:
        signin.sign_in(
            session, email="owner@example.com", password=PASSWORD, ip="198.51.100.1", now=T0
        )
    assert refused.value.status_code == 429 and "解锁链接" in refused.value.message
    assert isinstance(refused.value, signin.SignInRefused) and refused.value.unlock is None
    # The link is hashed at rest like the other mailed links, and is neither of them.
    assert token not in str(session.exec(select(PasswordReset.token_hash)).all())
    assert password_reset.valid_reset(session, token=token, now=T0) is None
    assert registration.valid_verification(session, token=token, now=T0) is None
    # A wrong password through the link is a failure and leaves the link open …
    with pytest.raises(FieldErrors, match="邮箱或密码不正确"):
        signin.sign_in_with_unlock(
            session, token=token, password="guess", ip="198.51.100.1", now=T0
        )
    # … the right one signs in past the lock, once.
    signed_in = signin.sign_in_with_unlock(
        session, token=token, password=PASSWORD, ip="198.51.100.1", now=T0
    )
    assert signed_in.id == user.id
    assert actions(session)[-1] == "sign_in.success"
    with pytest.raises(FieldErrors, match="解锁链接无效或已过期"):
        signin.sign_in_with_unlock(
            session, token=token, password=PASSWORD, ip="198.51.100.1", now=T0
        )
    # Signing in lifted the account's lock.
    signin.sign_in(session, email="owner@example.com", password=PASSWORD, ip="198.51.100.2", now=T0)


def test_an_unlock_link_expires(session: Session) -> None:
    make_user(session, email="owner@example.com")
    last = lock_account(session, "owner@example.com")[-1]
    assert isinstance(last, signin.SignInRefused) and last.unlock is not None
    _, token = last.unlock
    later = T0 + signin.UNLOCK_LIFETIME + timedelta(seconds=1)
    with pytest.raises(FieldErrors, match="解锁链接无效或已过期"):
        signin.sign_in_with_unlock(session, token=token, password=PASSWORD, ip=None, now=later)


def test_unlock_mails_are_hourly_at_most_and_a_lock_never_outlasts_the_last_link(
    session: Session,
) -> None:
    assert throttle.SIGN_IN_ACCOUNT.cap <= throttle.UNLOCK_MAIL.base
    assert throttle.UNLOCK_MAIL.base + throttle.SIGN_IN_ACCOUNT.cap <= signin.UNLOCK_LIFETIME
    make_user(session, email="owner@example.com")
    first = lock_account(session, "owner@example.com")[-1]
    assert isinstance(first, signin.SignInRefused) and first.unlock is not None
    # The lock lapses, the attack goes on from a new address and locks it again: no mail.
    later = T0 + throttle.SIGN_IN_ACCOUNT.base
    again = fail(session, "owner@example.com", "203.0.113.1", now=later)
    assert isinstance(again, signin.SignInRefused) and again.unlock is None
    assert fail(session, "owner@example.com", "203.0.113.2", now=later).status_code == 429
    # The first link still opens the account.
    _, token = first.unlock
    signin.sign_in_with_unlock(session, token=token, password=PASSWORD, ip=None, now=later)


def test_a_locked_account_and_an_unknown_address_are_refused_alike(session: Session) -> None:
    make_user(session, email="owner@example.com")
    real = lock_account(session, "owner@example.com")
    ghost = lock_account(session, "ghost@example.com")
    assert [(r.status_code, r.message) for r in real] == [(r.status_code, r.message) for r in ghost]
    assert all(isinstance(r, signin.SignInRefused) and r.unlock is None for r in ghost)
    after = [fail(session, e, "198.51.100.9") for e in ("owner@example.com", "ghost@example.com")]
    assert after[0].status_code == after[1].status_code == 429
    assert after[0].message == after[1].message


def test_twenty_failures_throttle_the_ip_for_every_account(session: Session) -> None:
    make_user(session, email="innocent@example.com")
    for n in range(20):
        with pytest.raises(FieldErrors):
            signin.sign_in(session, email=f"x{n}@example.com", password="g", ip="6.6.6.6", now=T0)
    with pytest.raises(FieldErrors) as refused:
        signin.sign_in(
            session, email="innocent@example.com", password=PASSWORD, ip="6.6.6.6", now=T0
        )
    assert refused.value.status_code == 429
    # Another address is not affected.
    signin.sign_in(session, email="innocent@example.com", password=PASSWORD, ip="7.7.7.7", now=T0)


def test_throttling_looks_the_same_for_unknown_accounts(session: Session) -> None:
    make_user(session, email="real@example.com")

    def last_message(email: str, ip: str) -> str:
        message = ""
        for _ in range(8):
            try:
                signin.sign_in(session, email=email, password="bad", ip=ip, now=T0)
            except FieldErrors as refused:
                message = refused.message
        return message

    assert last_message("real@example.com", "1.0.0.1") == last_message(
        "ghost@example.com", "1.0.0.2"
    )


def test_demo_accounts_do_not_open_outside_development(session: Session) -> None:
    make_user(session, email="demo@example.com", is_demo=True)
    with pytest.raises(FieldErrors):
        signin.sign_in(
            session, email="demo@example.com", password=PASSWORD, ip=None, now=T0, allow_demo=False
        )


# --- registration -------------------------------------------------------------------------


def form(**kw: str) -> RegistrationForm:
    values = {
        "account_type": "vendor",
        "org_kind": "integrator",
        "org_name": "长沙测试集成",
        "city": "changsha",
        "credit_code": VALID_CODE,
        "display_name": "张三",
        "email": "new@example.com",
        "password": "a-good-passphrase",
        "password_confirm": "a-good-passphrase",
    }
    values.update(kw)
    return RegistrationForm(**values)


def test_registration_creates_the_organisation_and_an_unverified_owner(
    session: Session,
) -> None:
    result = registration.register(session, form=form(), ip="1.2.3.4", now=T0, min_length=10)
    user = result.user
    assert user is not None and result.token and result.existing is None
    assert result.email == "new@example.com"
    assert user.role == "vendor" and user.password_hash != "a-good-passphrase"
    assert user.email_verified is False
    membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
    org = session.get(Organization, membership.org_id)
    assert org is not None and org.kind == "integrator" and org.credit_code == VALID_CODE
    assert membership.role == "owner"
    assert "account.registered" in actions(session)
    # The token is stored only as a digest.
    stored = session.exec(select(PasswordReset).where(PasswordReset.user_id == user.id)).one()
    assert result.token not in stored.token_hash
    assert stored.expires_at.replace(tzinfo=UTC) == T0 + timedelta(hours=24)


def test_registration_as_enterprise(session: Session) -> None:
    result = registration.register(
        session, form=form(account_type="enterprise", org_kind=""), ip=None, now=T0, min_length=10
    )
    assert result.user is not None and result.user.role == "enterprise"


def test_accounts_made_elsewhere_are_verified(session: Session) -> None:
    user = accounts.create_user(
        session, email="cli@example.com", password=PASSWORD, role="admin", now=T0, min_length=10
    )
    assert user.email_verified is True
    assert make_user(session).email_verified is True


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"credit_code": "91350100M000100Y44"}, "credit_code"),
        ({"credit_code": ""}, "credit_code"),
        ({"account_type": ""}, "account_type"),
        ({"org_kind": "government"}, "org_kind"),
        ({"city": "beijing"}, "city"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short", "password_confirm": "short"}, "password"),
        ({"password_confirm": "different-passphrase"}, "password_confirm"),
    ],
)
def test_registration_errors_name_the_field(
    session: Session, changes: dict[str, str], field: str
) -> None:
    with pytest.raises(FieldErrors) as refused:
        registration.register(session, form=form(**changes), ip=None, now=T0, min_length=10)
    assert field in refused.value.errors


def test_registration_with_a_taken_email_creates_nothing_and_refuses_nothing(
    session: Session,
) -> None:
    owner = make_user(session, email="new@example.com")
    users, orgs = (
        len(session.exec(select(User)).all()),
        len(session.exec(select(Organization)).all()),
    )
    result = registration.register(
        session, form=form(email=" New@Example.com "), ip=None, now=T0, min_length=10
    )
    assert result.user is None and result.token is None and result.existing == owner
    assert result.email == "new@example.com"
    assert len(session.exec(select(User)).all()) == users
    assert len(session.exec(select(Organization)).all()) == orgs
    assert session.exec(select(PasswordReset)).all() == []
    assert actions(session)[-1] == "account.register_attempt_existing"


def test_registration_names_a_taken_credit_code(session: Session) -> None:
    # Organisations are public records; accounts are not.
    make_user(session, email="new@example.com")
    make_org(session, credit_code=VALID_CODE)
    with pytest.raises(FieldErrors) as refused:
        registration.register(session, form=form(), ip=None, now=T0, min_length=10)
    assert set(refused.value.errors) == {"credit_code"}


def test_an_unverified_account_cannot_sign_in_until_its_link_is_used(session: Session) -> None:
    result = registration.register(session, form=form(), ip=None, now=T0, min_length=10)
    assert result.token is not None
    with pytest.raises(signin.AwaitingVerification) as refused:
        signin.sign_in(
            session, email="new@example.com", password="a-good-passphrase", ip=None, now=T0
        )
    assert refused.value.user.email == "new@example.com"
    with pytest.raises(FieldErrors) as wrong:
        signin.sign_in(session, email="new@example.com", password="wrong-one!!", ip=None, now=T0)
    assert wrong.value.message == signin.GENERIC_SIGN_IN_ERROR
    user = registration.verify_email(session, token=result.token, now=T0 + timedelta(hours=1))
    assert user.email_verified is True
    assert actions(session)[-1] == "account.verified"
    assert (
        signin.sign_in(
            session, email="new@example.com", password="a-good-passphrase", ip=None, now=T0
        )
        == user
    )


def test_a_verification_link_works_once(session: Session) -> None:
    result = registration.register(session, form=form(), ip=None, now=T0, min_length=10)
    assert result.token is not None
    registration.verify_email(session, token=result.token, now=T0)
    assert registration.valid_verification(session, token=result.token, now=T0) is None
    with pytest.raises(FieldErrors, match="确认链接无效或已过期"):
        registration.verify_email(session, token=result.token, now=T0)


def test_a_verification_link_expires_after_a_day(session: Session) -> None:
    result = registration.register(session, form=form(), ip=None, now=T0, min_length=10)
    assert result.token is not None and result.user is not None
    with pytest.raises(FieldErrors):
        registration.verify_email(session, token=result.token, now=T0 + timedelta(hours=24))
    assert result.user.email_verified is False


def test_verification_and_reset_tokens_are_not_interchangeable(session: Session) -> None:
    result = registration.register(session, form=form(), ip=None, now=T0, min_length=10)
    assert result.token is not None
    assert password_reset.valid_reset(session, token=result.token, now=T0) is None
    requested = password_reset.request_password_reset(
        session, email="new@example.com", ip=None, now=T0
    )
    assert requested is not None
    assert registration.valid_verification(session, token=requested[1], now=T0) is None


def test_a_password_reset_confirms_the_address(session: Session) -> None:
    result = registration.register(session, form=form(), ip=None, now=T0, min_length=10)
    requested = password_reset.request_password_reset(
        session, email="new@example.com", ip=None, now=T0
    )
    assert requested is not None and result.token is not None
    user = password_reset.reset_password(
        session,
        token=requested[1],
        password="another-passphrase",
        confirm="another-passphrase",
        now=T0,
        min_length=10,
    )
    assert user.email_verified is True
    # The verification link is used up with the other outstanding links.
    assert registration.valid_verification(session, token=result.token, now=T0) is None


def test_registration_is_throttled_per_ip(session: Session) -> None:
    for _ in range(10):
        with pytest.raises(FieldErrors):
            registration.register(
                session, form=form(email="x"), ip="5.5.5.5", now=T0, min_length=10
            )
    with pytest.raises(FieldErrors) as refused:
        registration.register(
            session, form=form(email="fresh@example.com"), ip="5.5.5.5", now=T0, min_length=10
        )
    assert refused.value.status_code == 429


# --- password reset -----------------------------------------------------------------------


def test_password_reset_is_one_time_and_ends_sessions(session: Session) -> None:
    user = make_user(session, email="r@example.com")
    policy = SessionPolicy(timedelta(hours=1), timedelta(hours=8))
    raw_session, _ = sessions.create(session, user_id=user.id, now=T0, policy=policy)
    result = password_reset.request_password_reset(session, email="r@example.com", ip=None, now=T0)
    assert result is not None
    _, token = result
    stored = session.exec(select(PasswordReset)).all()
    assert token not in {r.token_hash for r in stored}
    password_reset.reset_password(
        session,
        token=token,
        password="a-new-passphrase",
        confirm="a-new-passphrase",
        now=T0 + timedelta(minutes=5),
        min_length=10,
    )
    assert signin.sign_in(
        session, email="r@example.com", password="a-new-passphrase", ip=None, now=T0
    )
    assert sessions.load(session, raw_session, now=T0, policy=policy) is None
    with pytest.raises(FieldErrors, match="无效或已过期"):
        password_reset.reset_password(
            session,
            token=token,
            password="another-passphrase",
            confirm="another-passphrase",
            now=T0 + timedelta(minutes=6),
            min_length=10,
        )


def test_password_reset_links_expire(session: Session) -> None:
    make_user(session, email="late@example.com")
    result = password_reset.request_password_reset(
        session, email="late@example.com", ip=None, now=T0
    )
    assert result is not None
    with pytest.raises(FieldErrors):
        password_reset.reset_password(
            session,
            token=result[1],
            password="a-new-passphrase",
            confirm="a-new-passphrase",
            now=T0 + timedelta(hours=2),
            min_length=10,
        )


def test_password_reset_for_an_unknown_email_says_nothing(session: Session) -> None:
    assert (
        password_reset.request_password_reset(session, email="no@example.com", ip=None, now=T0)
        is None
    )


# --- OIDC ---------------------------------------------------------------------------------

ISSUER = "https://id.example.org"


def test_oidc_creates_a_user_keyed_by_issuer_and_subject(session: Session) -> None:
    info = {"sub": "s-1", "email": "o@example.com", "email_verified": True, "portal_role": "vendor"}
    user = oidc.oidc_sign_in(
        session, issuer=ISSUER, userinfo=info, role_claim="portal_role", now=T0, ip=None
    )
    assert (user.oidc_issuer, user.oidc_subject, user.role) == (ISSUER, "s-1", "vendor")
    # The same (issuer, sub) with another email is the same user.
    again = oidc.oidc_sign_in(
        session,
        issuer=ISSUER,
        userinfo={**info, "email": "changed@example.com"},
        role_claim="portal_role",
        now=T0,
        ip=None,
    )
    assert again.id == user.id
    # The same sub from another issuer is somebody else.
    with pytest.raises(FieldErrors):  # its email is taken by a linked account
        oidc.oidc_sign_in(
            session,
            issuer="https://other.example.org",
            userinfo=info,
            role_claim="portal_role",
            now=T0,
            ip=None,
        )


def test_oidc_links_a_local_account_only_through_a_verified_email(session: Session) -> None:
    local = make_user(session, email="local@example.com")
    info = {"sub": "s-2", "email": "local@example.com", "email_verified": False}
    with pytest.raises(FieldErrors):
        oidc.oidc_sign_in(
            session, issuer=ISSUER, userinfo=info, role_claim="portal_role", now=T0, ip=None
        )
    assert local.oidc_subject is None
    linked = oidc.oidc_sign_in(
        session,
        issuer=ISSUER,
        userinfo={**info, "email_verified": True},
        role_claim="portal_role",
        now=T0,
        ip=None,
    )
    assert linked.id == local.id and linked.oidc_subject == "s-2"
    assert "account.oidc_linked" in actions(session)


def test_oidc_linking_an_unverified_local_account_drops_its_password(session: Session) -> None:
    # Someone registered the address without owning it; the provider proves the owner.
    result = registration.register(
        session, form=form(email="victim@example.com"), ip=None, now=T0, min_length=10
    )
    assert result.user is not None
    info = {"sub": "s-9", "email": "victim@example.com", "email_verified": True}
    linked = oidc.oidc_sign_in(
        session, issuer=ISSUER, userinfo=info, role_claim="portal_role", now=T0, ip=None
    )
    assert linked.id == result.user.id
    assert linked.email_verified is True and linked.password_hash is None


def test_oidc_role_claim_sets_the_role_and_is_audited(session: Session) -> None:
    info = {"sub": "s-3", "email": "r3@example.com", "email_verified": True}
    user = oidc.oidc_sign_in(
        session, issuer=ISSUER, userinfo=info, role_claim="roles", now=T0, ip=None
    )
    assert user.role == "enterprise"
    oidc.oidc_sign_in(
        session,
        issuer=ISSUER,
        userinfo={**info, "roles": ["vendor", "official"]},
        role_claim="roles",
        now=T0,
        ip=None,
    )
    assert user.role == "official"
    assert "user.role_changed" in actions(session)


def test_role_from_claim() -> None:
    assert oidc.role_from_claim("Admin") == "admin"
    assert oidc.role_from_claim(["enterprise", "vendor"]) == "vendor"
    assert oidc.role_from_claim(["unknown"]) is None
    assert oidc.role_from_claim(None) is None


# --- tokens and user administration -------------------------------------------------------


def test_tokens_are_hashed_at_rest_and_revocable(session: Session) -> None:
    user = make_user(session)
    raw, row = tokens.create_token(session, user=user, name="CI", scope="read", now=T0)
    assert raw.startswith("p5g_") and raw not in row.token_hash and row.prefix == raw[:12]
    principal = tokens.principal_from_bearer(session, raw, now=T0)
    assert principal is not None and principal.scope == "read" and principal.via == "token"
    assert tokens.principal_from_bearer(session, raw + "x", now=T0) is None
    tokens.revoke_token(session, principal=Principal(user), token_id=row.id or 0, now=T0)
    assert tokens.principal_from_bearer(session, raw, now=T0) is None
    assert "token.created" in actions(session) and "token.revoked" in actions(session)
    audit = session.exec(select(AuditLog).where(AuditLog.action == "token.created")).one()
    assert raw not in str(audit.detail)


def test_another_users_token_cannot_be_revoked(session: Session) -> None:
    owner, other = make_user(session), make_user(session)
    _, row = tokens.create_token(session, user=owner, name="x", scope="write", now=T0)
    with pytest.raises(Forbidden):
        tokens.revoke_token(session, principal=Principal(other), token_id=row.id or 0, now=T0)
    with pytest.raises(NotFound):
        tokens.revoke_token(session, principal=Principal(owner), token_id=999_999, now=T0)


def test_disabling_a_user_ends_their_sessions_and_tokens(session: Session) -> None:
    admin, user = make_user(session, role="admin"), make_user(session)
    policy = SessionPolicy(timedelta(hours=1), timedelta(hours=8))
    raw, _ = sessions.create(session, user_id=user.id, now=T0, policy=policy)
    token, _ = tokens.create_token(session, user=user, name="x", scope="write", now=T0)
    accounts.set_active(
        session, principal=Principal(admin), user=user, active=False, now=T0, ip=None
    )
    assert sessions.load(session, raw, now=T0, policy=policy) is None
    assert tokens.principal_from_bearer(session, token, now=T0) is None
    with pytest.raises(Conflict):
        accounts.set_active(
            session, principal=Principal(admin), user=admin, active=False, now=T0, ip=None
        )


def test_only_admins_change_roles(session: Session) -> None:
    admin, official, user = (
        make_user(session, role="admin"),
        make_user(session, role="official"),
        make_user(session),
    )
    with pytest.raises(Forbidden):
        accounts.set_role(
            session, principal=Principal(official), user=user, role="admin", now=T0, ip=None
        )
    accounts.set_role(
        session, principal=Principal(admin), user=user, role="vendor", now=T0, ip=None
    )
    assert session.get(User, user.id).role == "vendor"  # type: ignore[union-attr]
    entry = session.exec(select(AuditLog).where(AuditLog.action == "user.role_changed")).one()
    assert entry.detail["from"] == "enterprise" and entry.detail["to"] == "vendor"


def test_create_user_checks_role_against_the_organisation(session: Session) -> None:
    org = make_org(session, kind="enterprise")
    with pytest.raises(FieldErrors) as refused:
        accounts.create_user(
            session,
            email="c@example.com",
            password="a-good-passphrase",
            role="vendor",
            now=T0,
            min_length=10,
            org=org,
        )
    assert "org" in refused.value.errors
