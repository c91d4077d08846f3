"""Solution pages: the listing pages of :data:`portal.solutions.kind.SOLUTION`."""

from portal.listings.routes import pages
from portal.solutions.kind import SOLUTION

router = pages(SOLUTION)
