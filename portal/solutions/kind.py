"""Solutions (解决方案) as a kind of listing: vendors post them, officials approve them,
everyone reads the published ones until they expire; the owner archives them."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from portal.kit.i18n import N_
from portal.listings.forms import money_input
from portal.listings.kinds import FormSpec, ListingKind, Values
from portal.listings.rules import solution_errors
from portal.models import Solution
from portal.solutions.schemas import (
    SolutionCreate,
    SolutionFields,
    SolutionPublic,
    SolutionUpdate,
)


def _rules(values: Values, today: date | None) -> dict[str, str]:
    prefs = values.get("preferences") or {}
    return solution_errors(
        industries=values.get("industries") or (),
        scenarios=values.get("scenarios") or (),
        capabilities=values.get("capabilities") or (),
        regions=values.get("regions") or (),
        price_min=values.get("price_min"),
        price_max=values.get("price_max"),
        preference_industries=prefs.get("industries") or (),
        preference_regions=prefs.get("regions") or (),
    )


def _columns(fields: BaseModel) -> Values:
    assert isinstance(fields, SolutionFields)
    values = fields.model_dump(exclude={"preferences"})
    values["preferences"] = fields.preferences.model_dump() if fields.preferences else {}
    return values


def _row_values(row: Solution, values: Values) -> Values:
    return {**values, "preferences": row.preferences or None}


def _form_to_values(typed: Values) -> Values:
    """The three preference inputs become the ``preferences`` object, when any is given."""
    values = {k: v for k, v in typed.items() if not k.startswith("pref_")}
    industries, regions = typed["pref_industries"], typed["pref_regions"]
    budget = typed["pref_min_budget"]
    has_preferences = industries or regions or budget is not None
    values["preferences"] = (
        {"industries": industries, "regions": regions, "min_budget": budget}
        if has_preferences
        else None
    )
    return values


def _form_from_row(row: Solution) -> Values:
    prefs: dict[str, Any] = row.preferences or {}
    return {
        "summary": row.summary,
        "industries": row.industries,
        "scenarios": row.scenarios,
        "capabilities": row.capabilities,
        "regions": row.regions,
        "price_min": money_input(row.price_min),
        "price_max": money_input(row.price_max),
        "pref_industries": prefs.get("industries", []),
        "pref_regions": prefs.get("regions", []),
        "pref_min_budget": money_input(prefs.get("min_budget")),
    }


SOLUTION = ListingKind(
    name="solution",
    plural="solutions",
    label=N_("解决方案"),
    model=Solution,
    fields=SolutionFields,
    create_schema=SolutionCreate,
    update_schema=SolutionUpdate,
    public_schema=SolutionPublic,
    id_prefix="sol",
    retired="archived",
    retire_verb="archive",
    retire_label=N_("下架"),
    retired_at="archived_at",
    expiry="expires_on",
    rules=_rules,
    to_columns=_columns,
    row_values=_row_values,
    form=FormSpec(
        texts=("summary",),
        codes=(
            "industries",
            "scenarios",
            "capabilities",
            "regions",
            "pref_industries",
            "pref_regions",
        ),
        numbers=("price_min", "price_max", "pref_min_budget"),
        required={"regions": N_("请至少选择一个服务区域")},
        to_values=_form_to_values,
        inputs={
            "preferences.industries": "pref_industries",
            "preferences.regions": "pref_regions",
            "preferences.min_budget": "pref_min_budget",
        },
        from_row=_form_from_row,
    ),
    texts={
        "org_label": N_("发布机构"),
        "expiry_label": N_("有效期至"),
        "short_label": N_("方案"),
        "title_label": N_("方案名称"),
        "description_label": N_("方案介绍"),
        "search_title": N_("解决方案"),
        "search_heading": N_("5G解决方案"),
        "search_lead": (
            N_(
                "运营商、设备商、集成商和应用开发商发布的、经主管部门审核的5G行业解决方案。输入关键词即时搜索，按行业、场景、能力和服务城市筛选。"
            )
        ),
        "search_placeholder": N_("如：陶瓷 机器视觉、远程操控"),
        "search_unit": N_("个解决方案"),
        "search_empty": N_("没有找到符合条件的解决方案。"),
        "api_create": (
            "List a solution (a vendor organisation's member; Bearer write token or session)"
        ),
        "api_read": (
            "A solution: published ones for anyone; any status for its owners and officials"
        ),
        "api_update": (
            "Change a solution (its owners); `status`: draft, pending (submit) or archived"
        ),
        "api_forbidden": (
            "not a member of a vendor organisation that owns it, or a read-only token"
        ),
    },
)
