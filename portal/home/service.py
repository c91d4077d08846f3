"""Headline figures for the home page, read from the database."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from portal.cases.service import count_cases
from portal.indicators.service import latest_actual
from portal.models import Demand, Indicator, IndicatorValue, PrivateNetwork, Solution, UseCase
from portal.networks.service import INDICATOR_CODE, count_registered_in_service
from portal.reference.vocab import get_vocabularies


@dataclass
class NetworkHeadline:
    registered_in_service: int
    official: IndicatorValue | None
    baseline: float | None
    baseline_year: int
    target: float | None
    target_year: int

    @property
    def progress_percent(self) -> float | None:
        if self.official is None or not self.target:
            return None
        return round(100 * self.official.value / self.target, 1)


@dataclass
class Cluster:
    code: str
    name: str
    demands: int = 0
    cases: int = 0


@dataclass
class Headline:
    networks: NetworkHeadline
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


def headline(session: Session) -> Headline:
    indicator = session.get(Indicator, INDICATOR_CODE)
    networks = NetworkHeadline(
        registered_in_service=count_registered_in_service(session),
        official=latest_actual(session, INDICATOR_CODE),
        baseline=indicator.baseline if indicator else None,
        baseline_year=indicator.baseline_year if indicator else 2020,
        target=indicator.target if indicator else None,
        target_year=indicator.target_year if indicator else 2025,
    )
    solutions = session.exec(
        select(func.count()).select_from(Solution).where(Solution.status == "published")
    ).one()
    demands = session.exec(
        select(func.count()).select_from(Demand).where(Demand.status == "published")
    ).one()
    demand_counts = _count_by_industry(session, Demand, col(Demand.status) == "published")
    case_counts = _count_by_industry(session, UseCase)
    vocab = get_vocabularies()
    clusters = [
        Cluster(
            term.code, term.name, demand_counts.get(term.code, 0), case_counts.get(term.code, 0)
        )
        for term in vocab.terms["industry"].values()
        if term.featured
    ]
    return Headline(networks, int(solutions), int(demands), count_cases(session), clusters)


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
