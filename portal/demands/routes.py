"""Demand pages: the listing pages of :data:`portal.demands.kind.DEMAND`; its owners and
officials see its ranked matches on its page."""

from portal.demands.kind import DEMAND
from portal.listings.routes import pages

router = pages(DEMAND)
