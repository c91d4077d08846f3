"""Redirects after a form: 303 See Other, and only to a path on this site."""

from __future__ import annotations

from fastapi.responses import RedirectResponse


def safe_next(target: str | None, default: str = "/account") -> str:
    """Only a path on this site: never ``//host`` or a URL."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
