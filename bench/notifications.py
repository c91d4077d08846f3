"""New-match detection benchmark (issue 14): one demand is published; find the vendors to
alert — the saved searches it meets (10,000 of them, read from the database) and the
solutions it fits (a ranking over 10,000 open solutions) — beside the baseline of
evaluating every saved search one by one through the search backend, in the same run.

Target: ≤ 1 s per published listing. The two ways must find the same saved searches
(the in-memory check reproduces the backend's filters and exact words; the backend's typo
tolerance is the one difference, counted and printed). ``BENCH_SAVED_SEARCHES`` and
``BENCH_OPEN_LISTINGS`` override the sizes; ``BENCH_BASELINE_SEARCHES`` how many saved
searches the one-by-one baseline runs (its time is scaled to all of them).
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from bench.matching import CITIES, build
from bench.stats import percentiles, row, timed, verdict
from bench.synthetic import SUBJECTS, listings
from matching.documents import demand_from_index
from matching.embedded import EmbeddedBackend
from matching.search import Range, SearchRequest, all_of
from portal.bootstrap import migrate
from portal.db import make_engine
from portal.models import Demand, Organization, SavedSearch, User
from portal.reference.service import load_reference
from portal.saved_searches.service import active, meeting
from portal.search.documents import INDEX_SETTINGS, demand_document
from portal.search.gateway import get_pipeline
from portal.search.service import SearchQuery, build_filter

TODAY = date(2026, 11, 1)
WORDS = ["陶瓷", "质检", "AGV", "巡检", "定位", "窑炉", "视频", "远程", "", "", ""]
NEW_TS = 1_800_000_000  # the new demands are the newest documents of the index


def saved_searches(count: int) -> list[dict[str, Any]]:
    rng = random.Random(14)
    pipeline = get_pipeline()
    out = []
    for i in range(count):
        filters: dict[str, str] = {}
        if rng.random() < 0.7:
            filters["industry"] = rng.choice(list(SUBJECTS))
        if rng.random() < 0.6:
            filters["city"] = rng.choice(CITIES)
        q = rng.choice(WORDS)
        out.append(
            {
                "user_id": 1,
                "type": "demand",
                "name": f"s{i}",
                "q": q,
                "filters": filters,
                "words": pipeline.query_tokens(q) if q else [],
                "paused": False,
                "created_at": datetime(2026, 10, 1, tzinfo=UTC),
            }
        )
    return out


def new_demands(count: int) -> list[tuple[Demand, Organization]]:
    rng = random.Random(3)
    org = Organization(id=1, external_id="o", name="某企业", kind="enterprise", city="zhuzhou")
    out = []
    for n, item in enumerate(listings(count, seed=1414)):
        row = Demand(
            id=900_000 + n,
            external_id=f"new-{n}",
            org_id=1,
            title=item.title.replace("方案", "需求"),
            description=item.body,
            industry=item.industry if rng.random() < 0.5 else "ceramics",
            city=rng.choice(CITIES),
            scenarios=item.scenarios[:1],
            capabilities=item.capabilities[:2],
            status="published",
            created_at=datetime(2026, 11, 1, tzinfo=UTC),
            updated_at=datetime.fromtimestamp(NEW_TS + n, tz=UTC),
        )
        out.append((row, org))
    return out


def demand_index(backend: EmbeddedBackend, docs: list[dict[str, Any]]) -> None:
    settings = INDEX_SETTINGS["demand"]
    backend.ensure_index("demands", settings)
    backend.rebuild("demands", settings, iter(docs))


def old_demand_docs(count: int) -> list[dict[str, Any]]:
    pipeline = get_pipeline()
    rng = random.Random(8)
    org = Organization(id=2, external_id="p", name="某企业", kind="enterprise", city="changsha")
    docs = []
    for item in listings(count, seed=808):
        row = Demand(
            id=item.id,
            external_id=f"d-{item.id}",
            org_id=2,
            title=item.title.replace("方案", "需求"),
            description=item.body,
            industry=item.industry,
            city=rng.choice(CITIES),
            status="published",
            created_at=datetime(2026, 6, 1, tzinfo=UTC),
            updated_at=datetime(2026, 6, 1, tzinfo=UTC),
        )
        docs.append(demand_document(pipeline, row, org))
    return docs


def one_by_one(backend: EmbeddedBackend, searches: list[SavedSearch], new_ts: int) -> set[int]:
    """The baseline: every saved search run through the backend for listings this new."""
    met = set()
    for search in searches:
        query = SearchQuery(type="demand", today=TODAY, **search.filters)  # type: ignore[arg-type]
        request = SearchRequest(
            words=tuple(search.words),
            filter=all_of(build_filter(query), Range("updated_ts", gte=new_ts, lte=new_ts)),
            limit=1,
        )
        if backend.search("demands", request).total:
            met.add(search.id or 0)
    return met


def main() -> None:
    count = int(os.environ.get("BENCH_SAVED_SEARCHES", "10000"))
    open_listings = int(os.environ.get("BENCH_OPEN_LISTINGS", "10000"))
    baseline_count = int(os.environ.get("BENCH_BASELINE_SEARCHES", str(count)))
    workdir = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    pipeline = get_pipeline()
    pipeline.query_tokens("预热")

    engine = make_engine(f"sqlite:///{workdir / 'bench.sqlite3'}")
    migrate(engine)
    with Session(engine) as session:
        load_reference(session)
        session.add(User(id=1, email="vendor@example.com", role="vendor"))
        session.flush()
        session.execute(
            insert(SavedSearch.__table__),  # type: ignore[attr-defined]
            [{"id": i + 1, **s} for i, s in enumerate(saved_searches(count))],
        )
        session.commit()
    matcher, _, seconds = build(open_listings, workdir)
    news = new_demands(20)
    docs = [demand_document(pipeline, row, org) for row, org in news]
    backend = EmbeddedBackend(workdir / "demands", prefix="bench")
    demand_index(backend, old_demand_docs(open_listings) + docs)

    def detect(doc: dict[str, Any]) -> tuple[list[SavedSearch], list[Any]]:
        with Session(engine) as session:
            met = meeting(active(session, "demand"), "demand", doc, today=TODAY)
        ranked = matcher.rank_solutions(demand_from_index(doc), today=TODAY, limit=20)
        return met, ranked

    detect(docs[0])
    samples = percentiles([timed(lambda d=d: detect(d)) for d in docs])
    with Session(engine) as session:
        searches = active(session, "demand")
    subset = searches[:baseline_count]
    start = time.perf_counter()
    baseline = one_by_one(backend, subset, int(docs[0]["updated_ts"]))
    took_ms = (time.perf_counter() - start) * 1000 * len(searches) / len(subset)
    fast = {s.id for s in meeting(subset, "demand", docs[0], today=TODAY)}
    print(
        f"{count:,} saved searches, {open_listings:,} open solutions (indexed in {seconds:.1f} s)"
    )
    print(row("detect: saved searches + new matches", samples))
    print(
        f"  one by one through the backend ({len(subset):,} run"
        f"{', scaled to all' if len(subset) < len(searches) else ''}): {took_ms:,.0f} ms"
    )
    print(f"  speed-up vs one by one: {took_ms / samples['p50']:.0f}x (p50)")
    print(
        f"  saved searches met by the first demand: {len(fast)} in memory, {len(baseline)} by"
        f" the backend, {len(fast ^ baseline)} differ (typo tolerance)"
    )
    print(verdict("<= 1 s per published listing (p95)", samples["p95"] <= 1000))
