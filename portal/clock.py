"""The current time, injectable: tests replace :func:`get_clock` to move time by hand."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

HUNAN = ZoneInfo("Asia/Shanghai")  # the portal's day: deadlines, due dates and "today" are Hunan's


def local_today(now: datetime) -> date:
    """The date in Hunan at ``now``. ``now.date()`` would be the UTC date, a day behind from
    00:00 to 08:00 Hunan time."""
    return now.astimezone(HUNAN).date()


class Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return local_today(self.now())


@dataclass
class FrozenClock(Clock):
    """A clock that moves only when told to."""

    at: datetime = field(default_factory=lambda: datetime(2026, 1, 5, 9, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)


_system_clock = Clock()


def get_clock() -> Clock:
    return _system_clock


def aware(value: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns; they are UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
