"""The one-line verdict that leads a match: how well it fits and why, read off its features.

A person acts on a match list by reading the first line of each match; the verdict says the
fit tier and the few facts that decide it (scenarios, capabilities, industry, budget,
whether the solution is a generic platform), and the gaps follow it in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from matching.features import GENERIC_BELOW, Feature
from matching.messages import _

Fit = Literal["high", "low"]
# Under this share of the demand's (weighted) words found in the solution, the two texts
# have little in common: on the tuning part of seed/eval, 3 of 26 relevant matches in the
# top 10 fall under it, and most others do.
FEW_SHARED_WORDS = 0.15


def _scenarios(value: float, wanted: int) -> str:
    hit = round(value * wanted)
    if hit == wanted:
        return _("覆盖全部场景")
    return (
        _("覆盖 {hit}/{wanted} 个场景").format(hit=hit, wanted=wanted) if hit else _("不含所需场景")
    )


def _capabilities(value: float, wanted: int) -> str:
    hit = round(value * wanted)
    if hit == wanted:
        return _("具备全部所需能力")
    return (
        _("具备 {hit}/{wanted} 项所需能力").format(hit=hit, wanted=wanted)
        if hit
        else _("不具备所需能力")
    )


def verdict(
    parts: Mapping[str, Feature],
    *,
    fit: Fit,
    scenarios_wanted: int,
    capabilities_wanted: int,
    vendor_misses: bool = False,
) -> str:
    """``"高度匹配：覆盖全部场景与所需能力，同行业，预算相符"``: the tier, then the facts.

    ``parts`` are the features of the pair by name (see ``MatchEngine.score``); the counts
    are how many scenarios and capabilities the demand wants (stated or inferred), 0 when it
    does not say; ``vendor_misses`` whether the demand misses the vendor's preferences."""
    scenario, capability = parts["scenario"].value, parts["capability"].value
    facts: list[str] = []
    if scenarios_wanted and capabilities_wanted and scenario == 1 and capability == 1:
        facts.append(_("覆盖全部场景与所需能力"))
    else:
        if scenarios_wanted:
            facts.append(_scenarios(scenario, scenarios_wanted))
        if capabilities_wanted:
            facts.append(_capabilities(capability, capabilities_wanted))
    industry = parts["industry"].value
    if industry == 1:
        facts.append(_("同行业"))
    elif industry == 0.5:
        facts.append(_("相邻行业"))
    elif industry < 0.5:
        facts.append(_("跨行业"))
    budget = parts["budget"]
    if budget.missing:
        facts.append(_("报价高于预算"))
    elif budget.value == 1:
        facts.append(_("预算相符"))
    elif budget.value == 0.8:
        facts.append(_("报价低于预算"))
    generic = "specificity" in parts and parts["specificity"].value < GENERIC_BELOW
    if generic:
        facts.append(_("通用型方案"))
    if "text_demand" in parts and parts["text_demand"].value < FEW_SHARED_WORDS:
        facts.append(_("描述重合少"))
    if vendor_misses:
        facts.append(_("不合供给方偏好"))
    if fit == "low":
        tier = _("匹配度低")
    elif (
        (scenario == 1 or not scenarios_wanted)
        and (capability == 1 or not capabilities_wanted)
        and industry >= 0.5
        and not budget.missing
        and not generic
    ):
        tier = _("高度匹配")
    else:
        tier = _("基本匹配")
    return f"{tier}：{'，'.join(facts)}" if facts else tier
