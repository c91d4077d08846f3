"""Inferring what an enterprise needs when it leaves scenarios or capabilities empty.

Enterprises often do not know 5G terms: "天车司机想坐在办公室里遥控" means remote control
and low latency. The lexicon is data (``seed/matching/lexicon.json``); a word matches as a
substring of the normalized text, or, for Latin words, as a whole word.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from matching.text import is_latin_word, normalize


@dataclass(frozen=True)
class Lexicon:
    scenarios: Mapping[str, tuple[str, ...]]
    capabilities: Mapping[str, tuple[str, ...]]
    generic_words: frozenset[str] = frozenset()
    # Numerals, then at most one measure word (一家, 多个, 两三, 每天): a quantity, not a need.
    quantity: re.Pattern[str] | None = field(default=None, compare=False)

    def is_generic(self, word: str) -> bool:
        """A word that says nothing about what is asked: it weighs nothing in text relevance
        and is never shown as a shared keyword."""
        return word in self.generic_words or bool(self.quantity and self.quantity.fullmatch(word))

    @classmethod
    def from_file(
        cls, path: Path, *, labels: Mapping[str, Mapping[str, str]] | None = None
    ) -> Lexicon:
        raw = json.loads(path.read_text(encoding="utf-8"))
        labels = labels or {}

        def table(kind: str, vocabulary: str) -> dict[str, tuple[str, ...]]:
            out: dict[str, tuple[str, ...]] = {}
            for code, words in raw[kind].items():
                label = labels.get(vocabulary, {}).get(code)
                extra = [label] if label else []
                out[code] = tuple(normalize(w) for w in [*words, *extra])
            return out

        quantity = raw.get("quantity_words")
        return cls(
            scenarios=table("scenarios", "scenario"),
            capabilities=table("capabilities", "capability"),
            generic_words=frozenset(normalize(w) for w in raw.get("generic_words", [])),
            quantity=re.compile(
                f"[{re.escape(quantity['numerals'])}]+[{re.escape(quantity['measures'])}]?"
            )
            if quantity
            else None,
        )


def _matches(words: Iterable[str], text: str, tokens: frozenset[str]) -> bool:
    for word in words:
        if is_latin_word(word.replace(" ", "")) or word.isascii():
            if word in tokens:
                return True
        elif word in text:
            return True
    return False


def infer(
    lexicon: Lexicon, text: str, tokens: Iterable[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(scenarios, capabilities) that the words of ``text`` point to, in lexicon order."""
    normalized = normalize(text)
    token_set = frozenset(tokens)
    scenarios = tuple(
        c for c, ws in lexicon.scenarios.items() if _matches(ws, normalized, token_set)
    )
    capabilities = tuple(
        c for c, ws in lexicon.capabilities.items() if _matches(ws, normalized, token_set)
    )
    return scenarios, capabilities
