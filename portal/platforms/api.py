"""Platforms in the JSON API: the listing API of :data:`portal.platforms.kind.PLATFORM`."""

from portal.listings.api import routes
from portal.platforms.kind import PLATFORM

router = routes(PLATFORM)
