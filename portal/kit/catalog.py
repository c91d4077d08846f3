"""The English catalog kept whole (issue 18): extract every marked string, compare with the
catalog, compile it, and find Chinese text in templates that is not marked at all.

    python -m portal.kit.catalog extract   # add new strings to the catalog (empty msgstr)
    python -m portal.kit.catalog check     # what is untranslated, unmarked or does not compile
    python -m portal.kit.catalog compile   # .po → .mo (make install does this)

``make i18n`` runs extract then check; ``tests/test_catalog.py`` runs the check."""

from __future__ import annotations

import io
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment

from portal.kit.i18n import DOMAIN, LOCALES, SOURCE, TRANSLATIONS_DIR, compile_catalog

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Where strings shown to people live: (folder, file pattern, Babel extraction method).
SOURCES = [
    ("portal", "*.py", "python"),
    ("matching", "*.py", "python"),  # the explanations (matching.messages)
    ("templates", "*.html", "jinja2.ext:babel_extract"),
    ("templates", "*.txt", "jinja2.ext:babel_extract"),
]
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n"}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]")
HAN = re.compile(r"[\u3400-\u9fff]")


def po_path(locale: str) -> Path:
    return TRANSLATIONS_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract() -> Catalog:
    """Every string marked in the portal's Python code and templates."""
    catalog = Catalog(project="hunan-5g-portal", domain=DOMAIN)
    for folder, pattern, method in SOURCES:
        for path in sorted((ROOT / folder).rglob(pattern)):
            filename = str(path.relative_to(ROOT))
            options = JINJA_OPTIONS if method != "python" else {}
            for lineno, message, comments, context in extract_from_file(
                method, str(path), keywords=KEYWORDS, options=options
            ):
                if message[0] if isinstance(message, tuple) else message:
                    catalog.add(
                        message,
                        None,
                        [(filename, lineno)],
                        auto_comments=comments,
                        context=context,
                    )
    for message, filename in seed_messages():
        catalog.add(message, None, [(filename, 0)])
    return catalog


def seed_messages() -> Iterator[tuple[str, str]]:
    """Reference data shown as labels: the names, categories and units of 表1 and its source
    (``seed/indicators.json``); pages pass them through ``_()``."""
    import json

    path = ROOT / "seed" / "indicators.json"
    table = json.loads(path.read_text(encoding="utf-8"))
    yield table["source"], "seed/indicators.json"
    for row in table["rows"]:
        for key in ("name", "category", "unit"):
            if CJK.search(row.get(key) or ""):
                yield row[key], "seed/indicators.json"


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale)


def write_catalog(locale: str, catalog: Catalog) -> None:
    """Write the catalog, unless only its creation date would change (a new date on every
    extraction made each branch's catalog conflict with every other's)."""
    path = po_path(locale)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, include_lineno=False)
    if path.exists() and _undated(path.read_bytes()) == _undated(buffer.getvalue()):
        return
    path.write_bytes(buffer.getvalue())


def _undated(po: bytes) -> bytes:
    return re.sub(rb'"POT-Creation-Date: [^"]*"\n', b"", po)


def update(locale: str, template: Catalog) -> tuple[int, int]:
    """Adds the new strings of ``template`` to the catalog (untranslated) and drops those no
    longer used; returns (added, dropped)."""
    path = po_path(locale)
    existing = read_catalog(locale) if path.exists() else Catalog(locale=locale, domain=DOMAIN)
    merged = Catalog(locale=locale, domain=DOMAIN, project="hunan-5g-portal")
    added = 0
    for message in template:
        if not message.id:
            continue
        old = existing.get(message.id, message.context)
        string = old.string if old is not None else ("", "") if message.pluralizable else ""
        added += old is None
        merged.add(message.id, string, message.locations, context=message.context)
    dropped = sum(1 for m in existing if m.id and template.get(m.id, m.context) is None)
    write_catalog(locale, merged)
    return added, dropped


