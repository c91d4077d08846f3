"""Field rules of solutions and demands that need the vocabularies: one place, so the
importer, the forms and the JSON API refuse the same things with the same words.

Each function returns ``{field: message}`` (empty when all is well); a field of a nested
object is named with a dot (``preferences.regions``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from portal.kit.i18n import N_, _
from portal.reference.vocab import get_vocabularies

FIELD_LABELS = {
    "title": N_("标题"),
    "summary": N_("一句话简介"),
    "description": N_("详细描述"),
    "industries": N_("适用行业"),
    "industry": N_("所属行业"),
    "scenarios": N_("应用场景"),
    "capabilities": N_("5G能力"),
    "must_have": N_("必须具备的能力"),
    "regions": N_("服务区域"),
    "price_min": N_("报价下限"),
    "price_max": N_("报价上限"),
    "preferences.industries": N_("偏好行业"),
    "preferences.regions": N_("偏好地区"),
    "preferences.min_budget": N_("最低项目金额"),
    "city": N_("所在城市"),
    "zone": N_("试点区域"),
    "budget_min": N_("预算下限"),
    "budget_max": N_("预算上限"),
    "deadline": N_("截止日期"),
    "anonymous": N_("匿名发布"),
    "org_kinds": N_("申请机构类型"),
    "stages": N_("项目阶段"),
    "amount_min": N_("扶持金额下限"),
    "amount_max": N_("扶持金额上限"),
    "cost_share": N_("最高占项目投资比例"),
    "platform_capabilities": N_("平台能力"),
    "access": N_("接入方式"),
    "price_model": N_("收费模式"),
    "starts_on": N_("开始日期"),
    "ends_on": N_("结束日期"),
    "support": N_("提供的支持"),
}


def _codes(errors: dict[str, str], name: str, vocabulary: str, codes: Iterable[str]) -> None:
    vocab = get_vocabularies()
    unknown = [c for c in codes if not vocab.has(vocabulary, c)]
    if unknown and name not in errors:
        errors[name] = _("未知代码 ") + "、".join(repr(c) for c in unknown)


def _regions(errors: dict[str, str], name: str, codes: Iterable[str]) -> None:
    regions = set(get_vocabularies().regions)
    unknown = [c for c in codes if c not in regions]
    if unknown and name not in errors:
        errors[name] = (
            _("未知地区代码 ")
            + "、".join(repr(c) for c in unknown)
            + _("（应为 14 个市州代码、hunan 或 national）")
        )


def _places(errors: dict[str, str], name: str, codes: Iterable[str]) -> None:
    """Regions that may also name a pilot zone (a funding call of a park)."""
    vocab = get_vocabularies()
    places = set(vocab.regions) | set(vocab.codes("pilot_zone"))
    unknown = [c for c in codes if c not in places]
    if unknown and name not in errors:
        errors[name] = _(
            "未知地区代码 {codes}（应为市州代码、试点区域代码、hunan 或 national）"
        ).format(codes="、".join(repr(c) for c in unknown))


def _range(
    errors: dict[str, str], low: float | None, high: float | None, names: tuple[str, str]
) -> None:
    if low is not None and high is not None and high < low and names[1] not in errors:
        # Names people read, not field codes (issue 18): the API's error names the field.
        errors[names[1]] = _("{high}不能小于{low}").format(
            high=FIELD_LABELS[names[1]], low=FIELD_LABELS[names[0]]
        )


def solution_errors(
    *,
    industries: Iterable[str] = (),
    scenarios: Iterable[str] = (),
    capabilities: Iterable[str] = (),
    regions: Iterable[str] = (),
    price_min: float | None = None,
    price_max: float | None = None,
    preference_industries: Iterable[str] = (),
    preference_regions: Iterable[str] = (),
) -> dict[str, str]:
    errors: dict[str, str] = {}
    _codes(errors, "industries", "industry", industries)
    _codes(errors, "scenarios", "scenario", scenarios)
    _codes(errors, "capabilities", "capability", capabilities)
    _regions(errors, "regions", regions)
    _codes(errors, "preferences.industries", "industry", preference_industries)
    _regions(errors, "preferences.regions", preference_regions)
    _range(errors, price_min, price_max, ("price_min", "price_max"))
    return errors


def demand_errors(
    *,
    industry: str,
    city: str,
    zone: str | None = None,
    scenarios: Iterable[str] = (),
    capabilities: Iterable[str] = (),
    must_have: Iterable[str] = (),
    budget_min: float | None = None,
    budget_max: float | None = None,
    deadline: date | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """``today`` set: a deadline before it is refused (new and edited demands; an import
    may carry history)."""
    vocab = get_vocabularies()
    errors: dict[str, str] = {}
    _codes(errors, "industry", "industry", [industry])
    _codes(errors, "scenarios", "scenario", scenarios)
    _codes(errors, "capabilities", "capability", capabilities)
    _codes(errors, "must_have", "capability", must_have)
    if not vocab.has("city", city):
        errors["city"] = _("未知城市代码 {city!r}").format(city=city)
    elif zone is not None:
        if not vocab.has("pilot_zone", zone):
            errors["zone"] = _("未知试点区域 {zone!r}").format(zone=zone)
        elif vocab.terms["pilot_zone"][zone].city != city:
            errors["zone"] = _("试点区域 {value} 不在该城市").format(
                value=vocab.label("pilot_zone", zone)
            )
    _range(errors, budget_min, budget_max, ("budget_min", "budget_max"))
    if today is not None and deadline is not None and deadline < today:
        errors["deadline"] = _("截止日期不能早于今天")
    return errors


def funding_errors(
    *,
    industries: Iterable[str] = (),
    regions: Iterable[str] = (),
    org_kinds: Iterable[str] = (),
    stages: Iterable[str] = (),
    amount_min: float | None = None,
    amount_max: float | None = None,
    deadline: date | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """``today`` set: a deadline before it is refused (an import may carry history)."""
    errors: dict[str, str] = {}
    _codes(errors, "industries", "industry", industries)
    _places(errors, "regions", regions)
    _codes(errors, "org_kinds", "org_kind", org_kinds)
    _codes(errors, "stages", "funding_stage", stages)
    _range(errors, amount_min, amount_max, ("amount_min", "amount_max"))
    if today is not None and deadline is not None and deadline < today:
        errors["deadline"] = _("申请截止日期不能早于今天")
    return errors


def platform_errors(
    *,
    platform_capabilities: Iterable[str] = (),
    regions: Iterable[str] = (),
    access: str | None = None,
    price_model: str | None = None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    _codes(errors, "platform_capabilities", "platform_capability", platform_capabilities)
    _regions(errors, "regions", regions)
    if access is not None:
        _codes(errors, "access", "platform_access", [access])
    if price_model is not None:
        _codes(errors, "price_model", "price_model", [price_model])
    return errors


def incubation_errors(
    *,
    industries: Iterable[str] = (),
    regions: Iterable[str] = (),
    support: Iterable[str] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    today: date | None = None,
) -> dict[str, str]:
    """``today`` set: a cohort that has already ended is refused."""
    errors: dict[str, str] = {}
    _codes(errors, "industries", "industry", industries)
    _places(errors, "regions", regions)
    _codes(errors, "support", "incubation_support", support)
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("结束日期（ends_on）不能早于开始日期（starts_on）")
    elif today is not None and ends_on is not None and ends_on < today:
        errors["ends_on"] = _("结束日期不能早于今天")
    return errors
