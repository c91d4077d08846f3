"""The search-backend protocol and the types it speaks.

A backend stores documents (dicts with a string ``id``, an integer ``seq`` used as the
tie-break of every sort, and an integer ``version``) in named indexes, and answers
searches made of already-segmented words (see :mod:`matching.text`), a filter expression
tree it compiles itself, facets, one sort key and a page.

What every backend does alike (the conformance suite, tests/search/test_conformance.py,
pins each point on every backend):

- **Words are ORed.** A document is found when at least one word of the request is one of
  its words (a whole word of a searchable field, as the pipeline cut it), wherever the word
  stands in the request and however many words there are. ``total`` and the facets count
  exactly those documents. Words come in priority order: a backend may rank by the first
  :data:`RANKED_WORDS` only (Meilisearch reads ten, ``words_limit`` in milli), never find by
  fewer.
- **Typos** (:func:`typo_budget`): only a Latin word (a–z) of 5+ letters also finds words
  one edit away that keep its first letter; of 9+ letters, two edits away keeping the
  first letter, or one edit changing it (an edit inserts, deletes or replaces a letter, or
  swaps two neighbours); such a word also finds the two words it splits into standing side
  by side (split where the pair is in the most documents: ceramicglaze finds "ceramic
  glaze"). These are milli's rules (compute_derivations.rs:75-168, 255-262, 363-384 at
  v1.50.0). Chinese words, numbers and mixed words (5g) match whole only, so 农业 never
  finds 农村. No prefix search: 陶 does not find 陶瓷. (Meilisearch also reads accented
  Latin letters as plain ones for those typo-tolerant words, charabia's lossy normaliser;
  the pipeline's words are NFKC, so a corpus with é would see that difference.)
- **Relevance** orders the found documents best first; how a backend weighs words is its
  own (BM25 on tantivy, milli's ranking rules on Meilisearch). ``Hit.score`` is relative to
  the query's best hit, in 0..1 and non-increasing down the result; a sorted or wordless
  search scores every hit 1.0. Wordless searches without a sort go by ``seq``. (Equal
  relevance: Meilisearch orders by ``seq``, tantivy by its own index order.)
- **Sort** orders every found document by the field, then by ``seq``, whatever its
  relevance; documents lacking the field (or holding null) come last in both directions.
- **Filters**: a field holding null, an empty list or nothing at all does not exist
  (:class:`Exists` and an unbounded :class:`Range` leave it out; :class:`Not` keeps it).
  Keyword values are compared as given: use lowercase codes (Meilisearch folds case).
  Numbers are compared as 64-bit floats: integers beyond ±2**53 are refused.
- **Documents** come back as written, less the segmented fields (``searchable``) and the
  backend's own fields. Ids are 1–511 of ``A–Z a–z 0–9 - _`` (:func:`check_ids`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

FieldKind = Literal["keyword", "keywords", "int", "float", "bool"]
Document = dict[str, Any]

RANKED_WORDS = 10  # words a backend must rank by, at least (milli's words_limit)
# Meilisearch's rule for document ids (milli, documents/primary_key.rs:282-291 @ v1.50.0).
_DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-]{1,511}")
_LATIN = re.compile(r"[a-z]+")
EXACT_INTEGER = 2**53  # beyond this a 64-bit float (Meilisearch's numbers) loses integers


class SearchBackendError(Exception):
    """A backend failed; the message is fit for a person (zh-CN)."""


class SearchUnavailable(SearchBackendError):
    """The backend cannot be reached or is busy; the caller may retry later."""


class IndexMissing(SearchUnavailable):
    """The index is not there (never created, or its folder was deleted): create it again
    with ``ensure_index`` and fill it from the source."""


def typo_budget(word: str) -> int:
    """How many typos a query word may carry: 0, 1 (a Latin word of 5–8 letters) or 2 (9+).
    The same thresholds as Meilisearch's ``minWordSizeForTypos`` 5/9, counted in letters."""
    if not _LATIN.fullmatch(word) or len(word) < 5:
        return 0
    return 1 if len(word) < 9 else 2


def check_ids(documents: Iterable[Document]) -> None:
    """Refuse a document whose id no backend can store (see the module docstring)."""
    for doc in documents:
        doc_id = str(doc.get("id", ""))
        if not _DOCUMENT_ID.fullmatch(doc_id):
            raise SearchBackendError(
                f"文档编号 {doc_id[:40]!r} 无效：须为 1–511 个英文字母、数字、- 或 _"
            )


