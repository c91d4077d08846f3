"""The Meilisearch adapter against what the server's source accepts and does (v1.50.0, the
version compose.yaml pins): the filter strings it emits, the settings it sends, the
searches it makes, and how it reads tasks. No server runs here; its behaviour against one
is the conformance suite's when MEILI_URL is set."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from meilisearch.errors import MeilisearchApiError, MeilisearchTimeoutError

from matching.meili import (
    WORDS_FIELD,
    MeilisearchBackend,
    compile_filter,
    index_settings_payload,
    search_queries,
)
from matching.search import (
    And,
    AnyOf,
    Eq,
    Exists,
    IndexSettings,
    Not,
    Or,
    Range,
    SearchBackendError,
    SearchRequest,
    SearchUnavailable,
    SortKey,
)
from tests.search.filter_grammar import FilterSyntaxError, finite_float, parse_filter

SETTINGS = IndexSettings(
    searchable=(("body_seg", 1.0), ("title_seg", 3.0)),
    fields={"industry": "keyword", "regions": "keywords", "year": "int", "price": "float"},
    sortable=("year",),
)

# --- filters ------------------------------------------------------------------------------

STRINGS = ["published", 'a"b', "a\\b", "a\\", '\\"', "农业", "AND", "x y", "", "it's", "a\nb"]
NUMBERS = [0, 1, -1, 739000, 2**53, -(2**53), 1.5, -0.5, 1e16, 1e-7, 123456789.125, 1e300]


def _values(tree: Any) -> list[tuple[str, str]]:
    if tree[0] == "cmp":
        return [tree[3]]
    if tree[0] == "in":
        return list(tree[2])
    return []


@pytest.mark.parametrize("value", STRINGS)
def test_strings_reach_the_server_as_written(value: str) -> None:
    tree = parse_filter(compile_filter(Eq("industry", value)))
    assert tree == ("cmp", "industry", "=", ("quoted", value))
    tree = parse_filter(compile_filter(AnyOf("regions", (value, "hunan"))))
    assert tree == ("in", "regions", [("quoted", value), ("quoted", "hunan")])


@pytest.mark.parametrize("value", NUMBERS)
def test_numbers_are_words_the_server_reads_back(value: float) -> None:
    for clause in (Eq("price", value), Range("price", gte=value), Range("price", lt=value)):
        (token,) = _values(parse_filter(compile_filter(clause)))
        assert token[0] == "word" and "e" not in token[1]
        assert finite_float(token) == value
    with pytest.raises(FilterSyntaxError):  # what repr() wrote before: '+' is not a word
        parse_filter("price >= 1e+16")


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**53 + 1, -(2**53) - 1])
def test_numbers_the_backends_would_compare_apart_are_refused(value: float) -> None:
    with pytest.raises(SearchBackendError):
        compile_filter(Range("price", gte=value))


def test_every_filter_node_parses() -> None:
    exists = ("and", [("exists", "note"), ("not", ("null", "note")), ("not", ("empty", "note"))])
    cases: list[tuple[Any, Any]] = [
        (Eq("verified", True), ("cmp", "verified", "=", ("word", "true"))),
        (AnyOf("regions", ()), ("in", "regions", [])),
        (Range("year", gte=2020, lt=2023), ("and", [
            ("cmp", "year", ">=", ("word", "2020")), ("cmp", "year", "<", ("word", "2023"))
        ])),
        (Range("year", gt=1, lte=2), ("and", [
            ("cmp", "year", ">", ("word", "1")), ("cmp", "year", "<=", ("word", "2"))
        ])),
        (Exists("note"), exists),
        (Range("price"), ("and", [
            ("exists", "price"), ("not", ("null", "price")), ("not", ("empty", "price"))
        ])),
        (Not(Exists("note")), ("not", exists)),
        (And((Eq("a", "x"), Or((Eq("b", 1), Not(Eq("c", "y")))))), ("and", [
            ("cmp", "a", "=", ("quoted", "x")),
            ("or", [("cmp", "b", "=", ("word", "1")), ("not", ("cmp", "c", "=", ("quoted", "y")))]),
        ])),
    ]  # fmt: skip
    for clause, expected in cases:
        assert parse_filter(compile_filter(clause)) == expected, clause
    with pytest.raises(SearchBackendError, match="字段名"):
        compile_filter(Eq("a b", 1))


# --- settings -----------------------------------------------------------------------------

# Settings<T>'s fields, camelCase (routes-macros lib.rs:118), at meilisearch-types
# src/settings.rs:223-432 @ v1.50.0; the server refuses any other (deny_unknown_fields).
SETTINGS_FIELDS = {
    "displayedAttributes", "searchableAttributes", "filterableAttributes",
    "sortableAttributes", "foreignKeys", "rankingRules", "stopWords", "nonSeparatorTokens",
    "separatorTokens", "dictionary", "synonyms", "distinctAttribute", "proximityPrecision",
    "typoTolerance", "faceting", "pagination", "embedders", "searchCutoffMs",
    "localizedAttributes", "facetSearch", "prefixSearch", "chat",
}  # fmt: skip
TYPO_FIELDS = {  # TypoSettings, settings.rs:96-137; MinWordSizeTyposSetting, 84-91
    "enabled", "minWordSizeForTypos", "disableOnWords", "disableOnAttributes",
    "disableOnNumbers",
}  # fmt: skip
RULES = {"words", "typo", "proximity", "attribute", "attributeRank", "wordPosition", "sort",
         "exactness"}  # milli criterion.rs:100-109  # fmt: skip


def test_settings_payload_is_what_the_server_accepts() -> None:
    payload = index_settings_payload(
        SETTINGS,
        synonyms={"远控": ["远程操控"]},
        stop_words=["的"],
        dictionary=["天车", "网络切片", "mec", "5g虚拟专网", "upf"],
    )
    assert set(payload) <= SETTINGS_FIELDS
    assert set(payload["typoTolerance"]) <= TYPO_FIELDS
    assert set(payload["typoTolerance"]["minWordSizeForTypos"]) == {"oneTypo", "twoTypos"}
    for rule in payload["rankingRules"]:
        field, _, direction = rule.partition(":")
        assert rule in RULES or (direction in ("asc", "desc") and field)
    assert payload["prefixSearch"] in ("indexingTime", "disabled")  # settings.rs:1313-1317
    assert all(set(r) == {"attributePatterns", "locales"} for r in payload["localizedAttributes"])
    assert set(payload["pagination"]) == {"maxTotalHits"}
    assert set(payload["faceting"]) <= {"maxValuesPerFacet", "sortFacetValuesBy"}
    for name in ("stopWords", "dictionary", "searchableAttributes", "filterableAttributes"):
        assert all(isinstance(v, str) for v in payload[name])


def test_settings_payload_matches_the_embedded_behaviour() -> None:
    payload = index_settings_payload(
        SETTINGS, synonyms={}, stop_words=[], dictionary=["天车", "mec", "5g虚拟专网"]
    )
    assert payload["searchableAttributes"] == ["title_seg", "body_seg"]
    assert payload["filterableAttributes"] == sorted([*SETTINGS.fields, WORDS_FIELD])
    assert payload["sortableAttributes"] == ["seq", "year"]
    assert payload["rankingRules"][0] == "sort"  # a sort orders everything found
    assert payload["rankingRules"][-1] == "seq:asc"
    assert payload["typoTolerance"] == {
        "enabled": True,
        "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        "disableOnNumbers": True,
    }
    assert payload["prefixSearch"] == "disabled"
    assert payload["dictionary"] == ["5g虚拟专网", "天车"]  # mec would cut mechanic


# --- searches -----------------------------------------------------------------------------

# SearchQueryWithIndex (meilisearch search/mod.rs:798-911) and its matchingStrategy values
# (1171-1179); federationOptions.weight must be >= 0 (federated/types.rs:70-79).
QUERY_FIELDS = {"indexUid", "q", "filter", "sort", "matchingStrategy", "showRankingScore",
                "federationOptions"}  # fmt: skip


def test_words_are_ored_one_query_each() -> None:
    words = ("港口", "井下", "inspection", "mec", *(f"w{i}" for i in range(10)))
    queries = search_queries("x_docs", SearchRequest(words=words, filter=Eq("industry", "a")))
    for query in queries:
        assert set(query) <= QUERY_FIELDS and query["indexUid"] == "x_docs"
        assert query["matchingStrategy"] in ("last", "all", "frequency")
        assert query["federationOptions"]["weight"] >= 0
        parse_filter(query["filter"])
    ranked, *per_word = queries
    # Ranking: the ten first words, most frequent dropped first, weight 1.
    assert ranked["q"].split() == list(words[:10])
    assert ranked["matchingStrategy"] == "frequency"
    assert ranked["federationOptions"] == {"weight": 1.0}
    assert f"{WORDS_FIELD} IN [" in ranked["filter"]
    # Finding: every word, the 11th on too; weight 0 so they only add documents.
    assert [q["q"] for q in per_word] == list(words)
    assert {q["federationOptions"]["weight"] for q in per_word} == {0.0}
    by_word = {q["q"]: q["filter"] for q in per_word}
    assert by_word["港口"] == f'(industry = "a") AND ({WORDS_FIELD} = "港口")'  # whole only
    assert by_word["mec"] == f'(industry = "a") AND ({WORDS_FIELD} = "mec")'
    assert by_word["inspection"] == 'industry = "a"'  # Latin 5+: the server's typo rule


def test_a_sort_orders_by_the_field_alone() -> None:
    request = SearchRequest(words=("港口", "ceramic"), sort=SortKey("year", descending=True))
    queries = search_queries("docs", request)
    assert [q["q"] for q in queries] == ["港口", "ceramic"]  # no ranking query
    assert all(q["sort"] == ["year:desc", "seq:asc"] for q in queries)
    assert {q["federationOptions"]["weight"] for q in queries} == {0.0}


def test_query_text_carries_no_operator() -> None:
    (ranked, per_word) = search_queries("docs", SearchRequest(words=('a"b',)))
    assert per_word["q"] == "a b" and '"' not in ranked["q"]
    assert search_queries("docs", SearchRequest(words=("-abc",)))[1]["q"] == "abc"


# --- against a stand-in client (no server can run here) -----------------------------------


class Client:
    """What the adapter calls on ``meilisearch.Client``, answering from a script."""

    def __init__(self) -> None:
        self.statuses: dict[int, list[str]] = {}  # task uid → statuses get_task returns
        self.created: list[str] = []
        self.deleted: list[str] = []
        self.swapped: list[list[str]] = []
        self.sent: list[Any] = []
        self.raise_on: dict[str, BaseException] = {}
        self.hits: list[dict[str, Any]] = []
        self.next_uid = 0

    def _task(self, *statuses: str) -> Any:
        self.next_uid += 1
        self.statuses[self.next_uid] = list(statuses or ("succeeded",))
        return SimpleNamespace(task_uid=self.next_uid)

    def get_task(self, uid: int) -> Any:
        statuses = self.statuses[uid]
        status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
        return SimpleNamespace(status=status, error={"message": "坏文档"})

    def wait_for_task(self, uid: int, timeout_in_ms: int = 0) -> Any:
        # A write's wait (30 s) sees one status; wait()'s (10 min) sees the task through.
        queued = ("enqueued", "processing")
        task = self.get_task(uid)
        while task.status in queued:
            if timeout_in_ms < 60_000 or self.statuses[uid] == [task.status]:
                raise MeilisearchTimeoutError("still queued")
            task = self.get_task(uid)
        return task

    def _maybe_raise(self, name: str) -> None:
        if name in self.raise_on:
            raise self.raise_on[name]

    def get_index(self, uid: str) -> Any:
        self._maybe_raise("get_index")
        if uid not in self.created:
            raise _api_error("index_not_found")
        return SimpleNamespace(uid=uid)

    def create_index(self, uid: str, options: Any) -> Any:
        self.created.append(uid)
        return self._task()

    def delete_index(self, uid: str) -> Any:
        self.deleted.append(uid)
        return self._task()

    def swap_indexes(self, pairs: Any) -> Any:
        self.swapped.append(pairs[0]["indexes"])
        return self._task()

    def multi_search(self, queries: Any, federation: Any) -> Any:
        if "page" in federation:
            per_page = federation["hitsPerPage"]
            start, limit = (federation["page"] - 1) * per_page, per_page
        else:
            start, limit = federation.get("offset", 0), federation.get("limit", 20)
        return {"hits": self.hits[start : start + limit], "totalHits": len(self.hits)}

    def index(self, uid: str) -> Any:
        client = self

        class Index:
            def update_settings(self, payload: Any) -> Any:
                return client._task()

            def get_filterable_attributes(self) -> Any:
                return []

            def add_documents(self, docs: Any, key: str) -> Any:
                client.sent.append(docs)
                return client._task(*client.statuses.get(-1, ["succeeded"]))

            def get_document(self, doc_id: str) -> Any:
                client._maybe_raise("get_document")
                return {"id": doc_id, "title": "天车", "title_seg": "天车", WORDS_FIELD: ["天车"]}

        return Index()


def _api_error(code: str) -> MeilisearchApiError:
    error = MeilisearchApiError.__new__(MeilisearchApiError)
    error.code, error.message = code, code
    return error


@pytest.fixture
def meili() -> tuple[MeilisearchBackend, Client]:
    backend = MeilisearchBackend("http://127.0.0.1:9", prefix="t")
    client = Client()
    backend.client = client  # type: ignore[assignment]
    backend.ensure_index("docs", SETTINGS)
    return backend, client


def test_a_canceled_task_is_a_failed_write(meili: tuple[MeilisearchBackend, Client]) -> None:
    backend, client = meili
    client.statuses[-1] = ["canceled"]
    with pytest.raises(SearchBackendError, match="被取消"):
        backend.upsert("docs", [{"id": "1", "seq": 1, "title_seg": "天车"}])
    assert backend._write_error and "被取消" in backend._write_error  # /healthz says so


def test_a_write_queued_behind_a_rebuild_is_not_a_failure(
    meili: tuple[MeilisearchBackend, Client],
) -> None:
    backend, client = meili
    client.statuses[-1] = ["enqueued", "processing", "succeeded"]
    backend.upsert("docs", [{"id": "1", "seq": 1, "title_seg": "天车 改造"}])  # no error
    assert client.sent[-1][0][WORDS_FIELD] == ["天车", "改造"]
    backend.wait("docs")  # waits it through
    client.statuses[-1] = ["enqueued", "failed"]
    backend.upsert("docs", [{"id": "2", "seq": 2, "title_seg": "天车"}])
    with pytest.raises(SearchBackendError, match="坏文档"):
        backend.wait("docs")


def test_timeouts_are_unavailable_everywhere(meili: tuple[MeilisearchBackend, Client]) -> None:
    backend, client = meili
    client.raise_on["get_index"] = MeilisearchTimeoutError("slow")
    with pytest.raises(SearchUnavailable):
        backend.ensure_index("docs", SETTINGS)
    client.raise_on["get_document"] = MeilisearchTimeoutError("slow")
    with pytest.raises(SearchUnavailable):
        backend.get("docs", "1")


def test_documents_come_back_as_written(meili: tuple[MeilisearchBackend, Client]) -> None:
    backend, client = meili
    assert backend.get("docs", "1") == {"id": "1", "title": "天车"}
    client.raise_on["get_document"] = _api_error("document_not_found")
    assert backend.get("docs", "1") is None


def test_two_rebuilds_never_share_a_shadow(meili: tuple[MeilisearchBackend, Client]) -> None:
    backend, client = meili
    client.created.append("t_docs")
    docs = [{"id": "1", "seq": 1, "title_seg": "天车"}]
    backend.rebuild("docs", SETTINGS, docs)
    backend.rebuild("docs", SETTINGS, docs)
    first, second = (pair[1] for pair in client.swapped)
    assert first != second and first.startswith("t_docs__shadow_")
    assert client.deleted == [first, second]  # each its own, once swapped


def test_scores_are_relative_to_the_best_hit(meili: tuple[MeilisearchBackend, Client]) -> None:
    backend, client = meili
    client.hits = [
        {"id": str(i), "body_seg": "x", WORDS_FIELD: ["x"], "_rankingScore": s,
         "_federation": {"weightedRankingScore": s}}
        for i, s in enumerate([0.8, 0.4, 0.0])
    ]  # fmt: skip
    response = backend.search("docs", SearchRequest(words=("x",)))
    assert [h.score for h in response.hits] == [1.0, 0.5, 0.0]
    assert response.hits[0].document == {"id": "0"} and response.total == 3
    page = backend.search("docs", SearchRequest(words=("x",), offset=1, limit=1))
    assert [h.score for h in page.hits] == [0.5]


def test_unreachable_server_is_a_clear_unavailable_error() -> None:
    backend = MeilisearchBackend("http://127.0.0.1:9", prefix="x", timeout_s=1)
    assert backend.health() is False
    with pytest.raises(SearchUnavailable, match="无法连接 Meilisearch"):
        backend.ensure_index("docs", SETTINGS)
    with pytest.raises(SearchUnavailable, match="无法连接 Meilisearch"):
        backend.search("docs", SearchRequest(words=("天车",)))
    assert backend.uid("solutions") == "x_solutions"
    with pytest.raises(SearchUnavailable, match="无法连接 Meilisearch"):
        backend.check_writable()  # /healthz: unavailable, not "ok"
