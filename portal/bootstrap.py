"""Bring a data directory to a working state: migrate, load reference data, seed.

Every CLI command starts here, so each works on an empty data directory.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from portal.db import begin_write, get_engine
from portal.imports.service import ImportReport, import_lines
from portal.models import Meta, Organization
from portal.reference.service import load_reference
from portal.reference.vocab import SEED_DIR

ROOT = Path(__file__).resolve().parents[1]
CASES_FILE = SEED_DIR / "cases.jsonl"
DEMO_FILE = SEED_DIR / "demo.jsonl"


def alembic_config(engine: Engine) -> Config:
    config = Config(str(ROOT / "alembic.ini"))
    config.attributes["url"] = engine.url.render_as_string(hide_password=False)
    return config


def migrate(engine: Engine) -> None:
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def _load_seed_file(session: Session, path: Path, *, key: str, demo: bool) -> ImportReport | None:
    """Import a seed file once per content: a file that has not changed is not applied again,
    so what people edit in the portal is kept across restarts."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    begin_write(session)
    meta = session.get(Meta, key)
    if meta is not None and meta.value == digest:
        session.rollback()
        return None
    report = import_lines(session, path.read_text(encoding="utf-8").splitlines(), demo=demo)
    if not report.ok:
        session.rollback()
        raise RuntimeError(f"{path.name}: " + "; ".join(str(i) for i in report.issues[:10]))
    meta = session.get(Meta, key)
    if meta is None:
        session.add(Meta(key=key, value=digest))
    else:
        meta.value = digest
    session.commit()
    report.applied = True
    return report


def ensure_ready(engine: Engine | None = None) -> None:
    """Migrate, then load the reference data and the benchmark-case library."""
    engine = engine or get_engine()
    migrate(engine)
    with Session(engine) as session:
        begin_write(session)
        load_reference(session)
        session.commit()
        if CASES_FILE.exists():
            _load_seed_file(session, CASES_FILE, key="seed:cases", demo=False)


def seed_demo(engine: Engine | None = None, *, force: bool = False) -> ImportReport | None:
    engine = engine or get_engine()
    with Session(engine) as session:
        if force:
            begin_write(session)
            meta = session.get(Meta, "seed:demo")
            if meta is not None:
                session.delete(meta)
                session.commit()
        report = _load_seed_file(session, DEMO_FILE, key="seed:demo", demo=True)
    seed_demo_accounts(engine)
    seed_demo_introductions(engine)
    seed_demo_events(engine)
    return report


def seed_demo_introductions(engine: Engine) -> None:
    from portal.clock import get_clock
    from portal.introductions import demo

    with Session(engine) as session:
        begin_write(session)
        demo.seed(session, now=get_clock().now())
        session.commit()


def seed_demo_events(engine: Engine) -> None:
    from portal.clock import get_clock
    from portal.events import demo
    from portal.search.gateway import get_gateway

    with Session(engine) as session:
        begin_write(session)
        demo.seed(session, get_gateway(), now=get_clock().now())
        session.commit()


def seed_demo_accounts(engine: Engine) -> None:
    """The demo accounts, one per role (development only; the CLI refuses otherwise)."""
    from portal.auth.accounts import ensure_demo_accounts
    from portal.clock import get_clock
    from portal.settings import get_settings

    with Session(engine, expire_on_commit=False) as session:
        begin_write(session)
        ensure_demo_accounts(
            session,
            now=get_clock().now(),
            min_length=get_settings().portal_password_min_length,
        )
        session.commit()


def has_demo_data(session: Session) -> bool:
    return session.exec(select(Organization.id).where(Organization.is_demo)).first() is not None
