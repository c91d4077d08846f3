"""Validation errors (pydantic's) as a field name and a reason in Chinese, for forms, the
JSON API and the importer alike."""

from __future__ import annotations

import re
from typing import Any

from portal.kit.i18n import N_, _

_TYPE_NAMES = {
    "int_type": N_("整数"),
    "float_type": N_("数字"),
    "string_type": N_("文本"),
    "bool_type": N_("布尔值（true/false）"),
    "list_type": N_("数组"),
    "dict_type": N_("对象"),
    "model_type": N_("对象"),
}


_DATE_SHAPE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")


def date_reason(raw: object) -> str:
    """Why ``raw`` is not a date: a day that does not exist (2026-13-45, 2026-02-30), or a
    wrong format. Forms, the JSON API and the importer say the same."""
    if isinstance(raw, str) and _DATE_SHAPE.fullmatch(raw.strip()):
        return _("不存在这一天：{value}（日期应为 YYYY-MM-DD）").format(value=raw.strip())
    return _("日期格式应为 YYYY-MM-DD")


def translate_error(error: Any) -> tuple[str, str]:
    """A pydantic error as (field, message in Chinese). The field is the error's location
    joined with dots (``preferences.regions``)."""
    name = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "missing":
        return name, _("缺少必填字段")
    if kind == "extra_forbidden":
        return name, _("不认识的字段")
    if kind in _TYPE_NAMES:
        return name, _("类型不对，应为{value}").format(value=_TYPE_NAMES[kind])
    if kind in ("greater_than_equal", "greater_than"):
        return name, _("不能小于 {value}").format(value=ctx.get("ge", ctx.get("gt")))
    if kind in ("less_than_equal", "less_than"):
        return name, _("不能大于 {value}").format(value=ctx.get("le", ctx.get("lt")))
    if kind == "string_unicode":
        return name, _("不是有效的 Unicode 文本（含有不成对的代理字符）")
    if kind == "string_too_short":
        return name, _("不能为空")
    if kind == "string_too_long":
        return name, _("过长（最多 {value} 个字符）").format(value=ctx.get("max_length"))
    if kind == "too_short":
        return name, _("至少需要一项")
    if kind == "string_pattern_mismatch":
        return name, _("不能包含空白字符")
    if kind == "literal_error":
        return name, _("取值应为 {value}").format(value=ctx.get("expected"))
    if kind == "finite_number":
        return name, _("应为有限的数字（不能是 NaN 或无穷大）")
    if kind == "json_invalid":
        return "", _("不是合法的 JSON")
    if kind.startswith("date"):
        return name, date_reason(error.get("input"))
    return name, str(error["msg"])
