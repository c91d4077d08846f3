"""Meilisearch's filter grammar, as a small parser, to check the strings the adapter emits.

Written from the source at v1.50.0 (the version compose.yaml pins):

- crates/filter-parser/src/lib.rs:1-22, the grammar::

    or         = and ("OR" WS+ and)*
    and        = not ("AND" WS+ not)*
    not        = ("NOT" WS+ not) | primary
    primary    = (WS* "(" WS* expression WS* ")" WS*) | in | condition | exists | to
    in         = value "IN" WS* "[" value_list "]"
    condition  = value ("=" | "!=" | ">" | ">=" | "<" | "<=") value
    exists     = value "EXISTS"
    value      = WS* ( word | singleQuoted | doubleQuoted) WS+
    value_list = (value ("," value)* ","?)?
    word       = (alphanumeric | _ | - | .)+

  and ``value "IS" ["NOT"] ("NULL" | "EMPTY")`` (lib.rs:1183-1194, its snapshot tests);
- crates/filter-parser/src/value.rs: a double-quoted value ends at the first quote not
  preceded by a backslash and has ``\\"`` made ``"`` (22-62); then the whole value goes
  through ``unescaper::unescape`` (234-251: ``\\\\`` is one backslash, a lone trailing
  backslash is an error); a bare word is alphanumerics, ``_ - .`` (253-255) and not a
  keyword (261-277);
- crates/milli/src/search/facet/filter/index_filter.rs:121-190: number bounds are the
  token parsed as a finite f64 (``parse_finite_float``).

The parser returns a tree of tuples with the values decoded, so tests can compare what
the server would read with what the adapter meant.
"""

from __future__ import annotations

from typing import Any

KEYWORDS = {
    "AND", "OR", "IN", "NOT", "TO", "EXISTS", "IS", "NULL", "EMPTY", "CONTAINS", "STARTS",
    "WITH", "_geoRadius", "_geoBoundingBox",
}  # fmt: skip
OPERATORS = ("!=", ">=", "<=", "=", ">", "<")
_UNESCAPE = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "r": "\r", "0": "\0"}


class FilterSyntaxError(ValueError):
    pass


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c in "_-."


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def ws(self) -> int:
        start = self.i
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1
        return self.i - start

    def keyword(self, word: str, *, then_ws: bool = True) -> bool:
        """``word`` as a whole token here (not the start of a longer word)."""
        end = self.i + len(word)
        if self.text[self.i : end] != word:
            return False
        if end < len(self.text) and _is_word_char(self.text[end]):
            return False
        self.i = end
        if then_ws and self.ws() == 0 and self.i < len(self.text):
            raise FilterSyntaxError(f"{word} must be followed by whitespace at {self.i}")
        return True

    def value(self) -> tuple[str, str]:
        """(kind, decoded text): kind is "word" or "quoted"."""
        self.ws()
        if self.i >= len(self.text):
            raise FilterSyntaxError("expected a value")
        quote = self.text[self.i]
        if quote in "\"'":
            self.i += 1
            start, escaped = self.i, False
            while True:
                if self.i >= len(self.text):
                    raise FilterSyntaxError("missing closing quote")
                c = self.text[self.i]
                if c == quote:
                    break
                if c == "\\":
                    if self.i + 1 >= len(self.text):
                        raise FilterSyntaxError("malformed value")
                    escaped |= self.text[self.i + 1] == quote
                    self.i += 1
                self.i += 1
            raw = self.text[start : self.i]
            self.i += 1
            if escaped:
                raw = raw.replace("\\" + quote, quote)
            self.ws()
            return "quoted", _unescape(raw)
        start = self.i
        while self.i < len(self.text) and _is_word_char(self.text[self.i]):
            self.i += 1
        word = self.text[start : self.i]
        if not word:
            raise FilterSyntaxError(f"expected a value at {start}: {self.text[start:]!r}")
        if word in KEYWORDS:
            raise FilterSyntaxError(f"reserved keyword {word} used as a value")
        self.ws()
        return "word", _unescape(word)

    def expression(self) -> Any:
        return self.or_()

    def or_(self) -> Any:
        parts = [self.and_()]
        while self.keyword("OR"):
            parts.append(self.and_())
        return parts[0] if len(parts) == 1 else ("or", parts)

    def and_(self) -> Any:
        parts = [self.not_()]
        while self.keyword("AND"):
            parts.append(self.not_())
        return parts[0] if len(parts) == 1 else ("and", parts)

    def not_(self) -> Any:
        self.ws()
        if self.keyword("NOT"):
            return ("not", self.not_())
        return self.primary()

    def primary(self) -> Any:
        self.ws()
        if self.text.startswith("(", self.i):
            self.i += 1
            inner = self.expression()
            self.ws()
            if not self.text.startswith(")", self.i):
                raise FilterSyntaxError(f"expected ) at {self.i}")
            self.i += 1
            self.ws()
            return inner
        kind, field = self.value()
        if kind != "word":
            field = field  # a quoted field name is allowed too
        if self.keyword("IN", then_ws=False):
            self.ws()
            if not self.text.startswith("[", self.i):
                raise FilterSyntaxError("expected [ after IN")
            self.i += 1
            values: list[tuple[str, str]] = []
            self.ws()
            if not self.text.startswith("]", self.i):
                values.append(self.value())
                while self.text.startswith(",", self.i):
                    self.i += 1
                    self.ws()
                    if self.text.startswith("]", self.i):
                        break
                    values.append(self.value())
            if not self.text.startswith("]", self.i):
                raise FilterSyntaxError(f"expected ] at {self.i}")
            self.i += 1
            self.ws()
            return ("in", field, values)
        if self.keyword("EXISTS", then_ws=False):
            self.ws()
            return ("exists", field)
        if self.keyword("IS"):
            negated = self.keyword("NOT")
            if self.keyword("NULL", then_ws=False):
                node: Any = ("null", field)
            elif self.keyword("EMPTY", then_ws=False):
                node = ("empty", field)
            else:
                raise FilterSyntaxError("expected NULL or EMPTY after IS")
            self.ws()
            return ("not", node) if negated else node
        for op in OPERATORS:
            if self.text.startswith(op, self.i):
                self.i += len(op)
                return ("cmp", field, op, self.value())
        raise FilterSyntaxError(f"expected an operator at {self.i}: {self.text[self.i :]!r}")


def _unescape(raw: str) -> str:
    out, i = [], 0
    while i < len(raw):
        if raw[i] != "\\":
            out.append(raw[i])
            i += 1
            continue
        if i + 1 >= len(raw):
            raise FilterSyntaxError("incomplete escape")
        if raw[i + 1] not in _UNESCAPE:
            raise FilterSyntaxError(f"unknown escape \\{raw[i + 1]}")
        out.append(_UNESCAPE[raw[i + 1]])
        i += 2
    return "".join(out)


def parse_filter(text: str) -> Any:
    """The tree Meilisearch would read from ``text``; :class:`FilterSyntaxError` if none."""
    parser = _Parser(text)
    tree = parser.expression()
    parser.ws()
    if parser.i != len(text):
        raise FilterSyntaxError(f"unexpected {text[parser.i :]!r} at {parser.i}")
    return tree


def finite_float(token: tuple[str, str]) -> float:
    """A number token as milli reads it (a finite f64); FilterSyntaxError otherwise."""
    value = float(token[1])
    if value != value or value in (float("inf"), float("-inf")):
        raise FilterSyntaxError(f"not a finite number: {token[1]}")
    return value
