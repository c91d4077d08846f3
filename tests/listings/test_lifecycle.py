"""portal.listings.lifecycle on its own: the status after an owner's edit, and expiry."""

from __future__ import annotations

from datetime import date, timedelta
from itertools import product

from portal.listings.lifecycle import (
    DEMAND_STATUSES,
    SOLUTION_STATUSES,
    STATUS_LABELS,
    demand_status,
    is_public_demand,
    is_public_solution,
    next_status,
    solution_status,
)
from portal.models import Demand, Solution


def _solution(status: str, expires_on: date | None) -> Solution:
    return Solution(
        external_id="sol-x", org_id=1, title="方案", status=status, expires_on=expires_on
    )


def _demand(status: str, deadline: date | None) -> Demand:
    return Demand(
        external_id="dem-x",
        org_id=1,
        title="需求",
        industry="ceramics",
        city="zhuzhou",
        status=status,
        deadline=deadline,
    )


TODAY = date(2026, 3, 15)
YESTERDAY = TODAY - timedelta(days=1)
TOMORROW = TODAY + timedelta(days=1)

CURRENT = ("draft", "pending", "published", "rejected", "archived", "closed")
WANTED = (None, "draft", "pending")

# current, wanted, changed → the status after the edit. The form always sends draft or
# pending; the API sends None when only fields change.
NEXT_STATUS = {
    ("draft", None, False): "draft",
    ("draft", None, True): "draft",
    ("draft", "draft", False): "draft",
    ("draft", "draft", True): "draft",
    ("draft", "pending", False): "pending",
    ("draft", "pending", True): "pending",
    ("pending", None, False): "pending",
    ("pending", None, True): "pending",
    ("pending", "draft", False): "draft",
    ("pending", "draft", True): "draft",
    ("pending", "pending", False): "pending",
    ("pending", "pending", True): "pending",
    # Officials vouch for what is public: a change goes back for review, a resubmission
    # of the same content does not.
    ("published", None, False): "published",
    ("published", None, True): "pending",
    ("published", "draft", False): "draft",
    ("published", "draft", True): "draft",
    ("published", "pending", False): "published",
    ("published", "pending", True): "pending",
    # A rejected listing changed without asking for review stays rejected.
    ("rejected", None, False): "rejected",
    ("rejected", None, True): "rejected",
    ("rejected", "draft", False): "draft",
    ("rejected", "draft", True): "draft",
    ("rejected", "pending", False): "pending",
    ("rejected", "pending", True): "pending",
    # A retired listing keeps its status unless its owner asks for another one.
    ("archived", None, False): "archived",
    ("archived", None, True): "archived",
    ("archived", "draft", False): "draft",
    ("archived", "draft", True): "draft",
    ("archived", "pending", False): "pending",
    ("archived", "pending", True): "pending",
    ("closed", None, False): "closed",
    ("closed", None, True): "closed",
    ("closed", "draft", False): "draft",
    ("closed", "draft", True): "draft",
    ("closed", "pending", False): "pending",
    ("closed", "pending", True): "pending",
}


def test_next_status_over_every_status_wish_and_change() -> None:
    assert set(NEXT_STATUS) == set(product(CURRENT, WANTED, (False, True)))
    actual = {
        (current, wanted, changed): next_status(current, wanted, changed=changed)
        for current, wanted, changed in NEXT_STATUS
    }
    assert actual == NEXT_STATUS


def test_statuses_and_their_labels() -> None:
    assert SOLUTION_STATUSES == ("draft", "pending", "published", "rejected", "archived")
    assert DEMAND_STATUSES == ("draft", "pending", "published", "rejected", "closed")
    assert {s: STATUS_LABELS[s] for s in (*SOLUTION_STATUSES, "closed", "expired")} == {
        "draft": "草稿",
        "pending": "待审核",
        "published": "已发布",
        "rejected": "已驳回",
        "archived": "已下架",
        "closed": "已关闭",
        "expired": "已过期",
    }


# stored status, date (expires_on / deadline) → status read on TODAY
EXPIRY = {
    ("published", None): "published",
    ("published", TOMORROW): "published",
    ("published", TODAY): "published",  # the last day still counts
    ("published", YESTERDAY): "expired",
    ("draft", YESTERDAY): "draft",
    ("pending", YESTERDAY): "pending",
    ("rejected", YESTERDAY): "rejected",
}


def test_a_solution_expires_the_day_after_its_expiry_date() -> None:
    table = {**EXPIRY, ("archived", YESTERDAY): "archived"}
    actual = {
        (status, day): solution_status(_solution(status, day), TODAY) for status, day in table
    }
    assert actual == table


def test_a_demand_expires_the_day_after_its_deadline() -> None:
    table = {**EXPIRY, ("closed", YESTERDAY): "closed"}
    actual = {(status, day): demand_status(_demand(status, day), TODAY) for status, day in table}
    assert actual == table


def test_only_a_published_unexpired_solution_is_public() -> None:
    table = {
        ("published", None): True,
        ("published", TODAY): True,
        ("published", YESTERDAY): False,
        ("draft", None): False,
        ("pending", None): False,
        ("rejected", None): False,
        ("archived", None): False,
    }
    actual = {
        (status, day): is_public_solution(_solution(status, day), TODAY) for status, day in table
    }
    assert actual == table


def test_a_published_demand_stays_public_after_its_deadline() -> None:
    table = {
        ("published", None): True,
        ("published", TODAY): True,
        ("published", YESTERDAY): True,
        ("draft", None): False,
        ("pending", None): False,
        ("rejected", None): False,
        ("closed", None): False,
    }
    actual = {(status, day): is_public_demand(_demand(status, day)) for status, day in table}
    assert actual == table
