"""Jinja2 templates. An htmx request gets a named block of the page's own template.

What the pages show of the domains (vocabulary labels, listing statuses) is registered at
start-up by :func:`portal.labels.register`: the kit imports no domain."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks

from portal.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"
templates = Jinja2Blocks(directory=str(ROOT / "templates"))


@lru_cache(maxsize=256)
def _static_version(path: str) -> str:
    file = STATIC_DIR / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.exists() else "0"


def static_url(path: str) -> str:
    """``/static/…`` with a content hash, so browsers may cache static files for long."""
    return f"/static/{path}?v={_static_version(path)}"


def _number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


def _cell(value: Any) -> str:
    """A table cell: "—" for no value, numbers as ``number`` writes them, the rest as text."""
    if value is None:
        return "—"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _number(value)
    return str(value)


def cell_text(value: Any, *, year: bool = False) -> str:
    """A table cell as pages print it, for documents built outside templates (reports);
    a year is printed as a year (2025, never "2,025")."""
    if year and value is not None:
        return str(value)
    return _cell(value)


@pass_context
def url_for(context: dict[str, Any], name: str, /, **path_params: Any) -> str:
    """A root-relative URL, so pages stay right behind any proxy or host name."""
    request: Request = context["request"]
    return _url_path(request.app, name, tuple(sorted(path_params.items())))


@lru_cache(maxsize=4096)
def _url_path(app: Any, name: str, path_params: tuple[tuple[str, Any], ...]) -> str:
    # Starlette looks a name up by trying every route in turn; a page with a few dozen links
    # spent milliseconds on it. Routes are fixed once the app is built.
    return str(app.url_path_for(name, **dict(path_params)))


# Templates change with the code, by a restart: checking every template file's modification
# time on each render cost a tenth of a listing page.
templates.env.auto_reload = False
templates.env.globals.update(static_url=static_url, settings=get_settings, url_for=url_for)
templates.env.filters["number"] = _number
templates.env.filters["cell"] = _cell


def register(
    *, globals: dict[str, Any] | None = None, filters: dict[str, Any] | None = None
) -> None:
    """Make domain values and filters available to every template (at start-up)."""
    templates.env.globals.update(globals or {})
    templates.env.filters.update(filters or {})


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a page; for an htmx request with ``block`` set, only that block of it."""
    if block is not None and is_htmx(request):
        return templates.TemplateResponse(
            request, name, context or {}, status_code=status_code, block_name=block
        )
    return templates.TemplateResponse(request, name, context or {}, status_code=status_code)
