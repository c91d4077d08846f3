"""Featured industrial clusters (工程机械, 轨道交通装备, 陶瓷, 烟花爆竹, 注塑, 中小航空发动机 and
the others flagged ``featured`` in seed/vocabularies.json).

"Open demands without a strong match" uses a documented proxy, not the ranking: running
``matches_for_demand`` for every open demand costs a search and a scoring per demand, far
too slow for a page. A demand is open when published and its deadline has not passed; it
has a strong match when at least one published, unexpired solution names the demand's
industry explicitly (not "any industry") and serves its city (the city, ``hunan`` or
``national``) — the matcher's hard gates plus exact industry fit, its heaviest factor.
Demands are grouped by (industry, city) first, so the check is one index probe per group.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, col, func, or_, select

from portal.dashboards.cache import memoized
from portal.models import Demand, PrivateNetwork, UseCase
from portal.networks.service import counted_networks_filter
from portal.reference.vocab import get_vocabularies
from portal.zones.service import PROVINCE_WIDE

PROXY_NOTE = (
    "“无强匹配”为近似口径：没有任何已发布且未过期、明确覆盖该行业并服务该需求所在城市"
    "（或全省、全国）的解决方案。"
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
    return [(c, t.name_zh) for c, t in vocab.terms["industry"].items() if t.featured]


def open_demand_filter(today: date) -> list[object]:
    return [
        Demand.status == "published",
        or_(col(Demand.deadline).is_(None), col(Demand.deadline) >= today),
    ]


def _open_demand_groups(session: Session, *, today: date) -> list[tuple[str, str, int]]:
    """[(industry, city, open demands)], memoized until a demand changes."""

    def compute() -> list[tuple[str, str, int]]:
        rows = session.exec(
            select(Demand.industry, Demand.city, func.count())
            .where(*open_demand_filter(today))  # type: ignore[arg-type]
            .group_by(col(Demand.industry), col(Demand.city))
        ).all()
        return [(industry, city, int(n)) for industry, city, n in rows]

    return memoized(session, ("open_demand_groups", today), compute, reads=("demands",))


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
    memoized until a demand or a solution changes (the demands' groups until a demand
    changes)."""

    def compute() -> tuple[dict[str, int], dict[str, int]]:
        groups = _open_demand_groups(session, today=today)
        wanted = {(i, region) for i, city, _ in groups for region in (city, *PROVINCE_WIDE)}
        covered = _covered(session, wanted, today=today)
        open_counts: dict[str, int] = {}
        unmatched: dict[str, int] = {}
        for industry, city, n in groups:
            open_counts[industry] = open_counts.get(industry, 0) + n
            hit = any((industry, r) in covered for r in (city, *PROVINCE_WIDE))
            unmatched[industry] = unmatched.get(industry, 0) + (0 if hit else n)
        return open_counts, unmatched

    return memoized(session, ("unmatched", today), compute, reads=("demands", "solutions"))


def cluster_counts(session: Session, *, today: date) -> list[ClusterCounts]:
    """Each family's aggregates memoized until that family changes."""
    return _cluster_counts(session, today=today)


def _grouped_by_industry(session: Session, family: str, statement: Any) -> dict[str, int]:
    def compute() -> dict[str, int]:
        return {k: int(n) for k, n in session.exec(statement).all()}

    return memoized(session, ("by_industry", family), compute, reads=(family,))


def _cluster_counts(session: Session, *, today: date) -> list[ClusterCounts]:
    demands = _grouped_by_industry(
        session,
        "demands",
        select(Demand.industry, func.count())
        .where(Demand.status == "published")
        .group_by(col(Demand.industry)),
    )
    open_counts, unmatched = unmatched_open_demands(session, today=today)
    networks = _grouped_by_industry(
        session,
        "networks",
        select(PrivateNetwork.industry, func.count())
        .where(*counted_networks_filter())
        .group_by(col(PrivateNetwork.industry)),
    )
    cases = _grouped_by_industry(
        session,
        "cases",
        select(UseCase.industry, func.count()).group_by(col(UseCase.industry)),
    )
    return [
        ClusterCounts(
            code=code,
            name=name,
            demands=int(demands.get(code, 0)),
            open_demands=open_counts.get(code, 0),
            open_without_strong_match=unmatched.get(code, 0),
            networks=int(networks.get(code, 0)),
            cases=int(cases.get(code, 0)),
        )
        for code, name in featured_industries()
    ]
