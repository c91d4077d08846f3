"""The per-city serving counts (``solution_serving``) kept by the flush listener: after any
sequence of ORM writes they equal a recount from scratch, and the migration that created
them counted the solutions already there the same way."""

import random
from datetime import date

from alembic import command
from sqlalchemy import Connection, select, text, update
from sqlmodel import Session

from portal.bootstrap import alembic_config
from portal.db import make_engine
from portal.models import NEVER, Solution, SolutionServing, rebuild_solution_serving
from portal.reference.vocab import get_vocabularies
from portal.zones.service import solutions_serving
from tests.factories import make_org, make_solution

CITIES = ["changsha", "zhuzhou", "xiangtan", "huaihua", "chenzhou"]
REGIONS = [*CITIES, "hunan", "national"]


def snapshot(connection: Connection) -> dict[tuple[str, date], int]:
    rows = connection.execute(
        select(SolutionServing.city, SolutionServing.expires_on, SolutionServing.solutions)
    )
    return {(c, e): n for c, e, n in rows if n}


def test_incremental_counts_equal_a_recount_after_random_writes(session: Session) -> None:
    rng = random.Random(20261124)
    org = make_org(session, kind="integrator")
    solutions: list[Solution] = []
    for step in range(120):
        action = rng.choice(["create", "create", "regions", "status", "expiry", "delete"])
        if action == "create" or not solutions:
            solutions.append(
                make_solution(
                    session,
                    org,
                    regions=rng.sample(REGIONS, rng.randint(1, 3)),
                    industries=rng.sample(["ceramics", "steel", "mining"], rng.randint(0, 2)),
                    status=rng.choice(["published", "published", "draft", "pending"]),
                    expires_on=rng.choice([None, date(2025, 1, 1), date(2027, 6, 30)]),
                )
            )
            continue
        target = rng.choice(solutions)
        if action == "regions":
            target.regions = rng.sample(REGIONS, rng.randint(1, 3))
        elif action == "status":
            target.status = rng.choice(["published", "archived", "rejected", "pending"])
        elif action == "expiry":
            target.expires_on = rng.choice([None, date(2025, 1, 1), date(2027, 6, 30)])
        else:
            solutions.remove(target)
            session.delete(target)
        if action != "delete":
            session.add(target)
        if step % 7 == 0 or action == "delete":
            session.flush()
    session.flush()
    connection = session.connection()
    kept = snapshot(connection)
    rebuild_solution_serving(connection)
    assert kept == snapshot(connection)
    assert kept  # the run did publish solutions


def test_counts_follow_expiry_and_count_province_wide_solutions_once(session: Session) -> None:
    today = date(2026, 3, 1)
    before = solutions_serving(session, today=today)
    make_solution(session, regions=["xiangtan", "hunan", "national"])  # every city, once
    make_solution(session, regions=["xiangtan"], expires_on=date(2026, 3, 1))  # live today
    make_solution(session, regions=["xiangtan"], expires_on=date(2026, 2, 28))  # expired
    after = solutions_serving(session, today=today)
    assert after["xiangtan"] == before["xiangtan"] + 2
    assert after["loudi"] == before["loudi"] + 1
    tomorrow = solutions_serving(session, today=date(2026, 3, 2))
    assert tomorrow["xiangtan"] == after["xiangtan"] - 1


def test_the_migration_counts_the_solutions_already_there(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "f8verify0001")  # the schema before solution_serving
    # The cities the migration reads, written in that old schema's columns (today's
    # reference loader writes today's tables).
    cities = get_vocabularies().terms["city"].values()
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO city (code, name_zh, map_name, name_en, sort)"
                " VALUES (:code, :zh, :map, :en, :sort)"
            ),
            [
                {"code": c.code, "zh": c.name_zh, "map": c.map_name, "en": c.name_en, "sort": i}
                for i, c in enumerate(cities)
            ],
        )
    reach = [
        (1, "changsha", "ceramics", date(2027, 1, 1)),
        (1, "changsha", "steel", date(2027, 1, 1)),  # one solution, two industries
        (1, "zhuzhou", "ceramics", date(2027, 1, 1)),
        (2, "hunan", "", None),
        (2, "changsha", "", None),  # named and province-wide: counted once
        (3, "national", "mining", date(2025, 5, 1)),
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO solution_reach (solution_id, region, industry, expires_on)"
                " VALUES (:s, :r, :i, :e)"
            ),
            [{"s": s, "r": r, "i": i, "e": e} for s, r, i, e in reach],
        )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    with engine.begin() as connection:
        migrated = snapshot(connection)
        rebuild_solution_serving(connection)
        assert migrated == snapshot(connection)
    assert migrated[("changsha", date(2027, 1, 1))] == 1
    assert migrated[("zhuzhou", date(2027, 1, 1))] == 1
    assert migrated[("changsha", NEVER)] == 1
    assert migrated[("loudi", NEVER)] == 1
    assert migrated[("loudi", date(2025, 5, 1))] == 1
    assert sum(migrated.values()) == 2 + 14 + 14
    engine.dispose()


def test_insert_outside_the_orm_is_repaired_by_a_rebuild(session: Session) -> None:
    connection = session.connection()
    make_solution(session, regions=["yiyang"])
    counted = snapshot(connection)
    connection.execute(
        update(SolutionServing)
        .where(SolutionServing.city == "yiyang", SolutionServing.expires_on == NEVER)  # type: ignore[arg-type]
        .values(solutions=SolutionServing.solutions + 5)
    )  # a raw-SQL writer drifting the counts
    assert snapshot(connection) != counted
    rebuild_solution_serving(connection)
    assert snapshot(connection) == counted


def test_concurrent_writers_neither_lose_counts_nor_deadlock(engine) -> None:  # type: ignore[no-untyped-def]
    """Two writers publishing solutions at once touch the same count rows (every city, for
    province-wide solutions); on PostgreSQL each upsert waits for the other's row lock,
    taken in the same order, so the sums stay exact."""
    from concurrent.futures import ThreadPoolExecutor

    from portal.db import begin_write

    with Session(engine) as setup:
        org = make_org(setup, kind="integrator")
        setup.commit()
        org_id = org.id

    def publish(worker: int) -> list[int]:
        created = []
        for n in range(15):
            with Session(engine) as session:
                begin_write(session)
                row = Solution(
                    external_id=f"concurrent-{worker}-{n}",
                    org_id=org_id,
                    title="并发写入",
                    summary="并发写入",
                    regions=["hunan"] if n % 2 else ["changsha", "national"],
                    expires_on=date(2027, 1, 1),
                )
                session.add(row)
                session.commit()
                created.append(row.id)
        return created

    try:
        with ThreadPoolExecutor(max_workers=2) as pool:
            ids = [i for chunk in pool.map(publish, (1, 2)) for i in chunk]
        with engine.connect() as connection:
            kept = snapshot(connection)
            rebuild_solution_serving(connection)
            recounted = snapshot(connection)
            connection.rollback()
        assert recounted == kept
        assert kept[("changsha", date(2027, 1, 1))] >= 30
    finally:
        with Session(engine) as cleanup:
            for solution_id in ids if "ids" in locals() else []:
                row = cleanup.get(Solution, solution_id)
                if row is not None:
                    cleanup.delete(row)
            cleanup.delete(cleanup.get(type(org), org_id))
            cleanup.commit()
