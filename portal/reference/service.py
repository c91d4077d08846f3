"""Reference data: vocabularies, cities, pilot zones and the plan's indicators (表1).

Loaded by every CLI command and at start-up; idempotent, and it never touches data that
people enter (indicator values other than the plan's own 2020 figures are left alone).
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlmodel import Session, select

from portal.kit.i18n import N_
from portal.models import (
    City,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    PilotZone,
    PlanPeriod,
    VocabularyTerm,
)
from portal.reference.vocab import SEED_DIR, get_vocabularies

PLAN_SOURCE = N_("《湖南省“十四五”信息通信行业发展规划》表1")
TERM_VOCABULARIES = (
    "industry",
    "capability",
    "scenario",
    "operator",
    "org_kind",
    "evidence",
    "network_mode",
    "network_status",
)


def _upsert(
    session: Session, model: type[Any], key: dict[str, Any], values: dict[str, Any]
) -> None:
    row = session.get(model, tuple(key.values()) if len(key) > 1 else next(iter(key.values())))
    if row is None:
        session.add(model(**key, **values))
        return
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)


def parse_printed_number(text: str) -> float | None:
    """The numeric value of a cell of 表1, or None for "-" and prose such as 力争小于1.35."""
    return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None


def parse_growth(text: str) -> tuple[str | None, float | None]:
    """``"35.4%"`` → ("annual", 0.354); ``"[15]"`` → ("cumulative", 15.0); "-" → (None, None)."""
    if m := re.fullmatch(r"(\d+(?:\.\d+)?)%", text):
        return "annual", round(float(m.group(1)) / 100, 6)
    if m := re.fullmatch(r"\[(\d+(?:\.\d+)?)\]", text):
        return "cumulative", float(m.group(1))
    return None, None


def load_indicator_rows() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SEED_DIR / "indicators.json").read_text(encoding="utf-8"))
    return data


def load_reference(session: Session) -> None:
    vocab = get_vocabularies()
    for vocabulary in TERM_VOCABULARIES:
        for sort, term in enumerate(vocab.terms[vocabulary].values()):
            _upsert(
                session,
                VocabularyTerm,
                {"vocabulary": vocabulary, "code": term.code},
                {
                    "name_zh": term.name_zh,
                    "name_en": term.name_en,
                    "sort": sort,
                    "featured": term.featured,
                    "adjacent": list(term.adjacent),
                },
            )
    for sort, term in enumerate(vocab.terms["city"].values()):
        _upsert(
            session,
            City,
            {"code": term.code},
            {
                "name_zh": term.name_zh,
                "map_name": term.map_name,
                "name_en": term.name_en,
                "sort": sort,
            },
        )
    session.flush()
    for sort, term in enumerate(vocab.terms["pilot_zone"].values()):
        _upsert(
            session,
            PilotZone,
            {"code": term.code},
            {
                "name_zh": term.name_zh,
                "name_en": term.name_en,
                "kind": term.kind,
                "city": term.city,
                "sort": sort,
            },
        )
    plan = load_indicator_rows()
    for sort, row in enumerate(plan["rows"]):
        growth_kind, growth = parse_growth(row["growth"])
        _upsert(
            session,
            Indicator,
            {"code": row["code"]},
            {
                "seq": row["seq"],
                "category": row["category"],
                "name": row["name"],
                "parent_code": row.get("parent"),
                "unit": row["unit"],
                "baseline_year": plan["baseline_year"],
                "baseline_printed": row["baseline"],
                "baseline": parse_printed_number(row["baseline"]),
                "target_year": plan["target_year"],
                "target_printed": row["target"],
                "target": parse_printed_number(row["target"]),
                "growth_printed": row["growth"],
                "growth_kind": growth_kind,
                "growth": growth,
                "sort": sort,
            },
        )
    session.flush()
    # The plan's 2020 column is the first actual of each indicator.
    for row in plan["rows"]:
        baseline = parse_printed_number(row["baseline"])
        if baseline is None:
            continue
        exists = session.exec(
            select(IndicatorValue).where(
                IndicatorValue.indicator_code == row["code"],
                IndicatorValue.year == plan["baseline_year"],
            )
        ).first()
        if exists is None:
            session.add(
                IndicatorValue(
                    indicator_code=row["code"],
                    year=plan["baseline_year"],
                    value=baseline,
                    source=PLAN_SOURCE,
                )
            )
    session.flush()
    # Public figures that fit a row of 表1, dated and sourced; never over what people entered.
    actuals = json.loads((SEED_DIR / "indicator_actuals.json").read_text(encoding="utf-8"))
    for item in actuals["values"]:
        found = session.exec(
            select(IndicatorValue.id).where(
                IndicatorValue.indicator_code == item["indicator"],
                IndicatorValue.year == item["year"],
            )
        ).first()
        if found is None:
            session.add(
                IndicatorValue(
                    indicator_code=item["indicator"],
                    year=item["year"],
                    value=item["value"],
                    source=item["source"],
                )
            )
    session.flush()
    # Targets are data, one row per indicator and period: 表1 gives the 2025 ones; a later
    # plan's (2030) are more rows. Only rows missing here are added.
    for row in plan["rows"]:
        if row["target"] in ("", "-"):
            continue
        if session.get(IndicatorTarget, (row["code"], plan["target_year"])) is None:
            session.add(
                IndicatorTarget(
                    indicator_code=row["code"],
                    year=plan["target_year"],
                    value=parse_printed_number(row["target"]),
                    printed=row["target"],
                    source=PLAN_SOURCE,
                )
            )
    session.flush()
    # The plan's own period; later ones are added by officials (never overwritten here).
    if session.get(PlanPeriod, plan["target_year"]) is None:
        session.add(
            PlanPeriod(
                target_year=plan["target_year"],
                baseline_year=plan["baseline_year"],
                name=N_("“十四五”"),
                source=PLAN_SOURCE,
            )
        )
        session.flush()
