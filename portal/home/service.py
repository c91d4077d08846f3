"""Headline figures for the home page, read from the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from portal.cases.service import count_cases
from portal.dashboards.cache import memoized
from portal.models import Demand, PrivateNetwork, Solution, UseCase
from portal.networks.service import Progress, progress
from portal.reference.vocab import get_vocabularies


@dataclass
class Cluster:
    code: str
    name: str
    demands: int = 0
    cases: int = 0


@dataclass
class Headline:
    networks: Progress
    solutions: int
    demands: int
    cases: int
    clusters: list[Cluster] = field(default_factory=list)


def _count_by_industry(
    session: Session, model: type[Demand] | type[UseCase], *where: ColumnElement[bool]
) -> dict[str, int]:
    rows = session.exec(
        select(model.industry, func.count()).where(*where).group_by(col(model.industry))
    ).all()
    return {industry: int(n) for industry, n in rows}


def headline(session: Session, *, today: date) -> Headline:
    """The home page's figures; the networks' are the progress page's (current period).
    The counts are memoized until a solution, a demand or a case changes (every visit to
    the home page would otherwise count them again)."""
    networks = progress(session, today=today)
    solutions, demands, cases, demand_counts, case_counts = memoized(
        session,
        ("home_counts",),
        lambda: _counts(session),
        reads=("solutions", "demands", "cases"),
    )
    vocab = get_vocabularies()
    clusters = [
        Cluster(
            term.code, term.name, demand_counts.get(term.code, 0), case_counts.get(term.code, 0)
        )
        for term in vocab.terms["industry"].values()
        if term.featured
    ]
    return Headline(networks, solutions, demands, cases, clusters)


def _counts(session: Session) -> tuple[int, int, int, dict[str, int], dict[str, int]]:
    solutions = session.exec(
        select(func.count()).select_from(Solution).where(Solution.status == "published")
    ).one()
    demands = session.exec(
        select(func.count()).select_from(Demand).where(Demand.status == "published")
    ).one()
    return (
        int(solutions),
        int(demands),
        count_cases(session),
        _count_by_industry(session, Demand, col(Demand.status) == "published"),
        _count_by_industry(session, UseCase),
    )


@dataclass
class FirstSteps:
    """What a signed-in person does next, by role (issue 18): an enterprise posts a demand,
    a vendor lists a solution, an official reviews what waits."""

    role: str
    pending_listings: int = 0
    pending_networks: int = 0


def first_steps(session: Session, *, role: str) -> FirstSteps:
    steps = FirstSteps(role)
    if role in ("official", "admin"):
        steps.pending_listings = sum(
            session.exec(
                select(func.count()).select_from(model).where(col(model.status) == "pending")
            ).one()
            for model in (Solution, Demand)
        )
        unconfirmed = col(PrivateNetwork.confirmed).is_(False)
        steps.pending_networks = session.exec(
            select(func.count()).select_from(PrivateNetwork).where(unconfirmed)
        ).one()
    return steps
