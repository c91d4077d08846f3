"""A ratchet on Chinese text in the code that is not marked for translation (issue 18): any
string literal in portal/ with Han characters must sit inside ``_()``, ``N_()``,
``gettext()`` or ``ngettext()`` (portal.kit.i18n), so that the English interface can show
it — unless its file is in ``ALLOWED`` below, with the reason and how many such strings
it holds. A new unmarked string fails here, naming its line; marking one lowers a count,
and the test then asks for the allowance to be lowered too, so it never creeps back up.

Not counted: docstrings, and the ``description=`` / ``summary=`` of OpenAPI fields and
routes (English with the printed Chinese term beside it; tests/api/test_openapi_text.py)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAN = re.compile(r"[\u3400-\u9fff]")
MARKERS = {"_", "N_", "gettext", "ngettext"}
OPENAPI_TEXT = {"description", "summary"}

ALLOWED: dict[str, tuple[int, str]] = {
    "portal/networks/tabular.py": (
        81,
        "the Chinese column headings an uploaded network spreadsheet may use: matched, not shown",
    ),
    "portal/matching/evaluation.py": (
        36,
        "`portal evaluate`'s console tables for the people tuning the matcher (README quotes them)",
    ),
    "portal/introductions/demo.py": (
        4,
        "demo introductions' messages and reasons: data beside the Chinese demo listings",
    ),
    "portal/indicators/service.py": (1, "a new plan period's default name: data"),
    "portal/events/calendar.py": (1, "the iCalendar PRODID, an identifier"),
    "portal/settings.py": (1, "the default mail sender's display name: configuration"),
    "portal/kit/i18n.py": (1, "中文, the language switcher's name for Chinese in any language"),
    "portal/leases.py": (1, "LeaseLost, read by operators in the log"),
    "portal/dashboards/service.py": (1, "年份: finds year columns by their Chinese source"),
    "portal/reports/service.py": (1, "一二三…: the report's section numbers in Chinese"),
    "portal/reports/fonts.py": (1, "宋体, the DOCX font name for Chinese text"),
    "portal/app.py": (
        2,
        "the OpenAPI title, the portal's Chinese name beside its English one; a warm-up query",
    ),
    "portal/cli.py": (1, "`portal --help`: the portal's Chinese name beside its English one"),
}


def _unmarked(tree: ast.AST) -> Iterator[ast.Constant]:
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name in MARKERS:
                skip.update(id(sub) for sub in ast.walk(node))
            for keyword in node.keywords:
                if keyword.arg in OPENAPI_TEXT:
                    skip.update(id(sub) for sub in ast.walk(keyword.value))
        body = getattr(node, "body", None)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = body[0] if body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                skip.add(id(first.value))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and HAN.search(node.value)
            and id(node) not in skip
        ):
            yield node


def unmarked_strings() -> dict[str, list[tuple[int, str]]]:
    found: dict[str, list[tuple[int, str]]] = {}
    for path in sorted((ROOT / "portal").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        strings = [(n.lineno, n.value) for n in _unmarked(tree)]
        if strings:
            found[str(path.relative_to(ROOT))] = sorted(strings)
    return found


def test_no_new_chinese_string_escapes_translation() -> None:
    found = unmarked_strings()
    grown = {
        path: strings
        for path, strings in found.items()
        if len(strings) > ALLOWED.get(path, (0, ""))[0]
    }
    assert not grown, (
        "Chinese text not marked for translation (wrap it in _() or N_(), and add its English"
        " with `make i18n`; or, if no person reads it, allow it in ALLOWED with the reason): "
        + "; ".join(f"{path}: {strings}" for path, strings in grown.items())
    )
    shrunk = {
        path: (len(found.get(path, [])), allowed)
        for path, (allowed, _reason) in ALLOWED.items()
        if len(found.get(path, [])) < allowed
    }
    assert not shrunk, f"fewer unmarked strings than allowed; lower ALLOWED: {shrunk}"
