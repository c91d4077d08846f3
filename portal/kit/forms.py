"""Reading listing forms: strings in, typed values and per-field errors out.

Forms post strings; the values are converted here (an empty field is "not given"), then
checked by the same strict pydantic models as the JSON API and the same vocabulary rules
as the importer, so the three agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from portal.kit.i18n import _
from portal.kit.translate import date_reason, translate_error

M = TypeVar("M", bound=BaseModel)


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def codes(form: FormData, name: str) -> list[str]:
    """A checkbox group's checked codes, in order, each once."""
    values = [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]
    return list(dict.fromkeys(values))


def number(form: FormData, name: str, errors: dict[str, str]) -> float | None:
    raw = text(form, name).replace(",", "")
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        errors[name] = _("请输入数字（单位：万元）")
        return None
    if value != value or value in (float("inf"), float("-inf")):
        errors[name] = _("请输入数字（单位：万元）")
        return None
    return value


def integer(form: FormData, name: str, errors: dict[str, str]) -> int | None:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        errors[name] = _("请输入整数")
        return None


def day(form: FormData, name: str, errors: dict[str, str]) -> date | None:
    raw = text(form, name)
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = date_reason(raw)
        return None


def errors_of(exc: ValidationError) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        name, message = translate_error(error)
        # "industries.0" (an item of a list) is reported on the list's field.
        name = ".".join(part for part in name.split(".") if not part.isdigit())
        errors.setdefault(name, message)
    return errors


def validate(model: type[M], values: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(values), {}
    except ValidationError as exc:
        return None, errors_of(exc)
