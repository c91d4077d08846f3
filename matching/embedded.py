"""The embedded search backend: tantivy on local disk, no server.

Layout under ``root``: one folder per index, holding generations ``g000001``, ``g000002`` …
and a ``CURRENT`` file naming the live one. A rebuild fills the next generation and
replaces ``CURRENT`` atomically, so searches never see a half-built index. Custom
analyzers are not stored in the index by tantivy, so they are registered on every open.

Several processes may share the folder. tantivy's writer lock is a lock between processes
too; under it, :meth:`EmbeddedBackend.upsert` compares each document's version with the
indexed one, so a stale document never replaces a newer one, whoever writes last.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Sequence
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
    IndexMissing,
    IndexSettings,
    Not,
    Or,
    Range,
    SearchBackendError,
    SearchRequest,
    SearchResponse,
    SearchUnavailable,
    check_ids,
    check_number,
    typo_budget,
)

WORDS_ANALYZER = "portal_words"
SEQ_BITS = 22  # sort keys pack (value, seq); seq must stay below 2**22
SEQ_LIMIT = 1 << SEQ_BITS
SORT_LIMIT = 1 << 40  # sortable values stay within ±2**40 so that (value, seq) fits an i64
# What the stored documents and keys look like, beside the settings: a change rebuilds.
# 2: documents lacking a sort field carry a key that puts them last, in seq order; the
#    segmented fields keep word positions (for split words).
SCHEMA_VERSION = 2
WRITER_HEAP = 64_000_000
BATCH = 5_000
WRITER_WAIT_S = 10.0  # how long a write waits for another process's writer to finish
_UNWRITABLE = {
    # what tantivy's errors (and the OS's) say, and what a person should read
    "PermissionDenied": "权限不足或目录被设为只读",
    "ReadOnlyFilesystem": "文件系统为只读",
    "Read-only file system": "文件系统为只读",
    "StorageFull": "磁盘已满",
    "No space left": "磁盘已满",
}
_UNWRITABLE_ERRNO = {
    errno.EACCES: "权限不足或目录被设为只读",
    errno.EPERM: "权限不足或目录被设为只读",
    errno.EROFS: "文件系统为只读",
    errno.ENOSPC: "磁盘已满",
}


def _version(doc: Document) -> int:
    return int(doc.get("version", 1))


def _words_analyzer() -> Any:
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _sort_field(name: str, descending: bool) -> str:
    return f"__s{'d' if descending else 'a'}_{name}"


def _fingerprint(settings: IndexSettings) -> str:
    return f"{settings.fingerprint()}|embedded{SCHEMA_VERSION}"


def _edits(a: str, b: str, limit: int) -> int:
    """Edits from ``a`` to ``b`` (insert, delete, replace, swap two neighbours: the optimal
    string alignment distance, as milli's Levenshtein automata count them), or ``limit + 1``
    once over ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _build_schema(settings: IndexSettings) -> Any:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, fast=True, tokenizer_name="raw")
    builder.add_bytes_field("_doc", stored=True)
    builder.add_integer_field("seq", indexed=True, fast=True)
    builder.add_integer_field("version", indexed=True, fast=True)
    for name, _weight in settings.searchable:
        builder.add_text_field(name, tokenizer_name=WORDS_ANALYZER, index_option="position")
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
        self._write_error: str | None = None  # the last write's failure, until one succeeds

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
        while True:
            generation = self._next_generation(index)
            path = self._dir(index) / generation
            try:
                path.mkdir(parents=True)
                break
            except FileExistsError:  # another process took this number meanwhile
                continue
        (path / "portal-settings.json").write_text(
            json.dumps({"fingerprint": _fingerprint(settings)})
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
            if generation is None or not (self._dir(index) / generation).is_dir():
                self._open.pop(index, None)
                raise IndexMissing(
                    f"索引 {index} 不存在（索引目录 {self._dir(index)} 已被删除？），"
                    "将从数据库重建；也可运行 portal reindex"
                )
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
                raise IndexMissing(f"索引 {index} 文件缺失，将从数据库重建") from exc
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
                if fingerprint == _fingerprint(settings):
                    return False
            try:
                self._dir(index).mkdir(parents=True, exist_ok=True)
                generation, _ = self._create_generation(index, settings)
                self._set_current(index, generation)
            except (OSError, ValueError) as exc:
                raise self._unwritable(index, exc) from exc
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
        out.add_integer("version", _version(doc))
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
            if value is not None and not -SORT_LIMIT < int(value) < SORT_LIMIT:
                raise SearchBackendError(f"排序字段 {name} 的值 {value} 超出范围（±2^40）")
            # Lacking the field: after every value in both directions, in seq order.
            ascending = SORT_LIMIT if value is None else int(value)
            descending = -SORT_LIMIT if value is None else int(value)
            out.add_integer(_sort_field(name, False), ascending * SEQ_LIMIT + seq)
            out.add_integer(_sort_field(name, True), descending * SEQ_LIMIT + (SEQ_LIMIT - 1 - seq))
        return out

    def _unwritable(
        self, index: str, exc: BaseException, folder: Path | None = None
    ) -> SearchBackendError:
        """The error for a write that failed, naming the folder when it cannot be written."""
        reason = _UNWRITABLE_ERRNO.get(exc.errno or 0) if isinstance(exc, OSError) else None
        reason = reason or next((r for key, r in _UNWRITABLE.items() if key in str(exc)), None)
        if reason is None:
            message = f"索引 {index} 写入失败：{exc}"
        else:
            message = f"索引目录不可写：{folder or self._dir(index)}（{reason}）"
        self._write_error = message
        return SearchBackendError(message)

    def _writer(self, index: str) -> tuple[_Open, Any]:
        """The live generation and a writer on it. The writer lock is held by one writer in
        any process; a busy lock is waited for, up to :data:`WRITER_WAIT_S`."""
        deadline = time.monotonic() + WRITER_WAIT_S
        while True:
            handle = self._handle(index)
            try:
                writer = handle.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:
                if "LockBusy" not in str(exc):
                    raise self._unwritable(
                        index, exc, self._dir(index) / handle.generation
                    ) from exc
                if time.monotonic() >= deadline:
                    raise SearchUnavailable(
                        f"索引 {index} 正被另一写入者占用超过 {WRITER_WAIT_S:.0f} 秒，稍后重试"
                    ) from exc
                time.sleep(0.02)
                continue
            if self._current(index) == handle.generation:
                return handle, writer
            # A rebuild swapped in a new generation meanwhile: write to that one.
            writer.rollback()
            writer.wait_merging_threads()

    def _write(self, index: str, fn: Callable[[Any, _Open], None]) -> None:
        with self._lock:
            handle, writer = self._writer(index)
            try:
                # What other processes committed before we took the lock, for fn to compare.
                handle.index.reload()
                fn(writer, handle)
                writer.commit()
            except ValueError as exc:  # tantivy could not write its files
                writer.rollback()
                folder = self._dir(index) / handle.generation
                raise self._unwritable(index, exc, folder) from exc
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self._write_error = None
            handle.index.reload()

    @staticmethod
    def _indexed_version(searcher: Any, schema: Any, doc_id: str) -> int | None:
        found = searcher.search(tantivy.Query.term_query(schema, "id", doc_id), limit=1).hits
        if not found:
            return None
        return int(searcher.fast_field_values("version", [found[0][1]])[0])

    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        """Add or replace documents by id; one older than the indexed version is left out
        (compared under the writer lock, so against what any process wrote last)."""
        if not documents:
            return
        check_ids(documents)
        newest: dict[str, Document] = {}
        for doc in documents:
            doc_id = str(doc["id"])
            if doc_id not in newest or _version(doc) >= _version(newest[doc_id]):
                newest[doc_id] = doc

        def apply(writer: Any, handle: _Open) -> None:
            schema, searcher = handle.index.schema, handle.index.searcher()
            for doc_id, doc in newest.items():
                indexed = self._indexed_version(searcher, schema, doc_id)
                if indexed is not None and indexed > _version(doc):
                    continue
                writer.delete_documents_by_term("id", doc_id)
                writer.add_document(self._document(handle.settings, doc))

        self._write(index, apply)

    def delete(self, index: str, ids: Sequence[str]) -> None:
        if not ids:
            return

        def apply(writer: Any, _handle: _Open) -> None:
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

    @staticmethod
    def _bounds(clause: Range) -> None:
        for bound in (clause.gte, clause.gt, clause.lte, clause.lt):
            if bound is not None:
                check_number(bound)

    def _range(self, schema: Any, settings: IndexSettings, clause: Range) -> Any:
        kind = self._kind(settings, clause.field)
        if kind not in ("int", "float"):
            raise SearchBackendError(f"字段 {clause.field} 不是数值，不能按范围筛选")
        self._bounds(clause)
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

    @staticmethod
    def _typo_words(searcher: Any, settings: IndexSettings, word: str) -> list[str]:
        """The indexed words ``word`` finds with typos (itself included), by milli's rule
        (compute_derivations.rs:75-168 @ v1.50.0): within the budget of edits when the
        first letter is kept; a changed first letter costs two typos, so only one edit
        and only for a 9+ letter word (those are matched by :meth:`_first_letter_typos`)."""
        budget = typo_budget(word)
        found = {word}
        for name, _weight in settings.searchable:
            for term, _count in searcher.terms_with_prefix(name, word[0]):
                if _edits(term, word, budget) <= budget:
                    found.add(term)
        if budget == 2:
            # Deleting the first letter, or swapping it with the second.
            found |= {word[1:], word[1] + word[0] + word[2:]}
        return sorted(found)

    @staticmethod
    def _split_word(
        schema: Any, searcher: Any, settings: IndexSettings, word: str
    ) -> tuple[str, str] | None:
        """Where milli splits a word that may carry typos (split_best_frequency,
        compute_derivations.rs:363-384): into the two words found side by side in the most
        documents, the first such split on a tie; None when no split is found."""
        fields = [name for name, _weight in settings.searchable]
        best: tuple[int, tuple[str, str]] | None = None
        for i in range(1, len(word)):
            left, right = word[:i], word[i:]
            if not all(any(searcher.doc_freq(f, w) for f in fields) for w in (left, right)):
                continue
            side_by_side = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Should, tantivy.Query.phrase_query(schema, f, [left, right]))
                    for f in fields
                ]
            )
            count = int(searcher.search(side_by_side, limit=1).count or 0)
            if count and (best is None or count > best[0]):
                best = (count, (left, right))
        return best[1] if best else None

    def _text_query(
        self, schema: Any, searcher: Any, settings: IndexSettings, words: Sequence[str]
    ) -> Any:
        q = tantivy.Query
        per_word = []
        for word in words:
            alternatives = []
            typo_words = self._typo_words(searcher, settings, word) if typo_budget(word) else []
            split = self._split_word(schema, searcher, settings, word) if typo_words else None
            for name, weight in settings.searchable:
                alternatives.append(q.boost_query(q.term_query(schema, name, word), weight * 2))
                if typo_words:
                    typos = q.term_set_query(schema, name, typo_words)
                    if typo_budget(word) == 2:
                        # Replacing the first letter, or adding one before it.
                        changed = q.regex_query(schema, name, f".{word[1:]}|.{word}")
                        typos = q.boolean_query(
                            [(tantivy.Occur.Should, typos), (tantivy.Occur.Should, changed)]
                        )
                    alternatives.append(q.const_score_query(typos, weight))
                if split is not None:
                    phrase = q.phrase_query(schema, name, list(split))
                    alternatives.append(q.const_score_query(phrase, weight))
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
        searcher = handle.index.searcher()
        if request.words:
            text = self._text_query(schema, searcher, settings, request.words)
            clauses.append((tantivy.Occur.Must, text))
        if request.filter is not None:
            filter_query = self._compile(schema, settings, request.filter)
            clauses.append((tantivy.Occur.Must, q.const_score_query(filter_query, 0.0)))
        if not clauses:
            query = q.all_query()
        elif len(clauses) == 1 and not request.words:
            query = q.const_score_query(clauses[0][1], 1.0)
        else:
            query = q.boolean_query(clauses)
        limit = max(0, request.limit)
        try:
            if request.sort is not None or not request.words:
                if request.sort is None:
                    order_by, order = "seq", tantivy.Order.Asc  # no relevance: by seq
                elif request.sort.field not in settings.sortable:
                    raise SearchBackendError(f"字段 {request.sort.field} 不可排序")
                else:
                    order_by = _sort_field(request.sort.field, request.sort.descending)
                    order = tantivy.Order.Desc if request.sort.descending else tantivy.Order.Asc
                result = searcher.search(
                    query,
                    limit=max(limit, 1),
                    offset=request.offset,
                    order_by_field=order_by,
                    order=order,
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
            try:
                self._dir(index).mkdir(parents=True, exist_ok=True)
                generation, tindex = self._create_generation(index, settings)
            except (OSError, ValueError) as exc:
                raise self._unwritable(index, exc) from exc
        count = 0
        try:
            writer = tindex.writer(heap_size=WRITER_HEAP * 2, num_threads=2)
        except ValueError as exc:
            shutil.rmtree(self._dir(index) / generation, ignore_errors=True)
            raise self._unwritable(index, exc) from exc
        try:
            for doc in documents:
                check_ids((doc,))
                writer.add_document(self._document(settings, doc))
                count += 1
            writer.commit()
        except BaseException as exc:
            writer.rollback()
            shutil.rmtree(self._dir(index) / generation, ignore_errors=True)
            if isinstance(exc, ValueError):
                raise self._unwritable(index, exc) from exc
            raise
        finally:
            writer.wait_merging_threads()
        with self._lock:
            try:
                self._set_current(index, generation)
            except OSError as exc:
                raise self._unwritable(index, exc) from exc
            self._open.pop(index, None)
            self._drop_old_generations(index, keep=generation)
            self._write_error = None
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

    def check_writable(self) -> None:
        """Every live generation folder takes a new file (where a write's segments go), and
        the last write did not fail."""
        folders = [self._dir(index) / self._handle(index).generation for index in self._settings]
        for folder in folders or [self.root]:  # nothing set up yet: where indexes will be
            probe = folder / f".portal-probe-{os.getpid()}-{threading.get_ident()}"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                probe.touch()
                probe.unlink()
            except OSError as exc:
                reason = _UNWRITABLE_ERRNO.get(exc.errno or 0, exc.strerror or str(exc))
                raise SearchBackendError(f"索引目录不可写：{folder}（{reason}）") from exc
        if self._write_error:
            raise SearchBackendError(f"上次写入索引失败：{self._write_error}")
