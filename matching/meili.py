"""The Meilisearch backend, through the official ``meilisearch`` client.

Chosen when ``MEILI_URL`` is set (what compose.yaml runs). Index settings live in code
(:func:`index_settings_payload`), every task is waited for with an explicit timeout, a
rebuild fills a shadow index and swaps it in, index names carry an environment prefix,
and client errors become :class:`SearchBackendError` with a clear message.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)

from matching.search import (
    And,
    AnyOf,
    Document,
    Eq,
    Exists,
    Filter,
    Hit,
    IndexSettings,
    Not,
    Or,
    Range,
    SearchBackendError,
    SearchRequest,
    SearchResponse,
    SearchUnavailable,
)

WRITE_TIMEOUT_MS = 30_000
REBUILD_TIMEOUT_MS = 600_000
BATCH = 5_000


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def compile_filter(clause: Filter) -> str:
    """The Meilisearch filter expression for a filter tree."""
    if isinstance(clause, Eq):
        return f"{clause.field} = {_literal(clause.value)}"
    if isinstance(clause, AnyOf):
        if not clause.values:
            return f"{clause.field} IN []"
        return f"{clause.field} IN [{', '.join(_literal(v) for v in clause.values)}]"
    if isinstance(clause, Range):
        parts = []
        for op, bound in (
            (">=", clause.gte),
            (">", clause.gt),
            ("<=", clause.lte),
            ("<", clause.lt),
        ):
            if bound is not None:
                parts.append(f"{clause.field} {op} {_literal(bound)}")
        return " AND ".join(parts) if parts else f"{clause.field} EXISTS"
    if isinstance(clause, Exists):
        return f"{clause.field} EXISTS"
    if isinstance(clause, Not):
        return f"NOT ({compile_filter(clause.clause)})"
    if isinstance(clause, And):
        return " AND ".join(f"({compile_filter(c)})" for c in clause.clauses)
    if isinstance(clause, Or):
        return " OR ".join(f"({compile_filter(c)})" for c in clause.clauses)
    raise SearchBackendError(f"不支持的筛选条件：{clause!r}")


def index_settings_payload(
    settings: IndexSettings, *, synonyms: dict[str, list[str]], stop_words: Sequence[str]
) -> dict[str, Any]:
    """Meilisearch settings for an index: the versioned, in-code source of truth."""
    searchable = [name for name, _weight in sorted(settings.searchable, key=lambda s: -s[1])]
    return {
        "searchableAttributes": searchable,
        "filterableAttributes": sorted(settings.fields),
        "sortableAttributes": sorted({*settings.sortable, "seq"}),
        "rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness", "seq:asc"],
        "synonyms": synonyms,
        "stopWords": sorted(stop_words),
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
        },
        "localizedAttributes": [{"attributePatterns": searchable, "locales": ["cmn"]}],
        "pagination": {"maxTotalHits": 1_000_000},
        "faceting": {"maxValuesPerFacet": 1_000},
    }


class MeilisearchBackend:
    """:class:`matching.search.SearchBackend` on a Meilisearch server."""

    name = "meilisearch"

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        prefix: str = "",
        synonyms: dict[str, list[str]] | None = None,
        stop_words: Sequence[str] = (),
        timeout_s: int = 10,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.client = meilisearch.Client(url, api_key, timeout=timeout_s)
        self.synonyms = synonyms or {}
        self.stop_words = list(stop_words)
        self._settings: dict[str, IndexSettings] = {}

    def uid(self, index: str) -> str:
        return f"{self.prefix}_{index}" if self.prefix else index

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"无法连接 Meilisearch（{self.url}）：{exc}") from exc
        except MeilisearchTimeoutError as exc:
            raise SearchUnavailable(f"Meilisearch 任务超时：{exc}") from exc
        except MeilisearchApiError as exc:
            raise SearchBackendError(
                f"Meilisearch 拒绝了请求（{exc.code}）：{exc.message}"
            ) from exc

    def _wait(self, task: Any, timeout_ms: int = WRITE_TIMEOUT_MS) -> None:
        done = self._call(self.client.wait_for_task, task.task_uid, timeout_in_ms=timeout_ms)
        if getattr(done, "status", None) == "failed":
            error = getattr(done, "error", None) or {}
            raise SearchBackendError(f"Meilisearch 任务失败：{error.get('message', error)}")

    def _exists(self, uid: str) -> bool:
        try:
            self.client.get_index(uid)
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                return False
            raise SearchBackendError(
                f"Meilisearch 拒绝了请求（{exc.code}）：{exc.message}"
            ) from exc
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"无法连接 Meilisearch（{self.url}）：{exc}") from exc
        return True

    def _prepare(self, uid: str, settings: IndexSettings) -> bool:
        created = False
        if not self._exists(uid):
            self._wait(self._call(self.client.create_index, uid, {"primaryKey": "id"}))
            created = True
        payload = index_settings_payload(
            settings, synonyms=self.synonyms, stop_words=self.stop_words
        )
        self._wait(self._call(self.client.index(uid).update_settings, payload), REBUILD_TIMEOUT_MS)
        return created

    def ensure_index(self, index: str, settings: IndexSettings) -> bool:
        self._settings[index] = settings
        return self._prepare(self.uid(index), settings)

    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        if documents:
            task = self._call(
                self.client.index(self.uid(index)).add_documents, list(documents), "id"
            )
            self._wait(task)

    def delete(self, index: str, ids: Sequence[str]) -> None:
        if ids:
            self._wait(self._call(self.client.index(self.uid(index)).delete_documents, list(ids)))

    def wait(self, index: str) -> None:
        # Every write above waits for its task, so writes are visible when they return.
        return None

    def get(self, index: str, doc_id: str) -> Document | None:
        try:
            found = self.client.index(self.uid(index)).get_document(doc_id)
        except MeilisearchApiError as exc:
            if exc.code == "document_not_found":
                return None
            raise SearchBackendError(
                f"Meilisearch 拒绝了请求（{exc.code}）：{exc.message}"
            ) from exc
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"无法连接 Meilisearch（{self.url}）：{exc}") from exc
        return dict(found)

    def search(self, index: str, request: SearchRequest) -> SearchResponse:
        params: dict[str, Any] = {
            "showRankingScore": True,
            "matchingStrategy": "last",
        }
        if request.filter is not None:
            params["filter"] = compile_filter(request.filter)
        if request.facets:
            params["facets"] = list(request.facets)
        if request.sort is not None:
            direction = "desc" if request.sort.descending else "asc"
            params["sort"] = [f"{request.sort.field}:{direction}", "seq:asc"]
        limit = max(0, request.limit)
        if limit and request.offset % limit == 0:
            params.update(page=request.offset // limit + 1, hitsPerPage=limit)
        else:
            params.update(offset=request.offset, limit=limit)
        result = self._call(
            self.client.index(self.uid(index)).search, " ".join(request.words), params
        )
        total = result.get("totalHits")
        if total is None:
            counted = self._call(
                self.client.index(self.uid(index)).search,
                " ".join(request.words),
                {k: v for k, v in params.items() if k in ("filter", "matchingStrategy")}
                | {"page": 1, "hitsPerPage": 0},
            )
            total = counted.get("totalHits", 0)
        hits = []
        for raw in result.get("hits", []):
            score = float(raw.pop("_rankingScore", 1.0))
            hits.append(
                Hit(id=str(raw["id"]), score=score if request.sort is None else 1.0, document=raw)
            )
        facets = {
            name: {str(k): int(v) for k, v in values.items()}
            for name, values in (result.get("facetDistribution") or {}).items()
        }
        for name in request.facets:
            facets.setdefault(name, {})
        return SearchResponse(total=int(total), hits=hits, facets=facets)

    def rebuild(self, index: str, settings: IndexSettings, documents: Iterable[Document]) -> int:
        self._settings[index] = settings
        live, shadow = self.uid(index), self.uid(index) + "__shadow"
        if self._exists(shadow):
            self._wait(self._call(self.client.delete_index, shadow))
        self._prepare(shadow, settings)
        count = 0
        batch: list[Document] = []
        for doc in documents:
            batch.append(doc)
            if len(batch) >= BATCH:
                self._wait(
                    self._call(self.client.index(shadow).add_documents, batch, "id"),
                    REBUILD_TIMEOUT_MS,
                )
                count += len(batch)
                batch = []
        if batch:
            self._wait(
                self._call(self.client.index(shadow).add_documents, batch, "id"), REBUILD_TIMEOUT_MS
            )
            count += len(batch)
        if not self._exists(live):
            self._prepare(live, settings)
        self._wait(self._call(self.client.swap_indexes, [{"indexes": [live, shadow]}]))
        self._wait(self._call(self.client.delete_index, shadow))
        return count

    def versions(self, index: str) -> dict[str, int]:
        out: dict[str, int] = {}
        offset = 0
        while True:
            page = self._call(
                self.client.index(self.uid(index)).get_documents,
                {"fields": ["id", "version"], "limit": 1_000, "offset": offset},
            )
            for doc in page.results:
                data = dict(doc)
                out[str(data["id"])] = int(data.get("version", 1))
            offset += len(page.results)
            if not page.results or offset >= page.total:
                return out

    def health(self) -> bool:
        try:
            return self.client.health().get("status") == "available"
        except (MeilisearchCommunicationError, MeilisearchApiError, MeilisearchTimeoutError):
            return False
