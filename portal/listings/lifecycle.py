"""The lifecycle of a listing (solution or demand).

draft → pending (submitted for review) → published or rejected (with the reason);
a solution is then archived by its owner, a demand closed; a published demand whose
deadline has passed is expired. Expiry is computed where it is read (pages, the search
filter and the matching gates all compare the deadline with today), so no job has to
run for a demand to expire by itself.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from portal.models import Demand, Solution

ListingKind = Literal["solution", "demand"]

SOLUTION_STATUSES = ("draft", "pending", "published", "rejected", "archived")
DEMAND_STATUSES = ("draft", "pending", "published", "rejected", "closed")
STATUS_LABELS = {
    "draft": "草稿",
    "pending": "待审核",
    "published": "已发布",
    "rejected": "已驳回",
    "archived": "已下架",
    "closed": "已关闭",
    "expired": "已过期",
}
KIND_LABELS = {"solution": "解决方案", "demand": "需求"}


def solution_status(row: Solution, today: date) -> str:
    if row.status == "published" and row.expires_on is not None and row.expires_on < today:
        return "expired"
    return row.status


def demand_status(row: Demand, today: date) -> str:
    if row.status == "published" and row.deadline is not None and row.deadline < today:
        return "expired"
    return row.status


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
