"""Demands in the JSON API: the listing API of :data:`portal.demands.kind.DEMAND` (an
anonymous demand is read without its organisation)."""

from portal.demands.kind import DEMAND
from portal.listings.api import routes

router = routes(DEMAND)
