"""The embedded search backend: tantivy on local disk, no server.

Layout under ``root``: one folder per index, holding generations ``g000001``, ``g000002`` …
and a ``CURRENT`` file naming the live one. A rebuild fills the next generation and
replaces ``CURRENT`` atomically, so searches never see a half-built index. Custom
analyzers are not stored in the index by tantivy, so they are registered on every open.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

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
from matching.text import is_latin_word

WORDS_ANALYZER = "portal_words"
SEQ_BITS = 22  # sort keys pack (value, seq); seq must stay below 2**22
SEQ_LIMIT = 1 << SEQ_BITS
WRITER_HEAP = 64_000_000
BATCH = 5_000


def _words_analyzer() -> Any:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _sort_field(name: str, descending: bool) -> str:
    return f"__s{'d' if descending else 'a'}_{name}"


def _build_schema(settings: IndexSettings) -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, fast=True, tokenizer_name="raw")
    builder.add_bytes_field("_doc", stored=True)
    builder.add_integer_field("seq", indexed=True, fast=True)
    builder.add_integer_field("version", indexed=True, fast=True)
    for name, _weight in settings.searchable:
        builder.add_text_field(name, tokenizer_name=WORDS_ANALYZER, index_option="freq")
    for name, kind in settings.fields.items():
        if kind in ("keyword", "keywords"):
            builder.add_text_field(name, fast=True, tokenizer_name="raw")
        elif kind == "int":
            builder.add_integer_field(name, indexed=True, fast=True)
        elif kind == "float":
            builder.add_float_field(name, indexed=True, fast=True)
        elif kind == "bool":
            builder.add_boolean_field(name, indexed=True, fast=True)
    for name in settings.sortable:
        builder.add_integer_field(_sort_field(name, False), fast=True)
        builder.add_integer_field(_sort_field(name, True), fast=True)
    return builder.build()


@dataclass
class _Open:
    generation: str
    index: Any
    settings: IndexSettings
    meta_mtime: int = 0


class EmbeddedBackend:
    """:class:`matching.search.SearchBackend` on tantivy."""

    name = "embedded"

    def __init__(self, root: Path, *, prefix: str = "") -> None:
        self.root = Path(root)
        self.prefix = prefix
        self._open: dict[str, _Open] = {}
        self._settings: dict[str, IndexSettings] = {}
        self._lock = threading.RLock()

    # --- layout ---------------------------------------------------------------------

    def _dir(self, index: str) -> Path:
        return self.root / (f"{self.prefix}_{index}" if self.prefix else index)

    def _current(self, index: str) -> str | None:
        try:
            return (self._dir(index) / "CURRENT").read_text().strip() or None
        except FileNotFoundError:
            return None

    def _set_current(self, index: str, generation: str) -> None:
        tmp = self._dir(index) / f"CURRENT.{os.getpid()}.tmp"
        tmp.write_text(generation)
        os.replace(tmp, self._dir(index) / "CURRENT")

    def _next_generation(self, index: str) -> str:
        existing = [p.name for p in self._dir(index).glob("g*") if p.is_dir()]
        number = max((int(n[1:]) for n in existing if n[1:].isdigit()), default=0) + 1
        return f"g{number:06d}"

    def _create_generation(self, index: str, settings: IndexSettings) -> tuple[str, Any]:
        generation = self._next_generation(index)
        path = self._dir(index) / generation
        path.mkdir(parents=True)
        (path / "portal-settings.json").write_text(
            json.dumps({"fingerprint": settings.fingerprint()})
        )
        tindex = tantivy.Index(_build_schema(settings), path=str(path), reuse=False)
        tindex.register_tokenizer(WORDS_ANALYZER, _words_analyzer())
        return generation, tindex

    def _drop_old_generations(self, index: str, keep: str) -> None:
        for path in self._dir(index).glob("g*"):
            if path.is_dir() and path.name != keep:
                shutil.rmtree(path, ignore_errors=True)

    def _handle(self, index: str) -> _Open:
        """The live generation, reopened when another process swapped or wrote to it."""
        with self._lock:
            settings = self._settings.get(index)
            if settings is None:
                raise SearchBackendError(f"索引 {index} 尚未初始化")
            generation = self._current(index)
            if generation is None:
                raise SearchUnavailable(f"索引 {index} 不存在，请运行 portal reindex")
            handle = self._open.get(index)
            if handle is None or handle.generation != generation:
                path = self._dir(index) / generation
                try:
                    tindex = tantivy.Index.open(str(path))
                except (OSError, ValueError) as exc:
                    raise SearchUnavailable(f"无法打开索引 {index}：{exc}") from exc
                tindex.register_tokenizer(WORDS_ANALYZER, _words_analyzer())
                handle = _Open(generation, tindex, settings)
                self._open[index] = handle
            meta = self._dir(index) / generation / "meta.json"
            try:
                mtime = meta.stat().st_mtime_ns
            except FileNotFoundError as exc:
                raise SearchUnavailable(f"索引 {index} 文件缺失") from exc
            if mtime != handle.meta_mtime:
                handle.index.reload()
                handle.meta_mtime = mtime
            return handle

    # --- protocol -------------------------------------------------------------------

    def ensure_index(self, index: str, settings: IndexSettings) -> bool:
        with self._lock:
            self._settings[index] = settings
            generation = self._current(index)
            if generation is not None:
                stored = self._dir(index) / generation / "portal-settings.json"
                try:
                    fingerprint = json.loads(stored.read_text())["fingerprint"]
                except (OSError, ValueError, KeyError):
                    fingerprint = None
                if fingerprint == settings.fingerprint():
                    return False
            self._dir(index).mkdir(parents=True, exist_ok=True)
            generation, _ = self._create_generation(index, settings)
            self._set_current(index, generation)
            self._open.pop(index, None)
            self._drop_old_generations(index, keep=generation)
            return True

    def _document(self, settings: IndexSettings, doc: Document) -> Any:
        seq = int(doc["seq"])
        if not 0 <= seq < SEQ_LIMIT:
            raise SearchBackendError(f"seq {seq} 超出范围")
        searchable = {name for name, _weight in settings.searchable}
        out = tantivy.Document()
        out.add_text("id", str(doc["id"]))
        # The segmented fields are derived from the text and large: not stored.
        stored = {k: v for k, v in doc.items() if k not in searchable}
        out.add_bytes("_doc", json.dumps(stored, ensure_ascii=False, default=str).encode())
        out.add_integer("seq", seq)
        out.add_integer("version", int(doc.get("version", 1)))
        for name, _weight in settings.searchable:
            if doc.get(name):
                out.add_text(name, doc[name])
        for name, kind in settings.fields.items():
            value = doc.get(name)
            if value is None or value == []:
                continue
            if kind == "keywords":
                for item in value:
                    out.add_text(name, str(item))
            elif kind == "keyword":
                out.add_text(name, str(value))
            elif kind == "int":
                out.add_integer(name, int(value))
            elif kind == "float":
                out.add_float(name, float(value))
            elif kind == "bool":
                out.add_boolean(name, bool(value))
        for name in settings.sortable:
            value = doc.get(name)
            if value is None:
                continue
            key = int(value) * SEQ_LIMIT
            out.add_integer(_sort_field(name, False), key + seq)
            out.add_integer(_sort_field(name, True), key + (SEQ_LIMIT - 1 - seq))
        return out

    def _write(self, index: str, fn: Any) -> None:
        handle = self._handle(index)
        with self._lock:
            try:
                writer = handle.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:  # the lock is held by another process's writer
                raise SearchUnavailable(f"索引 {index} 正被其他进程写入：{exc}") from exc
            try:
                fn(writer, handle.settings)
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            handle.index.reload()

    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        if not documents:
            return

        def apply(writer: Any, settings: IndexSettings) -> None:
            for doc in documents:
                writer.delete_documents_by_term("id", str(doc["id"]))
                writer.add_document(self._document(settings, doc))

        self._write(index, apply)

    def delete(self, index: str, ids: Sequence[str]) -> None:
        if not ids:
            return

        def apply(writer: Any, _settings: IndexSettings) -> None:
            for doc_id in ids:
                writer.delete_documents_by_term("id", str(doc_id))

        self._write(index, apply)

    def wait(self, index: str) -> None:
        # Writes are committed synchronously; reopening makes them visible here too.
        self._handle(index)

    def get(self, index: str, doc_id: str) -> Document | None:
        handle = self._handle(index)
        schema = handle.index.schema
        searcher = handle.index.searcher()
        result = searcher.search(tantivy.Query.term_query(schema, "id", str(doc_id)), limit=1)
        if not result.hits:
            return None
        return self._load(searcher, result.hits[0][1])

    @staticmethod
    def _load(searcher: Any, address: Any) -> Document:
        raw = searcher.doc(address).get_first("_doc")
        loaded: Document = json.loads(bytes(raw).decode())
        return loaded

    # --- queries --------------------------------------------------------------------

    def _compile(self, schema: Any, settings: IndexSettings, clause: Filter) -> Any:
        q = tantivy.Query
        if isinstance(clause, Eq):
            return self._equals(schema, settings, clause.field, clause.value)
        if isinstance(clause, AnyOf):
            if not clause.values:
                return q.empty_query()
            kind = settings.fields.get(clause.field)
            if len(clause.values) == 1:
                return self._equals(schema, settings, clause.field, clause.values[0])
            if kind in ("keyword", "keywords"):
                return q.term_set_query(schema, clause.field, [str(v) for v in clause.values])
            return q.boolean_query(
                [
                    (tantivy.Occur.Should, self._equals(schema, settings, clause.field, v))
                    for v in clause.values
                ]
            )
        if isinstance(clause, Range):
            return self._range(schema, settings, clause)
        if isinstance(clause, Exists):
            self._kind(settings, clause.field)
            return q.exists_query(clause.field)
        if isinstance(clause, Not):
            return q.boolean_query(
                [
                    (tantivy.Occur.Must, q.all_query()),
                    (tantivy.Occur.MustNot, self._compile(schema, settings, clause.clause)),
                ]
            )
        if isinstance(clause, And):
            return q.boolean_query(
                [(tantivy.Occur.Must, self._compile(schema, settings, c)) for c in clause.clauses]
            )
        if isinstance(clause, Or):
            return q.boolean_query(
                [
                    (tantivy.Occur.Should, self._compile(schema, settings, c))
                    for c in clause.clauses
                ],
                minimum_number_should_match=1,
            )
        raise SearchBackendError(f"不支持的筛选条件：{clause!r}")

    @staticmethod
    def _kind(settings: IndexSettings, name: str) -> str:
        kind = settings.fields.get(name)
        if kind is None:
            raise SearchBackendError(f"字段 {name} 不可筛选")
        return kind

    def _equals(self, schema: Any, settings: IndexSettings, name: str, value: Any) -> Any:
        kind = self._kind(settings, name)
        if kind in ("keyword", "keywords"):
            return tantivy.Query.term_query(schema, name, str(value))
        if kind == "bool":
            return tantivy.Query.term_query(schema, name, bool(value))
        return self._range(schema, settings, Range(name, gte=value, lte=value))

    def _range(self, schema: Any, settings: IndexSettings, clause: Range) -> Any:
        kind = self._kind(settings, clause.field)
        if kind not in ("int", "float"):
            raise SearchBackendError(f"字段 {clause.field} 不是数值，不能按范围筛选")
        cast = int if kind == "int" else float
        field_type = tantivy.FieldType.Integer if kind == "int" else tantivy.FieldType.Float
        lower, include_lower = (clause.gte, True) if clause.gte is not None else (clause.gt, False)
        upper, include_upper = (clause.lte, True) if clause.lte is not None else (clause.lt, False)
        if lower is None and upper is None:
            return tantivy.Query.exists_query(clause.field)
        if kind == "int":
            # Integer bounds: make exclusive/fractional bounds inclusive integers.
            if lower is not None:
                lower = (
                    math.floor(lower) + 1
                    if not include_lower and float(lower).is_integer()
                    else math.ceil(lower)
                )
                include_lower = True
            if upper is not None:
                upper = (
                    math.ceil(upper) - 1
                    if not include_upper and float(upper).is_integer()
                    else math.floor(upper)
                )
                include_upper = True
        return tantivy.Query.range_query(
            schema,
            clause.field,
            field_type,
            lower_bound=None if lower is None else cast(lower),
            upper_bound=None if upper is None else cast(upper),
            include_lower=include_lower if lower is not None else True,
            include_upper=include_upper if upper is not None else True,
        )

    def _text_query(self, schema: Any, settings: IndexSettings, words: Sequence[str]) -> Any:
        q = tantivy.Query
        per_word = []
        for word in words:
            alternatives = []
            for name, weight in settings.searchable:
                alternatives.append(q.boost_query(q.term_query(schema, name, word), weight * 2))
                if is_latin_word(word) and len(word) >= 5:
                    distance = 2 if len(word) >= 9 else 1
                    fuzzy = q.fuzzy_term_query(schema, name, word, distance=distance)
                    alternatives.append(q.boost_query(fuzzy, weight))
            per_word.append(
                (
                    tantivy.Occur.Should,
                    q.boolean_query([(tantivy.Occur.Should, a) for a in alternatives]),
                )
            )
        return q.boolean_query(per_word, minimum_number_should_match=1)

    def search(self, index: str, request: SearchRequest) -> SearchResponse:
        handle = self._handle(index)
        schema = handle.index.schema
        settings = handle.settings
        q = tantivy.Query
        clauses = []
        if request.words:
            clauses.append((tantivy.Occur.Must, self._text_query(schema, settings, request.words)))
        if request.filter is not None:
            filter_query = self._compile(schema, settings, request.filter)
            clauses.append((tantivy.Occur.Must, q.const_score_query(filter_query, 0.0)))
        if not clauses:
            query = q.all_query()
        elif len(clauses) == 1 and not request.words:
            query = q.const_score_query(clauses[0][1], 1.0)
        else:
            query = q.boolean_query(clauses)
        searcher = handle.index.searcher()
        limit = max(0, request.limit)
        try:
            if request.sort is not None:
                if request.sort.field not in settings.sortable:
                    raise SearchBackendError(f"字段 {request.sort.field} 不可排序")
                result = searcher.search(
                    query,
                    limit=max(limit, 1),
                    offset=request.offset,
                    order_by_field=_sort_field(request.sort.field, request.sort.descending),
                    order=tantivy.Order.Desc if request.sort.descending else tantivy.Order.Asc,
                )
                hits = [(1.0, address) for _value, address in result.hits[:limit]]
            else:
                result = searcher.search(
                    query, limit=max(limit, 1), offset=request.offset, count=request.count
                )
                top = result.hits[0][0] if result.hits else 0.0
                if request.offset and result.hits:
                    top = searcher.search(query, limit=1).hits[0][0]
                hits = [
                    (min(1.0, score / top) if top > 0 else 1.0, address)
                    for score, address in result.hits[:limit]
                ]
            facets = self._facets(searcher, query, settings, request.facets)
        except ValueError as exc:
            raise SearchBackendError(f"搜索失败：{exc}") from exc
        return SearchResponse(
            total=int(result.count) if result.count is not None else len(hits),
            hits=[
                Hit(id=str((doc := self._load(searcher, address))["id"]), score=score, document=doc)
                for score, address in hits
            ],
            facets=facets,
        )

    @staticmethod
    def _facets(
        searcher: Any, query: Any, settings: IndexSettings, names: Sequence[str]
    ) -> dict[str, dict[str, int]]:
        if not names:
            return {}
        for name in names:
            if settings.fields.get(name) not in ("keyword", "keywords"):
                raise SearchBackendError(f"字段 {name} 不能作为分面")
        spec = {name: {"terms": {"field": name, "size": 10_000}} for name in names}
        result = searcher.aggregate(query, spec)
        return {
            name: {
                str(b["key"]): int(b["doc_count"]) for b in result.get(name, {}).get("buckets", [])
            }
            for name in names
        }

    # --- rebuild, inspection, health --------------------------------------------------

    def rebuild(self, index: str, settings: IndexSettings, documents: Iterable[Document]) -> int:
        with self._lock:
            self._settings[index] = settings
            self._dir(index).mkdir(parents=True, exist_ok=True)
            generation, tindex = self._create_generation(index, settings)
        writer = tindex.writer(heap_size=WRITER_HEAP * 2, num_threads=2)
        count = 0
        try:
            for doc in documents:
                writer.add_document(self._document(settings, doc))
                count += 1
            writer.commit()
        except BaseException:
            writer.rollback()
            shutil.rmtree(self._dir(index) / generation, ignore_errors=True)
            raise
        finally:
            writer.wait_merging_threads()
        with self._lock:
            self._set_current(index, generation)
            self._open.pop(index, None)
            self._drop_old_generations(index, keep=generation)
        return count

    def versions(self, index: str) -> dict[str, int]:
        handle = self._handle(index)
        searcher = handle.index.searcher()
        total = searcher.num_docs
        if total == 0:
            return {}
        result = searcher.search(tantivy.Query.all_query(), limit=total, count=False)
        addresses = [address for _score, address in result.hits]
        versions = searcher.fast_field_values("version", addresses)
        return {
            str(searcher.doc(address).get_first("id")): int(version)
            for address, version in zip(addresses, versions, strict=True)
        }

    def count(self, index: str) -> int:
        return int(self._handle(index).index.searcher().num_docs)

    def health(self) -> bool:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            for index in list(self._settings):
                self._handle(index)
        except (OSError, SearchBackendError):
            return False
        return True
