"""Saved searches ("保存搜索并提醒我"): a user keeps a search of solutions or demands, and
each newly published listing that meets it raises ``saved_search_match``.

A new listing is checked against every active saved search of its type at once, without
asking the search backend 10,000 times: the listing is turned into its search document
(the same function that indexes it), and each saved search's filter — the very
:func:`portal.search.service.build_filter` of the search page — is evaluated on that one
document in memory; its words (cut once, when it was saved) must meet the document's
words as the search's do (any of them, exact words: the typo tolerance of the search
backend is not reproduced).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, select

from matching.search import And, AnyOf, Eq, Exists, Filter, Not, Or, Range
from matching.text import TextPipeline
from portal.clock import local_today
from portal.kit.errors import FieldErrors, NotFound
from portal.kit.i18n import N_, _
from portal.listings.search_pages import FACET_VOCAB, filter_names
from portal.models import Demand, Membership, Organization, SavedSearch, Solution
from portal.notifications.service import notify
from portal.reference.vocab import get_vocabularies
from portal.search.documents import demand_document, solution_document
from portal.search.service import SearchQuery, build_filter

TYPES = {"solution": N_("解决方案"), "demand": N_("需求")}
PER_USER = 50
NAME_MAX = 100


# --- keeping searches --------------------------------------------------------------------


def _clean(
    type_: str, q: str, filters: Mapping[str, Any], name: str | None
) -> tuple[str, dict[str, str], str]:
    errors: dict[str, str] = {}
    if type_ not in TYPES:
        raise FieldErrors({"type": _("只能保存解决方案或需求的搜索")})
    q = (q or "").strip()
    if len(q) > 200:
        errors["q"] = _("关键词不能超过 200 个字")
    vocab = get_vocabularies()
    allowed = filter_names(type_)  # type: ignore[arg-type]
    clean: dict[str, str] = {}
    for key, value in filters.items():
        if key not in allowed:
            errors[f"filters.{key}"] = _("不支持的筛选条件：{key}（可用：{value}）").format(
                key=key, value="、".join(allowed)
            )
        elif not isinstance(value, str) or not value:
            continue
        elif not vocab.has(FACET_VOCAB[key][0], value):
            errors[f"filters.{key}"] = _("未知的{value}代码：{value2}").format(
                value=FACET_VOCAB[key][1], value2=value
            )
        else:
            clean[key] = value
    name = (name or "").strip()
    if len(name) > NAME_MAX:
        errors["name"] = _("名称不能超过 {NAME_MAX} 个字").format(NAME_MAX=NAME_MAX)
    if errors:
        raise FieldErrors(errors)
    return q, clean, name or describe(type_, q, clean)


def describe(type_: str, q: str, filters: Mapping[str, str]) -> str:
    """A name a person reads: 需求 · 陶瓷 · 株洲 · “质检”."""
    vocab = get_vocabularies()
    parts = [TYPES[type_]]
    parts += [vocab.label(FACET_VOCAB[k][0], v) for k, v in filters.items()]
    if q:
        parts.append(f"“{q}”")
    return " · ".join(parts)[:NAME_MAX]


def create(
    session: Session,
    pipeline: TextPipeline,
    *,
    user_id: int,
    type: str,
    q: str = "",
    filters: Mapping[str, Any] | None = None,
    name: str | None = None,
    now: datetime,
) -> SavedSearch:
    q, clean, name = _clean(type, q, filters or {}, name)
    count = session.exec(
        select(func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user_id)
    ).one()
    if count >= PER_USER:
        raise FieldErrors(
            {
                "type": _("每个账号最多保存 {PER_USER} 个搜索，请先删除不再需要的").format(
                    PER_USER=PER_USER
                )
            }
        )
    row = SavedSearch(
        user_id=user_id,
        type=type,
        name=name,
        q=q,
        filters=clean,
        words=pipeline.search_words(q) if q else [],
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def of_user(session: Session, user_id: int) -> list[SavedSearch]:
    return list(
        session.exec(
            select(SavedSearch)
            .where(SavedSearch.user_id == user_id)
            .order_by(col(SavedSearch.created_at).desc(), col(SavedSearch.id).desc())
        )
    )


def get_own(session: Session, *, user_id: int, search_id: int) -> SavedSearch:
    row = session.get(SavedSearch, search_id)
    if row is None or row.user_id != user_id:
        raise NotFound(_("找不到该保存的搜索"))
    return row


def change(
    session: Session,
    *,
    user_id: int,
    search_id: int,
    name: str | None = None,
    paused: bool | None = None,
) -> SavedSearch:
    row = get_own(session, user_id=user_id, search_id=search_id)
    if name is not None:
        name = name.strip()
        if not name:
            raise FieldErrors({"name": _("请填写名称")})
        if len(name) > NAME_MAX:
            raise FieldErrors({"name": _("名称不能超过 {NAME_MAX} 个字").format(NAME_MAX=NAME_MAX)})
        row.name = name
    if paused is not None:
        row.paused = paused
    session.add(row)
    session.flush()
    return row


def delete(session: Session, *, user_id: int, search_id: int) -> None:
    session.delete(get_own(session, user_id=user_id, search_id=search_id))
    session.flush()


def search_url(row: SavedSearch) -> str:
    from urllib.parse import urlencode

    params = {**({"q": row.q} if row.q else {}), **row.filters}
    return f"/{row.type}s" + (f"?{urlencode(params)}" if params else "")


# --- meeting a new listing ----------------------------------------------------------------


def holds(clause: Filter | None, doc: Mapping[str, Any]) -> bool:
    """Whether the search document ``doc`` meets the filter, as the search backends judge."""
    if clause is None:
        return True
    if isinstance(clause, And):
        return all(holds(c, doc) for c in clause.clauses)
    if isinstance(clause, Or):
        return any(holds(c, doc) for c in clause.clauses)
    if isinstance(clause, Not):
        return not holds(clause.clause, doc)
    value = doc.get(clause.field)
    values = value if isinstance(value, list) else ([] if value is None else [value])
    if isinstance(clause, Exists):
        return bool(values)
    if isinstance(clause, Eq):
        return clause.value in values
    if isinstance(clause, AnyOf):
        return any(v in clause.values for v in values)
    if isinstance(clause, Range):
        return any(
            (clause.gte is None or v >= clause.gte)
            and (clause.lte is None or v <= clause.lte)
            and (clause.gt is None or v > clause.gt)
            and (clause.lt is None or v < clause.lt)
            for v in values
        )
    raise TypeError(clause)  # pragma: no cover - the Filter union is closed


def document_of(
    pipeline: TextPipeline, kind: str, row: Solution | Demand, org: Organization
) -> dict[str, Any]:
    if kind == "solution":
        assert isinstance(row, Solution)
        return solution_document(pipeline, row, org)
    assert isinstance(row, Demand)
    return demand_document(pipeline, row, org)


@dataclass(frozen=True)
class Rule:
    """What checking a listing needs of a saved search, read as plain columns (10,000 ORM
    objects cost most of a second; these, a fifth)."""

    id: int
    user_id: int
    name: str
    filters: dict[str, str]
    words: list[str]


class _Checkable(Protocol):
    @property
    def filters(self) -> dict[str, str]: ...
    @property
    def words(self) -> list[str]: ...


S = TypeVar("S", bound=_Checkable)


def meeting(searches: Sequence[S], kind: str, doc: Mapping[str, Any], *, today: date) -> list[S]:
    """The saved searches among ``searches`` that the listing's document meets."""
    words = set(str(doc.get("title_seg", "")).split()) | set(str(doc.get("body_seg", "")).split())
    met: list[S] = []
    filters: dict[tuple[tuple[str, str], ...], bool] = {}  # many searches share filters
    for search in searches:
        if search.words and words.isdisjoint(search.words):
            continue
        key = tuple(sorted(search.filters.items()))
        if key not in filters:
            query = SearchQuery(type=kind, today=today, **dict(key))  # type: ignore[arg-type]
            filters[key] = holds(build_filter(query), doc)
        if filters[key]:
            met.append(search)
    return met


