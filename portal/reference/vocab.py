"""The controlled vocabularies of DESIGN.md, read from ``seed/vocabularies.json``.

Codes are part of the import format, so the JSON file is the single source: the database
mirrors it (for foreign keys and queries) and the application reads labels from here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from portal.kit.i18n import get_locale

SEED_DIR = Path(__file__).resolve().parents[2] / "seed"


@dataclass(frozen=True)
class Term:
    code: str
    name_zh: str
    name_en: str
    featured: bool = False
    adjacent: tuple[str, ...] = ()
    map_name: str = ""  # cities only
    city: str = ""  # pilot zones only
    kind: str = ""  # pilot zones only

    @property
    def name(self) -> str:
        """The name in the request's language (the English name where there is one)."""
        return self.name_en if self.name_en and get_locale() == "en" else self.name_zh


@dataclass(frozen=True)
class Vocabularies:
    terms: dict[str, dict[str, Term]] = field(default_factory=dict)

    def codes(self, vocabulary: str) -> list[str]:
        return list(self.terms[vocabulary])

    def has(self, vocabulary: str, code: str) -> bool:
        return code in self.terms[vocabulary]

    def label(self, vocabulary: str, code: str | None) -> str:
        if code is None:
            return ""
        term = self.terms.get(vocabulary, {}).get(code)
        return term.name if term else code

    def region_label(self, code: str) -> str:
        if code in self.terms["city"]:
            return self.terms["city"][code].name
        if code in self.terms["pilot_zone"]:  # a park, in the regions of a funding call
            return self.terms["pilot_zone"][code].name
        return self.label("region_extra", code)

    @property
    def regions(self) -> list[str]:
        return self.codes("city") + self.codes("region_extra")

    @property
    def places(self) -> list[str]:
        """Regions that may also name a park (funding calls, incubation cohorts)."""
        parks = [c for c, t in self.terms["pilot_zone"].items() if t.kind == "park"]
        return self.codes("city") + parks + self.codes("region_extra")


@lru_cache
def get_vocabularies() -> Vocabularies:
    raw = json.loads((SEED_DIR / "vocabularies.json").read_text(encoding="utf-8"))
    terms: dict[str, dict[str, Term]] = {}
    for vocabulary, rows in raw.items():
        table: dict[str, Term] = {}
        for row in rows:
            if vocabulary == "industry":
                code, zh, en, featured, adjacent = row
                table[code] = Term(code, zh, en, featured=featured, adjacent=tuple(adjacent))
            elif vocabulary == "city":
                code, zh, map_name, en = row
                table[code] = Term(code, zh, en, map_name=map_name)
            elif vocabulary == "pilot_zone":
                code, zh, en, kind, city = row
                table[code] = Term(code, zh, en, kind=kind, city=city)
            else:
                code, zh, en = row
                table[code] = Term(code, zh, en)
        terms[vocabulary] = table
    return Vocabularies(terms)
