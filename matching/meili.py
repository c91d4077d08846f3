"""The Meilisearch backend, through the official ``meilisearch`` client.

Chosen when ``MEILI_URL`` is set (what compose.yaml runs). Index settings live in code
(:func:`index_settings_payload`), every task is waited for with an explicit timeout, a
rebuild fills a shadow index and swaps it in, index names carry an environment prefix,
and client errors become :class:`SearchBackendError` with a clear message.

It behaves as the protocol says (:mod:`matching.search`), which is the embedded backend's
behaviour; the Meilisearch source read for each point is quoted at :data:`MEILISEARCH_VERSION`
(the version compose.yaml pins). How a search with words is made:

- One federated multi-search on the index (``federated/perform.rs``): its total is the size
  of the union of every query's candidates (1576, 1701), its facets are counted over that
  union (1702-1705) and a document found by several queries comes once (1650-1656), so the
  words are ORed exactly.
- One query per word finds the documents holding it. A Latin word of 5+ letters is searched
  as itself, with the index's typo tolerance (5/9 letters, compute_derivations.rs:75-168);
  any other word is confined to the documents holding it whole by the filter
  ``_words_v1 = "word"`` on :data:`WORDS_FIELD`, a filterable list of each document's words
  that this adapter writes. That filter, not Meilisearch's own segmentation (charabia cuts
  Chinese words of 3+ characters, segmenter/chinese.rs:21-60 @ charabia v0.9.9) nor its
  typos on long Chinese words (parse_query.rs:204-225), decides what a word finds.
- Ranking: one more query, the first ten words (``words_limit``, search/mod.rs:109) with
  ``matchingStrategy: "frequency"``: it drops the most frequent words first
  (query_graph.rs:303-344) so a document lacking the first word still ranks by the rarer
  ones; ``"last"`` would never retrieve it (query_graph.rs:346-406, search/new/mod.rs:268-296). It
  carries the weight 1 and the per-word queries the weight 0 (allowed, types.rs:70-79), so
  the documents it ranks come first, then the rest by ``seq`` (perform.rs:551-574 compares
  the weighted scores, then the ``seq:asc`` sort value).
- A sort puts every query at weight 0 behind the ``sort`` rule, placed first in
  ``rankingRules``: the sort value decides, then ``seq``; documents lacking the field come
  last (score_details.rs:576-585).
"""

from __future__ import annotations

import contextlib
import re
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)

from matching.search import (
    RANKED_WORDS,
    And,
    AnyOf,
    Document,
    Eq,
    Exists,
    Filter,
    Hit,
    IndexMissing,
    IndexSettings,
    Not,
    Or,
    Range,
    SearchBackendError,
    SearchRequest,
    SearchResponse,
    SearchUnavailable,
    all_of,
    check_ids,
    check_number,
    typo_budget,
)

# The server this adapter is written and checked against; compose.yaml pins the same image
# (tests/test_deployment.py). The newest stable release the installed client (0.43.0,
# whose CI runs the latest server) supports.
MEILISEARCH_VERSION = "v1.50.0"
WRITE_TIMEOUT_MS = 30_000
REBUILD_TIMEOUT_MS = 600_000
BATCH = 5_000
# Each document's words, written by this adapter and filterable: what a word finds. The
# version in the name changes whenever what it holds changes, so that ensure_index asks
# for a refill of an index written before. Not a reserved name (milli constants.rs:12-17).
WORDS_FIELD = "_words_v1"
RANKING_RULES = ["sort", "words", "typo", "proximity", "attribute", "exactness", "seq:asc"]
_FIELD_NAME = re.compile(r"[A-Za-z0-9_]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _number(value: int | float) -> str:
    """A number as the filter grammar's ``word`` (alphanumeric, ``_ - .``; filter-parser
    lib.rs:17, value.rs:253-255): plain digits, never ``1e+16`` (``+`` is not allowed)."""
    check_number(value)
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)), "f")


def _literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _number(value)
    # Double-quoted: a backslash escapes the quote (value.rs:22-62), then the whole value is
    # unescaped once more (value.rs:234), so a backslash is written doubled.
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _field(name: str) -> str:
    if not _FIELD_NAME.fullmatch(name):
        raise SearchBackendError(f"字段名 {name!r} 无效")
    return name


