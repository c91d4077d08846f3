"""Records of the JSON Lines import format (DESIGN.md, "Import format").

Types are strict: ``false`` is not 0 and ``"12"`` is not a number. Text is checked by
:func:`portal.inputs.text_error` (no control or bidirectional-override characters, titles
and names on one line with something visible). Vocabulary codes, money ranges, dates and
references are checked by the service, which knows the database.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from portal.demands.schemas import DemandFields
from portal.funding.schemas import FundingFields
from portal.incubation.schemas import IncubationFields
from portal.inputs import MultiLine, SingleLine, VisibleLine, VisibleText
from portal.listings.schemas import ExternalId
from portal.platforms.schemas import PlatformFields
from portal.solutions.schemas import SolutionFields

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), VisibleLine]
OptionalText = Annotated[str, StringConstraints(strip_whitespace=True), SingleLine] | None
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), VisibleLine
]
Prose = Annotated[str, MultiLine]


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    external_id: ExternalId


class OrganizationRecord(Record):
    type: Literal["organization"]
    name: Name
    kind: str
    city: str
    credit_code: OptionalText = None
    website: OptionalText = None
    description: Prose = ""
    verified: bool = False
    # The contact person, disclosed only to the other side of an accepted introduction.
    contact_name: OptionalText = None
    contact_phone: OptionalText = None
    contact_email: OptionalText = None


class SolutionRecord(Record, SolutionFields):
    """A solution: the fields its owner writes (one model for forms, API and import)."""

    type: Literal["solution"]
    org: ExternalId
    status: Literal["draft", "pending", "published", "rejected", "archived"] = "published"


class DemandRecord(Record, DemandFields):
    """A demand: the fields its owner writes (one model for forms, API and import)."""

    type: Literal["demand"]
    org: ExternalId
    status: Literal["draft", "pending", "published", "rejected", "closed", "expired"] = "published"


ProgrammeStatus = Literal["draft", "pending", "published", "rejected", "closed"]


class FundingRecord(Record, FundingFields):
    """A funding call (资金扶持): the fields its owner writes."""

    type: Literal["funding"]
    org: ExternalId
    status: ProgrammeStatus = "published"


class PlatformRecord(Record, PlatformFields):
    """A shared technology platform (共性技术平台): the fields its operator writes."""

    type: Literal["platform"]
    org: ExternalId
    status: ProgrammeStatus = "published"


class IncubationRecord(Record, IncubationFields):
    """An incubation cohort (应用孵化): the fields its incubator or park writes."""

    type: Literal["incubation"]
    org: ExternalId
    status: ProgrammeStatus = "published"


class UseCaseRecord(Record):
    type: Literal["use_case"]
    title: Name
    summary: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1), VisibleText]
    industry: str
    scenarios: list[str] = []
    capabilities: list[str] = []
    city: str
    enterprise: Text
    providers: list[Text] = []
    network_type: OptionalText = None
    year: Annotated[int, Field(ge=2015, le=2100)] | None = None
    benefits: Annotated[str, StringConstraints(strip_whitespace=True), MultiLine] | None = None
    source: OptionalText = None
    evidence: Literal["self_reported", "operator_verified", "third_party_measured"] = (
        "self_reported"
    )


class NetworkRecord(Record):
    type: Literal["network"]
    name: Text
    enterprise: Text  # an organisation's external_id, or the enterprise's name
    operator: str
    industry: str
    city: str
    zone: str | None = None
    mode: Literal["virtual", "hybrid", "independent"]
    status: Literal["planned", "building", "in_service", "retired"]
    commissioned_on: date | None = None
    demand: ExternalId | None = None


class IndicatorValueRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    type: Literal["indicator_value"]
    indicator: Text
    year: Annotated[int, Field(ge=2000, le=2100)]
    value: float
    source: OptionalText = None
    as_of: date | None = None  # when the figure was published
    next_update: date | None = None  # when the next one is expected


ImportRecord = Annotated[
    OrganizationRecord
    | SolutionRecord
    | DemandRecord
    | UseCaseRecord
    | NetworkRecord
    | IndicatorValueRecord
    | FundingRecord
    | PlatformRecord
    | IncubationRecord,
    Field(discriminator="type"),
]

# The order records are applied in, so references resolve whatever the order of the file.
APPLY_ORDER = [
    "organization",
    "solution",
    "demand",
    "use_case",
    "network",
    "indicator_value",
    "funding",
    "platform",
    "incubation",
]
