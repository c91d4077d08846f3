"""The verdict leading each match, read off its features."""

from matching.explain import verdict
from matching.features import Feature


def parts(**values: Feature) -> dict[str, Feature]:
    base = {
        "scenario": Feature(1.0),
        "capability": Feature(1.0),
        "industry": Feature(1.0),
        "budget": Feature(1.0),
        "specificity": Feature(1.0),
    }
    return base | values


def test_a_full_fit() -> None:
    assert (
        verdict(parts(), fit="high", scenarios_wanted=2, capabilities_wanted=2)
        == "高度匹配：覆盖全部场景与所需能力，同行业，预算相符"
    )


def test_partial_coverage_and_an_expensive_offer_are_named() -> None:
    line = verdict(
        parts(
            scenario=Feature(0.5),
            capability=Feature(2 / 3),
            budget=Feature(0.4, "", "报价起点 150 万元高于预算上限 100 万元"),
        ),
        fit="high",
        scenarios_wanted=2,
        capabilities_wanted=3,
    )
    assert line == "基本匹配：覆盖 1/2 个场景，具备 2/3 项所需能力，同行业，报价高于预算"


def test_low_fit_cross_industry_and_generic() -> None:
    line = verdict(
        parts(
            scenario=Feature(0.0),
            industry=Feature(0.1),
            specificity=Feature(0.3),
        ),
        fit="low",
        scenarios_wanted=1,
        capabilities_wanted=0,
    )
    assert line == "匹配度低：不含所需场景，跨行业，预算相符，通用型方案"


def test_a_generic_platform_is_never_a_high_fit_tier() -> None:
    line = verdict(
        parts(specificity=Feature(0.3)), fit="high", scenarios_wanted=1, capabilities_wanted=1
    )
    assert line.startswith("基本匹配：") and line.endswith("通用型方案")


def test_nothing_stated_says_what_is_known() -> None:
    line = verdict(
        parts(scenario=Feature(0.5), capability=Feature(0.5), industry=Feature(0.7)),
        fit="high",
        scenarios_wanted=0,
        capabilities_wanted=0,
    )
    assert line == "高度匹配：预算相符"


def test_little_shared_text_and_a_vendor_who_prefers_otherwise_are_named() -> None:
    line = verdict(
        parts(text_demand=Feature(0.05)),
        fit="low",
        scenarios_wanted=1,
        capabilities_wanted=1,
        vendor_misses=True,
    )
    assert line == "匹配度低：覆盖全部场景与所需能力，同行业，预算相符，描述重合少，不合供给方偏好"
