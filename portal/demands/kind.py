"""Demands (需求) as a kind of listing: enterprises post them (optionally without their name
shown), officials approve them; a published demand expires by itself after its deadline and
stays readable, marked expired; the owner closes it. Its owners and officials see the
solutions that fit it, ranked and explained, on its page."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from matching.search import SearchBackendError
from portal.demands.schemas import DemandCreate, DemandFields, DemandPublic, DemandUpdate
from portal.funding import service as funding
from portal.kit.i18n import N_
from portal.listings.forms import money_input
from portal.listings.kinds import FormSpec, ListingKind, Values
from portal.listings.rules import demand_errors
from portal.matching.service import inferred_needs, matches_for_demand, split_by_fit
from portal.models import Demand
from portal.search.gateway import SearchGateway


def _rules(values: Values, today: date | None) -> dict[str, str]:
    """``today`` set: a deadline before it is refused (new and edited demands)."""
    return demand_errors(
        industry=values.get("industry") or "",
        city=values.get("city") or "",
        zone=values.get("zone"),
        scenarios=values.get("scenarios") or (),
        capabilities=values.get("capabilities") or (),
        must_have=values.get("must_have") or (),
        budget_min=values.get("budget_min"),
        budget_max=values.get("budget_max"),
        deadline=values.get("deadline"),
        today=today,
    )


def _columns(fields: BaseModel) -> Values:
    assert isinstance(fields, DemandFields)
    values = fields.model_dump()
    # A must-have capability is a capability the demand asks for.
    values["capabilities"] = list(dict.fromkeys([*fields.capabilities, *fields.must_have]))
    return values


def _form_to_values(typed: Values) -> Values:
    return {**typed, "zone": typed["zone"] or None}


def _form_from_row(row: Demand) -> Values:
    return {
        "industry": row.industry,
        "scenarios": row.scenarios,
        # The form asks for must-haves apart; the capabilities box shows the others.
        "capabilities": [c for c in row.capabilities if c not in row.must_have],
        "must_have": row.must_have,
        "city": row.city,
        "zone": row.zone or "",
        "budget_min": money_input(row.budget_min),
        "budget_max": money_input(row.budget_max),
        "deadline": row.deadline.isoformat() if row.deadline else "",
        "anonymous": row.anonymous,
    }


def _matches(session: Session, gateway: SearchGateway, row: Demand, today: date) -> dict[str, Any]:
    """The ranked solutions, for the demand's owners and officials only; and the funding
    calls it is eligible for and the shared platforms it can build on (issue 16)."""
    programmes = {
        "funding": funding.funding_for_demand(session, gateway.pipeline, row, today=today),
        "funding_marks": funding.shortlisted(session, row.id or 0),
        "platforms": funding.platforms_for_demand(session, gateway.pipeline, row, today=today),
    }
    try:
        ranked = matches_for_demand(session, gateway, row, limit=10, today=today).matches
        inferred = inferred_needs(session, gateway, row)
    except SearchBackendError:
        return {"ranked": None, "nearest": [], "inferred": None, "search_down": True, **programmes}
    recommended, nearest = split_by_fit(ranked)
    return {
        "ranked": recommended,
        "nearest": nearest,
        "inferred": inferred,
        "search_down": False,
        **programmes,
    }


DEMAND = ListingKind(
    name="demand",
    plural="demands",
    label=N_("需求"),
    model=Demand,
    fields=DemandFields,
    create_schema=DemandCreate,
    update_schema=DemandUpdate,
    public_schema=DemandPublic,
    id_prefix="dem",
    retired="closed",
    retire_verb="close",
    retire_label=N_("关闭"),
    retired_at="closed_at",
    expiry="deadline",
    rules=_rules,
    to_columns=_columns,
    readable_after_expiry=True,
    anonymous=True,
    private_context=_matches,
    form=FormSpec(
        texts=("industry", "city", "zone"),
        codes=("scenarios", "capabilities", "must_have"),
        numbers=("budget_min", "budget_max"),
        dates=("deadline",),
        flags=("anonymous",),
        required={"industry": N_("请选择所属行业"), "city": N_("请选择所在城市")},
        to_values=_form_to_values,
        from_row=_form_from_row,
    ),
    texts={
        "org_label": N_("发布企业"),
        "expiry_label": N_("截止日期"),
        "title_label": N_("需求标题"),
        "description_label": N_("需求描述"),
        "description_hint": (
            N_("用自己的话写清楚要解决什么问题；不熟悉5G术语也没关系，平台会根据描述推断场景和能力")
        ),
        "search_title": N_("需求大厅"),
        "search_heading": N_("5G应用需求"),
        "search_lead": N_("湖南企业发布的、经主管部门审核的5G应用需求，已过截止日期的不再显示。"),
        "search_placeholder": N_("如：陶瓷 质检、AGV、远程操控"),
        "search_unit": N_("个需求"),
        "search_empty": N_("没有找到符合条件的需求。"),
        "api_create": "Post a demand (an enterprise's member; Bearer write token or session)",
        "api_read": "A demand: published ones for anyone; any status for its owners and officials",
        "api_update": "Change a demand (its owners); `status`: draft, pending (submit) or closed",
        "api_forbidden": "not a member of the enterprise that owns it, or a read-only token",
    },
)
