"""Incubation programmes (应用孵化) as a kind of listing: incubators, parks, universities and
research institutes post cohorts; officials approve them; a published cohort expires when it
ends; the owner closes it. Young vendors see the programmes they fit
(:mod:`portal.incubation.service`)."""

from __future__ import annotations

from datetime import date

from portal.incubation.schemas import (
    IncubationCreate,
    IncubationFields,
    IncubationPublic,
    IncubationUpdate,
)
from portal.kit.i18n import N_
from portal.listings.kinds import FormSpec, ListingKind, Values
from portal.listings.rules import incubation_errors
from portal.models import Incubation


def _rules(values: Values, today: date | None) -> dict[str, str]:
    return incubation_errors(
        industries=values.get("industries") or (),
        regions=values.get("regions") or (),
        support=values.get("support") or (),
        starts_on=values.get("starts_on"),
        ends_on=values.get("ends_on"),
        today=today,
    )


def _form_from_row(row: Incubation) -> Values:
    return {
        "summary": row.summary,
        "industries": row.industries,
        "regions": row.regions,
        "support": row.support,
        "starts_on": row.starts_on.isoformat() if row.starts_on else "",
        "ends_on": row.ends_on.isoformat() if row.ends_on else "",
    }


INCUBATION = ListingKind(
    name="incubation",
    plural="incubations",
    label=N_("应用孵化"),
    model=Incubation,
    fields=IncubationFields,
    create_schema=IncubationCreate,
    update_schema=IncubationUpdate,
    public_schema=IncubationPublic,
    id_prefix="incu",
    retired="closed",
    retire_verb="close",
    retire_label=N_("关闭"),
    retired_at="closed_at",
    expiry="ends_on",
    rules=_rules,
    form=FormSpec(
        texts=("summary",),
        codes=("industries", "regions", "support"),
        dates=("starts_on", "ends_on"),
        required={"regions": N_("请至少选择一个地区")},
        from_row=_form_from_row,
    ),
    texts={
        "org_label": N_("孵化机构"),
        "expiry_label": N_("结束日期"),
        "short_label": N_("孵化项目"),
        "title_label": N_("孵化项目名称"),
        "description_label": N_("项目介绍与入驻条件"),
        "search_title": N_("应用孵化"),
        "search_heading": N_("5G应用孵化"),
        "search_lead": (
            N_(
                "孵化器、产业园区、高校和科研院所面向5G应用初创团队和年轻企业开放的孵化项目："
                "场地、测试网络、导师和路演对接。"
            )
        ),
        "search_placeholder": N_("如：视频文创、测试网络、路演"),
        "search_unit": N_("个孵化项目"),
        "search_empty": N_("没有找到符合条件的孵化项目。"),
        "api_create": (
            "List an incubation cohort (an incubator's, university's or research institute's "
            "member)"
        ),
        "api_read": (
            "An incubation cohort: published ones for anyone; any status for owners and officials"
        ),
        "api_update": (
            "Change an incubation cohort (its owners); `status`: draft, pending or closed"
        ),
        "api_forbidden": "not a member of the organisation that owns it, or a read-only token",
    },
)
