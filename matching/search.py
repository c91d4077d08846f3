"""The search-backend protocol and the types it speaks.

A backend stores documents (dicts with a string ``id``, an integer ``seq`` used as the
tie-break of every sort, and an integer ``version``) in named indexes, and answers
searches made of already-segmented words (see :mod:`matching.text`), a filter expression
tree it compiles itself, facets, one sort key and a page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

FieldKind = Literal["keyword", "keywords", "int", "float", "bool"]
Document = dict[str, Any]


class SearchBackendError(Exception):
    """A backend failed; the message is fit for a person (zh-CN)."""


class SearchUnavailable(SearchBackendError):
    """The backend cannot be reached or is busy; the caller may retry later."""


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
    score: float  # 0..1, non-increasing down a relevance-ordered result
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
        """Add or replace documents by id."""
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

    def health(self) -> bool: ...
