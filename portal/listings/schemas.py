"""Types shared by the solution and demand models of the JSON API and the forms."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints

from portal.imports.schemas import ExternalId, Money, Preferences
from portal.inputs import MultiLine, SingleLine, VisibleLine

__all__ = [
    "Codes",
    "ExternalId",
    "IsoDate",
    "LongText",
    "Money",
    "Preferences",
    "ShortText",
    "Title",
]

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), VisibleLine
]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500), SingleLine]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000), MultiLine]
Codes = Annotated[list[str], Field(max_length=50)]


def _iso_date(value: Any) -> Any:
    """A date is an ISO string (``2027-06-30``) or a date; never a number."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("日期格式应为 YYYY-MM-DD") from None
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date)]
