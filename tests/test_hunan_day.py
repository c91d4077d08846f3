"""The portal's "today" is the date in Hunan (``portal.clock.local_today``,
``Clock.today``). From 00:00 to 08:00 Hunan time the UTC date is the day before, so a
deadline read against ``date.today()`` or ``now.date()`` on a UTC server would stay open
eight hours too long, and a form would accept yesterday's date. This test finds those
calls in portal/ by their shape: ``date.today()``, ``….now().date()``, and ``.date()`` of
a variable named ``now``, ``at`` or ``when``."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from portal.clock import FrozenClock, local_today

ROOT = Path(__file__).resolve().parents[1]


def _utc_days(tree: ast.AST) -> Iterator[int]:
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        receiver, name = node.func.value, node.func.attr
        if (
            name == "today"
            and isinstance(receiver, ast.Name)
            and receiver.id in ("date", "datetime")
        ):
            yield node.lineno  # the server's date
        elif name == "date" and not node.args:
            now_call = isinstance(receiver, ast.Call) and getattr(receiver.func, "attr", "") in (
                "now",
                "utcnow",
            )
            now_name = isinstance(receiver, ast.Name) and receiver.id in ("now", "at", "when")
            if now_call or now_name:
                yield node.lineno  # the UTC date of an aware "now"


def test_no_code_takes_the_utc_date_for_today() -> None:
    found: dict[str, list[int]] = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        lines = list(_utc_days(ast.parse(path.read_text(encoding="utf-8"))))
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    assert not found, f"use portal.clock.local_today(now) or clock.today(): {found}"


def test_the_check_sees_the_shapes_it_names() -> None:
    source = "a = date.today()\nb = clock.now().date()\nc = now.date()\nd = row.created_at.date()\n"
    assert list(_utc_days(ast.parse(source))) == [1, 2, 3]


def test_hunan_is_eight_hours_ahead() -> None:
    evening = datetime(2026, 12, 1, 15, 59, tzinfo=UTC)
    assert local_today(evening).isoformat() == "2026-12-01"
    assert FrozenClock(datetime(2026, 12, 1, 16, 0, tzinfo=UTC)).today().isoformat() == "2026-12-02"
