"""Features of a (demand, solution) pair, each a pure function returning a value in 0..1
and what a person should read about it (zh-CN).

``Labels`` turns codes into Chinese names for the explanations.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from matching.documents import DemandDoc, Preferences, SolutionDoc
from matching.messages import _

CHANGZHUTAN = frozenset({"changsha", "zhuzhou", "xiangtan"})


@dataclass(frozen=True)
class Labels:
    """Chinese names by vocabulary (industry, scenario, capability, city, region)."""

    names: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __call__(self, vocabulary: str, code: str) -> str:
        return self.names.get(vocabulary, {}).get(code, code)

    def join(self, vocabulary: str, codes: Iterable[str]) -> str:
        return _("、").join(self(vocabulary, c) for c in codes)

    def region(self, code: str) -> str:
        if code in self.names.get("city", {}):
            return self("city", code)
        return self("region", code)


@dataclass(frozen=True)
class Feature:
    value: float
    note: str = ""  # a sentence for the explanation; empty when there is nothing to say
    missing: str = ""  # what is missing, when something is


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def money(low: float | None, high: float | None) -> str:
    def fmt(v: float) -> str:
        return f"{v:g}"

    if low is not None and high is not None:
        return _("{value}–{value2} 万元").format(value=fmt(low), value2=fmt(high))
    if low is not None:
        return _("{value} 万元起").format(value=fmt(low))
    if high is not None:
        return _("不超过 {value} 万元").format(value=fmt(high))
    return _("未注明")


# --- text ------------------------------------------------------------------------------


def coverage(wanted: Mapping[str, float], offered: Iterable[str]) -> tuple[float, list[str]]:
    """Weighted share of the ``wanted`` words found in ``offered``, and the words found."""
    total = sum(wanted.values())
    if total <= 0:
        return 0.0, []
    have = set(offered)
    found = [w for w in wanted if w in have]
    return _clip(sum(wanted[w] for w in found) / total), found


def text_demand_to_solution(weights: Mapping[str, float], solution: SolutionDoc) -> Feature:
    value, found = coverage(weights, solution.terms)
    if not weights:
        return Feature(0.0)
    shown = _("、").join(sorted(found, key=lambda w: -weights[w])[:6])
    note = _("需求关键词 {value}/{value2} 出现在方案中").format(
        value=len(found), value2=len(weights)
    ) + (f"：{shown}" if shown else "")
    return Feature(value, note)


def text_solution_to_demand(
    key_weights: Mapping[str, float], demand_terms: Iterable[str]
) -> Feature:
    value, found = coverage(key_weights, demand_terms)
    if not key_weights:
        return Feature(0.0)
    return Feature(
        value,
        _("方案要点 {value}/{value2} 与需求描述相符").format(
            value=len(found), value2=len(key_weights)
        ),
    )


# --- structure -------------------------------------------------------------------------


def scenario_overlap(
    wanted: tuple[str, ...], offered: tuple[str, ...], labels: Labels, *, inferred: bool
) -> Feature:
    if not wanted:
        return Feature(0.5, _("需求未说明应用场景"))
    hit = [s for s in wanted if s in offered]
    miss = [s for s in wanted if s not in offered]
    source = _("（由需求描述推断）") if inferred else ""
    note = (
        _("场景吻合{source}：{value}").format(source=source, value=labels.join("scenario", hit))
        if hit
        else ""
    )
    missing = _("不含场景：{value}").format(value=labels.join("scenario", miss)) if miss else ""
    return Feature(len(hit) / len(wanted), note, missing)


def capability_coverage(
    wanted: tuple[str, ...], offered: tuple[str, ...], labels: Labels, *, inferred: bool
) -> Feature:
    if not wanted:
        return Feature(0.5, _("需求未说明所需5G能力"))
    hit = [c for c in wanted if c in offered]
    miss = [c for c in wanted if c not in offered]
    source = _("（由需求描述推断）") if inferred else ""
    note = (
        _("具备所需能力{source}：{value}").format(
            source=source, value=labels.join("capability", hit)
        )
        if hit
        else ""
    )
    missing = _("；").join(_("不支持{label}").format(label=labels("capability", c)) for c in miss)
    return Feature(len(hit) / len(wanted), note, missing)


def industry_fit(
    industry: str, served: tuple[str, ...], adjacent: Mapping[str, frozenset[str]], labels: Labels
) -> Feature:
    name = labels("industry", industry)
    if industry in served:
        return Feature(1.0, _("行业一致：面向{name}").format(name=name))
    if not served:
        return Feature(0.7, _("方案适用于各行业"))
    near = [s for s in served if s in adjacent.get(industry, frozenset())]
    if near:
        return Feature(
            0.5,
            _("相邻行业：方案面向{value}，需求属于{name}").format(
                value=labels.join("industry", near), name=name
            ),
        )
    return Feature(
        0.1,
        "",
        _("跨行业：方案面向{value}，需求属于{name}").format(
            value=labels.join("industry", served), name=name
        ),
    )


# A solution listing at most this many scenarios (industries) is focused; one listing more
# spreads thin, in proportion. Listing none says nothing of its focus.
FOCUSED_SCENARIOS = 2
FOCUSED_INDUSTRIES = 3
UNSAID_FOCUS = 0.3
# Below this, the explanation warns that the solution is a generic platform.
GENERIC_BELOW = 0.5


def specificity(scenarios: tuple[str, ...], industries: tuple[str, ...]) -> Feature:
    """How focused the solution is. A platform listing every scenario and industry (or
    none: "for all") shares many words with many demands, yet only a small part of it is
    about any one of them; a specific fit is all about it. It reads only the solution: what
    a demand's plain words let the engine infer is too uncertain to judge focus by."""
    focus = min(1.0, FOCUSED_SCENARIOS / len(scenarios)) if scenarios else UNSAID_FOCUS
    reach = min(1.0, FOCUSED_INDUSTRIES / len(industries)) if industries else UNSAID_FOCUS
    value = (focus + reach) / 2
    if value >= GENERIC_BELOW:
        return Feature(value)
    listed = (
        _("列出 {value} 个场景").format(value=len(scenarios)) if scenarios else _("未说明适用场景")
    )
    spread = (
        _("面向 {value} 个行业").format(value=len(industries)) if industries else _("面向各行业")
    )
    return Feature(
        value,
        "",
        _("通用型方案：{listed}、{spread}，与本需求相关的只是其中一部分").format(
            listed=listed, spread=spread
        ),
    )


