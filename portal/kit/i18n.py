"""The interface language: Chinese (zh-CN) is the source language of every message; English
comes from the gettext catalog ``portal/translations/en/LC_MESSAGES/messages.po``.

The language of a request is chosen by :class:`LocaleMiddleware` (``?lang=`` > the ``lang``
cookie > ``Accept-Language``; a signed-in user's profile fills in when there is no cookie)
and held in a context variable, so ``_()`` works the same in routes, services and templates
without passing the request around. Strings defined at import time are marked with ``N_``
and translated where they are shown."""

from __future__ import annotations

import gettext as _gettext
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import escape
from starlette.datastructures import QueryParams
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("portal")

SOURCE = "zh_CN"
LOCALES = ("zh_CN", "en")
# What a person sees in the switcher and what ``<html lang>`` says, per locale.
LOCALE_NAMES = {"zh_CN": "中文", "en": "English"}
LANGUAGE_TAGS = {"zh_CN": "zh-CN", "en": "en"}
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"

_current: ContextVar[str] = ContextVar("portal_locale", default=SOURCE)


def normalize(value: str | None) -> str | None:
    """``en``, ``en-GB``, ``zh``, ``zh-CN``, ``zh_cn`` → a supported locale, else None."""
    if not value:
        return None
    primary = value.strip().replace("-", "_").split("_")[0].lower()
    if primary == "en":
        return "en"
    if primary == "zh":
        return "zh_CN"
    return None


def from_accept_language(header: str | None) -> str | None:
    """The first supported language of an ``Accept-Language`` header, by its q weights."""
    if not header:
        return None
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        locale = normalize(tag)
        if locale and q > 0:
            weighted.append((-q, index, locale))
    return min(weighted)[2] if weighted else None


def get_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> None:
    _current.set(locale if locale in LOCALES else SOURCE)


@contextmanager
def using(locale: str) -> Iterator[None]:
    """Runs a block in ``locale`` (the command line, where no request chooses it)."""
    token = _current.set(locale if locale in LOCALES else SOURCE)
    try:
        yield
    finally:
        _current.reset(token)


def language_tag() -> str:
    return LANGUAGE_TAGS[get_locale()]


def _read_catalog(po: Path) -> Any:
    from babel.messages.pofile import read_po

    with po.open("rb") as source:
        catalog = read_po(source, locale=po.parents[1].name, abort_invalid=True)
    errors = [
        (message.id, error) for message, errs in catalog.check() for error in errs if message.id
    ]
    if errors:
        raise ValueError(f"{po}: {errors[:5]}")
    return catalog


def compile_catalog(po: Path, mo: Path) -> None:
    """Compile a ``.po`` file; raises on a catalog that does not compile (bad placeholders,
    syntax errors), which ``make translations`` and the catalog test rely on."""
    from babel.messages.mofile import write_mo

    catalog = _read_catalog(po)
    with mo.open("wb") as target:
        write_mo(target, catalog)


@cache
def _translations(locale: str) -> _gettext.NullTranslations:
    if locale == SOURCE:
        return _gettext.NullTranslations()
    directory = TRANSLATIONS_DIR / locale / "LC_MESSAGES"
    po, mo = directory / f"{DOMAIN}.po", directory / f"{DOMAIN}.mo"
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        with mo.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    # `make install` compiles the catalogs; without it (or with a newer .po), compile in
    # memory: nothing is written where the application runs.
    from babel.messages.mofile import write_mo

    log.info("compiling %s in memory", po)
    buffer = io.BytesIO()
    write_mo(buffer, _read_catalog(po))
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def gettext(message: str) -> str:
    """``message`` (Chinese) in the current language."""
    locale = _current.get()
    if locale == SOURCE or not message:
        return message
    return _translations(locale).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    locale = _current.get()
    if locale == SOURCE:
        return singular if n == 1 else plural
    return _translations(locale).ngettext(singular, plural, n)


class LazyText(str):
    """A string defined at import time (labels, titles): its value stays the Chinese source,
    so comparisons and dictionary keys do not change with the language; it is translated
    when shown (``str()``, formatting, Jinja's escaping)."""

    __slots__ = ()

    def __str__(self) -> str:
        return gettext(str.__str__(self))

    def __format__(self, spec: str) -> str:
        return format(self.__str__(), spec)

    def __html__(self) -> str:
        return str(escape(self.__str__()))


def N_(message: str) -> str:
    """Marks a string for the catalog where it is defined; it is translated where shown."""
    return LazyText(message)


_ = gettext


def choose(asked: str | None, cookie: str | None, accept_language: str | None) -> str:
    """``?lang=`` (``asked``, normalized) > cookie > ``Accept-Language`` > Chinese."""
    return asked or normalize(cookie) or from_accept_language(accept_language) or SOURCE


def _cookie_header(locale: str) -> bytes:
    return f"{COOKIE}={locale}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=Lax".encode()


def remember(response_headers: list[tuple[bytes, bytes]], locale: str) -> None:
    """Adds the cookie that keeps ``locale`` for the next visits."""
    response_headers.append((b"set-cookie", _cookie_header(locale)))


class LocaleMiddleware:
    """Sets the request's language (and ``scope["state"]["locale"]``); a ``?lang=`` choice
    is remembered in a cookie. URLs stay the same in every language."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        query = scope.get("query_string", b"").decode("latin-1")
        # Starlette's lenient parser (what ``request.cookies`` uses): a malformed cookie
        # header is no reason to fail the page, and it costs a fifth of SimpleCookie's.
        cookie = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        asked = normalize(QueryParams(query).get("lang")) if query else None
        locale = choose(asked, cookie, headers.get("accept-language"))
        state = scope.setdefault("state", {})
        state["locale"] = locale
        # The profile's language fills in when the browser has no choice of its own.
        state["locale_explicit"] = bool(asked or normalize(cookie))
        state["locale_asked"] = asked
        token = _current.set(locale)

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                chosen = state.get("locale_remember")
                if chosen:
                    message = {**message, "headers": [*message.get("headers", [])]}
                    remember(message["headers"], chosen)
                    # Pages differ by language: a shared cache must not mix them.
                    message["headers"].append((b"vary", b"Cookie, Accept-Language"))
            await send(message)

        if asked and asked != cookie:
            state["locale_remember"] = asked
        try:
            await self.app(scope, receive, send_with_cookie)
        finally:
            _current.reset(token)
