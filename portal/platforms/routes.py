"""Pages of :data:`portal.platforms.kind.PLATFORM`: the listing pages of every kind."""

from portal.listings.routes import pages
from portal.platforms.kind import PLATFORM

router = pages(PLATFORM)
