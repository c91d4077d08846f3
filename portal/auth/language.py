"""The signed-in user's interface language (issue 18): a ``?lang=`` choice is saved to the
profile; a browser without a choice of its own (no cookie) gets the profile's language."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session

from portal.db import write_on_read_path
from portal.kit import i18n
from portal.models import User


def must_save(request: Request, user: User | None) -> bool:
    """Whether this request's ``?lang=`` choice is to be saved to ``user``'s profile."""
    asked = getattr(request.state, "locale_asked", None)
    return bool(user is not None and asked and user.locale != asked)


def apply_profile(request: Request, session: Session) -> str:
    """The request's language after looking at the signed-in user's profile. Blocking
    database work when the choice is saved (:func:`must_save`): call it from a worker
    thread then."""
    state = request.state
    locale: str = getattr(state, "locale", i18n.SOURCE)
    user: User | None = getattr(state, "user", None)
    if user is None:
        return locale
    # A switch made while signed in is the profile's choice; a cookie alone is the
    # browser's (a shared computer's cookie does not rewrite everyone's profile).
    if must_save(request, user):
        asked = state.locale_asked

        def save() -> None:
            user.locale = asked
            session.add(user)

        write_on_read_path(session, save)
    elif not getattr(state, "locale_explicit", False) and user.locale in i18n.LOCALES:
        locale = user.locale
        state.locale_remember = locale  # the browser keeps it from now on
    return locale
