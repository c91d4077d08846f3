"""Pages of :data:`portal.incubation.kind.INCUBATION`: the listing pages of every kind."""

from portal.incubation.kind import INCUBATION
from portal.listings.routes import pages

router = pages(INCUBATION)
