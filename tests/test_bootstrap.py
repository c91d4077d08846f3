from pathlib import Path

from sqlmodel import Session, func, select

from portal.bootstrap import CASES_FILE, DEMO_FILE, ensure_ready, seed_demo
from portal.db import get_engine
from portal.models import Demand, Organization, PrivateNetwork, Solution, UseCase


def test_empty_data_directory_becomes_ready_and_keeps_edits(data_dir: Path) -> None:
    ensure_ready()
    with Session(get_engine()) as session:
        cases = session.exec(select(func.count()).select_from(UseCase)).one()
        assert cases == sum(
            1 for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()
        )
        case = session.exec(select(UseCase).order_by(UseCase.id)).first()
        assert case is not None
        case.title = "官员修改后的标题"
        session.add(case)
        session.commit()
        case_id = case.id
    ensure_ready()  # a restart: the unchanged seed file is not applied again
    with Session(get_engine()) as session:
        edited = session.get(UseCase, case_id)
        assert edited is not None and edited.title == "官员修改后的标题"


def test_demo_seed_is_marked_and_loaded_once(data_dir: Path) -> None:
    ensure_ready()
    first = seed_demo()
    assert first is not None and first.ok
    assert seed_demo() is None
    with Session(get_engine()) as session:
        orgs = session.exec(select(Organization)).all()
        assert len(orgs) >= 20 and all(o.is_demo for o in orgs)
        assert session.exec(select(func.count()).select_from(Solution)).one() >= 40
        assert session.exec(select(func.count()).select_from(Demand)).one() >= 40
        assert session.exec(select(func.count()).select_from(PrivateNetwork)).one() >= 3
    assert DEMO_FILE.exists()
