"""Numbers people type into forms and query strings, read strictly.

``str.isdigit()`` also says yes to superscripts and other scripts' digits, which ``int()``
refuses or reads as something else, and an unbounded integer overflows PostgreSQL's
``integer`` further on; ``float()`` accepts "nan" and "inf", which no figure here can be.
"""

from __future__ import annotations

import math

MAX_INT = 2_147_483_647  # PostgreSQL's integer: no id, year or page number beyond it


def whole_number(text: str, *, maximum: int = MAX_INT) -> int | None:
    """The non-negative integer written in ASCII digits, or None (also when > ``maximum``)."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if value <= maximum else None


def finite_number(text: str) -> float | None:
    """The number written (thousands separators allowed), or None when there is none or it
    is not finite."""
    text = text.replace(",", "").replace("，", "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None
