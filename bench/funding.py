"""Funding and platform matching (issue 16): a throwaway SQLite database with
``BENCH_DEMANDS`` published demands (5,000), ``BENCH_CALLS`` open funding calls (300) and
60 platforms; the funding and platforms of one demand (its page and the API), the
demands a new call fits (the "new call" alert) and the officials' coverage tables.
Every call is checked in Python against every demand it is asked about: these figures say
when that stops being cheap enough."""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.stats import percentiles, row, timed

SAMPLES = 100


def _fill(engine: Any, demands: int, calls: int) -> None:
    from sqlalchemy import insert
    from sqlmodel import Session

    from portal.models import Demand, Funding, Organization, Platform
    from portal.reference.vocab import get_vocabularies

    vocab = get_vocabularies()
    rng = random.Random(16)
    now = datetime.now(UTC)
    stamp = {"created_at": now, "updated_at": now}
    cities, industries = vocab.codes("city"), vocab.codes("industry")
    scenarios, caps = vocab.codes("scenario"), vocab.codes("platform_capability")
    kinds = ["enterprise", "finance", "operator"]  # organisation i is kinds[i % 3]
    today = date.today()
    with Session(engine) as session:
        conn = session.connection()
        conn.execute(
            insert(Organization),
            [
                {"external_id": f"b-org-{i}", "name": f"机构{i}", "city": rng.choice(cities),
                 "kind": kinds[i % 3], "description": "", "verified": False, "is_demo": False,
                 **stamp}
                for i in range(1, 301)
            ],
        )  # fmt: skip
        conn.execute(
            insert(Demand),
            [
                {"external_id": f"b-dem-{i}", "org_id": 3 + 3 * rng.randrange(99),
                 "title": f"{vocab.label('industry', ind)}企业5G改造需求{i}",
                 "description": "希望用5G和机器视觉提升质检效率，车间需要定位和高清视频回传。",
                 "industry": ind, "scenarios": rng.sample(scenarios, 2), "capabilities": [],
                 "must_have": [], "city": rng.choice(cities), "budget_min": 50.0,
                 "budget_max": float(rng.choice([80, 150, 300, 1000])), "status": "published",
                 "version": 1, "anonymous": False, "is_demo": False, **stamp}
                for i in range(demands)
                for ind in [rng.choice(industries)]
            ],
        )  # fmt: skip
        conn.execute(
            insert(Funding),
            [
                {"external_id": f"b-fund-{i}", "org_id": 1 + 3 * rng.randrange(100),
                 "title": f"5G应用专项资金{i}", "summary": "5G应用项目补助", "description": "",
                 "industries": rng.sample(industries, rng.choice([0, 2, 4])),
                 "regions": rng.choice([["hunan"], rng.sample(cities, 2), ["national"]]),
                 "org_kinds": rng.choice([[], ["enterprise"]]),
                 "stages": rng.choice([[], ["poc"], ["contract", "network_live"]]),
                 "amount_min": float(rng.choice([10, 50, 100, 500])),
                 "amount_max": float(rng.choice([300, 1000, 3000])),
                 "cost_share": rng.choice([None, 30.0, 70.0]),
                 "deadline": today + timedelta(days=rng.randrange(0, 365)),
                 "status": "published", "version": 1, "is_demo": False, **stamp}
                for i in range(calls)
            ],
        )  # fmt: skip
        conn.execute(
            insert(Platform),
            [
                {"external_id": f"b-plat-{i}", "org_id": 2 + 3 * rng.randrange(99),
                 "title": f"共性技术平台{i}", "summary": "", "description": "",
                 "platform_capabilities": rng.sample(caps, 2),
                 "regions": rng.choice([["hunan"], rng.sample(cities, 3)]),
                 "status": "published", "version": 1, "is_demo": False, **stamp}
                for i in range(60)
            ],
        )  # fmt: skip
        session.commit()


def main() -> None:
    demands = int(os.environ.get("BENCH_DEMANDS", "5000"))
    calls = int(os.environ.get("BENCH_CALLS", "300"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-funding-"))
    os.environ["PORTAL_DATA_DIR"] = str(workdir)
    os.environ.pop("PORTAL_DATABASE_URL", None)
    try:
        _run(demands, calls)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _run(demands: int, calls: int) -> None:
    from sqlmodel import Session, select

    from portal.bootstrap import migrate
    from portal.db import get_engine
    from portal.funding import coverage, service
    from portal.models import Demand, Funding
    from portal.reference.service import load_reference
    from portal.search.gateway import get_pipeline
    from portal.settings import get_settings

    get_settings.cache_clear()
    get_engine.cache_clear()
    engine = get_engine()
    migrate(engine)
    with Session(engine) as session:
        load_reference(session)
        session.commit()
    _fill(engine, demands, calls)
    pipeline = get_pipeline()
    today = date.today()
    rng = random.Random(1)
    with Session(engine) as session:
        sample = rng.sample(list(session.exec(select(Demand)).all()), SAMPLES)
        service.funding_for_demand(session, pipeline, sample[0], today=today)  # warm
        results = {
            f"funding for one demand ({calls} calls)": percentiles(
                [
                    timed(lambda d=d: service.funding_for_demand(session, pipeline, d, today=today))
                    for d in sample
                ]
            ),
            "platforms for one demand (60 platforms)": percentiles(
                [
                    timed(
                        lambda d=d: service.platforms_for_demand(session, pipeline, d, today=today)
                    )
                    for d in sample
                ]
            ),
        }
        print(f"  {demands} demands, {calls} open calls, 60 platforms (SQLite)")
        for name, stats in results.items():
            print(row(name, stats))
        # The widest call: the whole province, any stage, any kind of organisation.
        call = next(
            c
            for c in session.exec(select(Funding)).all()
            if c.regions == ["hunan"] and not c.stages and not c.org_kinds
        )
        start = time.perf_counter()
        fitting = service.demands_fitting_call(session, pipeline, call, today=today)
        print(
            f"  demands a new call fits: {len(fitting)} of {demands} in "
            f"{(time.perf_counter() - start) * 1000:.0f} ms"
        )
        start = time.perf_counter()
        coverage.coverage_tables(session, pipeline, today=today)
        print(f"  officials' coverage tables: {(time.perf_counter() - start) * 1000:.0f} ms")
