"""Jinja2 templates. An htmx request gets a named block of the page's own template.

What the pages show of the domains (vocabulary labels, listing statuses) is registered at
start-up by :func:`portal.labels.register`: the kit imports no domain."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import Response
from jinja2 import pass_context
from jinja2_fragments.fastapi import Jinja2Blocks

from portal.kit import i18n
from portal.settings import get_settings

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"
templates = Jinja2Blocks(directory=str(ROOT / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
# ``_()`` and ``{% trans %}`` follow the request's language (portal.kit.i18n).
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)


@lru_cache(maxsize=256)
def _static_version(path: str) -> str:
    file = STATIC_DIR / path
    return hashlib.sha256(file.read_bytes()).hexdigest()[:10] if file.exists() else "0"


def static_url(path: str) -> str:
    """``/static/…`` with a content hash, so browsers may cache static files for long."""
    return f"/static/{path}?v={_static_version(path)}"


class Year(int):
    """A year in a table: a number in exports, written without a thousands separator."""

    __slots__ = ()


def _number(value: float | int | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{digits}f}"


LOCAL_TIME = ZoneInfo("Asia/Shanghai")  # portal.clock.HUNAN: the kit imports no domain module


def _localtime(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment as people in Hunan read it: Beijing time (stored times are UTC; a naive
    one is UTC too)."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(LOCAL_TIME).strftime(fmt)
    return value.strftime(fmt)


def _cell(value: Any) -> str:
    """A table cell: "—" for no value, numbers as ``number`` writes them, the rest as text."""
    if value is None:
        return "—"
    if isinstance(value, Year):
        return str(int(value))
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


@pass_context
def lang_url(context: dict[str, Any], locale: str) -> str:
    """This page in another language: the same URL with ``?lang=`` (the switcher)."""
    request: Request = context["request"]
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    query.append(("lang", locale))
    return f"{request.url.path}?{urlencode(query)}"


def shown_title(item: Any) -> str:
    """A listing's (or a search hit's) title: its English one in English, when it has one."""
    get = item.get if isinstance(item, dict) else lambda k, d=None: getattr(item, k, d)
    english = get("title_en", "") if i18n.get_locale() == "en" else ""
    return english or get("title", "")


templates.env.globals.update(
    shown_title=shown_title,
    static_url=static_url,
    settings=get_settings,
    url_for=url_for,
    lang_url=lang_url,
    get_locale=i18n.get_locale,
    language_tag=i18n.language_tag,
    locale_names=i18n.LOCALE_NAMES,
)
templates.env.filters["number"] = _number
templates.env.filters["cell"] = _cell
templates.env.filters["localtime"] = _localtime
# Reference data that has an English name in the catalog (表1's names); no formatting, so a
# "%" in the data is safe (``_()`` in templates formats).
templates.env.filters["tr"] = i18n.gettext


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
