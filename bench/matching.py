"""Matching benchmark: one ranking over 10,000 and 100,000 solutions (p50, p95) beside
brute-force scoring of every solution in the same run, and top-10 for 10,000 demands.

Targets (issue 7): p95 ≤ 20 ms for one ranking over 100,000 solutions; ≥ 20× faster than
brute force; the 10,000-demand batch in ≤ 3 minutes. ``BENCH_SOLUTIONS`` and
``BENCH_DEMANDS`` override the sizes.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench.stats import percentiles, row, timed, verdict
from bench.synthetic import Listing, listings
from matching.documents import DemandDoc, SolutionDoc, solution_from_index
from matching.embedded import EmbeddedBackend
from matching.engine import MatchEngine
from portal.matching.service import adjacency, labels, lexicon
from portal.search.documents import INDEX_SETTINGS
from portal.search.gateway import get_pipeline

TODAY = date(2026, 11, 1)
CITIES = ["changsha", "zhuzhou", "xiangtan", "hengyang", "yueyang", "chenzhou", "loudi", "changde"]


def solution_doc(listing: Listing) -> dict[str, Any]:
    pipeline = get_pipeline()
    title_words = pipeline.document_tokens(listing.title)
    body_words = pipeline.document_tokens(listing.body)
    rng = random.Random(listing.id)
    return {
        "id": str(listing.id),
        "seq": listing.id,
        "version": 1,
        "external_id": f"s-{listing.id}",
        "title": listing.title,
        "summary": listing.body[:60],
        "title_seg": " ".join(title_words),
        "body_seg": " ".join(body_words),
        "terms": " ".join(dict.fromkeys(title_words + body_words)),
        "key_terms": " ".join(pipeline.query_tokens(listing.title)),
        "industries": listing.industries,
        "scenarios": listing.scenarios,
        "capabilities": listing.capabilities,
        "regions": listing.regions,
        "status": "published",
        "price_min": listing.price_min,
        "price_max": listing.price_max,
        "preferences": {"industries": [], "regions": [], "min_budget": rng.choice([None, 30, 100])},
        "verified": rng.random() < 0.5,
        "org_kind": "integrator",
        "track_record": {},
        "updated_day": TODAY.toordinal() - rng.randint(0, 600),
        "updated_ts": 1_700_000_000 + listing.id,
    }


def demand_docs(count: int) -> list[DemandDoc]:
    out = []
    rng = random.Random(5)
    for item in listings(count, seed=99):
        low = float(rng.randint(10, 200))
        out.append(
            DemandDoc(
                id=f"d{item.id}",
                title=item.title.replace("方案", "需求"),
                text=item.body,
                industry=item.industry,
                city=rng.choice(CITIES),
                scenarios=tuple(item.scenarios[:1]) if rng.random() < 0.66 else (),
                capabilities=tuple(item.capabilities[:2]) if rng.random() < 0.66 else (),
                must_have=tuple(item.capabilities[:1]) if rng.random() < 0.3 else (),
                budget_min=low,
                budget_max=low + rng.randint(20, 300),
            )
        )
    return out


def build(count: int, workdir: Path) -> tuple[MatchEngine, list[SolutionDoc], float]:
    backend = EmbeddedBackend(workdir / f"index-{count}", prefix="bench")
    settings = INDEX_SETTINGS["solution"]
    backend.ensure_index("solutions", settings)
    docs = [solution_doc(item) for item in listings(count)]
    start = time.perf_counter()
    backend.rebuild("solutions", settings, iter(docs))
    seconds = time.perf_counter() - start
    engine = MatchEngine(
        backend, get_pipeline(), lexicon=lexicon(), labels=labels(), adjacent=adjacency()
    )
    return engine, [solution_from_index(d) for d in docs], seconds


def brute_force(engine: MatchEngine, demand: DemandDoc, solutions: list[SolutionDoc]) -> list[Any]:
    prepared = engine.prepare(demand)
    scored = [
        engine.score(prepared, s, TODAY, explain=False)
        for s in solutions
        if engine.passes_gates(demand, s)
    ]
    scored.sort(key=lambda m: -m.score)
    return scored[:10]


def main() -> None:
    sizes = [
        int(os.environ.get("BENCH_SOLUTIONS_SMALL", "10000")),
        int(os.environ.get("BENCH_SOLUTIONS", "100000")),
    ]
    batch = int(os.environ.get("BENCH_DEMANDS", "10000"))
    workdir = Path(tempfile.mkdtemp(prefix="bench-matching-"))
    demands = demand_docs(max(batch, 300))
    get_pipeline().query_tokens("预热")
    for size in sizes:
        engine, solutions, seconds = build(size, workdir)
        for d in demands[:20]:
            engine.rank_solutions(d, today=TODAY)
        one = percentiles(
            [timed(lambda d=d, e=engine: e.rank_solutions(d, today=TODAY)) for d in demands[:300]]
        )
        brute = percentiles(
            [timed(lambda d=d, e=engine, s=solutions: brute_force(e, d, s)) for d in demands[:8]]
        )
        print(f"{size:,} solutions (indexed in {seconds:.1f} s)")
        print(row("one ranking (full strategy)", one))
        print(row("brute force: score every solution", brute))
        print(f"  speed-up vs brute force: p50 {brute['p50'] / one['p50']:.0f}x")
        if size >= 100_000:
            print(verdict("p95 <= 20 ms for one ranking over 100,000 solutions", one["p95"] <= 20))
            print(verdict(">= 20x faster than brute force (p50)", brute["p50"] / one["p50"] >= 20))
            start = time.perf_counter()
            for d in demands[:batch]:
                engine.rank_solutions(d, today=TODAY)
            took = time.perf_counter() - start
            print(
                f"  top-10 for {batch:,} demands as a batch: {took:.1f} s"
                f" ({batch / took:.0f} demands/s)"
            )
            if batch >= 10_000:
                print(verdict("the 10,000-demand batch in <= 3 minutes", took <= 180))
