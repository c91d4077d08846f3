"""统一社会信用代码 (unified social credit code), GB 32100-2015."""

from __future__ import annotations

from portal.kit.i18n import _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_digit(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why ``code`` is not a valid 统一社会信用代码, in Chinese; None when it is valid."""
    if len(code) != 18:
        return _("统一社会信用代码应为 18 位")
    if any(ch not in ALPHABET for ch in code):
        return _("统一社会信用代码只能包含数字和大写字母（不含 I、O、Z、S、V）")
    if check_digit(code[:17]) != code[17]:
        return _("统一社会信用代码校验位不正确")
    return None
