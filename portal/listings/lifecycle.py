"""The lifecycle of a listing, the same for every kind.

draft → pending (submitted for review) → published or rejected (with the reason); the
owner then retires it (a solution is archived, a demand closed); a published listing whose
expiry date (a solution's ``expires_on``, a demand's deadline) has passed is expired.
Expiry is computed where it is read (pages, the search filter and the matching gates all
compare the date with today), so no job has to run for a listing to expire by itself.
"""

from __future__ import annotations

from datetime import date

from portal.kit.i18n import N_
from portal.models import Demand, Solution

SOLUTION_STATUSES = ("draft", "pending", "published", "rejected", "archived")
DEMAND_STATUSES = ("draft", "pending", "published", "rejected", "closed")
STATUS_LABELS = {
    "draft": N_("草稿"),
    "pending": N_("待审核"),
    "published": N_("已发布"),
    "rejected": N_("已驳回"),
    "archived": N_("已下架"),
    "closed": N_("已关闭"),
    "expired": N_("已过期"),
}


def listing_status(status: str, expires: date | None, today: date) -> str:
    """The status a person sees: a published listing past its expiry date is expired."""
    if status == "published" and expires is not None and expires < today:
        return "expired"
    return status


def solution_status(row: Solution, today: date) -> str:
    return listing_status(row.status, row.expires_on, today)


def demand_status(row: Demand, today: date) -> str:
    return listing_status(row.status, row.deadline, today)


def is_public_solution(row: Solution, today: date) -> bool:
    return solution_status(row, today) == "published"


def is_public_demand(row: Demand) -> bool:
    """A published demand stays readable after its deadline, marked expired."""
    return row.status == "published"


def next_status(current: str, wanted: str | None, *, changed: bool) -> str:
    """The status after an owner's edit: ``wanted`` is ``draft``, ``pending`` (submit for
    review) or None (keep). A changed published listing goes back for review; submitting
    an unchanged published one leaves it published."""
    if wanted is None:
        return "pending" if changed and current == "published" else current
    if wanted == "pending" and current == "published" and not changed:
        return "published"
    return wanted
