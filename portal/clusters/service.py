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

from sqlalchemy import case, exists
from sqlmodel import Session, col, func, or_, select

from portal.dashboards.cache import memoized
from portal.models import Demand, PrivateNetwork, SolutionReach, UseCase
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


def unmatched_open_demands(
    session: Session, *, today: date
) -> tuple[dict[str, int], dict[str, int]]:
    """({industry: open demands}, {industry: open demands without a strong match})."""
    groups = (
        select(Demand.industry, Demand.city, func.count().label("n"))
        .where(*open_demand_filter(today))  # type: ignore[arg-type]
        .group_by(col(Demand.industry), col(Demand.city))
        .subquery()
    )
    covered = exists().where(
        col(SolutionReach.industry) == groups.c.industry,
        or_(
            col(SolutionReach.region) == groups.c.city,
            col(SolutionReach.region).in_(PROVINCE_WIDE),
        ),
        or_(col(SolutionReach.expires_on).is_(None), col(SolutionReach.expires_on) >= today),
    )
    rows = session.exec(
        select(
            groups.c.industry,
            func.sum(groups.c.n),
            func.sum(case((covered, 0), else_=groups.c.n)),
        ).group_by(groups.c.industry)
    ).all()
    open_counts = {industry: int(total) for industry, total, _ in rows}
    unmatched = {industry: int(n or 0) for industry, _, n in rows}
    return open_counts, unmatched


def cluster_counts(session: Session, *, today: date) -> list[ClusterCounts]:
    """Memoized until the data changes."""
    return memoized(session, ("clusters", today), lambda: _cluster_counts(session, today=today))


def _cluster_counts(session: Session, *, today: date) -> list[ClusterCounts]:
    demands = dict(
        session.exec(
            select(Demand.industry, func.count())
            .where(Demand.status == "published")
            .group_by(col(Demand.industry))
        ).all()
    )
    open_counts, unmatched = unmatched_open_demands(session, today=today)
    networks = dict(
        session.exec(
            select(PrivateNetwork.industry, func.count())
            .where(*counted_networks_filter())
            .group_by(col(PrivateNetwork.industry))
        ).all()
    )
    cases = dict(
        session.exec(select(UseCase.industry, func.count()).group_by(col(UseCase.industry))).all()
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
