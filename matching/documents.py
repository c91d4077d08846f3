"""The documents the matching engine reads: a demand and a solution, as plain data.

``portal`` builds them from database rows; the engine also rebuilds them from what the
search backend stores (:func:`solution_from_index`, :func:`demand_from_index`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Preferences:
    """What a vendor prefers to take on: industries, regions, a minimum project size (万元)."""

    industries: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    min_budget: float | None = None


@dataclass(frozen=True)
class DemandDoc:
    id: str
    title: str
    text: str  # title and description, as written
    industry: str
    city: str
    scenarios: tuple[str, ...] = ()
    capabilities: tuple[str, ...] = ()
    must_have: tuple[str, ...] = ()
    zone: str | None = None
    budget_min: float | None = None
    budget_max: float | None = None
    deadline: date | None = None
    updated: date | None = None
    external_id: str = ""
    terms: tuple[
        str, ...
    ] = ()  # the text's words (matching.text), filled by the caller or the engine


@dataclass(frozen=True)
class SolutionDoc:
    id: str
    title: str
    industries: tuple[str, ...]
    scenarios: tuple[str, ...]
    capabilities: tuple[str, ...]
    regions: tuple[str, ...]
    price_min: float | None = None
    price_max: float | None = None
    preferences: Preferences = field(default_factory=Preferences)
    verified: bool = False
    updated: date | None = None
    external_id: str = ""
    org_id: int | None = None
    summary: str = ""
    terms: tuple[str, ...] = ()  # words of title, summary and description
    key_terms: tuple[str, ...] = ()  # words of title and summary
    track_record: Mapping[str, int] = field(default_factory=dict)  # industry → benchmark cases


def _words(value: Any) -> tuple[str, ...]:
    """Word lists are stored as one space-separated string (cheaper to decode)."""
    if not value:
        return ()
    return tuple(value.split()) if isinstance(value, str) else tuple(value)


def _day(value: Any) -> date | None:
    return date.fromordinal(int(value)) if value else None


def solution_from_index(doc: Mapping[str, Any]) -> SolutionDoc:
    prefs = doc.get("preferences") or {}
    return SolutionDoc(
        id=str(doc["id"]),
        external_id=doc.get("external_id", ""),
        title=doc.get("title", ""),
        summary=doc.get("summary", ""),
        industries=tuple(doc.get("industries") or ()),
        scenarios=tuple(doc.get("scenarios") or ()),
        capabilities=tuple(doc.get("capabilities") or ()),
        regions=tuple(doc.get("regions") or ()),
        price_min=doc.get("price_min"),
        price_max=doc.get("price_max"),
        preferences=Preferences(
            industries=tuple(prefs.get("industries") or ()),
            regions=tuple(prefs.get("regions") or ()),
            min_budget=prefs.get("min_budget"),
        ),
        verified=bool(doc.get("verified")),
        updated=_day(doc.get("updated_day")),
        org_id=doc.get("org_id"),
        terms=_words(doc.get("terms")),
        key_terms=_words(doc.get("key_terms")),
        track_record=dict(doc.get("track_record") or {}),
    )


def demand_from_index(doc: Mapping[str, Any]) -> DemandDoc:
    return DemandDoc(
        id=str(doc["id"]),
        external_id=doc.get("external_id", ""),
        title=doc.get("title", ""),
        text=doc.get("text", doc.get("title", "")),
        industry=doc.get("industry", ""),
        city=doc.get("city", ""),
        scenarios=tuple(doc.get("scenarios") or ()),
        capabilities=tuple(doc.get("capabilities") or ()),
        must_have=tuple(doc.get("must_have") or ()),
        zone=next((z for z in doc.get("zones") or () if z != doc.get("city")), None),
        budget_min=doc.get("budget_min"),
        budget_max=doc.get("budget_max"),
        deadline=_day(doc.get("deadline_day")),
        updated=_day(doc.get("updated_day")),
        terms=_words(doc.get("terms")),
    )
