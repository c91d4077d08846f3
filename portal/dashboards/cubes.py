"""The few scans every dashboard table is folded from.

Progress, the pilot zones and cities, and the clusters all count the same networks and the
same demands, only grouped differently. Rather than one GROUP BY per table, each family is
read once into a small "cube" — counts per combination of the dimensions the tables use —
memoized until that family changes, and every table sums the cube in Python. Both cubes
are read from covering indexes (``ix_private_network_counted_cube``,
``ix_demand_published_cube``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, case, extract
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, func, or_, select

from portal.dashboards.cache import memoized
from portal.models import Demand, PrivateNetwork

# The plan counts virtual private networks; hybrid ones carry a virtual part.
COUNTED_MODES = ("virtual", "hybrid")

C = TypeVar("C")
K = TypeVar("K", bound=Hashable)


def counted_networks_filter() -> list[ColumnElement[bool]]:
    """The networks indicator 16 counts: confirmed, in service, virtual or hybrid."""
    return [
        col(PrivateNetwork.confirmed).is_(True),
        col(PrivateNetwork.status) == "in_service",
        col(PrivateNetwork.mode).in_(COUNTED_MODES),
    ]


@dataclass(frozen=True)
class NetworkPlaceCell:
    city: str
    zone: str | None
    industry: str
    networks: int


@dataclass(frozen=True)
class NetworkOperatorCell:
    operator: str
    year: int | None  # year commissioned; None when unknown
    networks: int


@dataclass(frozen=True)
class NetworkCube:
    """The counted networks two ways: per (city, zone, industry) and per (operator, year
    commissioned). Two narrow GROUP BYs over a covering index cost less than one over all
    five dimensions (whose cells are nearly as many as the networks)."""

    places: tuple[NetworkPlaceCell, ...]
    operators: tuple[NetworkOperatorCell, ...]


@dataclass(frozen=True)
class DemandCell:
    industry: str
    city: str
    zone: str | None
    published: int
    open: int  # published and the deadline not passed


def network_cube(session: Session) -> NetworkCube:
    """The counted networks per place and industry, and per operator and year."""

    def compute() -> NetworkCube:
        counted = counted_networks_filter()
        place = (col(PrivateNetwork.city), col(PrivateNetwork.zone), col(PrivateNetwork.industry))
        year = extract("year", col(PrivateNetwork.commissioned_on))
        operator = (col(PrivateNetwork.operator), year)
        places = session.exec(select(*place, func.count()).where(*counted).group_by(*place))
        operators = session.exec(
            select(*operator, func.count()).where(*counted).group_by(*operator)
        )
        return NetworkCube(
            places=tuple(NetworkPlaceCell(c, z, i, int(n)) for c, z, i, n in places.all()),
            operators=tuple(
                NetworkOperatorCell(o, None if y is None else int(y), int(n))
                for o, y, n in operators.all()
            ),
        )

    return memoized(session, ("network_cube",), compute, reads=("networks",))


def demand_cube(session: Session, *, today: date) -> tuple[DemandCell, ...]:
    """Published demands per (industry, city, zone), with how many of them are open."""

    def compute() -> tuple[DemandCell, ...]:
        is_open = or_(col(Demand.deadline).is_(None), col(Demand.deadline) >= today)
        industry, city, zone = col(Demand.industry), col(Demand.city), col(Demand.zone)
        open_count = func.sum(case((is_open, 1), else_=0))
        rows = session.connection().execute(
            sa_select(industry, city, zone, func.count(), open_count)
            .where(col(Demand.status) == "published")
            .group_by(industry, city, zone)
        )
        return tuple(
            DemandCell(industry, city, zone, int(n), int(n_open or 0))
            for industry, city, zone, n, n_open in rows
        )

    return memoized(session, ("demand_cube", today), compute, reads=("demands",))


def total_by(
    cells: Iterable[C], key: Callable[[C], K | None], value: Callable[[C], int]
) -> dict[K, int]:
    """Sum ``value`` of the cells per ``key``; cells whose key is None are left out."""
    out: dict[K, int] = {}
    for cell in cells:
        k = key(cell)
        if k is not None:
            out[k] = out.get(k, 0) + value(cell)
    return out
