"""The search pages of solutions, demands and benchmark cases: the URL's query string in,
a page's context out. The state lives in the URL, so a search can be shared; the same
context renders the whole page and the htmx results block."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from matching.search import AnyOf, Filter, SearchBackendError, SearchRequest, all_of
from portal.clock import get_clock
from portal.inputs import whole_number
from portal.kit.i18n import N_
from portal.reference.vocab import get_vocabularies
from portal.search.gateway import SearchGateway
from portal.search.schemas import SearchResultPublic, SearchType
from portal.search.service import (
    FACETS,
    SERVES_EVERY_CITY,
    SERVING_TYPES,
    SORTS,
    SearchQuery,
    build_filter,
    search,
)

PER_PAGE = 12
MAX_PAGE = 500

# facet name → (vocabulary, label)
FACET_VOCAB = {
    "industry": ("industry", N_("行业")),
    "scenario": ("scenario", N_("应用场景")),
    "capability": ("capability", N_("5G能力")),
    "city": ("city", N_("城市")),
    "zone": ("pilot_zone", N_("试点区域")),
    "org_kind": ("org_kind", N_("机构类型")),
    "evidence": ("evidence", N_("证据等级")),
    "stage": ("funding_stage", N_("项目阶段")),
    "platform_capability": ("platform_capability", N_("平台能力")),
    "access": ("platform_access", N_("接入方式")),
    "support": ("incubation_support", N_("提供的支持")),
}
FACET_LABELS = {
    "solution": {"city": N_("服务城市")},
    "funding": {"city": N_("适用城市"), "org_kind": N_("申请机构类型")},
    "platform": {"city": N_("服务城市"), "org_kind": N_("运营机构类型")},
    "incubation": {"city": N_("适用城市"), "org_kind": N_("孵化机构类型")},
}
SORT_LABELS = {
    "relevance": N_("相关度"),
    "newest": N_("最新"),
    "deadline": N_("截止日期"),
    "year": N_("年份"),
}
# Solutions (and the kinds of issue 16) are filtered by pilot zone (the zone's city is
# served) without a count of their own.
EXTRA_FILTERS = {kind: ("zone",) for kind in SERVING_TYPES}


@dataclass
class FacetOption:
    code: str
    label: str
    count: int | None


@dataclass
class Facet:
    name: str
    label: str
    selected: str | None
    options: list[FacetOption]


@dataclass
class SearchPage:
    type: SearchType
    q: str
    sort: str
    page: int
    filters: dict[str, str]
    result: SearchResultPublic | None = None
    unavailable: bool = False
    facets: list[Facet] = field(default_factory=list)

    @property
    def sorts(self) -> list[tuple[str, str]]:
        return [("relevance", SORT_LABELS["relevance"])] + [
            (code, SORT_LABELS[code]) for code in SORTS[self.type]
        ]

    @property
    def params(self) -> dict[str, str]:
        """The state of the search, without the page number."""
        state: dict[str, str] = {}
        if self.q:
            state["q"] = self.q
        state.update(self.filters)
        if self.sort != "relevance":
            state["sort"] = self.sort
        return state

    def url(self, page: int) -> str:
        return "?" + urlencode({**self.params, "page": page})

    @property
    def pages(self) -> int:
        if self.result is None:
            return 1
        return min(MAX_PAGE, max(1, -(-self.result.total // self.result.per_page)))


def filter_names(kind: SearchType) -> list[str]:
    return list(FACETS[kind]) + [n for n in EXTRA_FILTERS.get(kind, ()) if n not in FACETS[kind]]


def read_query(params: QueryParams, kind: SearchType) -> SearchPage:
    """The search in ``params``; unknown codes and sorts are dropped rather than refused."""
    vocab = get_vocabularies()
    q = (params.get("q") or "").strip()[:200]
    filters: dict[str, str] = {}
    for name in filter_names(kind):
        value = (params.get(name) or "").strip()
        if value and vocab.has(FACET_VOCAB[name][0], value):
            filters[name] = value
    sort = params.get("sort") or "relevance"
    if sort != "relevance" and sort not in SORTS[kind]:
        sort = "relevance"
    page = whole_number(params.get("page") or "1") or 1
    return SearchPage(type=kind, q=q, sort=sort, page=max(1, min(page, MAX_PAGE)), filters=filters)


def run(
    gateway: SearchGateway, params: QueryParams, kind: SearchType, *, today: date | None = None
) -> SearchPage:
    page = read_query(params, kind)
    query = SearchQuery(
        type=kind,
        q=page.q,
        sort=page.sort,  # type: ignore[arg-type]
        page=page.page,
        per_page=PER_PAGE,
        today=today or get_clock().today(),
        **page.filters,  # type: ignore[arg-type]
    )
    try:
        page.result = search(gateway, query)
        if kind in SERVING_TYPES:
            _serving_counts(gateway, query, page.result)
    except SearchBackendError:
        page.unavailable = True
    page.facets = _facets(page)
    return page


def _serving_counts(gateway: SearchGateway, query: SearchQuery, result: SearchResultPublic) -> None:
    """For solutions (and funding, platforms, incubation) a city means "serves that city"
    (its regions hold it, ``hunan`` or ``national``), which the regions facet alone cannot
    count; counted so that the number beside a city is what choosing it finds. A zone of a
    solution is its city; a programme's zone counts with its own filter (a call may be open
    to one park only)."""
    vocab = get_vocabularies()
    words = tuple(gateway.pipeline.search_words(query.q)) if query.q.strip() else ()
    if query.type == "solution":
        cities = _solution_city_counts(gateway, query, words)
    else:
        cities = {}
        for city in vocab.codes("city"):
            candidate = replace(query, city=city, zone=None)
            request = SearchRequest(words=words, filter=build_filter(candidate), limit=0)
            cities[city] = gateway.backend.search(gateway.index(query.type), request).total
    result.facets["city"] = {c: n for c, n in cities.items() if n}
    zones = {z: cities.get(t.city, 0) for z, t in vocab.terms["pilot_zone"].items()}
    if query.type != "solution":
        for zone, term in vocab.terms["pilot_zone"].items():
            if term.kind == "park":
                candidate = replace(query, city=None, zone=zone)
                request = SearchRequest(words=words, filter=build_filter(candidate), limit=0)
                zones[zone] = gateway.backend.search(gateway.index(query.type), request).total
    result.facets["zone"] = {z: n for z, n in zones.items() if n}


def _solution_city_counts(
    gateway: SearchGateway, query: SearchQuery, words: tuple[str, ...]
) -> dict[str, int]:
    # Two searches, not one per city: a solution serves a city when its regions hold the
    # city or ``SERVES_EVERY_CITY``, so a city's count is those holding the city, plus the
    # wide ones, less the wide ones that also hold the city (counted twice).
    base = build_filter(replace(query, city=None, zone=None))
    index = gateway.index("solution")

    def regions_facet(filter_: Filter | None) -> tuple[int, dict[str, int]]:
        request = SearchRequest(words=words, filter=filter_, facets=("regions",), limit=0)
        response = gateway.backend.search(index, request)
        return response.total, response.facets.get("regions", {})

    _, holding = regions_facet(base)
    wide_total, wide_holding = regions_facet(all_of(base, AnyOf("regions", SERVES_EVERY_CITY)))
    return {
        city: holding.get(city, 0) + wide_total - wide_holding.get(city, 0)
        for city in get_vocabularies().codes("city")
    }


def _facets(page: SearchPage) -> list[Facet]:
    vocab = get_vocabularies()
    counts = page.result.facets if page.result is not None else {}
    facets: list[Facet] = []
    for name in filter_names(page.type):
        vocabulary, label = FACET_VOCAB[name]
        label = FACET_LABELS.get(page.type, {}).get(name, label)
        selected = page.filters.get(name)
        counted = name in FACETS[page.type] or name in counts
        options: list[FacetOption] = []
        for code, term in vocab.terms[vocabulary].items():
            count = counts.get(name, {}).get(code, 0) if counted else None
            # With counts, only the codes that would find something (and the chosen one).
            if counted and page.result is not None and not count and code != selected:
                continue
            options.append(FacetOption(code, term.name, count))
        facets.append(Facet(name, label, selected, options))
    return facets


def context(page: SearchPage, **extra: Any) -> dict[str, Any]:
    return {"s": page, **extra}
