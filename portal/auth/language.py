"""The signed-in user's interface language (issue 18): a ``?lang=`` choice is saved to the
profile; a browser without a choice of its own (no cookie) gets the profile's language."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session

from portal.db import write_on_read_path
from portal.kit import i18n
from portal.models import User


def apply_profile(request: Request, session: Session) -> str:
    """The request's language after looking at the signed-in user's profile. Blocking
    database work: call it from a worker thread."""
    state = request.state
    locale: str = getattr(state, "locale", i18n.SOURCE)
    user: User | None = getattr(state, "user", None)
    if user is None:
        return locale
    asked = getattr(state, "locale_asked", None)
    explicit = getattr(state, "locale_explicit", False)
    # A switch made while signed in is the profile's choice; a cookie alone is the
    # browser's (a shared computer's cookie does not rewrite everyone's profile).
    if asked and user.locale != asked:

        def save() -> None:
            user.locale = asked
            session.add(user)

        write_on_read_path(session, save)
    elif not explicit and user.locale in i18n.LOCALES:
        locale = user.locale
        state.locale_remember = locale  # the browser keeps it from now on
    return locale
