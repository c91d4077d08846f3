"""A kind of listing: what differs between solutions and demands, stated once.

Everything a listing has in common — the lifecycle (draft → pending → published or rejected
→ retired), validation, the service, the pages, the JSON API, moderation and import — is
written once in :mod:`portal.listings` and serves every kind. A kind declares the rest: its
table and schemas, its vocabulary rules, who posts it, how it retires and expires, how its
form reads, and its templates. The declarations are in ``portal/<kind>s/kind.py``; the
registry in :mod:`portal.listings.registry`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel

Values = dict[str, Any]


@dataclass(frozen=True)
class FormSpec:
    """How a kind's form reads: the inputs by type, and how they become the fields."""

    texts: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()  # checkbox groups
    numbers: tuple[str, ...] = ()  # money in 万元
    dates: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()  # checkboxes of one value
    # An input left empty: a kinder word than the type error ("请选择所属行业").
    required: Mapping[str, str] = field(default_factory=dict)
    # The fields from the inputs as read (typed); by default the inputs of the same name.
    to_values: Callable[[Values], Values] | None = None
    # A field whose input has another name (``preferences.regions`` → ``pref_regions``).
    inputs: Mapping[str, str] = field(default_factory=dict)
    # The inputs of a stored listing, for its edit form.
    from_row: Callable[[Any], Values] = lambda row: {}


@dataclass(frozen=True, eq=False)
class ListingKind:
    name: str  # import type, outbox and audit entity, route names: "solution"
    plural: str  # URL segment: "solutions"
    label: str  # 解决方案
    model: type[Any]
    fields: type[BaseModel]  # what an owner writes: the import format's fields
    create_schema: type[BaseModel]  # POST /api/v1/<plural>
    update_schema: type[BaseModel]  # PATCH /api/v1/<plural>/{id}
    public_schema: type[BaseModel]  # what the JSON API answers
    id_prefix: str  # of generated external ids: "sol"
    retired: str  # the status an owner retires it to: "archived"
    retire_verb: str  # route segment and name: "archive" → /solutions/{id}/archive
    retire_label: str  # 下架
    retired_at: str  # the column stamped on retirement: "archived_at"
    expiry: str  # the date after which a published listing is expired: "expires_on"
    # Vocabulary, range and date rules: {field: message}; ``today`` None for an import,
    # which may carry history.
    rules: Callable[[Values, date | None], dict[str, str]]
    form: FormSpec
    # Columns of the row from validated fields (defaults: the fields as they are) …
    to_columns: Callable[[BaseModel], Values] = lambda fields: fields.model_dump()
    # … and the fields of a row from its columns, where they differ (default: the same).
    row_values: Callable[[Any, Values], Values] | None = None
    # Whether a published listing stays readable after it expired (marked expired).
    readable_after_expiry: bool = False
    # Whether a listing may hide its organisation from the public (``row.anonymous``).
    anonymous: bool = False
    # Extra context of the detail page, for its owners and officials (the demand's matches).
    private_context: Callable[..., Values] | None = None
    texts: Mapping[str, str] = field(default_factory=dict)  # headings the pages use

    @property
    def statuses(self) -> tuple[str, ...]:
        return ("draft", "pending", "published", "rejected", self.retired)

    @property
    def id_param(self) -> str:
        return f"{self.name}_id"

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(self.fields.model_fields)

    def text(self, key: str) -> str:
        return self.texts.get(key, "")

    def __repr__(self) -> str:
        return f"ListingKind({self.name!r})"
