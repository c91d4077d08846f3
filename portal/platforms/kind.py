"""Shared technology platforms (共性技术平台, 重点工程7) as a kind of listing: BeiDou outdoor
and 5G indoor positioning, AI, ultra-HD video and AR/VR offered to every industry by the
organisation that operates them; officials approve them; the owner closes them. A demand
that needs one of them sees the platforms serving its city (:mod:`portal.platforms.service`)."""

from __future__ import annotations

from datetime import date

from portal.kit.i18n import N_
from portal.listings.kinds import FormSpec, ListingKind, Values
from portal.listings.rules import platform_errors
from portal.models import Platform
from portal.platforms.schemas import (
    PlatformCreate,
    PlatformFields,
    PlatformPublic,
    PlatformUpdate,
)


def _rules(values: Values, today: date | None) -> dict[str, str]:
    return platform_errors(
        platform_capabilities=values.get("platform_capabilities") or (),
        regions=values.get("regions") or (),
        access=values.get("access"),
        price_model=values.get("price_model"),
    )


def _form_to_values(typed: Values) -> Values:
    return {
        **typed,
        "access": typed["access"] or None,
        "price_model": typed["price_model"] or None,
    }


def _form_from_row(row: Platform) -> Values:
    return {
        "summary": row.summary,
        "platform_capabilities": row.platform_capabilities,
        "regions": row.regions,
        "access": row.access or "",
        "price_model": row.price_model or "",
    }


PLATFORM = ListingKind(
    name="platform",
    plural="platforms",
    label=N_("共性技术平台"),
    model=Platform,
    fields=PlatformFields,
    create_schema=PlatformCreate,
    update_schema=PlatformUpdate,
    public_schema=PlatformPublic,
    id_prefix="plat",
    retired="closed",
    retire_verb="close",
    retire_label=N_("关闭"),
    retired_at="closed_at",
    expiry="expires_on",
    rules=_rules,
    form=FormSpec(
        texts=("summary", "access", "price_model"),
        codes=("platform_capabilities", "regions"),
        required={
            "platform_capabilities": N_("请至少选择一项平台能力"),
            "regions": N_("请至少选择一个服务区域"),
        },
        to_values=_form_to_values,
        from_row=_form_from_row,
    ),
    texts={
        "org_label": N_("运营机构"),
        "expiry_label": N_("有效期至"),
        "short_label": N_("平台"),
        "title_label": N_("平台名称"),
        "description_label": N_("平台介绍"),
        "search_title": N_("共性技术平台"),
        "search_heading": N_("5G共性技术平台与技术服务"),
        "search_lead": (
            N_(
                "面向各行业开放的北斗室外高精度定位、5G室内定位、人工智能、超高清视频和AR/VR平台，"
                "解决方案可以在其上构建。按能力和服务城市筛选。"
            )
        ),
        "search_placeholder": N_("如：北斗定位、AI 质检、超高清"),
        "search_unit": N_("个平台"),
        "search_empty": N_("没有找到符合条件的共性技术平台。"),
        "api_create": "List a shared technology platform (a vendor organisation's member)",
        "api_read": (
            "A platform: published ones for anyone; any status for its owners and officials"
        ),
        "api_update": "Change a platform (its owners); `status`: draft, pending or closed",
        "api_forbidden": "not a member of the organisation that owns it, or a read-only token",
    },
)
