"""Solutions in the JSON API: the listing API of :data:`portal.solutions.kind.SOLUTION`."""

from portal.listings.api import routes
from portal.solutions.kind import SOLUTION

router = routes(SOLUTION)
