"""One conformance suite for every search backend.

It runs against the embedded backend always, and against Meilisearch when ``MEILI_URL``
names a server (otherwise those cases are reported as skipped, never as passed).
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matching.embedded import EmbeddedBackend
from matching.meili import MeilisearchBackend
from matching.search import (
    And,
    AnyOf,
    Eq,
    Exists,
    IndexSettings,
    Not,
    Or,
    Range,
    SearchBackend,
    SearchBackendError,
    SearchRequest,
    SortKey,
)
from matching.text import TextPipeline
from portal.search.gateway import TEXT_DIR

SETTINGS = IndexSettings(
    searchable=(("title_seg", 3.0), ("body_seg", 1.0)),
    fields={
        "industry": "keyword",
        "regions": "keywords",
        "price": "float",
        "year": "int",
        "verified": "bool",
        "note": "keyword",
    },
    sortable=("year",),
)

pipeline = TextPipeline.from_directory(TEXT_DIR)

CORPUS = [
    (
        "陶瓷釉面缺陷机器视觉检测",
        "醴陵日用瓷生产线 边缘计算",
        "ceramics",
        ["zhuzhou"],
        30.0,
        2021,
        True,
        "a",
    ),
    (
        "瓷砖表面质检系统",
        "瓷砖生产线 视觉",
        "general_manufacturing",
        ["hunan"],
        50.0,
        2022,
        False,
        None,
    ),
    (
        "中国农业发展银行 5G 项目贷款",
        "融资租赁 分期",
        "agriculture",
        ["national"],
        500.0,
        2023,
        True,
        None,
    ),
    ("天车远控改造", "桥式起重机 远程操控 钢厂", "steel", ["xiangtan"], 120.0, 2021, True, "b"),
    (
        "ceramic glaze inspection",
        "english description of a ceramic line",
        "ceramics",
        ["changsha"],
        80.0,
        2022,
        False,
        None,
    ),
    ("MEC platform", "edge computing node", "electronics", ["hunan"], 200.0, 2023, True, None),
    (
        "港口龙门吊远程操控",
        "岸桥 场桥 远控 低时延",
        "ports_logistics",
        ["yueyang"],
        300.0,
        2021,
        False,
        "c",
    ),
    (
        "井下人员定位",
        "矿山 高精度定位 安全生产",
        "mining",
        ["chenzhou", "hunan"],
        90.0,
        2022,
        True,
        None,
    ),
]


def document(
    i: int,
    title: str,
    body: str,
    industry: str,
    regions: list[str],
    price: float,
    year: int,
    verified: bool,
    note: str | None,
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": str(i),
        "seq": i,
        "version": 1,
        "title": title,
        "title_seg": pipeline.segment_document(title),
        "body_seg": pipeline.segment_document(body),
        "industry": industry,
        "regions": regions,
        "price": price,
        "year": year,
        "verified": verified,
    }
    if note is not None:
        doc["note"] = note
    return doc


DOCS = [document(i + 1, *row) for i, row in enumerate(CORPUS)]


def _meili() -> Any:
    url = os.environ.get("MEILI_URL")
    if not url:
        pytest.skip(
            "MEILI_URL is not set: no Meilisearch server to run the conformance suite against"
        )
    return MeilisearchBackend(
        url, os.environ.get("MEILI_API_KEY"), prefix=f"conf{uuid.uuid4().hex[:8]}"
    )


@pytest.fixture(params=["embedded", pytest.param("meilisearch", marks=pytest.mark.meilisearch)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchBackend]:
    if request.param == "embedded":
        yield EmbeddedBackend(tmp_path, prefix="conf")
    else:
        yield _meili()


@pytest.fixture
def loaded(backend: SearchBackend) -> SearchBackend:
    backend.ensure_index("docs", SETTINGS)
    backend.upsert("docs", DOCS)
    backend.wait("docs")
    return backend


def titles(backend: SearchBackend, q: str = "", **kw: Any) -> list[str]:
    words = tuple(pipeline.query_tokens(q))
    response = backend.search("docs", SearchRequest(words=words, limit=50, **kw))
    return [h.document["title"] for h in response.hits]


def ids(backend: SearchBackend, **kw: Any) -> set[str]:
    response = backend.search("docs", SearchRequest(limit=50, **kw))
    return {h.id for h in response.hits}


def test_ensure_index_is_idempotent(backend: SearchBackend) -> None:
    backend.ensure_index("docs", SETTINGS)
    backend.upsert("docs", DOCS[:1])
    backend.wait("docs")
    backend.ensure_index("docs", SETTINGS)
    assert backend.get("docs", "1") is not None


def test_write_then_read(loaded: SearchBackend) -> None:
    doc = loaded.get("docs", "4")
    assert doc is not None and doc["title"] == "天车远控改造"
    assert loaded.get("docs", "999") is None
    assert "天车远控改造" in titles(loaded, "天车")


def test_replace_by_id(loaded: SearchBackend) -> None:
    loaded.upsert(
        "docs",
        [
            dict(
                DOCS[3],
                title="天车改造二期",
                title_seg=pipeline.segment_document("天车改造二期"),
                version=2,
            )
        ],
    )
    loaded.wait("docs")
    assert loaded.get("docs", "4")["title"] == "天车改造二期"  # type: ignore[index]
    assert loaded.search("docs", SearchRequest(limit=50)).total == len(DOCS)
    assert loaded.versions("docs")["4"] == 2


def test_delete(loaded: SearchBackend) -> None:
    loaded.delete("docs", ["4"])
    loaded.wait("docs")
    assert loaded.get("docs", "4") is None
    assert "天车远控改造" not in titles(loaded, "天车")


def test_chinese_words_not_characters(loaded: SearchBackend) -> None:
    assert titles(loaded, "农业") == ["中国农业发展银行 5G 项目贷款"]
    found = titles(loaded, "陶瓷")
    assert found and found[0] == "陶瓷釉面缺陷机器视觉检测"
    assert "瓷砖表面质检系统" not in found


def test_fullwidth_and_synonyms(loaded: SearchBackend) -> None:
    assert "MEC platform" in titles(loaded, "ＭＥＣ")
    assert "天车远控改造" in titles(loaded, "行车 远程操控")
    assert "港口龙门吊远程操控" in titles(loaded, "远控")


def test_typo_tolerance_only_for_long_latin_words(loaded: SearchBackend) -> None:
    assert "ceramic glaze inspection" in titles(loaded, "ceramik")
    assert titles(loaded, "MCE") == []


def test_stop_words_ignored(loaded: SearchBackend) -> None:
    assert titles(loaded, "的 陶瓷") == titles(loaded, "陶瓷")


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        (Eq("industry", "ceramics"), {"1", "5"}),
        (Eq("verified", True), {"1", "3", "4", "6", "8"}),
        (AnyOf("regions", ("hunan", "national")), {"2", "3", "6", "8"}),
        (Range("price", gte=80, lte=200), {"4", "5", "6", "8"}),
        (Range("price", gt=80, lt=200), {"4", "8"}),
        (Range("year", gte=2023), {"3", "6"}),
        (Exists("note"), {"1", "4", "7"}),
        (Not(Eq("note", "a")), {"2", "3", "4", "5", "6", "7", "8"}),  # lacking the field included
        (And((Eq("verified", True), AnyOf("regions", ("hunan",)))), {"6", "8"}),
        (Or((Eq("industry", "steel"), Eq("industry", "mining"))), {"4", "8"}),
        (Not(Or((Exists("note"), Range("price", gte=100)))), {"2", "5", "8"}),
    ],
)
def test_filter_operators(loaded: SearchBackend, clause: Any, expected: set[str]) -> None:
    assert ids(loaded, filter=clause) == expected


def test_facet_counts_are_exact_over_the_filtered_set(loaded: SearchBackend) -> None:
    response = loaded.search(
        "docs", SearchRequest(filter=Eq("verified", True), facets=("industry", "regions"), limit=0)
    )
    assert response.total == 5
    assert response.facets["industry"] == {
        "ceramics": 1,
        "agriculture": 1,
        "steel": 1,
        "electronics": 1,
        "mining": 1,
    }
    assert response.facets["regions"] == {
        "zhuzhou": 1,
        "national": 1,
        "xiangtan": 1,
        "hunan": 2,
        "chenzhou": 1,
    }


def test_sort_with_stable_tie_break(loaded: SearchBackend) -> None:
    ascending = [
        h.id for h in loaded.search("docs", SearchRequest(sort=SortKey("year"), limit=50)).hits
    ]
    assert ascending == ["1", "4", "7", "2", "5", "8", "3", "6"]
    descending = [
        h.id
        for h in loaded.search("docs", SearchRequest(sort=SortKey("year", True), limit=50)).hits
    ]
    assert descending == ["3", "6", "2", "5", "8", "1", "4", "7"]


def test_pages_do_not_overlap_and_total_is_right(loaded: SearchBackend) -> None:
    seen: list[str] = []
    for offset in range(0, 8, 3):
        page = loaded.search("docs", SearchRequest(sort=SortKey("year"), offset=offset, limit=3))
        assert page.total == 8
        seen += [h.id for h in page.hits]
    assert len(seen) == len(set(seen)) == 8


def test_scores_in_unit_range_and_non_increasing(loaded: SearchBackend) -> None:
    response = loaded.search(
        "docs", SearchRequest(words=tuple(pipeline.query_tokens("远程操控 天车 钢厂")), limit=10)
    )
    scores = [h.score for h in response.hits]
    assert scores and all(0 <= s <= 1 for s in scores)
    assert scores == sorted(scores, reverse=True)
    assert response.hits[0].document["title"] == "天车远控改造"


def test_empty_query_with_filter_returns_everything_that_matches(loaded: SearchBackend) -> None:
    response = loaded.search("docs", SearchRequest(filter=Range("price", gte=0), limit=50))
    assert response.total == 8 and len(response.hits) == 8


def test_no_empty_results_while_a_rebuild_runs(loaded: SearchBackend) -> None:
    started, release = threading.Event(), threading.Event()

    def slow_documents() -> Iterator[dict[str, Any]]:
        for i, doc in enumerate(DOCS):
            if i == 4:
                started.set()
                release.wait(10)
            yield doc

    worker = threading.Thread(target=loaded.rebuild, args=("docs", SETTINGS, slow_documents()))
    worker.start()
    try:
        assert started.wait(10)
        assert "天车远控改造" in titles(loaded, "天车")  # still the old, complete index
        assert loaded.search("docs", SearchRequest(limit=50)).total == 8
    finally:
        release.set()
        worker.join(30)
    assert loaded.search("docs", SearchRequest(limit=50)).total == 8
    assert "天车远控改造" in titles(loaded, "天车")


def test_identical_results_after_a_restart(loaded: SearchBackend, tmp_path: Path) -> None:
    before = loaded.search("docs", SearchRequest(words=("陶瓷",), facets=("industry",), limit=10))
    if isinstance(loaded, EmbeddedBackend):
        reopened: SearchBackend = EmbeddedBackend(loaded.root, prefix=loaded.prefix)
    else:
        reopened = MeilisearchBackend(
            loaded.url, os.environ.get("MEILI_API_KEY"), prefix=loaded.prefix
        )  # type: ignore[attr-defined]
    assert reopened.ensure_index("docs", SETTINGS) is False
    after = reopened.search("docs", SearchRequest(words=("陶瓷",), facets=("industry",), limit=10))
    assert [(h.id, round(h.score, 6)) for h in after.hits] == [
        (h.id, round(h.score, 6)) for h in before.hits
    ]
    assert after.facets == before.facets and after.total == before.total


def test_changed_settings_recreate_the_index(backend: SearchBackend) -> None:
    if not isinstance(backend, EmbeddedBackend):
        pytest.skip("Meilisearch updates settings in place and keeps documents")
    backend.ensure_index("docs", SETTINGS)
    changed = IndexSettings(SETTINGS.searchable, SETTINGS.fields, SETTINGS.sortable, version=2)
    assert backend.ensure_index("docs", changed) is True


# --- the edges where Meilisearch and the embedded backend used to differ (issue 20) ------

EDGE_SETTINGS = IndexSettings(
    searchable=(("title_seg", 3.0), ("body_seg", 1.0)),
    fields={"note": "keyword", "tags": "keywords", "price": "float", "stock": "int"},
    sortable=("rank",),
)


def edge_document(doc_id: str, seq: int, title: str, body: str, **fields: Any) -> dict[str, Any]:
    return {
        "id": doc_id,
        "seq": seq,
        "version": 1,
        "title": title,
        "title_seg": pipeline.segment_document(title),
        "body_seg": pipeline.segment_document(body),
        **fields,
    }


EDGE_DOCS = [
    edge_document("1", 1, "农村电商平台", "县域 物流", rank=3),
    edge_document("2", 2, "云南省 茶叶 溯源", "编号 20231", rank=1),
    # The best document for 港口 井下 定位 lacks its first word; explicit nulls and [].
    edge_document(
        "3", 3, "智慧矿山 井下 定位", "矿山 安全 监测", rank=2, note=None, tags=[], price=None
    ),
    # Stored after 4 (see the fixture): sorts must not go by the order of writing.
    edge_document("5", 5, "港口 集装箱 识别", "港口"),
    edge_document("4", 4, "港口 物流 调度", "港口 岸桥", rank=None),
    edge_document("6", 6, "inspection robot", "港口 巡检", rank=2),
    edge_document(
        "7", 7, "ceramic glaze", "english", rank=5, note="x", tags=["a"], price=1e16, stock=2**53
    ),
    edge_document("8", 8, "negative price", "english", price=-0.5),
]


@pytest.fixture
def edge(backend: SearchBackend) -> SearchBackend:
    backend.ensure_index("edge", EDGE_SETTINGS)
    for doc in EDGE_DOCS:  # one write each, in this order
        backend.upsert("edge", [doc])
    backend.wait("edge")
    return backend


def edge_ids(backend: SearchBackend, *words: str, **kw: Any) -> list[str]:
    response = backend.search("edge", SearchRequest(words=words, limit=50, **kw))
    return [h.id for h in response.hits]


def test_chinese_words_and_numbers_take_no_typos(edge: SearchBackend) -> None:
    assert edge_ids(edge, "农业") == []  # 农村 is one replaced character away
    assert edge_ids(edge, "湖南省") == []  # 云南省: three characters, one replaced
    assert edge_ids(edge, "20232") == []  # 20231: five digits, one replaced


def test_latin_typos_keep_the_first_letter(edge: SearchBackend) -> None:
    assert edge_ids(edge, "ceramik") == ["7"]
    assert edge_ids(edge, "xeramic") == []  # 7 letters: a changed first letter is two typos
    assert edge_ids(edge, "inspectino") == ["6"]  # 10 letters: two typos
    assert edge_ids(edge, "jnspection") == ["6"]  # a changed first letter, one edit
    assert edge_ids(edge, "nspection") == ["6"]  # the first letter deleted (9 letters)
    assert edge_ids(edge, "xxspection") == []  # a changed first letter and one more edit
    assert edge_ids(edge, "港") == []  # no prefix search
    # A Latin word of 5+ letters is also found as the two words it splits into, side by
    # side (milli's split words); not two words apart, and not for a shorter word.
    assert edge_ids(edge, "ceramicglaze") == ["7"]
    assert edge_ids(edge, "glazeceramic") == []
    assert edge_ids(edge, "negativeprice") == ["8"]


def test_explicit_null_and_empty_do_not_exist(edge: SearchBackend) -> None:
    everything = {d["id"] for d in EDGE_DOCS}
    assert set(edge_ids(edge, filter=Exists("note"))) == {"7"}
    assert set(edge_ids(edge, filter=Exists("tags"))) == {"7"}
    assert set(edge_ids(edge, filter=Range("price"))) == {"7", "8"}
    assert set(edge_ids(edge, filter=Not(Exists("note")))) == everything - {"7"}


def test_a_document_lacking_the_first_word_is_found_and_ranked(edge: SearchBackend) -> None:
    response = edge.search("edge", SearchRequest(words=("港口", "井下", "定位"), limit=50))
    assert {h.id for h in response.hits} == {"3", "4", "5", "6"}
    assert response.total == 4
    assert response.hits[0].id == "3"  # the only one holding 井下 and 定位


def test_every_word_finds_however_many_there_are(edge: SearchBackend) -> None:
    words = (*(f"w{i:02d}" for i in range(11)), "茶叶")
    assert edge_ids(edge, *words) == ["2"]
    response = edge.search("edge", SearchRequest(words=words, limit=0, facets=("tags",)))
    assert response.total == 1


def test_sort_orders_every_found_document_by_the_field(edge: SearchBackend) -> None:
    # 4 is the most relevant for 港口; the sort ignores relevance, and the documents lacking
    # rank (4 holds null, 5 lacks it) come last in both directions, in seq order.
    assert edge_ids(edge, "港口", sort=SortKey("rank")) == ["6", "4", "5"]
    assert edge_ids(edge, "港口", sort=SortKey("rank", descending=True)) == ["6", "4", "5"]
    assert edge_ids(edge, sort=SortKey("rank")) == ["2", "3", "6", "1", "7", "4", "5", "8"]
    assert edge_ids(edge, sort=SortKey("rank", descending=True)) == [
        "7",
        "1",
        "3",
        "6",
        "2",
        "4",
        "5",
        "8",
    ]


def test_no_words_and_no_sort_go_by_seq(edge: SearchBackend) -> None:
    edge.upsert("edge", [EDGE_DOCS[0]])  # written again: last in the index's own order
    edge.wait("edge")
    assert edge_ids(edge) == ["1", "2", "3", "4", "5", "6", "7", "8"]


def test_scores_are_relative_to_the_best_hit(edge: SearchBackend) -> None:
    whole = edge.search("edge", SearchRequest(words=("港口", "定位"), limit=10))
    assert whole.hits[0].score == pytest.approx(1.0)
    second = edge.search("edge", SearchRequest(words=("港口", "定位"), offset=1, limit=1))
    assert second.hits[0].id == whole.hits[1].id
    assert second.hits[0].score == pytest.approx(whole.hits[1].score)
    sorted_hits = edge.search("edge", SearchRequest(words=("港口",), sort=SortKey("rank")))
    assert {h.score for h in sorted_hits.hits} == {1.0}


def test_documents_come_back_without_segmented_fields(edge: SearchBackend) -> None:
    doc = edge.get("edge", "3")
    assert doc is not None and doc["title"] == "智慧矿山 井下 定位" and doc["note"] is None
    hit = edge.search("edge", SearchRequest(words=("井下",))).hits[0]
    for document in (doc, hit.document):
        assert set(document) == set(EDGE_DOCS[2]) - {"title_seg", "body_seg"}


@pytest.mark.parametrize("doc_id", ["0", "a-B_9", "x" * 511])
def test_ids_at_the_edges(edge: SearchBackend, doc_id: str) -> None:
    edge.upsert("edge", [edge_document(doc_id, 99, "编号边界", "")])
    edge.wait("edge")
    assert edge.get("edge", doc_id) is not None
    assert edge_ids(edge, "边界") == [doc_id]


@pytest.mark.parametrize("doc_id", ["", "a b", "é", "x" * 512, "a/b"])
def test_ids_no_backend_can_store_are_refused(edge: SearchBackend, doc_id: str) -> None:
    with pytest.raises(SearchBackendError, match="文档编号"):
        edge.upsert("edge", [edge_document(doc_id, 99, "编号", "")])


def test_numbers_at_the_edges(edge: SearchBackend) -> None:
    assert edge_ids(edge, filter=Range("price", gte=1e16)) == ["7"]
    assert edge_ids(edge, filter=Eq("price", 1e16)) == ["7"]
    assert edge_ids(edge, filter=Range("price", lt=0)) == ["8"]
    assert edge_ids(edge, filter=Eq("stock", 2**53)) == ["7"]
    assert edge_ids(edge, filter=AnyOf("stock", (2**53, 0))) == ["7"]
    with pytest.raises(SearchBackendError, match="2\\^53"):
        edge_ids(edge, filter=Eq("stock", 2**53 + 1))
    with pytest.raises(SearchBackendError, match="有限数"):
        edge_ids(edge, filter=Range("price", gte=float("nan")))