def _exists(name: str) -> str:
    # EXISTS counts null and empty values too (index_filter.rs:163-174): leave them out, as
    # the embedded backend does.
    return f"({name} EXISTS AND {name} IS NOT NULL AND {name} IS NOT EMPTY)"


def compile_filter(clause: Filter) -> str:
    """The Meilisearch filter expression for a filter tree."""
    if isinstance(clause, Eq):
        return f"{_field(clause.field)} = {_literal(clause.value)}"
    if isinstance(clause, AnyOf):
        values = ", ".join(_literal(v) for v in clause.values)
        return f"{_field(clause.field)} IN [{values}]"
    if isinstance(clause, Range):
        name = _field(clause.field)
        parts = []
        for op, bound in (
            (">=", clause.gte),
            (">", clause.gt),
            ("<=", clause.lte),
            ("<", clause.lt),
        ):
            if bound is not None:
                parts.append(f"{name} {op} {_literal(bound)}")
        return " AND ".join(parts) if parts else _exists(name)
    if isinstance(clause, Exists):
        return _exists(_field(clause.field))
    if isinstance(clause, Not):
        return f"NOT ({compile_filter(clause.clause)})"
    if isinstance(clause, And):
        return " AND ".join(f"({compile_filter(c)})" for c in clause.clauses)
    if isinstance(clause, Or):
        return " OR ".join(f"({compile_filter(c)})" for c in clause.clauses)
    raise SearchBackendError(f"不支持的筛选条件：{clause!r}")


def index_settings_payload(
    settings: IndexSettings,
    *,
    synonyms: dict[str, list[str]],
    stop_words: Sequence[str],
    dictionary: Iterable[str] = (),
) -> dict[str, Any]:
    """Meilisearch settings for an index: the versioned, in-code source of truth. Field
    names and types are those of ``Settings<T>`` (meilisearch-types settings.rs:214-432)."""
    searchable = [name for name, _weight in sorted(settings.searchable, key=lambda s: -s[1])]
    return {
        "searchableAttributes": searchable,
        "filterableAttributes": sorted({*settings.fields, WORDS_FIELD}),
        "sortableAttributes": sorted({*settings.sortable, "seq"}),
        "rankingRules": RANKING_RULES,
        "synonyms": synonyms,
        "stopWords": sorted(stop_words),
        # Only words holding Chinese: the dictionary pre-cuts any text it occurs in
        # (charabia tokenizer.rs:345-366), and mec would cut mechanic.
        "dictionary": sorted({w for w in dictionary if _CJK.search(w)}),
        "typoTolerance": {
            "enabled": True,
            "minWordSizeForTypos": {"oneTypo": 5, "twoTypos": 9},
            "disableOnNumbers": True,
        },
        "prefixSearch": "disabled",
        "localizedAttributes": [{"attributePatterns": searchable, "locales": ["cmn"]}],
        "pagination": {"maxTotalHits": 1_000_000},
        "faceting": {"maxValuesPerFacet": 1_000},
    }


def _query_text(word: str) -> str:
    """A word as query text: no ``"`` (a phrase) nor leading ``-`` (a negation,
    parse_query.rs:116-178)."""
    return word.replace('"', " ").lstrip("-")


def search_queries(uid: str, request: SearchRequest) -> list[dict[str, Any]]:
    """The federated queries for a request with words (see the module docstring)."""
    gates = request.filter
    sort = None
    if request.sort is not None:
        direction = "desc" if request.sort.descending else "asc"
        sort = [f"{request.sort.field}:{direction}", "seq:asc"]
    queries: list[dict[str, Any]] = []
    if sort is None:
        ranked = request.words[:RANKED_WORDS]
        queries.append(
            {
                "q": " ".join(_query_text(w) for w in ranked),
                "matchingStrategy": "frequency",
                "filter": all_of(gates, AnyOf(WORDS_FIELD, tuple(request.words))),
                "federationOptions": {"weight": 1.0},
            }
        )
    for word in request.words:
        query: dict[str, Any] = {
            "q": _query_text(word),
            "matchingStrategy": "all",
            "filter": gates if typo_budget(word) else all_of(gates, Eq(WORDS_FIELD, word)),
            "federationOptions": {"weight": 0.0},
        }
        if sort is not None:
            query["sort"] = sort
        queries.append(query)
    for query in queries:
        query["indexUid"] = uid
        query["showRankingScore"] = True
        clause = query.pop("filter")
        if clause is not None:
            query["filter"] = compile_filter(clause)
    return queries


