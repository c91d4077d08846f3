"""Dashboard and progress benchmark: a throwaway SQLite database with 10,000 networks and
100,000 listings (40,000 solutions, 50,000 demands, 10,000 cases); the officials'
dashboard, the public progress page and the JSON endpoints timed through the ASGI app,
beside a naive baseline in the same run (every row loaded and counted in Python).

Target (issue 6): p95 ≤ 50 ms for the dashboard and the progress endpoint — warm, and
right after each kind of write (a network confirmed, a solution or a demand edited, and a
raw-SQL ``bump()`` that makes every memoized aggregate stale).
``BENCH_NETWORKS`` and ``BENCH_LISTINGS`` override the sizes; ``BENCH_DB=postgresql`` runs it
on a throwaway PostgreSQL cluster instead of SQLite.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.stats import percentiles, row, timed, verdict

REQUESTS = 200


def _fill(engine: Any, networks: int, listings: int) -> None:
    from sqlalchemy import insert
    from sqlmodel import Session

    from portal.models import (
        Demand,
        Organization,
        PrivateNetwork,
        Solution,
        SolutionReach,
        UseCase,
        rebuild_solution_serving,
        solution_reach_rows,
    )
    from portal.reference.vocab import get_vocabularies

    vocab = get_vocabularies()
    rng = random.Random(6)
    stamp = {"created_at": datetime.now(UTC), "updated_at": datetime.now(UTC)}
    cities, industries = vocab.codes("city"), vocab.codes("industry")
    operators, zones = vocab.codes("operator"), ["yuelushan", "malanshan"]
    with Session(engine) as session:
        conn = session.connection()
        conn.execute(
            insert(Organization),
            [
                {"external_id": f"b-org-{i}", "name": f"机构{i}", "city": rng.choice(cities),
                 "kind": "enterprise" if i % 2 else "integrator", "description": "",
                 "verified": False, "is_demo": False, **stamp}
                for i in range(1, 201)
            ],
        )  # fmt: skip
        n_solutions, n_cases = listings * 2 // 5, listings // 10
        n_demands = listings - n_solutions - n_cases
        solutions = []
        reach: list[dict[str, Any]] = []
        for i in range(1, n_solutions + 1):
            regions = rng.sample(cities, rng.randint(1, 3))
            if rng.random() < 0.15:
                regions.append(rng.choice(["hunan", "national"]))
            values = {
                "id": i, "external_id": f"b-sol-{i}", "org_id": rng.randint(1, 200),
                "title": f"方案{i}", "summary": "", "description": "",
                "industries": rng.sample(industries, rng.randint(0, 2)), "scenarios": [],
                "capabilities": [], "regions": regions, "preferences": {},
                "status": "published" if rng.random() < 0.9 else "pending",
                "expires_on": date(2027, 1, 1) - timedelta(days=rng.randint(0, 900)),
                "version": 1, "is_demo": False, **stamp,
            }  # fmt: skip
            solutions.append(values)
            reach.extend(solution_reach_rows(Solution(**values)))
        conn.execute(insert(Solution), solutions)
        conn.execute(insert(SolutionReach), reach)
        rebuild_solution_serving(conn)  # bulk rows bypass the ORM's flush listener
        demands = []
        for i in range(1, n_demands + 1):
            city = rng.choice(cities)
            demands.append(
                {"external_id": f"b-dem-{i}", "org_id": rng.randint(1, 200), "title": f"需求{i}",
                 "description": "", "industry": rng.choice(industries), "scenarios": [],
                 "capabilities": [], "must_have": [], "city": city,
                 "zone": rng.choice(zones) if city == "changsha" and rng.random() < 0.3 else None,
                 "status": "published" if rng.random() < 0.85 else "draft",
                 "deadline": date(2025, 6, 1) + timedelta(days=rng.randint(0, 900)),
                 "anonymous": False, "version": 1, "is_demo": False, **stamp}
            )  # fmt: skip
        conn.execute(insert(Demand), demands)
        conn.execute(
            insert(UseCase),
            [
                {"external_id": f"b-case-{i}", "title": f"案例{i}", "summary": "",
                 "industry": rng.choice(industries), "scenarios": [], "capabilities": [],
                 "city": rng.choice(cities), "enterprise": "企业", "providers": [],
                 "evidence": "self_reported", "version": 1, "is_demo": False, **stamp}
                for i in range(1, n_cases + 1)
            ],
        )  # fmt: skip
        conn.execute(
            insert(PrivateNetwork),
            [
                {"external_id": f"b-net-{i}", "name": f"专网{i}", "enterprise": f"企业{i}",
                 "operator": rng.choice(operators), "industry": rng.choice(industries),
                 "city": rng.choice(cities), "mode": rng.choice(["virtual", "virtual", "hybrid",
                                                                  "independent"]),
                 "status": rng.choice(["in_service"] * 6 + ["building", "planned", "retired"]),
                 "commissioned_on": date(2019, 1, 1) + timedelta(days=rng.randint(0, 2500)),
                 "confirmed": rng.random() < 0.95, "is_demo": False, **stamp}
                for i in range(1, networks + 1)
            ],
        )  # fmt: skip
        session.commit()


def _naive(session: Any, today: date) -> dict[str, Any]:
    """The obvious version: every row into Python, counted in loops."""
    from sqlmodel import select

    from portal.models import Demand, PrivateNetwork, Solution, UseCase

    counted = [
        n
        for n in session.exec(select(PrivateNetwork)).all()
        if n.confirmed and n.status == "in_service" and n.mode in ("virtual", "hybrid")
    ]
    by_city = Counter(n.city for n in counted)
    by_industry = Counter(n.industry for n in counted)
    by_operator = Counter(n.operator for n in counted)
    by_year = Counter(n.commissioned_on.year for n in counted if n.commissioned_on)
    live = [
        s
        for s in session.exec(select(Solution)).all()
        if s.status == "published" and (s.expires_on is None or s.expires_on >= today)
    ]
    serving: Counter[str] = Counter()
    covered: set[tuple[str, str]] = set()
    for s in live:
        wide = bool({"hunan", "national"} & set(s.regions))
        for region in s.regions:
            serving[region] += 1
            for industry in s.industries:
                covered.add((region, industry))
        if wide:
            serving["*"] += 1
    demands = [d for d in session.exec(select(Demand)).all() if d.status == "published"]
    unmatched = Counter(
        d.industry
        for d in demands
        if (d.deadline is None or d.deadline >= today)
        and not any((r, d.industry) in covered for r in (d.city, "hunan", "national"))
    )
    cases = Counter(c.city for c in session.exec(select(UseCase)).all())
    return {
        "total": len(counted),
        "by": (by_city, by_industry, by_operator, by_year),
        "serving": serving,
        "unmatched": unmatched,
        "cases": cases,
    }


def main() -> None:
    networks = int(os.environ.get("BENCH_NETWORKS", "10000"))
    listings = int(os.environ.get("BENCH_LISTINGS", "100000"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-dashboards-"))
    os.environ["PORTAL_DATA_DIR"] = str(workdir)
    os.environ.pop("PORTAL_DATABASE_URL", None)
    cluster = None
    if os.environ.get("BENCH_DB") == "postgresql":  # a throwaway cluster on 127.0.0.1
        from tests.support.pgcluster import ThrowawayCluster

        cluster = ThrowawayCluster()
        os.environ["PORTAL_DATABASE_URL"] = cluster.start()
    try:
        _run(networks, listings)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def _run(networks: int, listings: int) -> None:
    import time

    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from portal.app import create_app
    from portal.bootstrap import migrate
    from portal.clusters.service import unmatched_open_demands
    from portal.dashboards.cache import bump
    from portal.db import get_engine
    from portal.deps import get_current_user
    from portal.models import Demand, PrivateNetwork, Solution, User
    from portal.networks.service import count_registered_in_service
    from portal.reference.service import load_reference
    from portal.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    migrate(engine)
    with Session(engine) as session:
        load_reference(session)
        session.commit()
    start = time.perf_counter()
    _fill(engine, networks, listings)
    fill_s = time.perf_counter() - start
    kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    if kind == "PostgreSQL":  # what autovacuum would have done by the time anyone looks
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    official = User(id=1, email="bench@example.com", role="official", password_hash=None)
    app = create_app(background_sync=False)
    app.dependency_overrides[get_current_user] = lambda: official
    today = date.today()
    results: dict[str, dict[str, float]] = {}
    with TestClient(app, base_url="https://testserver") as client:
        urls = {
            "GET /api/v1/networks/progress": "/api/v1/networks/progress",
            "GET /dashboard (officials, HTML)": "/dashboard",
            "GET /progress (public, HTML)": "/progress",
            "GET /api/v1/zones": "/api/v1/zones",
            "GET /api/v1/clusters": "/api/v1/clusters",
        }
        for url in urls.values():  # warm caches and the template
            for _ in range(5):
                assert client.get(url).status_code == 200, url
        for name, url in urls.items():
            results[name] = percentiles(
                [timed(lambda url=url: client.get(url)) for _ in range(REQUESTS)]
            )

        flip = iter(range(1, 10**9))

        def network_confirmed() -> None:  # an official confirms (or withdraws) a network
            with Session(engine) as session:
                network = session.get(PrivateNetwork, 1 + next(flip) % networks)
                assert network is not None
                network.confirmed = not network.confirmed
                session.add(network)
                session.commit()

        def solution_edited() -> None:  # a vendor edits a published solution's regions
            with Session(engine) as session:
                solution = session.get(Solution, 1 + next(flip) % (listings * 2 // 5))
                assert solution is not None
                regions = list(solution.regions)
                solution.regions = regions[1:] + regions[:1] if len(regions) > 1 else regions
                solution.title = solution.title + "·"
                session.add(solution)
                session.commit()

        def demand_edited() -> None:  # an enterprise moves a published demand's deadline
            with Session(engine) as session:
                demand = session.get(Demand, 1 + next(flip) % (listings // 2))
                assert demand is not None
                demand.deadline = (demand.deadline or today) + timedelta(days=1)
                session.add(demand)
                session.commit()

        def raw_sql_bump() -> None:  # a raw-SQL writer: every aggregate is stale
            with Session(engine) as session:
                bump(session)
                session.commit()

        writes = {
            "network confirmed": network_confirmed,
            "solution edited": solution_edited,
            "demand edited": demand_edited,
            "bump(): all stale": raw_sql_bump,
        }

        def after(write: Any, url: str) -> float:
            write()
            return timed(lambda: client.get(url))

        cold = {
            f"{name} [after {label}]": percentiles([after(write, urls[name]) for _ in range(40)])
            for label, write in writes.items()
            for name in ("GET /api/v1/networks/progress", "GET /dashboard (officials, HTML)")
        }
        body = client.get("/api/v1/networks/progress").json()  # after the writes above
    with Session(engine) as session:
        naive = percentiles([timed(lambda: _naive(session, today)) for _ in range(10)])
        check = _naive(session, today)
        agree = body["registered_in_service"] == check["total"] == count_registered_in_service(
            session
        ) and {k: v for k, v in body["by_city"].items() if v} == dict(check["by"][0])
        _, unmatched = unmatched_open_demands(session, today=today)
        agree_unmatched = {k: v for k, v in unmatched.items() if v} == dict(check["unmatched"])
    engine.dispose()
    print(
        f"database: {networks:,} networks, {listings:,} listings (40% solutions, 50% demands,"
        f" 10% cases), {kind}; filled in {fill_s:.1f} s; {REQUESTS} requests each"
    )
    print("  warm: the data unchanged since the last request (the aggregates' memo is valid)")
    for name, stats in results.items():
        print(row(name, stats))
    print("  cold: right after a write (the aggregates that read the written tables recomputed)")
    for name, stats in cold.items():
        print(row(name, stats))
    print(row("baseline: naive Python loops over every row", naive))
    progress_p95 = results["GET /api/v1/networks/progress"]["p95"]
    dashboard_p95 = results["GET /dashboard (officials, HTML)"]["p95"]
    progress_p50 = results["GET /api/v1/networks/progress"]["p50"]
    dashboard_p50 = results["GET /dashboard (officials, HTML)"]["p50"]
    print(
        f"  speed-up vs naive (p50): progress {naive['p50'] / progress_p50:.0f}x,"
        f" dashboard {naive['p50'] / dashboard_p50:.0f}x"
    )
    print(verdict("progress endpoint p95 <= 50 ms", progress_p95 <= 50))
    print(verdict("dashboard p95 <= 50 ms", dashboard_p95 <= 50))
    for label in writes:
        for short, name in (
            ("progress endpoint", "GET /api/v1/networks/progress"),
            ("dashboard", "GET /dashboard (officials, HTML)"),
        ):
            p95 = cold[f"{name} [after {label}]"]["p95"]
            print(verdict(f"{short} p95 <= 50 ms right after a write ({label})", p95 <= 50))
    print(f"  progress API counts equal the naive count of the rows: {agree}")
    print(f"  open demands without a strong match equal the naive count: {agree_unmatched}")
