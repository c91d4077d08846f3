"""Rows → search documents, and the settings of each index (versioned, in code).

Documents carry no contact details; an anonymous demand carries no organisation name.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from matching.search import IndexSettings
from matching.text import TextPipeline
from portal.clock import aware
from portal.models import Demand, Funding, Incubation, Organization, Platform, Solution, UseCase
from portal.reference.vocab import get_vocabularies

EntityType = Literal["solution", "demand", "use_case", "funding", "platform", "incubation"]
INDEX_NAMES: dict[EntityType, str] = {
    "solution": "solutions",
    "demand": "demands",
    "use_case": "use_cases",
    "funding": "funding",
    "platform": "platforms",
    "incubation": "incubation",
}
# The listing kinds of issue 16, whose documents one function writes.
PROGRAMME_TYPES: tuple[EntityType, ...] = ("funding", "platform", "incubation")
PILOT_CITIES = ("changsha", "zhuzhou", "xiangtan")

_TEXT: tuple[tuple[str, float], ...] = (("title_seg", 3.0), ("body_seg", 1.0))

INDEX_SETTINGS: dict[EntityType, IndexSettings] = {
    "solution": IndexSettings(
        searchable=_TEXT,
        fields={
            "industries": "keywords",
            "scenarios": "keywords",
            "capabilities": "keywords",
            "regions": "keywords",
            "org_kind": "keyword",
            "org_id": "int",
            "verified": "bool",
            "status": "keyword",
            "price_min": "float",
            "price_max": "float",
            "expires_day": "int",
            "updated_ts": "int",
        },
        sortable=("updated_ts",),
        version=4,  # 4: English titles and summaries (issue 18)
    ),
    "demand": IndexSettings(
        searchable=_TEXT,
        fields={
            "industry": "keyword",
            "scenarios": "keywords",
            "capabilities": "keywords",
            "must_have": "keywords",
            "city": "keyword",
            "zones": "keywords",
            "org_kind": "keyword",
            "org_id": "int",
            "status": "keyword",
            "budget_min": "float",
            "budget_max": "float",
            "deadline_day": "int",
            "updated_ts": "int",
        },
        sortable=("updated_ts", "deadline_day"),
        version=4,  # 4: English titles and summaries (issue 18)
    ),
    "use_case": IndexSettings(
        searchable=_TEXT,
        fields={
            "industry": "keyword",
            "scenarios": "keywords",
            "capabilities": "keywords",
            "city": "keyword",
            "zones": "keywords",
            "evidence": "keyword",
            "year": "int",
            "updated_ts": "int",
        },
        sortable=("updated_ts", "year"),
        version=2,  # 2: English words folded to the singular (issue 18)
    ),
    "funding": IndexSettings(
        searchable=_TEXT,
        fields={
            "industries": "keywords",
            "regions": "keywords",
            "org_kinds": "keywords",
            "stages": "keywords",
            "org_kind": "keyword",
            "org_id": "int",
            "verified": "bool",
            "status": "keyword",
            "amount_min": "float",
            "amount_max": "float",
            "expires_day": "int",
            "updated_ts": "int",
        },
        sortable=("updated_ts", "expires_day"),
        version=1,
    ),
    "platform": IndexSettings(
        searchable=_TEXT,
        fields={
            "platform_capabilities": "keywords",
            "regions": "keywords",
            "access": "keyword",
            "price_model": "keyword",
            "org_kind": "keyword",
            "org_id": "int",
            "verified": "bool",
            "status": "keyword",
            "expires_day": "int",
            "updated_ts": "int",
        },
        sortable=("updated_ts",),
        version=1,
    ),
    "incubation": IndexSettings(
        searchable=_TEXT,
        fields={
            "industries": "keywords",
            "regions": "keywords",
            "support": "keywords",
            "org_kind": "keyword",
            "org_id": "int",
            "verified": "bool",
            "status": "keyword",
            "expires_day": "int",
            "updated_ts": "int",
        },
        sortable=("updated_ts",),
        version=1,
    ),
}


def known_current_day(row: Solution | Demand) -> date:
    """The day a listing was last known current, for the freshness feature: its last change
    or its owner's "still current" (issue 14); a stale one counts as two years unconfirmed,
    so it ranks below its peers."""
    if row.stale_at is not None:
        return (aware(row.stale_at) - timedelta(days=730)).date()
    days = [aware(row.updated_at)] + ([aware(row.confirmed_at)] if row.confirmed_at else [])
    return max(days).date()


def day_number(value: date | None) -> int | None:
    return None if value is None else value.toordinal()


def timestamp(value: datetime) -> int:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp())


def zones_of(city: str, zone: str | None = None) -> list[str]:
    zones = [city] if city in PILOT_CITIES else []
    if zone and zone not in zones:
        zones.append(zone)
    return zones


def unique_words(words: list[str]) -> list[str]:
    return list(dict.fromkeys(words))


def _labels(codes: list[str], vocabulary: str) -> str:
    vocab = get_vocabularies()
    return " ".join(vocab.label(vocabulary, c) for c in codes)


def solution_document(
    pipeline: TextPipeline,
    row: Solution,
    org: Organization,
    track_record: dict[str, int] | None = None,
) -> dict[str, Any]:
    assert row.id is not None
    body = " ".join(
        [row.summary, row.summary_en, row.description, _labels(row.scenarios, "scenario")]
    )
    # The English title is searched as a title: "glaze" finds 釉面… by its English name.
    title_words = pipeline.document_tokens(f"{row.title} {row.title_en}")
    body_words = pipeline.document_tokens(body)
    return {
        "id": str(row.id),
        "seq": row.id,
        "version": row.version,
        "external_id": row.external_id,
        "title": row.title,
        "summary": row.summary,
        "title_en": row.title_en,
        "summary_en": row.summary_en,
        "title_seg": " ".join(title_words),
        "body_seg": " ".join(body_words),
        "terms": " ".join(unique_words(title_words + body_words)),
        "key_terms": " ".join(pipeline.query_tokens(f"{row.title} {row.summary}")),
        "preferences": row.preferences,
        "track_record": track_record or {},
        "updated_day": day_number(known_current_day(row)),
        "industries": row.industries,
        "scenarios": row.scenarios,
        "capabilities": row.capabilities,
        "regions": row.regions,
        "org_id": row.org_id,
        "org_name": org.name,
        "org_kind": org.kind,
        "verified": org.verified,
        "status": row.status,
        "price_min": row.price_min,
        "price_max": row.price_max,
        "expires_day": day_number(row.expires_on),
        "updated_ts": timestamp(row.updated_at),
    }


def demand_document(pipeline: TextPipeline, row: Demand, org: Organization) -> dict[str, Any]:
    assert row.id is not None
    title_words = pipeline.document_tokens(f"{row.title} {row.title_en}")
    body_words = pipeline.document_tokens(f"{row.description} {row.summary_en}")
    return {
        "id": str(row.id),
        "seq": row.id,
        "version": row.version,
        "external_id": row.external_id,
        "title": row.title,
        "summary": row.description[:120],
        "title_en": row.title_en,
        "summary_en": row.summary_en,
        "text": row.description,
        "title_seg": " ".join(title_words),
        "body_seg": " ".join(body_words),
        "terms": " ".join(unique_words(title_words + body_words)),
        "updated_day": day_number(known_current_day(row)),
        "industry": row.industry,
        "scenarios": row.scenarios,
        "capabilities": row.capabilities,
        "must_have": row.must_have,
        "city": row.city,
        "zones": zones_of(row.city, row.zone),
        "org_id": row.org_id,
        "org_name": None if row.anonymous else org.name,
        "org_kind": org.kind,
        "status": row.status,
        "budget_min": row.budget_min,
        "budget_max": row.budget_max,
        "deadline_day": day_number(row.deadline),
        "updated_ts": timestamp(row.updated_at),
    }


def use_case_document(pipeline: TextPipeline, row: UseCase) -> dict[str, Any]:
    assert row.id is not None
    body = " ".join([row.summary, row.benefits or "", row.enterprise, " ".join(row.providers)])
    return {
        "id": str(row.id),
        "seq": row.id,
        "version": row.version,
        "external_id": row.external_id,
        "title": row.title,
        "summary": row.summary,
        "title_seg": pipeline.segment_document(row.title),
        "body_seg": pipeline.segment_document(body),
        "industry": row.industry,
        "scenarios": row.scenarios,
        "capabilities": row.capabilities,
        "city": row.city,
        "zones": zones_of(row.city),
        "evidence": row.evidence,
        "year": row.year,
        "updated_ts": timestamp(row.updated_at),
    }


def _or_all(codes: list[str], vocabulary: str) -> list[str]:
    """An empty list means "any": indexed as every code, so that a filter on one code and
    its facet count find the listings open to all."""
    return codes or get_vocabularies().codes(vocabulary)


def programme_document(
    pipeline: TextPipeline,
    entity: EntityType,
    row: Funding | Platform | Incubation,
    org: Organization,
) -> dict[str, Any]:
    """A funding call, a platform or an incubation cohort. ``expires_day`` is the day after
    which it no longer shows: the application deadline, the platform's expiry, the cohort's end."""
    assert row.id is not None
    title_words = pipeline.document_tokens(row.title)
    body_words = pipeline.document_tokens(f"{row.summary} {row.description}")
    doc: dict[str, Any] = {
        "id": str(row.id),
        "seq": row.id,
        "version": row.version,
        "external_id": row.external_id,
        "title": row.title,
        "summary": row.summary,
        "title_seg": " ".join(title_words),
        "body_seg": " ".join(body_words),
        "regions": row.regions,
        "org_id": row.org_id,
        "org_name": org.name,
        "org_kind": org.kind,
        "verified": org.verified,
        "status": row.status,
        "updated_ts": timestamp(row.updated_at),
    }
    if isinstance(row, Funding):
        doc.update(
            industries=_or_all(row.industries, "industry"),
            org_kinds=_or_all(row.org_kinds, "org_kind"),
            stages=_or_all(row.stages, "funding_stage"),
            amount_min=row.amount_min,
            amount_max=row.amount_max,
            expires_day=day_number(row.deadline),
            deadline=row.deadline.isoformat() if row.deadline else None,
        )
    elif isinstance(row, Platform):
        doc.update(
            platform_capabilities=row.platform_capabilities,
            access=row.access,
            price_model=row.price_model,
            expires_day=day_number(row.expires_on),
        )
    else:
        doc.update(
            industries=_or_all(row.industries, "industry"),
            support=row.support,
            starts_on=row.starts_on.isoformat() if row.starts_on else None,
            expires_day=day_number(row.ends_on),
        )
    return doc
