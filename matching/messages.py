"""The language of the explanations: the library writes them in Chinese, through ``_``; an
application that shows them in other languages installs its translator (``use``), e.g. a
gettext function that follows the request's language. ``N_`` marks strings defined at
import time; they are translated where used."""

from __future__ import annotations

from collections.abc import Callable

_translator: Callable[[str], str] = str


def use(translator: Callable[[str], str]) -> None:
    """Route every explanation string through ``translator`` (identity by default)."""
    global _translator
    _translator = translator


def _(message: str) -> str:
    return _translator(message)


def N_(message: str) -> str:
    return message
