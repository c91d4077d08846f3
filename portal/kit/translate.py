"""Validation errors (pydantic's) as a field name and a reason in Chinese, for forms, the
JSON API and the importer alike."""

from __future__ import annotations

from typing import Any

_TYPE_NAMES = {
    "int_type": "整数",
    "float_type": "数字",
    "string_type": "文本",
    "bool_type": "布尔值（true/false）",
    "list_type": "数组",
    "dict_type": "对象",
    "model_type": "对象",
}


def translate_error(error: Any) -> tuple[str, str]:
    """A pydantic error as (field, message in Chinese). The field is the error's location
    joined with dots (``preferences.regions``)."""
    name = ".".join(str(p) for p in error["loc"])
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "missing":
        return name, "缺少必填字段"
    if kind == "extra_forbidden":
        return name, "不认识的字段"
    if kind in _TYPE_NAMES:
        return name, f"类型不对，应为{_TYPE_NAMES[kind]}"
    if kind in ("greater_than_equal", "greater_than"):
        return name, f"不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return name, f"不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "string_unicode":
        return name, "不是有效的 Unicode 文本（含有不成对的代理字符）"
    if kind == "string_too_short":
        return name, "不能为空"
    if kind == "string_too_long":
        return name, f"过长（最多 {ctx.get('max_length')} 个字符）"
    if kind == "too_short":
        return name, "至少需要一项"
    if kind == "string_pattern_mismatch":
        return name, "不能包含空白字符"
    if kind == "literal_error":
        return name, f"取值应为 {ctx.get('expected')}"
    if kind == "finite_number":
        return name, "应为有限的数字（不能是 NaN 或无穷大）"
    if kind == "json_invalid":
        return "", "不是合法的 JSON"
    if kind.startswith("date"):
        return name, "日期格式应为 YYYY-MM-DD"
    return name, str(error["msg"])
