"""Types shared by the listing kinds' models: the forms, the JSON API and the import format."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from portal.inputs import MultiLine, SingleLine, VisibleLine
from portal.kit.translate import date_reason

__all__ = [
    "Codes",
    "ExternalId",
    "IsoDate",
    "ListingText",
    "ListingTextPublic",
    "ListingTextUpdate",
    "LongText",
    "Money",
    "Preferences",
    "ShortText",
    "Title",
]

ExternalId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=r"^\S+$"),
    SingleLine,
]
Money = Annotated[float, Field(ge=0, le=10_000_000)]


class Preferences(BaseModel):
    """A vendor's preferences: the industries and regions it wants, its smallest project."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    industries: list[str] = []
    regions: list[str] = []
    min_budget: Money | None = None


Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), VisibleLine
]
EnglishTitle = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), SingleLine]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SingleLine]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), MultiLine]
Codes = Annotated[list[str], Field(max_length=50)]


def _iso_date(value: Any) -> Any:
    """A date is an ISO string (``2027-06-30``) or a date; never a number."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(date_reason(value)) from None
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class ListingText(BaseModel):
    """What every kind of listing says of itself. A field added here is in every kind's
    forms (:mod:`portal.listings.forms` reads these inputs for every kind), JSON API and
    import format; its column goes on each kind's table."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    title: Title
    description: LongText = ""
    # Optional English title and summary (issue 18): shown in English, found by search.
    title_en: EnglishTitle = ""
    summary_en: ShortText = ""


class ListingTextUpdate(BaseModel):
    """The same, for a PATCH: only the fields sent change."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    title: Title | None = None
    description: LongText | None = None
    title_en: EnglishTitle | None = None
    summary_en: ShortText | None = None


class ListingTextPublic(BaseModel):
    title: str
    description: str
    title_en: str = ""
    summary_en: str = ""
