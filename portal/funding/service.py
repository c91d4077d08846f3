"""What a demand can turn to besides solutions: the funding calls it is eligible for, and
the shared technology platforms a solution for it can build on — rows into the documents of
:mod:`matching.programmes`, whose verdicts carry their reasons. The owner's shortlist is
written by :mod:`portal.funding.marks`."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache

from sqlmodel import Session, col, or_, select

from matching.features import Labels
from matching.inference import infer
from matching.programmes import (
    STAGES,
    FundingCall,
    Project,
    SharedPlatform,
    Verdict,
    platform_needs,
    rank_funding,
    rank_platforms,
)
from matching.text import TextPipeline
from portal.matching.service import labels as match_labels
from portal.matching.service import lexicon
from portal.models import Demand, Funding, FundingMark, Introduction, Organization, Platform
from portal.reference.vocab import SEED_DIR, get_vocabularies

NEEDS_FILE = SEED_DIR / "matching" / "platform_needs.json"


@lru_cache
def labels() -> Labels:
    """The matching labels, and those of the vocabularies funding and platforms speak of."""
    vocab = get_vocabularies()
    names = {k: dict(v) for k, v in match_labels().names.items()}
    for key in (
        "pilot_zone",
        "org_kind",
        "funding_stage",
        "platform_capability",
        "incubation_support",
    ):
        names[key] = {c: t.name_zh for c, t in vocab.terms[key].items()}
    names["need"] = {**names["capability"], **names["scenario"]}
    return Labels(names)


@lru_cache
def needs_of() -> dict[str, tuple[str, ...]]:
    raw = json.loads(NEEDS_FILE.read_text(encoding="utf-8"))
    return {k: tuple(v) for k, v in raw.items() if not k.startswith("_")}


def demand_stage(session: Session, demand: Demand) -> str | None:
    """The furthest stage its introductions reached (poc, contract, network_live), if any."""
    stages = session.exec(
        select(Introduction.stage).where(
            Introduction.demand_id == demand.id, col(Introduction.stage).in_(STAGES)
        )
    ).all()
    return max(stages, key=STAGES.index) if stages else None


def _words(pipeline: TextPipeline, text: str) -> frozenset[str]:
    return frozenset(pipeline.query_tokens(text))


def project_of(session: Session, pipeline: TextPipeline, demand: Demand) -> Project:
    org = session.get(Organization, demand.org_id)
    text = f"{demand.title} {demand.description}"
    scenarios, capabilities = tuple(demand.scenarios), tuple(demand.capabilities)
    if not scenarios or not capabilities:
        # As the solution matching does: what an enterprise left empty, its words tell.
        guessed_s, guessed_c = infer(lexicon(), text, pipeline.document_tokens(text))
        scenarios = scenarios or guessed_s
        capabilities = capabilities or guessed_c
    return Project(
        industry=demand.industry,
        city=demand.city,
        zone=demand.zone,
        org_kind=org.kind if org else "enterprise",
        stage=demand_stage(session, demand),
        budget=demand.budget_max if demand.budget_max is not None else demand.budget_min,
        needs=platform_needs(scenarios, capabilities, needs_of()),
        words=_words(pipeline, text),
    )


def open_calls(session: Session, *, today: date) -> list[Funding]:
    """Published calls whose deadline has not passed (the deadline day is still open)."""
    return list(
        session.exec(
            select(Funding)
            .where(
                Funding.status == "published",
                or_(col(Funding.deadline).is_(None), col(Funding.deadline) >= today),
            )
            .order_by(col(Funding.id))
        ).all()
    )


def call_of(pipeline: TextPipeline, row: Funding) -> FundingCall:
    assert row.id is not None
    return FundingCall(
        id=row.id,
        external_id=row.external_id,
        title=row.title,
        industries=tuple(row.industries),
        regions=tuple(row.regions),
        org_kinds=tuple(row.org_kinds),
        stages=tuple(row.stages),
        amount_min=row.amount_min,
        amount_max=row.amount_max,
        cost_share=row.cost_share,
        deadline=row.deadline,
        words=_words(pipeline, f"{row.title} {row.summary}"),
    )


def funding_for_demand(
    session: Session, pipeline: TextPipeline, demand: Demand, *, today: date
) -> list[Verdict]:
    """The calls ``demand`` is eligible for, ranked, then those it is not yet eligible for
    (its project has not reached the stage they ask for), each with its reasons."""
    project = project_of(session, pipeline, demand)
    calls = [call_of(pipeline, r) for r in open_calls(session, today=today)]
    return rank_funding(project, calls, today=today, labels=labels())


def platform_of(row: Platform, org: Organization) -> SharedPlatform:
    assert row.id is not None
    return SharedPlatform(
        id=row.id,
        external_id=row.external_id,
        title=row.title,
        capabilities=tuple(row.platform_capabilities),
        regions=tuple(row.regions),
        verified=org.verified,
    )


def live_platforms(session: Session, *, today: date) -> list[tuple[Platform, Organization]]:
    rows = session.exec(
        select(Platform, Organization)
        .join(Organization, col(Organization.id) == col(Platform.org_id))
        .where(
            Platform.status == "published",
            or_(col(Platform.expires_on).is_(None), col(Platform.expires_on) >= today),
        )
        .order_by(col(Platform.id))
    ).all()
    return [(p, o) for p, o in rows]


def platforms_for_demand(
    session: Session, pipeline: TextPipeline, demand: Demand, *, today: date
) -> list[Verdict]:
    """The shared platforms serving the demand's city that offer what it needs."""
    project = project_of(session, pipeline, demand)
    if not project.needs:
        return []
    platforms = [platform_of(p, o) for p, o in live_platforms(session, today=today)]
    return rank_platforms(project, platforms, labels=labels())