@dataclass
class Report:
    strings: int = 0
    untranslated: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)
    mismatched: list[str] = field(default_factory=list)
    compile_error: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.untranslated or self.unmarked or self.mismatched or self.compile_error)

    def lines(self) -> Iterator[str]:
        yield f"{self.strings} strings in the catalog"
        for text in self.untranslated:
            yield f"no English translation: {text!r}"
        for text in self.unmarked:
            yield f"Chinese text not marked for translation: {text}"
        for text in self.mismatched:
            yield f"the translation's placeholders differ from the source's: {text}"
        for text in self.unused:
            yield f"in the catalog but no longer used (run extract): {text!r}"
        if self.compile_error:
            yield f"the catalog does not compile: {self.compile_error}"


PLACEHOLDER = re.compile(r"%\(\w+\)s|\{[^{}]*\}")


def placeholders(text: str) -> list[str]:
    """``%(name)s`` and ``{name}`` fields: a translation must keep the same ones (Babel
    checks only the first kind)."""
    return sorted(PLACEHOLDER.findall(text))


def _translated(message: object) -> bool:
    string = getattr(message, "string", "")
    if isinstance(string, tuple | list):
        return all(string)
    return bool(string)


def check() -> Report:
    """Every marked string has an English translation, the catalogs compile, and no template
    shows Chinese text outside ``_()``/``{% trans %}``."""
    template = extract()
    report = Report(strings=sum(1 for m in template if m.id))
    for locale in LOCALES:
        if locale == SOURCE:
            continue
        catalog = read_catalog(locale)
        for message in template:
            if not message.id:
                continue
            found = catalog.get(message.id, message.context)
            if found is None or not _translated(found) or found.fuzzy:
                report.untranslated.append(str(message.id))
            elif placeholders(str(message.id)) != placeholders(str(found.string)):
                report.mismatched.append(f"{message.id!r} → {found.string!r}")
        report.unused += [
            str(m.id) for m in catalog if m.id and template.get(m.id, m.context) is None
        ]
        with tempfile.TemporaryDirectory() as tmp:
            try:
                compile_catalog(po_path(locale), Path(tmp) / "messages.mo")
            except Exception as exc:
                report.compile_error = f"{locale}: {exc}"
    report.unmarked = list(unmarked_in_templates())
    return report


def unmarked_in_templates() -> Iterator[str]:
    """Chinese text in a template outside ``{% trans %}`` blocks and ``_()`` calls."""
    env = Environment(extensions=["jinja2.ext.i18n"])
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        source = path.read_text(encoding="utf-8")
        yield from (
            f"{path.relative_to(ROOT)}:{lineno}: {text.strip()[:60]}"
            for lineno, text in _unmarked(env, source)
        )


def _unmarked(env: Environment, source: str) -> Iterator[tuple[int, str]]:
    in_trans = False
    previous: list[tuple[str, str]] = []
    for lineno, kind, value in env.lex(source):
        if kind == "name" and previous and previous[-1][0] == "block_begin":
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        if kind == "data" and not in_trans and HAN.search(value):
            yield lineno, value
        if kind == "string" and HAN.search(value):
            called = [v for k, v in previous[-2:] if k not in ("whitespace",)]
            if called[-2:] not in (["_", "("], ["gettext", "("], ["N_", "("]):
                yield lineno, value
        if kind != "whitespace":
            previous = [*previous[-3:], (kind, value)]


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        template = extract()
        for locale in LOCALES:
            if locale != SOURCE:
                added, dropped = update(locale, template)
                print(f"{locale}: {added} new strings, {dropped} dropped")
        command = "check"
    if command == "compile":
        for locale in LOCALES:
            if locale != SOURCE:
                po = po_path(locale)
                compile_catalog(po, po.with_suffix(".mo"))
        return 0
    if command == "check":
        report = check()
        for line in report.lines():
            print(line)
        return 0 if report.ok else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
