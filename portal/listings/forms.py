"""A listing's form: strings in; the inputs as typed (to show them again), the fields, and
the reasons the inputs could not be read — per the kind's :class:`FormSpec`. The fields are
then checked by :func:`portal.listings.service.errors_in`, as the API's and the importer's."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from portal.kit import forms
from portal.listings.kinds import ListingKind, Values
from portal.listings.schemas import ListingText

# Inputs every listing form has besides its kind's: the organisation it is posted for, the
# button pressed (submit for review, or save a draft), and the text every kind has.
CONTROLS = ("org", "intent")
COMMON_TEXTS = tuple(ListingText.model_fields)


def read(kind: ListingKind, form: FormData) -> tuple[Values, Values, dict[str, str]]:
    """``(shown, values, errors)``: the inputs as typed, the fields from them, and the
    inputs that could not be read (a number that is not one, an impossible date)."""
    spec = kind.form
    errors: dict[str, str] = {}
    texts = (*COMMON_TEXTS, *spec.texts)
    shown: Values = {name: forms.text(form, name) for name in (*CONTROLS, *texts)}
    typed: Values = {name: shown[name] for name in texts}
    for name in spec.codes:
        shown[name] = typed[name] = forms.codes(form, name)
    for name in spec.numbers:
        shown[name] = forms.text(form, name)
        typed[name] = forms.number(form, name, errors)
    for name in spec.dates:
        shown[name] = forms.text(form, name)
        typed[name] = forms.day(form, name, errors)
    for name in spec.flags:
        shown[name] = typed[name] = forms.text(form, name) in ("1", "on", "true")
    for name, message in spec.required.items():
        if typed.get(name) in ("", []):
            errors.setdefault(name, message)
    values = spec.to_values(typed) if spec.to_values else typed
    return shown, values, errors


def input_errors(kind: ListingKind, errors: dict[str, str]) -> dict[str, str]:
    """Reasons by field (``preferences.regions``) as reasons by input (``pref_regions``)."""
    out: dict[str, str] = {}
    for name, message in errors.items():
        out.setdefault(kind.form.inputs.get(name, name), message)
    return out


def shown_of(kind: ListingKind, row: Any | None) -> Values:
    """The inputs of the edit form of ``row`` (or of a new listing)."""
    empty: Values = {name: [] for name in kind.form.codes}
    if row is None:
        return empty
    common = {name: getattr(row, name) for name in COMMON_TEXTS}
    return {**empty, **common, **kind.form.from_row(row)}


def money_input(value: float | None) -> str:
    """An amount in 万元 as its input shows it (``30``, ``120.5``; empty for none)."""
    return "" if value is None else f"{value:g}"