# --- the demand owner's shortlist of calls ------------------------------------------------


def shortlisted(session: Session, demand_id: int) -> set[int]:
    """The funding calls shortlisted for this demand."""
    return set(
        session.exec(select(FundingMark.funding_id).where(FundingMark.demand_id == demand_id))
    )


def funding_for_introduction(
    session: Session, pipeline: TextPipeline, intro: Introduction, *, today: date
) -> list[Verdict]:
    """For the demand's side of an introduction at poc or contract: the calls its demand is
    eligible for now (the stage the introduction reached opens the calls that ask for it)."""
    demand = session.get(Demand, intro.demand_id)
    if demand is None:
        return []
    return [v for v in funding_for_demand(session, pipeline, demand, today=today) if v.eligible]


# --- for the notifications (issue 14): what to alert, computed here ----------------------


def demands_fitting_call(
    session: Session, pipeline: TextPipeline, call: Funding, *, today: date
) -> list[tuple[Demand, Verdict]]:
    """The published, open demands a newly published call is eligible for (with the
    verdict, whose sentences an alert can quote): whom a "new funding call" alert goes to."""
    document = call_of(pipeline, call)
    fitting: list[tuple[Demand, Verdict]] = []
    demands = session.exec(
        select(Demand)
        .where(
            Demand.status == "published",
            or_(col(Demand.deadline).is_(None), col(Demand.deadline) >= today),
        )
        .order_by(col(Demand.id))
    ).all()
    for demand in demands:
        project = project_of(session, pipeline, demand)
        verdicts = rank_funding(project, [document], today=today, labels=labels())
        if verdicts and verdicts[0].eligible:
            verdict = verdicts[0]
            fitting.append((demand, verdict))
    return fitting


def shortlisted_due(
    session: Session, *, today: date, within_days: int
) -> list[tuple[FundingMark, Funding]]:
    """Shortlisted calls, still published, whose deadline is within ``within_days`` days
    (today included): what a "deadline approaching" reminder is about."""
    last = date.fromordinal(today.toordinal() + within_days)
    rows = session.exec(
        select(FundingMark, Funding)
        .join(Funding, col(Funding.id) == col(FundingMark.funding_id))
        .where(
            Funding.status == "published",
            col(Funding.deadline) >= today,
            col(Funding.deadline) <= last,
        )
        .order_by(col(Funding.deadline), col(FundingMark.id))
    ).all()
    return [(m, f) for m, f in rows]