def _page(request: SearchRequest) -> dict[str, int]:
    limit = max(0, request.limit)
    if not limit and not request.offset:
        return {"page": 1, "hitsPerPage": 0}
    if limit and request.offset % limit == 0:
        # Pages count exactly (totalHits); offset/limit would estimate.
        return {"page": request.offset // limit + 1, "hitsPerPage": limit}
    return {"offset": request.offset, "limit": limit}


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
        dictionary: Iterable[str] = (),
        timeout_s: int = 10,
    ) -> None:
        self.url = url
        self.prefix = prefix
        self.client = meilisearch.Client(url, api_key, timeout=timeout_s)
        self.synonyms = synonyms or {}
        self.stop_words = list(stop_words)
        self.dictionary = list(dictionary)
        self._settings: dict[str, IndexSettings] = {}
        self._write_error: str | None = None  # the last write's failure, until one succeeds
        # Writes enqueued but not yet seen done (the queue was busy): index uid → task uids.
        self._pending: dict[str, list[int]] = {}

    def uid(self, index: str) -> str:
        return f"{self.prefix}_{index}" if self.prefix else index

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"无法连接 Meilisearch（{self.url}）：{exc}") from exc
        except MeilisearchTimeoutError as exc:
            raise SearchUnavailable(f"Meilisearch 响应超时：{exc}") from exc
        except MeilisearchApiError as exc:
            if exc.code == "index_not_found":
                raise IndexMissing(f"Meilisearch 中没有索引：{exc.message}") from exc
            raise SearchBackendError(
                f"Meilisearch 拒绝了请求（{exc.code}）：{exc.message}"
            ) from exc

    def _settle(self, task: Any, timeout_ms: int) -> None:
        """Wait for a task; raise unless it succeeded (``failed`` and ``canceled`` alike)."""
        try:
            done = self.client.wait_for_task(task, timeout_in_ms=timeout_ms)
        except MeilisearchTimeoutError as exc:
            raise SearchUnavailable(
                f"Meilisearch 任务 {task} 在 {timeout_ms // 1000} 秒内仍在排队或处理中"
            ) from exc
        except MeilisearchCommunicationError as exc:
            raise SearchUnavailable(f"无法连接 Meilisearch（{self.url}）：{exc}") from exc
        status = getattr(done, "status", None)
        if status == "succeeded":
            return
        error = getattr(done, "error", None) or {}
        reason = error.get("message", "") if isinstance(error, dict) else str(error)
        if status == "canceled":
            raise SearchBackendError(f"Meilisearch 任务 {task} 被取消，写入未生效")
        raise SearchBackendError(f"Meilisearch 任务 {task} 失败（{status}）：{reason}")

    def _wait(self, task: Any, timeout_ms: int = WRITE_TIMEOUT_MS) -> None:
        self._settle(task.task_uid, timeout_ms)

    def _write(self, uid: str, fn: Any, *args: Any) -> None:
        """Send a write and wait for its task, remembering whether it failed. A write still
        queued when the wait ends (behind a long rebuild) is not a failure: tasks apply in
        order, so it is kept for :meth:`wait` to see through."""
        try:
            task = self._call(fn, *args)
        except SearchBackendError as exc:
            self._write_error = str(exc)
            raise
        try:
            self._settle(task.task_uid, WRITE_TIMEOUT_MS)
        except SearchUnavailable:
            self._pending.setdefault(uid, []).append(task.task_uid)
            return
        except SearchBackendError as exc:
            self._write_error = str(exc)
            raise
        self._write_error = None

    def _settle_pending(self, uid: str, timeout_ms: int) -> None:
        """Raise if a queued write failed; with ``timeout_ms``, wait for every one."""
        pending = self._pending.get(uid, [])
        while pending:
            task = pending[0]
            if timeout_ms == 0:
                status = self._call(self.client.get_task, task).status
                if status in ("enqueued", "processing"):
                    return
            try:
                self._settle(task, max(timeout_ms, 1))
            except SearchUnavailable:
                raise
            except SearchBackendError:
                pending.pop(0)
                raise
            pending.pop(0)

    def _exists(self, uid: str) -> bool:
        try:
            self._call(self.client.get_index, uid)
        except IndexMissing:
            return False
        return True

    def _document(self, settings: IndexSettings, doc: Document) -> Document:
        words: set[str] = set()
        for name, _weight in settings.searchable:
            words.update(str(doc.get(name) or "").split())
        return {**doc, WORDS_FIELD: sorted(words)}

    @staticmethod
    def _stored(settings: IndexSettings, raw: dict[str, Any]) -> Document:
        """The document as written, less what the embedded backend does not store either."""
        hidden = {name for name, _weight in settings.searchable} | {
            WORDS_FIELD,
            "_rankingScore",
            "_federation",
        }
        return {k: v for k, v in raw.items() if k not in hidden}

    def _index_settings(self, index: str) -> IndexSettings:
        settings = self._settings.get(index)
        if settings is None:
            raise SearchBackendError(f"索引 {index} 尚未初始化")
        return settings

    def _prepare(self, uid: str, settings: IndexSettings) -> bool:
        """Create the index or update its settings; True when its documents must be written
        again (new, or written before :data:`WORDS_FIELD` held what it holds now)."""
        refill = False
        if not self._exists(uid):
            self._wait(self._call(self.client.create_index, uid, {"primaryKey": "id"}))
            refill = True
        else:
            names: set[str] = set()
            for rule in self._call(self.client.index(uid).get_filterable_attributes) or []:
                # A name, or (since v1.14) {"attributePatterns": [...], "features": ...}.
                names.update([rule] if isinstance(rule, str) else rule.get("attributePatterns", []))
            refill = WORDS_FIELD not in names
        payload = index_settings_payload(
            settings,
            synonyms=self.synonyms,
            stop_words=self.stop_words,
            dictionary=self.dictionary,
        )
        self._wait(self._call(self.client.index(uid).update_settings, payload), REBUILD_TIMEOUT_MS)
        return refill

    def ensure_index(self, index: str, settings: IndexSettings) -> bool:
        self._settings[index] = settings
        return self._prepare(self.uid(index), settings)

    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        # Meilisearch cannot make a write conditional on the stored document's version (no
        # compare-and-set; editing by function is experimental): a stale document sent
        # after a newer one replaces it. Tasks are applied in the order they were sent, so
        # the caller's single writer at a time (the portal's outbox lease) is the guarantee.
        if documents:
            check_ids(documents)
            settings = self._index_settings(index)
            batch = [self._document(settings, doc) for doc in documents]
            uid = self.uid(index)
            self._write(uid, self.client.index(uid).add_documents, batch, "id")

    def delete(self, index: str, ids: Sequence[str]) -> None:
        if ids:
            uid = self.uid(index)
            self._write(uid, self.client.index(uid).delete_documents, list(ids))

    def wait(self, index: str) -> None:
        # Writes wait for their task; one still queued then is waited for here.
        try:
            self._settle_pending(self.uid(index), REBUILD_TIMEOUT_MS)
        except SearchUnavailable as exc:
            raise SearchUnavailable(f"{exc}；写入已排队，稍后生效，重试是安全的") from exc
        except SearchBackendError as exc:
            self._write_error = str(exc)
            raise

    def get(self, index: str, doc_id: str) -> Document | None:
        settings = self._index_settings(index)
        try:
            found = self._call(self.client.index(self.uid(index)).get_document, doc_id)
        except IndexMissing:
            raise
        except SearchBackendError as exc:
            if isinstance(exc.__cause__, MeilisearchApiError) and exc.__cause__.code in (
                "document_not_found",
                "invalid_document_id",
            ):
                return None
            raise
        return self._stored(settings, dict(found))

    def search(self, index: str, request: SearchRequest) -> SearchResponse:
        settings = self._index_settings(index)
        uid = self.uid(index)
        if not request.words:
            return self._search_without_words(uid, settings, request)
        federation: dict[str, Any] = dict(_page(request))
        if request.facets:
            federation["facetsByIndex"] = {uid: list(request.facets)}
        queries = search_queries(uid, request)
        result = self._call(self.client.multi_search, queries, federation)
        total = result.get("totalHits", result.get("estimatedTotalHits", 0))
        raw_hits = result.get("hits", [])
        scores = [
            float(h.get("_federation", {}).get("weightedRankingScore", 0.0)) for h in raw_hits
        ]
        if request.sort is not None:
            scores = [1.0] * len(raw_hits)
        else:
            top = scores[0] if scores else 0.0
            if request.offset and raw_hits:
                first = self._call(
                    self.client.multi_search, queries, {"offset": 0, "limit": 1}
                ).get("hits", [])
                top = float(first[0]["_federation"]["weightedRankingScore"]) if first else top
            # Relative to the best hit; when even that one only came from a word (weight 0)
            # nothing is ranked above the others: all 1.
            scores = [min(1.0, s / top) if top > 0 else 1.0 for s in scores]
        facets_by_index = result.get("facetsByIndex") or {}
        distribution = (facets_by_index.get(uid) or {}).get("distribution") or {}
        return self._response(settings, request, int(total), raw_hits, scores, distribution)

    def _search_without_words(
        self, uid: str, settings: IndexSettings, request: SearchRequest
    ) -> SearchResponse:
        params: dict[str, Any] = {"sort": ["seq:asc"], **_page(request)}
        if request.filter is not None:
            params["filter"] = compile_filter(request.filter)
        if request.facets:
            params["facets"] = list(request.facets)
        if request.sort is not None:
            direction = "desc" if request.sort.descending else "asc"
            params["sort"] = [f"{request.sort.field}:{direction}", "seq:asc"]
        result = self._call(self.client.index(uid).search, "", params)
        total = result.get("totalHits", result.get("estimatedTotalHits", 0))
        raw_hits = result.get("hits", [])
        distribution = result.get("facetDistribution") or {}
        return self._response(
            settings, request, int(total), raw_hits, [1.0] * len(raw_hits), distribution
        )

    def _response(
        self,
        settings: IndexSettings,
        request: SearchRequest,
        total: int,
        raw_hits: list[dict[str, Any]],
        scores: list[float],
        distribution: dict[str, dict[str, int]],
    ) -> SearchResponse:
        hits = [
            Hit(id=str(raw["id"]), score=score, document=self._stored(settings, raw))
            for raw, score in zip(raw_hits, scores, strict=True)
        ]
        facets = {
            name: {str(k): int(v) for k, v in (distribution.get(name) or {}).items()}
            for name in request.facets
        }
        return SearchResponse(total=total, hits=hits, facets=facets)

    def rebuild(self, index: str, settings: IndexSettings, documents: Iterable[Document]) -> int:
        self._settings[index] = settings
        # A shadow of its own: two rebuilds at once never delete each other's work.
        live = self.uid(index)
        shadow = f"{live}__shadow_{uuid.uuid4().hex[:12]}"
        self._prepare(shadow, settings)
        count = 0
        try:
            batch: list[Document] = []
            for doc in documents:
                check_ids((doc,))
                batch.append(self._document(settings, doc))
                if len(batch) >= BATCH:
                    self._wait(
                        self._call(self.client.index(shadow).add_documents, batch, "id"),
                        REBUILD_TIMEOUT_MS,
                    )
                    count += len(batch)
                    batch = []
            if batch:
                self._wait(
                    self._call(self.client.index(shadow).add_documents, batch, "id"),
                    REBUILD_TIMEOUT_MS,
                )
                count += len(batch)
            if not self._exists(live):
                self._prepare(live, settings)
            self._wait(self._call(self.client.swap_indexes, [{"indexes": [live, shadow]}]))
        finally:
            # After the swap the shadow holds the old documents; on failure, the half-built
            # ones. Either way it goes (not waited for: nothing reads it).
            # Unreachable now: a leftover shadow, named apart, harms no search.
            with contextlib.suppress(SearchBackendError):
                self._call(self.client.delete_index, shadow)
        self._write_error = None
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

    def check_writable(self) -> None:
        """Reachable, every index there, no queued write failed and the last write went
        through."""
        if not self.health():
            raise SearchUnavailable(f"无法连接 Meilisearch（{self.url}）")
        for index in list(self._settings):
            if not self._exists(self.uid(index)):
                raise IndexMissing(f"Meilisearch 中没有索引 {self.uid(index)}")
            try:
                self._settle_pending(self.uid(index), 0)
            except SearchUnavailable:
                raise
            except SearchBackendError as exc:
                self._write_error = str(exc)
        if self._write_error:
            raise SearchBackendError(f"上次写入 Meilisearch 失败：{self._write_error}")
