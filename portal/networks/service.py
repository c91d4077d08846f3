"""5G industry private networks: the counts the plan's indicator 16 is about."""

from __future__ import annotations

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, func, select

from portal.models import PrivateNetwork

INDICATOR_CODE = "private_networks_5g"
# The plan counts 5G industry *virtual* private networks: confirmed, in service, virtual or hybrid.
COUNTED_MODES = ("virtual", "hybrid")


def counted_networks_filter() -> list[ColumnElement[bool]]:
    return [
        col(PrivateNetwork.confirmed).is_(True),
        col(PrivateNetwork.status) == "in_service",
        col(PrivateNetwork.mode).in_(COUNTED_MODES),
    ]


def count_registered_in_service(session: Session) -> int:
    statement = select(func.count()).select_from(PrivateNetwork).where(*counted_networks_filter())
    return int(session.exec(statement).one())
