"""Faceted search over solutions, demands and benchmark cases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from matching.search import (
    AnyOf,
    Eq,
    Filter,
    Not,
    Range,
    SearchRequest,
    SortKey,
    all_of,
)
from portal.kit.errors import PortalError
from portal.reference.vocab import get_vocabularies
from portal.search.gateway import SearchGateway
from portal.search.schemas import SearchHitPublic, SearchResultPublic, SearchType, SortOption

# API facet name → index field, per type.
FACETS: dict[str, dict[str, str]] = {
    "solution": {
        "industry": "industries",
        "scenario": "scenarios",
        "capability": "capabilities",
        "city": "regions",
        "org_kind": "org_kind",
    },
    "demand": {
        "industry": "industry",
        "scenario": "scenarios",
        "capability": "capabilities",
        "city": "city",
        "zone": "zones",
        "org_kind": "org_kind",
    },
    "use_case": {
        "industry": "industry",
        "scenario": "scenarios",
        "capability": "capabilities",
        "city": "city",
        "zone": "zones",
        "evidence": "evidence",
    },
}
SORTS: dict[str, dict[str, SortKey]] = {
    "solution": {"newest": SortKey("updated_ts", descending=True)},
    "demand": {
        "newest": SortKey("updated_ts", descending=True),
        "deadline": SortKey("deadline_day"),
    },
    "use_case": {
        "newest": SortKey("updated_ts", descending=True),
        "year": SortKey("year", descending=True),
    },
}


class InvalidSearch(PortalError):
    status_code = 422
    title = "搜索条件有误"


@dataclass
class SearchQuery:
    type: SearchType
    q: str = ""
    industry: str | None = None
    scenario: str | None = None
    capability: str | None = None
    city: str | None = None
    zone: str | None = None
    org_kind: str | None = None
    evidence: str | None = None
    sort: SortOption = "relevance"
    page: int = 1
    per_page: int = 20
    public: bool = True
    today: date = field(default_factory=date.today)

    def validate(self) -> None:
        vocab = get_vocabularies()
        checks = [
            ("industry", "industry", self.industry),
            ("scenario", "scenario", self.scenario),
            ("capability", "capability", self.capability),
            ("city", "city", self.city),
            ("zone", "pilot_zone", self.zone),
            ("org_kind", "org_kind", self.org_kind),
            ("evidence", "evidence", self.evidence),
        ]
        for name, vocabulary, value in checks:
            if value is not None and not vocab.has(vocabulary, value):
                raise InvalidSearch(f"未知的{name}代码：{value}", field=name)
        if self.sort != "relevance" and self.sort not in SORTS[self.type]:
            raise InvalidSearch(f"该类型不支持按 {self.sort} 排序", field="sort")


SERVES_EVERY_CITY = ("hunan", "national")  # a solution with these regions serves any city


def build_filter(query: SearchQuery) -> Filter | None:
    vocab = get_vocabularies()
    kind = query.type
    today = query.today.toordinal()
    clauses: list[Filter | None] = []
    if kind == "solution":
        if query.public:
            clauses += [Eq("status", "published"), Not(Range("expires_day", lt=today))]
        if query.industry:
            clauses.append(AnyOf("industries", (query.industry,)))
        place = query.city or (vocab.terms["pilot_zone"][query.zone].city if query.zone else None)
        if place:
            # "serves that place": its regions hold the city, the province, or the nation.
            clauses.append(AnyOf("regions", (place, *SERVES_EVERY_CITY)))
        if query.org_kind:
            clauses.append(Eq("org_kind", query.org_kind))
    else:
        if kind == "demand" and query.public:
            clauses += [Eq("status", "published"), Not(Range("deadline_day", lt=today))]
        if query.industry:
            clauses.append(Eq("industry", query.industry))
        if query.city:
            clauses.append(Eq("city", query.city))
        if query.zone:
            clauses.append(AnyOf("zones", (query.zone,)))
        if kind == "demand" and query.org_kind:
            clauses.append(Eq("org_kind", query.org_kind))
        if kind == "use_case" and query.evidence:
            clauses.append(Eq("evidence", query.evidence))
    if query.scenario:
        clauses.append(AnyOf("scenarios", (query.scenario,)))
    if query.capability:
        clauses.append(AnyOf("capabilities", (query.capability,)))
    return all_of(*clauses)


def _hit(doc: dict[str, Any], score: float) -> SearchHitPublic:
    deadline = doc.get("deadline_day")
    return SearchHitPublic(
        id=int(doc["id"]),
        external_id=doc["external_id"],
        title=doc["title"],
        summary=doc.get("summary") or "",
        score=round(max(0.0, min(1.0, score)), 4),
        industry=doc.get("industry"),
        industries=doc.get("industries"),
        scenarios=doc.get("scenarios") or [],
        capabilities=doc.get("capabilities") or [],
        city=doc.get("city"),
        regions=doc.get("regions"),
        org_name=doc.get("org_name"),
        org_kind=doc.get("org_kind"),
        verified=doc.get("verified"),
        price_min=doc.get("price_min"),
        price_max=doc.get("price_max"),
        budget_min=doc.get("budget_min"),
        budget_max=doc.get("budget_max"),
        deadline=date.fromordinal(deadline).isoformat() if deadline else None,
        year=doc.get("year"),
        evidence=doc.get("evidence"),
    )


def search(gateway: SearchGateway, query: SearchQuery) -> SearchResultPublic:
    """Run ``query``; raises :class:`matching.search.SearchUnavailable` when the backend is down."""
    query.validate()
    facets = FACETS[query.type]
    words = tuple(gateway.pipeline.query_tokens(query.q)) if query.q.strip() else ()
    sort = None
    if query.sort != "relevance":
        sort = SORTS[query.type][query.sort]
    elif not words:
        sort = SORTS[query.type]["newest"]
    request = SearchRequest(
        words=words,
        filter=build_filter(query),
        facets=tuple(facets.values()),
        sort=sort,
        offset=(query.page - 1) * query.per_page,
        limit=query.per_page,
    )
    response = gateway.backend.search(gateway.index(query.type), request)
    return SearchResultPublic(
        total=response.total,
        page=query.page,
        per_page=query.per_page,
        hits=[_hit(h.document, h.score) for h in response.hits],
        facets={name: response.facets.get(index_field, {}) for name, index_field in facets.items()},
    )
