"""Featured industrial clusters (工程机械, 轨道交通装备, 陶瓷, 烟花爆竹, 注塑, 中小航空发动机 and
the others flagged ``featured`` in seed/vocabularies.json).

"Open demands without a strong match" uses a documented proxy, not the ranking: running
``matches_for_demand`` for every open demand costs a search and a scoring per demand, far
too slow for a page. A demand is open when published and its deadline has not passed; it
has a strong match when at least one published, unexpired solution names the demand's
industry explicitly (not "any industry") and serves its city (the city, ``hunan`` or
``national``) — the matcher's hard gates plus exact industry fit, its heaviest factor.
Demands are grouped by (industry, city) first; industries a province-wide solution names
are settled with two probes, the others with one index probe per (industry, city).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlmodel import Session, col, func, select

from portal.dashboards.cache import memoized
from portal.dashboards.cubes import demand_cube, network_cube, total_by
from portal.kit.i18n import N_
from portal.models import PROVINCE_WIDE, UseCase
from portal.reference.vocab import get_vocabularies

PROXY_NOTE = N_(
    "“无强匹配”为近似口径：没有任何已发布且未过期、明确覆盖该行业并服务该需求所在城市（或全省、全国）的解决方案。"
)


@dataclass
class ClusterCounts:
    code: str
    name: str
    demands: int
    open_demands: int
    open_without_strong_match: int
    networks: int
    cases: int


def featured_industries() -> list[tuple[str, str]]:
    vocab = get_vocabularies()
    return [(c, t.name) for c, t in vocab.terms["industry"].items() if t.featured]


def _covered(session: Session, pairs: set[tuple[str, str]], *, today: date) -> set[tuple[str, str]]:
    """The (industry, region) pairs of ``pairs`` that a live solution names: one index probe
    each on ``solution_reach (region, industry, …)``, stopping at the first live row."""
    if not pairs:
        return set()
    ordered = sorted(pairs)
    params: dict[str, object] = {"today": today}
    rows = []
    for n, (industry, region) in enumerate(ordered):
        params[f"i{n}"], params[f"r{n}"] = industry, region
        rows.append(f"(:i{n}, :r{n})")
    statement = text(
        f"WITH v(industry, region) AS (VALUES {', '.join(rows)}) "
        "SELECT v.industry, v.region FROM v WHERE EXISTS (SELECT 1 FROM solution_reach r"
        " WHERE r.region = v.region AND r.industry = v.industry"
        " AND (r.expires_on IS NULL OR r.expires_on >= :today))"
    )
    return {(i, r) for i, r in session.connection().execute(statement, params)}


def unmatched_open_demands(
    session: Session, *, today: date
) -> tuple[dict[str, int], dict[str, int]]:
    """({industry: open demands}, {industry: open demands without a strong match});
    memoized until a demand or a solution changes."""

    def compute() -> tuple[dict[str, int], dict[str, int]]:
        groups: dict[tuple[str, str], int] = {}
        for cell in demand_cube(session, today=today):
            if cell.open:
                key = (cell.industry, cell.city)
                groups[key] = groups.get(key, 0) + cell.open
        industries = {industry for industry, _ in groups}
        # Province-wide coverage first: an industry a live hunan/national solution names is
        # covered in every city, and its cities need no probe.
        wide = _covered(session, {(i, r) for i in industries for r in PROVINCE_WIDE}, today=today)
        wide_industries = {i for i, _ in wide}
        named = _covered(session, {k for k in groups if k[0] not in wide_industries}, today=today)
        open_counts: dict[str, int] = {}
        unmatched: dict[str, int] = {}
        for (industry, city), n in groups.items():
            open_counts[industry] = open_counts.get(industry, 0) + n
            hit = industry in wide_industries or (industry, city) in named
            unmatched[industry] = unmatched.get(industry, 0) + (0 if hit else n)
        return open_counts, unmatched

    return memoized(session, ("unmatched", today), compute, reads=("demands", "solutions"))


def cluster_counts(session: Session, *, today: date) -> list[ClusterCounts]:
    """Summed from the memoized cubes of demands and networks and the cases per industry."""
    cube = demand_cube(session, today=today)
    demands = total_by(cube, lambda c: c.industry, lambda c: c.published)
    open_counts, unmatched = unmatched_open_demands(session, today=today)
    networks = total_by(network_cube(session).places, lambda c: c.industry, lambda c: c.networks)
    cases = memoized(
        session,
        ("cases_by_industry",),
        lambda: {
            k: int(n)
            for k, n in session.exec(
                select(UseCase.industry, func.count()).group_by(col(UseCase.industry))
            ).all()
        },
        reads=("cases",),
    )
    return [
        ClusterCounts(
            code=code,
            name=name,
            demands=demands.get(code, 0),
            open_demands=open_counts.get(code, 0),
            open_without_strong_match=unmatched.get(code, 0),
            networks=networks.get(code, 0),
            cases=cases.get(code, 0),
        )
        for code, name in featured_industries()
    ]
