"""Faceted search over solutions, demands, benchmark cases, funding calls, platforms and
incubation cohorts."""

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
from portal.kit.i18n import N_, _
from portal.reference.vocab import get_vocabularies
from portal.search.documents import INDEX_SETTINGS
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
    "funding": {
        "industry": "industries",
        "city": "regions",
        "stage": "stages",
        "org_kind": "org_kinds",  # who may apply
    },
    "platform": {
        "platform_capability": "platform_capabilities",
        "city": "regions",
        "access": "access",
        "org_kind": "org_kind",
    },
    "incubation": {
        "industry": "industries",
        "city": "regions",
        "support": "support",
        "org_kind": "org_kind",
    },
}
# Kinds whose ``city`` and ``zone`` mean "serves (or is open to) that place".
SERVING_TYPES = ("solution", "funding", "platform", "incubation")
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
    "funding": {
        "newest": SortKey("updated_ts", descending=True),
        "deadline": SortKey("expires_day"),
    },
    "platform": {"newest": SortKey("updated_ts", descending=True)},
    "incubation": {"newest": SortKey("updated_ts", descending=True)},
}


class InvalidSearch(PortalError):
    status_code = 422
    title = N_("搜索条件有误")


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
    stage: str | None = None
    platform_capability: str | None = None
    access: str | None = None
    support: str | None = None
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
            ("stage", "funding_stage", self.stage),
            ("platform_capability", "platform_capability", self.platform_capability),
            ("access", "platform_access", self.access),
            ("support", "incubation_support", self.support),
        ]
        for name, vocabulary, value in checks:
            if value is not None and not vocab.has(vocabulary, value):
                raise InvalidSearch(
                    _("未知的{name}代码：{value}").format(name=name, value=value), field=name
                )
        if self.sort != "relevance" and self.sort not in SORTS[self.type]:
            raise InvalidSearch(
                _("该类型不支持按 {sort} 排序").format(sort=self.sort), field="sort"
            )


SERVES_EVERY_CITY = ("hunan", "national")  # a solution with these regions serves any city


def build_filter(query: SearchQuery) -> Filter | None:
    vocab = get_vocabularies()
    kind = query.type
    today = query.today.toordinal()
    clauses: list[Filter | None] = []
    if kind in ("funding", "platform", "incubation"):
        return all_of(*_programme_clauses(query, today))
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


def _programme_clauses(query: SearchQuery, today: int) -> list[Filter | None]:
    vocab = get_vocabularies()
    clauses: list[Filter | None] = []
    if query.public:
        clauses += [Eq("status", "published"), Not(Range("expires_day", lt=today))]
    # Open to the place: its regions hold the city (or the zone, for a pilot zone), the
    # province or the nation.
    places: tuple[str, ...] = ()
    if query.zone:
        zone_city = vocab.terms["pilot_zone"][query.zone].city
        places = tuple(dict.fromkeys((query.zone, zone_city)))
    elif query.city:
        places = (query.city,)
    if places:
        clauses.append(AnyOf("regions", (*places, "hunan", "national")))
    for name, index_field in FACETS[query.type].items():
        value = getattr(query, name)
        if name in ("city", "zone") or not value:
            continue
        if INDEX_SETTINGS[query.type].fields[index_field] == "keywords":
            clauses.append(AnyOf(index_field, (value,)))
        else:
            clauses.append(Eq(index_field, value))
    return clauses


def _hit(doc: dict[str, Any], score: float) -> SearchHitPublic:
    deadline = doc.get("deadline_day")
    return SearchHitPublic(
        id=int(doc["id"]),
        external_id=doc["external_id"],
        title=doc["title"],
        summary=doc.get("summary") or "",
        title_en=doc.get("title_en") or "",
        summary_en=doc.get("summary_en") or "",
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
        deadline=date.fromordinal(deadline).isoformat() if deadline else doc.get("deadline"),
        year=doc.get("year"),
        evidence=doc.get("evidence"),
        amount_min=doc.get("amount_min"),
        amount_max=doc.get("amount_max"),
        stages=doc.get("stages"),
        org_kinds=doc.get("org_kinds"),
        platform_capabilities=doc.get("platform_capabilities"),
        access=doc.get("access"),
        price_model=doc.get("price_model"),
        support=doc.get("support"),
        starts_on=doc.get("starts_on"),
    )


def search(gateway: SearchGateway, query: SearchQuery) -> SearchResultPublic:
    """Run ``query``; raises :class:`matching.search.SearchUnavailable` when the backend is down."""
    query.validate()
    facets = FACETS[query.type]
    words = tuple(gateway.pipeline.search_words(query.q)) if query.q.strip() else ()
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
