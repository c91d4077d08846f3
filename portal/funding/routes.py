"""Pages of :data:`portal.funding.kind.FUNDING`: the listing pages of every kind."""

from portal.funding.kind import FUNDING
from portal.listings.routes import pages

router = pages(FUNDING)
