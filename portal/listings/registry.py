"""The kinds of listing the portal has, by name (the import type, the outbox entity)."""

from __future__ import annotations

from portal.demands.kind import DEMAND
from portal.funding.kind import FUNDING
from portal.incubation.kind import INCUBATION
from portal.listings.kinds import ListingKind
from portal.platforms.kind import PLATFORM
from portal.solutions.kind import SOLUTION

KINDS: dict[str, ListingKind] = {
    kind.name: kind for kind in (SOLUTION, DEMAND, FUNDING, PLATFORM, INCUBATION)
}

__all__ = ["DEMAND", "FUNDING", "INCUBATION", "KINDS", "PLATFORM", "SOLUTION", "ListingKind"]
