"""Each feature of the matching engine pinned on small cases."""

from datetime import date

import pytest

from matching import features as f
from matching.documents import DemandDoc, Preferences

labels = f.Labels(
    {
        "industry": {"ceramics": "陶瓷", "steel": "钢铁", "general_manufacturing": "其他制造"},
        "scenario": {"machine_vision_qc": "机器视觉质检", "remote_control": "远程操控"},
        "capability": {
            "mec": "边缘计算 MEC",
            "embb": "增强移动宽带 eMBB",
            "urllc": "低时延高可靠 uRLLC",
        },
        "city": {"chenzhou": "郴州", "zhuzhou": "株洲", "changsha": "长沙"},
        "region": {"hunan": "湖南全省", "national": "全国"},
    }
)
ADJ = {"ceramics": frozenset({"general_manufacturing"}), "steel": frozenset()}


def test_coverage_weights_words() -> None:
    value, found = f.coverage({"窑炉": 2.0, "釉面": 1.0, "检测": 1.0}, ["窑炉", "检测", "其他"])
    assert value == pytest.approx(0.75) and found == ["窑炉", "检测"]
    assert f.coverage({}, ["x"]) == (0.0, [])


def test_scenario_overlap() -> None:
    full = f.scenario_overlap(
        ("machine_vision_qc",), ("machine_vision_qc", "remote_control"), labels, inferred=False
    )
    assert full.value == 1.0 and "机器视觉质检" in full.note
    half = f.scenario_overlap(
        ("machine_vision_qc", "remote_control"), ("remote_control",), labels, inferred=True
    )
    assert half.value == 0.5 and "推断" in half.note and "机器视觉质检" in half.missing
    assert f.scenario_overlap((), ("remote_control",), labels, inferred=False).value == 0.5


def test_capability_coverage_names_what_is_missing() -> None:
    feature = f.capability_coverage(("mec", "embb"), ("embb",), labels, inferred=False)
    assert feature.value == 0.5
    assert feature.missing == "不支持边缘计算 MEC"


@pytest.mark.parametrize(
    ("served", "value"),
    [(("ceramics",), 1.0), ((), 0.7), (("general_manufacturing",), 0.5), (("steel",), 0.1)],
)
def test_industry_fit_exact_adjacent_cross(served: tuple[str, ...], value: float) -> None:
    assert f.industry_fit("ceramics", served, ADJ, labels).value == value


@pytest.mark.parametrize(
    ("regions", "value"),
    [
        (("chenzhou",), 1.0),
        (("hunan",), 0.7),
        (("national",), 0.5),
        (("changsha",), 0.0),
    ],
)
def test_region_fit(regions: tuple[str, ...], value: float) -> None:
    feature = f.region_fit("chenzhou", regions, labels)
    assert feature.value == value
    if value == 0:
        assert feature.missing == "服务区域不含郴州"


def test_region_fit_prefers_changzhutan_neighbours() -> None:
    assert f.region_fit("zhuzhou", ("hunan", "changsha"), labels).value == 0.8


def test_budget_fit() -> None:
    assert f.budget_fit(20, 60, 30, 80).value == 1.0
    over = f.budget_fit(20, 100, 150, 300)
    assert over.value == pytest.approx(0.5) and "高于预算上限" in over.missing
    assert f.budget_fit(20, 100, 500, 900).value == 0.0
    assert f.budget_fit(50, 100, 5, 10).value == 0.8
    assert f.budget_fit(None, None, 5, 10).value == 0.5


def test_track_record_counts_own_and_adjacent_industries() -> None:
    assert f.track_record("ceramics", {"ceramics": 2}, ADJ, labels).value == 1.0
    assert f.track_record("ceramics", {"general_manufacturing": 2}, ADJ, labels).value == 0.5
    assert f.track_record("ceramics", {}, ADJ, labels).value == 0.0


def test_freshness_decays() -> None:
    today = date(2026, 11, 1)
    assert f.freshness(date(2026, 10, 1), today).value == 1.0
    assert f.freshness(date(2024, 1, 1), today).value == 0.2
    middle = f.freshness(date(2025, 11, 1), today).value
    assert 0.2 < middle < 1.0


def test_verification() -> None:
    assert f.verification(True).value == 1.0
    assert f.verification(False).missing == "机构尚未认证"


def test_vendor_preference() -> None:
    demand = DemandDoc(
        id="1",
        title="t",
        text="",
        industry="ceramics",
        city="zhuzhou",
        budget_min=20,
        budget_max=60,
    )
    liked, notes, misses = f.vendor_preference(
        demand, Preferences(("ceramics",), ("zhuzhou",), 30), ADJ, labels
    )
    assert liked == pytest.approx(1.0) and notes and not misses
    small, _, misses = f.vendor_preference(demand, Preferences((), (), 120), ADJ, labels)
    assert small < liked
    assert any("低于供给方最低项目规模 120 万元" in m for m in misses)


def test_harmonic_mean_needs_both_sides() -> None:
    assert f.harmonic(1.0, 1.0) == 1.0
    assert f.harmonic(0.9, 0.1) == pytest.approx(0.18)
    assert f.harmonic(0.9, 0.0) == 0.0
    assert f.harmonic(0.6, 0.6) > f.harmonic(0.9, 0.3)


def test_specificity_marks_platforms_that_list_everything() -> None:
    focused = f.specificity(("remote_control", "video_monitoring"), ("ports_logistics",))
    assert focused.value == 1.0 and not focused.missing
    platform = f.specificity(("a", "b", "c", "d", "e"), ())
    assert platform.value < f.GENERIC_BELOW
    assert platform.missing == "通用型方案：列出 5 个场景、面向各行业，与本需求相关的只是其中一部分"
    bare_network = f.specificity((), ())
    assert bare_network.value < platform.value and "未说明适用场景" in bare_network.missing
    assert f.specificity(("a",), ("x", "y", "z", "w", "v", "u")).value == 0.75
