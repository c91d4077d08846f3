"""The kinds of listing the portal has, by name (the import type, the outbox entity)."""

from __future__ import annotations

from portal.demands.kind import DEMAND
from portal.listings.kinds import ListingKind
from portal.solutions.kind import SOLUTION

KINDS: dict[str, ListingKind] = {kind.name: kind for kind in (SOLUTION, DEMAND)}

__all__ = ["DEMAND", "KINDS", "SOLUTION", "ListingKind"]
