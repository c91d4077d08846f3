"""Incubation in the JSON API: the listing API of :data:`portal.incubation.kind.INCUBATION`."""

from portal.incubation.kind import INCUBATION
from portal.listings.api import routes

router = routes(INCUBATION)
