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
