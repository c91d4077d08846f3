"""What a demand can turn to besides solutions: the funding calls it is eligible for, and
the shared technology platforms a solution for it can build on — rows into the documents of
:mod:`matching.programmes`, whose verdicts carry their reasons. The owner's shortlist is
written by :mod:`portal.funding.marks`."""

from __future__ import annotations

import json
from collections.abc import Callable
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
from portal.dashboards.cache import memoized
from portal.kit.i18n import get_locale
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


def demand_stages(session: Session, demand_ids: list[int]) -> dict[int, str]:
    """The furthest stage each demand's introductions reached (poc, contract, network_live);
    demands without one are absent."""
    out: dict[int, str] = {}
    if not demand_ids:
        return out
    rows = session.exec(
        select(Introduction.demand_id, Introduction.stage).where(
            col(Introduction.demand_id).in_(demand_ids), col(Introduction.stage).in_(STAGES)
        )
    ).all()
    for demand_id, stage in rows:
        if demand_id not in out or STAGES.index(stage) > STAGES.index(out[demand_id]):
            out[demand_id] = stage
    return out


def demand_stage(session: Session, demand: Demand) -> str | None:
    return demand_stages(session, [demand.id]).get(demand.id) if demand.id else None


# Words of a call's title and summary, by text: the same calls are read for every demand.
_call_words: dict[str, frozenset[str]] = {}


def _words(pipeline: TextPipeline, text: str, *, cache: bool = False) -> frozenset[str]:
    if cache and text in _call_words:
        return _call_words[text]
    words = frozenset(pipeline.query_tokens(text))
    if cache:
        if len(_call_words) > 10_000:
            _call_words.clear()
        _call_words[text] = words
    return words


def projects_of(
    session: Session, pipeline: TextPipeline, demands: list[Demand], *, words: bool = True
) -> list[Project]:
    """The demands as projects, their stages and organisations read in one query each.
    ``words`` False: without the words, which only rank (the gates never read them) — for
    the alerts and the coverage tables, which ask only whether a demand is eligible."""
    stages = demand_stages(session, [d.id for d in demands if d.id is not None])
    org_ids = {d.org_id for d in demands}
    kinds = dict(
        session.exec(
            select(Organization.id, Organization.kind).where(col(Organization.id).in_(org_ids))
        ).all()
    )
    projects: list[Project] = []
    for demand in demands:
        text = f"{demand.title} {demand.description}"
        scenarios, capabilities = tuple(demand.scenarios), tuple(demand.capabilities)
        if not scenarios:
            # As the solution matching does: what an enterprise left empty, its words tell.
            guessed_s, guessed_c = infer(lexicon(), text, pipeline.document_tokens(text))
            scenarios, capabilities = guessed_s, capabilities or guessed_c
        projects.append(
            Project(
                industry=demand.industry,
                city=demand.city,
                zone=demand.zone,
                org_kind=kinds.get(demand.org_id, "enterprise"),
                stage=stages.get(demand.id) if demand.id is not None else None,
                budget=demand.budget_max if demand.budget_max is not None else demand.budget_min,
                needs=platform_needs(scenarios, capabilities, needs_of()),
                words=_words(pipeline, text) if words else frozenset(),
            )
        )
    return projects


def project_of(session: Session, pipeline: TextPipeline, demand: Demand) -> Project:
    return projects_of(session, pipeline, [demand])[0]


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
        words=_words(pipeline, f"{row.title} {row.summary}", cache=True),
    )


def _memoized_for_demand(
    session: Session,
    pipeline: TextPipeline,
    demand: Demand,
    today: date,
    compute: Callable[..., list[Verdict]],
) -> list[Verdict]:
    """``compute``'s verdicts for ``demand``, memoized until a demand or a table of the
    programmes family changes (the demand page asks on every visit; callers copy to
    mutate). An unsaved demand has no key: computed each time."""
    if demand.id is None:
        return compute(session, pipeline, demand, today=today)
    return memoized(
        session,
        (compute.__name__, demand.id, today, get_locale()),
        lambda: compute(session, pipeline, demand, today=today),
        reads=("demands", "programmes"),
    )


def funding_for_demand(
    session: Session, pipeline: TextPipeline, demand: Demand, *, today: date
) -> list[Verdict]:
    """The calls ``demand`` is eligible for, ranked, then those it is not yet eligible for
    (its project has not reached the stage they ask for), each with its reasons
    (memoized)."""
    return _memoized_for_demand(session, pipeline, demand, today, _funding_for_demand)


def _funding_for_demand(
    session: Session, pipeline: TextPipeline, demand: Demand, *, today: date
) -> list[Verdict]:
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
    """The shared platforms serving the demand's city that offer what it needs (memoized)."""
    return _memoized_for_demand(session, pipeline, demand, today, _platforms_for_demand)


def _platforms_for_demand(
    session: Session, pipeline: TextPipeline, demand: Demand, *, today: date
) -> list[Verdict]:
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
    projects = projects_of(session, pipeline, list(demands), words=False)
    for demand, project in zip(demands, projects, strict=True):
        verdicts = rank_funding(project, [document], today=today, labels=labels())
        if verdicts and verdicts[0].eligible:
            fitting.append((demand, verdicts[0]))
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
