"""Rows → matching documents, and rankings for the pages, the API and the CLI."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import TypedDict, Unpack

from sqlmodel import Session

from matching.documents import DemandDoc, SolutionDoc, demand_from_index, solution_from_index
from matching.engine import Match, MatchEngine, Strategy
from matching.features import Labels
from matching.inference import Lexicon
from portal.clock import get_clock
from portal.dashboards.cache import Memo
from portal.kit.errors import NotFound
from portal.kit.i18n import _, get_locale
from portal.matching.schemas import MatchList, MatchPublic
from portal.models import Demand, Organization, Solution, UseCase
from portal.reference.vocab import SEED_DIR, get_vocabularies
from portal.search.documents import demand_document, solution_document
from portal.search.gateway import SearchGateway
from portal.search.sync import applied_position, track_records
from portal.settings import get_settings

LEXICON_FILE = SEED_DIR / "matching" / "lexicon.json"


def labels(*, source: bool = False) -> Labels:
    """Vocabulary names for explanations, in the request's language (``source``: Chinese,
    what the lexicon matches in text)."""
    vocab = get_vocabularies()
    names = {
        "industry": "industry",
        "scenario": "scenario",
        "capability": "capability",
        "city": "city",
        "region": "region_extra",
    }
    return Labels(
        {
            key: {c: t.name_zh if source else t.name for c, t in vocab.terms[v].items()}
            for key, v in names.items()
        }
    )


@lru_cache
def lexicon() -> Lexicon:
    return Lexicon.from_file(LEXICON_FILE, labels=labels(source=True).names)


def adjacency() -> dict[str, frozenset[str]]:
    vocab = get_vocabularies()
    return {code: frozenset(t.adjacent) for code, t in vocab.terms["industry"].items()}


def make_engine(gateway: SearchGateway, *, weights: dict[str, float] | None = None) -> MatchEngine:
    return MatchEngine(
        gateway.backend,
        gateway.pipeline,
        lexicon=lexicon(),
        labels=labels(),
        adjacent=adjacency(),
        weights=weights or get_settings().portal_match_weights,
        solutions_index=gateway.index("solution"),
        demands_index=gateway.index("demand"),
    )


def demand_doc(gateway: SearchGateway, row: Demand, org: Organization) -> DemandDoc:
    return demand_from_index(demand_document(gateway.pipeline, row, org))


def solution_doc(
    session: Session, gateway: SearchGateway, row: Solution, org: Organization
) -> SolutionDoc:
    record = track_records(session, [org]).get(org.id or 0, {})
    return solution_from_index(solution_document(gateway.pipeline, row, org, record))


def _public(matches: list[Match], strategy: Strategy) -> MatchList:
    return MatchList(
        strategy=strategy,
        matches=[
            MatchPublic(
                id=int(m.id),
                external_id=m.external_id,
                title=m.title,
                score=m.score,
                features=m.features,
                explanation=m.explanation,
                verdict=m.verdict,
                gaps=m.gaps,
                fit=m.fit,
            )
            for m in matches
        ],
    )


# A demand's ranking is read far more often (its page, the API) than what it ranks from
# changes; one entry per demand ranked, kept by recent use, as the API's JSON: a few KB,
# where the models it is read into took about 19 KB (a worker's memory under load, issue
# 19), and the API answers it as it is.
_rankings = Memo(512)


# The matches API's answers for each signed-in viewer (portal.matching.api): references
# to the rankings' own bytes, under what the viewer's right to see them stands on.
viewer_answers = Memo(256)


def forget_rankings() -> None:
    _rankings.clear()
    viewer_answers.clear()


def _demand_place(session: Session, demand: Demand) -> tuple[object, ...]:
    """Which demand, in this database."""
    bind = session.get_bind()
    return (str(getattr(bind, "url", bind)), demand.id)


def _demand_stands(demand: Demand, org: Organization) -> tuple[object, ...]:
    """What a demand's document is made of: the row (its version moves on every edit) and
    the organisation's public name and kind."""
    return (demand.version, demand.updated_at, demand.anonymous, org.name, org.kind)


class RankingOptions(TypedDict, total=False):
    limit: int
    strategy: Strategy
    today: date | None
    org: Organization | None