def region_fit(city: str, regions: tuple[str, ...], labels: Labels) -> Feature:
    name = labels("city", city)
    if city in regions:
        return Feature(1.0, _("服务区域含{name}").format(name=name))
    if "hunan" in regions:
        sibling = city in CHANGZHUTAN and any(r in CHANGZHUTAN for r in regions)
        return Feature(
            0.8 if sibling else 0.7, _("服务区域覆盖湖南全省（含{name}）").format(name=name)
        )
    if "national" in regions:
        return Feature(0.5, _("全国性服务商（含{name}）").format(name=name))
    return Feature(0.0, "", _("服务区域不含{name}").format(name=name))


def budget_fit(
    budget_min: float | None,
    budget_max: float | None,
    price_min: float | None,
    price_max: float | None,
) -> Feature:
    budget, price = money(budget_min, budget_max), money(price_min, price_max)
    if budget_max is None or price_min is None:
        return Feature(0.5, _("预算或报价未注明"))
    if price_min <= budget_max and (
        budget_min is None or price_max is None or price_max >= budget_min
    ):
        return Feature(
            1.0, _("报价 {price} 与预算 {budget} 相符").format(price=price, budget=budget)
        )
    if price_min > budget_max:
        gap = (price_min - budget_max) / max(budget_max, 1.0)
        return Feature(
            _clip(1.0 - gap),
            "",
            _("报价起点 {price_min:g} 万元高于预算上限 {budget_max:g} 万元").format(
                price_min=price_min, budget_max=budget_max
            ),
        )
    # The solution costs less than the smallest budget: cheaper is rarely a problem.
    return Feature(0.8, _("报价 {price} 低于预算 {budget}").format(price=price, budget=budget))


def track_record(
    industry: str, record: Mapping[str, int], adjacent: Mapping[str, frozenset[str]], labels: Labels
) -> Feature:
    own = record.get(industry, 0)
    near = sum(n for i, n in record.items() if i in adjacent.get(industry, frozenset()))
    value = _clip(own / 2 + near / 4)
    if own:
        return Feature(
            value,
            _("在{value}行业有 {own} 个标杆案例").format(
                value=labels("industry", industry), own=own
            ),
        )
    if near:
        return Feature(value, _("在相邻行业有 {near} 个标杆案例").format(near=near))
    return Feature(0.0)


def freshness(updated: date | None, today: date) -> Feature:
    if updated is None:
        return Feature(0.5)
    days = (today - updated).days
    if days <= 90:
        return Feature(1.0)
    value = _clip(1.0 - 0.8 * (days - 90) / (730 - 90))
    return Feature(
        max(0.2, value), _("信息已 {days} 天未更新").format(days=days) if days > 365 else ""
    )


def verification(verified: bool) -> Feature:
    return Feature(1.0, _("机构已认证")) if verified else Feature(0.0, "", _("机构尚未认证"))


# --- the vendor's view -----------------------------------------------------------------


def vendor_preference(
    demand: DemandDoc,
    prefs: Preferences,
    adjacent: Mapping[str, frozenset[str]],
    labels: Labels,
) -> tuple[float, list[str], list[str]]:
    """How much the vendor wants this demand: its preferred industries, regions and minimum
    project size. Returns the value and sentences (fits, misses)."""
    notes: list[str] = []
    misses: list[str] = []
    if not prefs.industries:
        industry = 0.7
    elif demand.industry in prefs.industries:
        industry = 1.0
        notes.append(_("供给方偏好{value}行业").format(value=labels("industry", demand.industry)))
    elif any(i in adjacent.get(demand.industry, frozenset()) for i in prefs.industries):
        industry = 0.5
    else:
        industry = 0.2
        misses.append(
            _("供给方偏好的行业不含{value}").format(value=labels("industry", demand.industry))
        )
    if not prefs.regions:
        region = 0.7
    elif demand.city in prefs.regions or {"hunan", "national"} & set(prefs.regions):
        region = 1.0
    else:
        region = 0.2
        misses.append(_("供给方偏好的地区不含{value}").format(value=labels("city", demand.city)))
    if prefs.min_budget is None:
        size = 1.0
    elif demand.budget_max is None:
        size = 0.6
    elif demand.budget_max >= prefs.min_budget:
        size = 1.0
    else:
        size = max(0.1, demand.budget_max / prefs.min_budget)
        misses.append(
            _("需求预算 {value} 低于供给方最低项目规模 {min_budget:g} 万元").format(
                value=money(demand.budget_min, demand.budget_max), min_budget=prefs.min_budget
            )
        )
    return 0.35 * industry + 0.25 * region + 0.4 * size, notes, misses


def harmonic(a: float, b: float) -> float:
    """The harmonic mean: high only when both sides are."""
    return 0.0 if a <= 0 or b <= 0 else 2 * a * b / (a + b)
