"""Funding (资金扶持) as a kind of listing: finance members and officials post fund calls,
subsidies, loan products and equity programmes; officials approve them; a published call
expires after its application deadline and stays readable, marked expired; the owner
closes it. A demand's owners see the calls it is eligible for (:mod:`portal.funding.service`)."""

from __future__ import annotations

from datetime import date

from portal.funding.schemas import FundingCreate, FundingFields, FundingPublic, FundingUpdate
from portal.kit.i18n import N_
from portal.listings.forms import money_input
from portal.listings.kinds import FormSpec, ListingKind, Values
from portal.listings.rules import funding_errors
from portal.models import Funding


def _rules(values: Values, today: date | None) -> dict[str, str]:
    return funding_errors(
        industries=values.get("industries") or (),
        regions=values.get("regions") or (),
        org_kinds=values.get("org_kinds") or (),
        stages=values.get("stages") or (),
        amount_min=values.get("amount_min"),
        amount_max=values.get("amount_max"),
        deadline=values.get("deadline"),
        today=today,
    )


def _form_to_values(typed: Values) -> Values:
    return {**typed, "apply_url": typed["apply_url"] or None, "source": typed["source"] or None}


def _form_from_row(row: Funding) -> Values:
    return {
        "summary": row.summary,
        "industries": row.industries,
        "regions": row.regions,
        "org_kinds": row.org_kinds,
        "stages": row.stages,
        "amount_min": money_input(row.amount_min),
        "amount_max": money_input(row.amount_max),
        "cost_share": money_input(row.cost_share),
        "deadline": row.deadline.isoformat() if row.deadline else "",
        "apply_url": row.apply_url or "",
        "source": row.source or "",
    }


FUNDING = ListingKind(
    name="funding",
    plural="funds",
    label=N_("资金扶持"),
    model=Funding,
    fields=FundingFields,
    create_schema=FundingCreate,
    update_schema=FundingUpdate,
    public_schema=FundingPublic,
    id_prefix="fund",
    retired="closed",
    retire_verb="close",
    retire_label=N_("关闭"),
    retired_at="closed_at",
    expiry="deadline",
    rules=_rules,
    readable_after_expiry=True,
    form=FormSpec(
        texts=("summary", "apply_url", "source"),
        codes=("industries", "regions", "org_kinds", "stages"),
        numbers=("amount_min", "amount_max", "cost_share"),
        dates=("deadline",),
        required={"regions": N_("请至少选择一个适用地区")},
        to_values=_form_to_values,
        from_row=_form_from_row,
    ),
    texts={
        "org_label": N_("发布机构"),
        "expiry_label": N_("申请截止"),
        "short_label": N_("资金项目"),
        "title_label": N_("项目名称"),
        "description_label": N_("支持内容与申请条件"),
        "search_title": N_("资金扶持"),
        "search_heading": N_("5G应用资金扶持"),
        "search_lead": (
            N_(
                "金融机构和主管部门发布的、经审核的5G应用专项资金、补贴、贷款和股权投资项目。"
                "已过申请截止日期的不再显示。"
            )
        ),
        "search_placeholder": N_("如：专项资金、项目贷款、陶瓷"),
        "search_unit": N_("个资金项目"),
        "search_empty": N_("没有找到符合条件的资金扶持项目。"),
        "api_create": (
            "List a funding call (a finance organisation's or officials' member; Bearer write "
            "token or session)"
        ),
        "api_read": (
            "A funding call: published ones for anyone; any status for its owners and officials"
        ),
        "api_update": "Change a funding call (its owners); `status`: draft, pending or closed",
        "api_forbidden": (
            "not a member of a finance or government organisation that owns it, or a "
            "read-only token"
        ),
    },
)