def matches_for_demand(
    session: Session, gateway: SearchGateway, demand: Demand, **options: Unpack[RankingOptions]
) -> MatchList:
    """The solutions ranked for ``demand`` (:func:`demand_ranking_json`, read)."""
    return MatchList.model_validate_json(demand_ranking_json(session, gateway, demand, **options))


def demand_ranking_json(
    session: Session,
    gateway: SearchGateway,
    demand: Demand,
    *,
    limit: int = 10,
    strategy: Strategy = "full",
    today: date | None = None,
    org: Organization | None = None,
) -> bytes:
    """The solutions ranked for ``demand``, as a :class:`MatchList` in JSON, memoized until
    the demand, its organisation or the solutions index change (the index as the outbox
    says it stands: it is updated after the commit, so the database's own stamps would not
    tell a ranking made before it caught up), or the day or the language do. ``org``: the
    demand's, when the caller has it."""
    org = org or session.get(Organization, demand.org_id)
    if org is None:
        raise NotFound(_("找不到发布该需求的机构"))
    day = today or get_clock().today()

    def rank() -> bytes:
        engine = make_engine(gateway)
        doc = demand_doc(gateway, demand, org)
        ranked = engine.rank_solutions(doc, today=day, limit=limit, strategy=strategy)
        return _public(ranked, strategy).model_dump_json().encode()

    key = (
        "solutions for demand",
        *_demand_place(session, demand),
        limit,
        strategy,
        get_locale(),  # explanations are in the request's language
    )
    stands = (*_demand_stands(demand, org), applied_position(session), day)
    return _rankings.get(key, rank, stands)


def matches_for_solution(
    session: Session,
    gateway: SearchGateway,
    solution: Solution,
    *,
    limit: int = 10,
    strategy: Strategy = "full",
    today: date | None = None,
    org: Organization | None = None,
) -> MatchList:
    org = org or session.get(Organization, solution.org_id)
    if org is None:
        raise NotFound(_("找不到发布该方案的机构"))
    engine = make_engine(gateway)
    doc = solution_doc(session, gateway, solution, org)
    ranked = engine.rank_demands(
        doc,
        today=today or get_clock().today(),
        all_capabilities=get_vocabularies().codes("capability"),
        limit=limit,
        strategy=strategy,
    )
    return _public(ranked, strategy)


def split_by_fit(
    matches: list[MatchPublic], *, nearest: int = 3
) -> tuple[list[MatchPublic], list[MatchPublic]]:
    """A ranked list split for a page: the recommendations (fit "high"), and the ``nearest``
    best of the rest, shown apart ("暂无高匹配方案" when there are no recommendations)."""
    recommended = [m for m in matches if m.fit == "high"]
    below = [m for m in matches if m.fit != "high"]
    return recommended, below[:nearest]


def inferred_needs(
    session: Session, gateway: SearchGateway, demand: Demand
) -> dict[str, list[str]]:
    """The scenarios and capabilities the engine inferred from the demand's words and ranks
    with, as codes; only those its owner did not write (a page marks them 推断)."""
    org = session.get(Organization, demand.org_id)
    if org is None:
        raise NotFound(_("找不到发布该需求的机构"))

    def infer() -> tuple[tuple[str, ...], tuple[str, ...]]:
        return make_engine(gateway).inferred(demand_doc(gateway, demand, org))

    key = ("needs inferred", *_demand_place(session, demand))
    scenarios, capabilities = _rankings.get(key, infer, _demand_stands(demand, org))
    return {"scenarios": list(scenarios), "capabilities": list(capabilities)}


def similar_solutions(
    gateway: SearchGateway, case: UseCase, *, limit: int = 5, today: date | None = None
) -> MatchList:
    """Published solutions like a benchmark case: the case read as a demand for the same
    problem in the same city."""
    doc = DemandDoc(
        id=f"case-{case.id}",
        title=case.title,
        text=f"{case.summary} {case.benefits or ''}",
        industry=case.industry,
        city=case.city,
        scenarios=tuple(case.scenarios),
        capabilities=tuple(case.capabilities),
    )
    ranked = make_engine(gateway).rank_solutions(
        doc, today=today or get_clock().today(), limit=limit
    )
    return _public(ranked, "full")