def active(session: Session, kind: str) -> list[Rule]:
    """The saved searches of ``kind`` that are not paused."""
    rows = session.execute(
        sa_select(
            col(SavedSearch.id),
            col(SavedSearch.user_id),
            col(SavedSearch.name),
            col(SavedSearch.filters),
            col(SavedSearch.words),
        ).where(col(SavedSearch.type) == kind, col(SavedSearch.paused).is_(False))
    )
    return [Rule(*row) for row in rows]


def alert(
    session: Session,
    pipeline: TextPipeline,
    *,
    kind: str,
    row: Solution | Demand,
    now: datetime,
) -> int:
    """Raise ``saved_search_match`` for every saved search a newly published listing meets
    (not the listing's own organisation's members); returns how many were raised."""
    org = session.get(Organization, row.org_id)
    assert org is not None and row.id is not None
    doc = document_of(pipeline, kind, row, org)
    own = set(session.exec(select(Membership.user_id).where(Membership.org_id == row.org_id)))
    raised = 0
    for search in meeting(active(session, kind), kind, doc, today=local_today(now)):
        if search.user_id in own:
            continue
        written = notify(
            session,
            kind="saved_search_match",
            user_ids=[search.user_id],
            subject=_("“{name}”有新的{value}：{title}").format(
                name=search.name, value=TYPES[kind], title=row.title
            ),
            body=_("它符合您保存的搜索“{name}”。可在“保存的搜索”页面暂停或删除此提醒。").format(
                name=search.name
            ),
            link=f"/{kind}s/{row.id}",
            dedupe_key=f"saved_search:{search.id}:{kind}:{row.id}",
            now=now,
        )
        raised += len(written)
    return raised
