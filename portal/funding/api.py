"""Funding in the JSON API: the listing API of :data:`portal.funding.kind.FUNDING`."""

from portal.funding.kind import FUNDING
from portal.listings.api import routes

router = routes(FUNDING)
