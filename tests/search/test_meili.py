"""The Meilisearch adapter's pure parts: the filter compiler and the settings in code.
(Its behaviour against a server is covered by the conformance suite when MEILI_URL is set.)"""

from matching.meili import MeilisearchBackend, compile_filter, index_settings_payload
from matching.search import And, AnyOf, Eq, Exists, IndexSettings, Not, Or, Range, SearchUnavailable


def test_compile_filter() -> None:
    tree = And(
        (
            Eq("status", "published"),
            AnyOf("regions", ("changsha", "hunan")),
            Not(Range("expires_day", lt=739000)),
            Or((Exists("note"), Eq("verified", True))),
        )
    )
    assert compile_filter(tree) == (
        '(status = "published") AND (regions IN ["changsha", "hunan"]) AND '
        "(NOT (expires_day < 739000)) AND ((note EXISTS) OR (verified = true))"
    )
    assert compile_filter(Eq("title", 'a"b')) == 'title = "a\\"b"'
    assert compile_filter(Range("price", gte=1.5, lte=3)) == "price >= 1.5 AND price <= 3"


def test_settings_payload() -> None:
    settings = IndexSettings(
        searchable=(("body_seg", 1.0), ("title_seg", 3.0)),
        fields={"industry": "keyword", "year": "int"},
        sortable=("year",),
    )
    payload = index_settings_payload(settings, synonyms={"远控": ["远程操控"]}, stop_words=["的"])
    assert payload["searchableAttributes"] == ["title_seg", "body_seg"]
    assert payload["filterableAttributes"] == ["industry", "year"]
    assert payload["sortableAttributes"] == ["seq", "year"]
    assert payload["rankingRules"][-1] == "seq:asc"
    assert payload["typoTolerance"]["minWordSizeForTypos"] == {"oneTypo": 5, "twoTypos": 9}
    assert payload["localizedAttributes"][0]["locales"] == ["cmn"]


def test_unreachable_server_is_a_clear_unavailable_error() -> None:
    backend = MeilisearchBackend("http://127.0.0.1:9", prefix="x", timeout_s=1)
    assert backend.health() is False
    try:
        backend.search(
            "docs", __import__("matching.search", fromlist=["SearchRequest"]).SearchRequest()
        )
    except SearchUnavailable as exc:
        assert "无法连接 Meilisearch" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected SearchUnavailable")
    assert backend.uid("solutions") == "x_solutions"
