"""Numbers and text people type into forms, the JSON API and import files, read strictly.

``str.isdigit()`` also says yes to superscripts and other scripts' digits, which ``int()``
refuses or reads as something else, and an unbounded integer overflows PostgreSQL's
``integer`` further on; ``float()`` accepts "nan" and "inf", which no figure here can be.

Text: control characters (a terminal escape, a bell) have no place in what people write;
the bidirectional overrides, embeddings and isolates reorder the text around them, so
"报告" U+202E "gpj.exe" shows as "报告exe.jpg" (Trojan Source, CVE-2021-42574); and a title
of zero-width characters looks empty everywhere it is shown. :func:`text_error` is the one
rule; :data:`SingleLine`, :data:`MultiLine`, :data:`VisibleLine` and :data:`VisibleText`
apply it in pydantic models.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from portal.kit.i18n import _

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


_LINE_BREAKS = frozenset("\t\n\r\u2028\u2029")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that show as nothing but are letters or marks, not format characters (Cf).
_BLANK_LETTERS = frozenset("\u034f\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


def _invisible(char: str) -> bool:
    return char.isspace() or char in _BLANK_LETTERS or unicodedata.category(char) == "Cf"


def text_error(text: str, *, multiline: bool = False, required: bool = False) -> str | None:
    """Why ``text`` cannot be stored, in Chinese, or None.

    Refused: control characters (C0, DEL, C1) except TAB, LF and CR in a ``multiline``
    field; any line break or TAB in a single-line field (a title, a name); bidirectional
    overrides, embeddings and isolates; and, when ``required``, text with nothing visible
    (only spaces, zero-width or other invisible characters)."""
    for char in text:
        code = f"U+{ord(char):04X}"
        if char in _LINE_BREAKS:
            if not multiline:
                return _("只能写一行，不能包含换行符或制表符（{code}）").format(code=code)
        elif unicodedata.category(char) == "Cc":
            return _("不能包含控制字符（{code}）").format(code=code)
        elif char in _BIDI_CONTROLS:
            return _("不能包含改变文字方向的控制字符（{code}）").format(code=code)
    if required and all(_invisible(c) for c in text):
        return _("不能为空，也不能只有空格或不可见字符") if text else _("不能为空")
    return None


def _validator(*, multiline: bool = False, required: bool = False) -> AfterValidator:
    def check(value: Any) -> Any:
        if isinstance(value, str):
            reason = text_error(value, multiline=multiline, required=required)
            if reason is not None:
                # The reason is the message: no braces, so no template fields.
                raise PydanticCustomError("text_refused", reason)
        return value

    return AfterValidator(check)


SingleLine = _validator()
MultiLine = _validator(multiline=True)
VisibleLine = _validator(required=True)  # a title or a name: one line, something to see
VisibleText = _validator(multiline=True, required=True)