def check_number(value: float) -> None:
    """Refuse a number the backends would not compare alike (NaN, ±inf, integers past 2**53)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise SearchBackendError(f"数值 {value} 不是有限数，不能用于筛选")
    if isinstance(value, int) and not -EXACT_INTEGER <= value <= EXACT_INTEGER:
        raise SearchBackendError(f"整数 {value} 超出可精确比较的范围（±2^53）")


@dataclass(frozen=True)
class IndexSettings:
    """What an index holds. ``searchable`` are segmented text fields with their weights;
    ``fields`` are the filterable (and facetable) fields; ``sortable`` are int fields."""

    searchable: tuple[tuple[str, float], ...]
    fields: Mapping[str, FieldKind]
    sortable: tuple[str, ...] = ()
    version: int = 1

    def fingerprint(self) -> str:
        parts = [
            f"v{self.version}",
            ",".join(f"{n}:{w}" for n, w in self.searchable),
            ",".join(f"{n}:{k}" for n, k in sorted(self.fields.items())),
            ",".join(self.sortable),
        ]
        return "|".join(parts)


# --- filter expression tree -------------------------------------------------------------


@dataclass(frozen=True)
class Eq:
    field: str
    value: str | int | float | bool


@dataclass(frozen=True)
class AnyOf:
    """The field (or, for an array field, any of its values) is one of ``values``."""

    field: str
    values: tuple[str | int, ...]


@dataclass(frozen=True)
class Range:
    field: str
    gte: float | None = None
    lte: float | None = None
    gt: float | None = None
    lt: float | None = None


@dataclass(frozen=True)
class Exists:
    field: str


@dataclass(frozen=True)
class Not:
    """Everything the clause does not match, documents lacking the field included."""

    clause: Filter


@dataclass(frozen=True)
class And:
    clauses: tuple[Filter, ...]


@dataclass(frozen=True)
class Or:
    clauses: tuple[Filter, ...]


Filter = Eq | AnyOf | Range | Exists | Not | And | Or


def all_of(*clauses: Filter | None) -> Filter | None:
    """``And`` of the clauses that are not None; None when there are none."""
    present = tuple(c for c in clauses if c is not None)
    if not present:
        return None
    return present[0] if len(present) == 1 else And(present)


# --- requests and responses -------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    field: str
    descending: bool = False


@dataclass(frozen=True)
class SearchRequest:
    words: tuple[str, ...] = ()
    filter: Filter | None = None
    facets: tuple[str, ...] = ()
    sort: SortKey | None = None  # None: by relevance; ties and sorts break on seq ascending
    offset: int = 0
    limit: int = 20
    count: bool = True  # False: the total is not needed (the backend may skip counting)


@dataclass
class Hit:
    id: str
    score: float  # 0..1 relative to the query's best hit; non-increasing down the result
    document: Document


@dataclass
class SearchResponse:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


@runtime_checkable
class SearchBackend(Protocol):
    name: str

    def ensure_index(self, index: str, settings: IndexSettings) -> bool:
        """Create the index or bring its settings up to date; idempotent. True when the index
        was (re)created empty and must be filled again."""
        ...

    def upsert(self, index: str, documents: Sequence[Document]) -> None:
        """Add or replace documents by id. A document must never replace a newer version of
        itself: a backend that can compare versions as it writes does so (and leaves the
        stale one out); one that cannot relies on its caller to write from one process at a
        time, in order."""
        ...

    def delete(self, index: str, ids: Sequence[str]) -> None: ...

    def wait(self, index: str) -> None:
        """Return once every write made so far is visible to searches (read-your-writes)."""
        ...

    def get(self, index: str, doc_id: str) -> Document | None: ...

    def search(self, index: str, request: SearchRequest) -> SearchResponse: ...

    def rebuild(self, index: str, settings: IndexSettings, documents: Iterable[Document]) -> int:
        """Fill a shadow index and swap it in atomically; searches never see it half-built.
        Returns the number of documents indexed."""
        ...

    def versions(self, index: str) -> dict[str, int]:
        """Every document's id and version (for comparing the index with its source)."""
        ...

    def health(self) -> bool:
        """The backend answers searches."""
        ...

    def check_writable(self) -> None:
        """Return when a write made now would be taken; otherwise raise, saying why (zh-CN):
        :class:`IndexMissing` or :class:`SearchUnavailable` when an index is gone or the
        backend unreachable, :class:`SearchBackendError` when it cannot be written (a
        read-only index folder) or its last write failed."""
        ...
