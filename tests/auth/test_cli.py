from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from portal.auth.accounts import DEMO_ACCOUNTS
from portal.auth.tokens import principal_from_bearer
from portal.bootstrap import seed_demo
from portal.cli import app
from portal.clock import get_clock
from portal.db import get_engine
from portal.models import Membership, Organization, User

runner = CliRunner()


def test_user_create_and_token_create(data_dir: Path) -> None:
    result = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            "Ops@Example.com",
            "--password",
            "a-good-passphrase",
            "--role",
            "admin",
        ],
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["token", "create", "--email", "ops@example.com", "--scope", "write"]
    )
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("p5g_")
    with Session(get_engine()) as session:
        principal = principal_from_bearer(session, token, now=get_clock().now())
        assert principal is not None and principal.scope == "write"
        assert principal.user.role == "admin" and principal.user.email == "ops@example.com"


def test_user_create_with_an_organisation_and_errors(data_dir: Path, tmp_path: Path) -> None:
    jsonl = tmp_path / "org.jsonl"
    jsonl.write_text(
        '{"type": "organization", "external_id": "org-x", "name": "X", "kind": "operator",'
        ' "city": "changsha"}\n',
        encoding="utf-8",
    )
    assert runner.invoke(app, ["import", str(jsonl)]).exit_code == 0
    ok = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            "v@example.com",
            "--password",
            "a-good-passphrase",
            "--role",
            "vendor",
            "--org",
            "org-x",
        ],
    )
    assert ok.exit_code == 0, ok.output
    wrong_role = runner.invoke(
        app,
        [
            "user",
            "create",
            "--email",
            "e@example.com",
            "--password",
            "a-good-passphrase",
            "--role",
            "enterprise",
            "--org",
            "org-x",
        ],
    )
    assert wrong_role.exit_code == 1
    short = runner.invoke(
        app,
        ["user", "create", "--email", "s@example.com", "--password", "short", "--role", "official"],
    )
    assert short.exit_code == 1 and "密码" in short.output
    assert runner.invoke(app, ["token", "create", "--email", "none@example.com"]).exit_code == 1
    with Session(get_engine()) as session:
        user = session.exec(select(User).where(User.email == "v@example.com")).one()
        membership = session.exec(select(Membership).where(Membership.user_id == user.id)).one()
        assert membership.role == "owner"


def test_seed_demo_creates_one_account_per_role(data_dir: Path) -> None:
    from portal.bootstrap import ensure_ready

    ensure_ready()
    seed_demo()
    seed_demo(force=True)  # idempotent
    with Session(get_engine()) as session:
        users = session.exec(select(User).where(User.is_demo)).all()
        assert sorted(u.role for u in users) == sorted(r for r, _, _ in DEMO_ACCOUNTS)
        for _role, email, org_external_id in DEMO_ACCOUNTS:
            if org_external_id:
                org = session.exec(
                    select(Organization).where(Organization.external_id == org_external_id)
                ).one()
                user = next(u for u in users if u.email == email)
                assert session.exec(
                    select(Membership).where(
                        Membership.user_id == user.id, Membership.org_id == org.id
                    )
                ).one()
