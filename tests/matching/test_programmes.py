"""Funding eligibility and shared-platform fit (:mod:`matching.programmes`): each gate at
its boundary, what is missing, and the ranking among the eligible."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from matching.features import Labels
from matching.programmes import (
    FundingCall,
    Programme,
    Project,
    SharedPlatform,
    Vendor,
    funding_verdict,
    is_eligible,
    is_young,
    platform_needs,
    rank_funding,
    rank_incubation,
    rank_platforms,
)

TODAY = date(2026, 12, 1)
LABELS = Labels(
    {
        "industry": {"ceramics": "陶瓷", "steel": "钢铁"},
        "city": {"zhuzhou": "株洲", "changsha": "长沙", "xiangtan": "湘潭"},
        "pilot_zone": {"yuelushan": "岳麓山国家大学科技城"},
        "org_kind": {"enterprise": "企业（需求方）"},
        "funding_stage": {"poc": "方案验证", "contract": "已签约", "network_live": "专网已开通"},
        "platform_capability": {"ai": "人工智能", "positioning_indoor": "5G室内蜂窝定位"},
        "need": {"machine_vision_qc": "机器视觉质检", "agv_logistics": "AGV/智能物流"},
    }
)
PROJECT = Project(industry="ceramics", city="zhuzhou", budget=200.0)


def call(**kw: object) -> FundingCall:
    values: dict[str, object] = {"id": 1, "external_id": "f-1", "title": "5G项目贷"}
    values["regions"] = ("zhuzhou", "xiangtan")
    values.update(kw)
    return FundingCall(**values)  # type: ignore[arg-type]


def verdict(project: Project = PROJECT, **kw: object):  # type: ignore[no-untyped-def]
    return funding_verdict(project, call(**kw), today=TODAY, labels=LABELS)


@pytest.mark.parametrize(
    ("days", "shown"), [(0, True), (1, True), (-1, False)], ids=["today", "tomorrow", "past"]
)
def test_the_deadline_day_is_still_open(days: int, shown: bool) -> None:
    v = verdict(deadline=TODAY + timedelta(days=days))
    assert (v.shown, v.eligible) == (shown, shown)
    if days == 0:
        assert "申请截止 2026-12-01（今天截止）" in v.explanation


@pytest.mark.parametrize(("amount_min", "shown"), [(200.0, True), (199.99, True), (200.01, False)])
def test_a_budget_at_the_smallest_amount_is_enough(amount_min: float, shown: bool) -> None:
    v = verdict(amount_min=amount_min)
    assert v.shown is shown and v.eligible is shown
    if shown:
        assert any("达到" in s and "申请门槛" in s for s in v.explanation)


def test_a_demand_without_a_budget_is_told_to_check_the_threshold() -> None:
    v = verdict(Project(industry="ceramics", city="zhuzhou"), amount_min=100.0)
    assert v.eligible and v.missing == ["需求未填写预算，请核对申请门槛（100 万元起）"]


def test_support_is_capped_by_the_cost_share_and_the_largest_amount() -> None:
    v = verdict(amount_max=500.0, cost_share=30.0)
    assert "预计最多可获支持 60 万元（约占预算 30%）" in v.explanation
    v = verdict(amount_max=40.0, cost_share=30.0)
    assert "预计最多可获支持 40 万元（约占预算 20%）" in v.explanation


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"industries": ("ceramics", "steel")}, True),
        ({"industries": ("steel",)}, False),
        ({"industries": ()}, True),
        ({"regions": ("changsha",)}, False),
        ({"regions": ("hunan",)}, True),
        ({"regions": ("national",)}, True),
        ({"regions": ("yuelushan",)}, False),
        ({"org_kinds": ("enterprise",)}, True),
        ({"org_kinds": ("integrator",)}, False),
    ],
)
def test_the_hard_gates(change: dict[str, object], shown: bool) -> None:
    v = verdict(**change)
    assert v.shown is shown
    # The counts of the coverage view read the same gates without the sentences.
    assert is_eligible(PROJECT, call(**change), today=TODAY, labels=LABELS) is v.eligible


def test_a_park_call_is_open_to_a_demand_inside_the_park() -> None:
    inside = Project(industry="ceramics", city="changsha", zone="yuelushan")
    v = verdict(inside, regions=("yuelushan",))
    assert v.eligible and "面向岳麓山国家大学科技城，需求位于该园区" in v.explanation


def test_a_stage_not_yet_reached_is_what_is_missing() -> None:
    v = verdict(stages=("poc", "contract"))
    assert v.shown and not v.eligible
    assert v.missing == ["需进入方案验证阶段后可申请"]
    at_poc = Project(industry="ceramics", city="zhuzhou", budget=200.0, stage="poc")
    v = verdict(at_poc, stages=("poc", "contract"))
    assert v.eligible and "项目已进入方案验证阶段" in v.explanation
    # A project past the stages a call serves does not see it.
    live = Project(industry="ceramics", city="zhuzhou", budget=200.0, stage="network_live")
    assert not verdict(live, stages=("poc",)).shown


def test_the_eligible_come_first_then_by_how_well_they_fit() -> None:
    calls = [
        call(id=1, external_id="any", industries=(), regions=("national",)),
        call(id=2, external_id="exact", industries=("ceramics",), regions=("zhuzhou",)),
        call(id=3, external_id="later", stages=("contract",), industries=("ceramics",)),
        call(id=4, external_id="changsha", regions=("changsha",)),
    ]
    ranked = rank_funding(PROJECT, calls, today=TODAY, labels=LABELS)
    assert [v.external_id for v in ranked] == ["exact", "any", "later"]
    assert [v.eligible for v in ranked] == [True, True, False]


def test_platforms_offer_what_the_demand_needs_where_it_is() -> None:
    needs = platform_needs(
        ("machine_vision_qc", "agv_logistics"),
        (),
        {
            "machine_vision_qc": ("ai",),
            "agv_logistics": ("positioning_indoor",),
        },
    )
    assert needs == {"ai": ("machine_vision_qc",), "positioning_indoor": ("agv_logistics",)}
    project = Project(industry="ceramics", city="zhuzhou", needs=needs)
    platforms = [
        SharedPlatform(1, "ai-hunan", "AI平台", ("ai",), ("hunan",)),
        SharedPlatform(2, "both-zz", "定位与AI", ("ai", "positioning_indoor"), ("zhuzhou",)),
        SharedPlatform(3, "ai-cs", "长沙AI", ("ai",), ("changsha",)),
        SharedPlatform(4, "vr", "VR", ("ar_vr",), ("national",)),
    ]
    ranked = rank_platforms(project, platforms, labels=LABELS)
    assert [v.external_id for v in ranked] == ["both-zz", "ai-hunan"]
    assert "提供人工智能（需求涉及机器视觉质检）" in ranked[0].explanation
    assert ranked[1].missing == ["不提供：5G室内蜂窝定位"]
    assert (
        rank_platforms(Project(industry="ceramics", city="zhuzhou"), platforms, labels=LABELS) == []
    )


PARKS = {"malanshan": "changsha", "yuelushan": "changsha"}
INCUBATION_LABELS = Labels(
    {
        **LABELS.names,
        "pilot_zone": {"malanshan": "马栏山视频文创产业园"},
        "industry": {"culture_media": "视频文创", "ceramics": "陶瓷"},
        "incubation_support": {"space": "办公与实验场地", "demo_day": "路演对接"},
    }
)


def test_a_young_vendor_is_one_with_few_cases_and_no_network() -> None:
    assert is_young(Vendor(city="changsha", cases=2))
    assert not is_young(Vendor(city="changsha", cases=3))
    assert not is_young(Vendor(city="changsha", networks=1))


def test_incubation_open_to_the_vendors_city_and_industries() -> None:
    vendor = Vendor(city="changsha", industries=frozenset({"culture_media"}))
    programmes = [
        Programme(
            1, "park", "马栏山孵化", ("culture_media",), ("malanshan",), ("space", "demo_day")
        ),
        Programme(2, "any", "全省孵化", (), ("hunan",)),
        Programme(3, "ceramics", "陶瓷孵化", ("ceramics",), ("hunan",)),
        Programme(4, "zhuzhou", "株洲孵化", (), ("zhuzhou",)),
        Programme(5, "ended", "已结束", (), ("hunan",), ends_on=TODAY - timedelta(days=1)),
        Programme(6, "last-day", "今天结束", (), ("national",), ends_on=TODAY),
    ]
    ranked = rank_incubation(vendor, programmes, today=TODAY, parks=PARKS, labels=INCUBATION_LABELS)
    assert [v.external_id for v in ranked] == ["park", "any", "last-day"]
    assert ranked[0].explanation == [
        "位于马栏山视频文创产业园（本市）",
        "与您的方案行业相同：视频文创",
        "提供：办公与实验场地、路演对接",
    ]
    newcomer = Vendor(city="changsha")
    [only] = rank_incubation(
        newcomer, programmes[2:3], today=TODAY, parks=PARKS, labels=INCUBATION_LABELS
    )
    assert only.missing == ["尚未发布解决方案，无法核对行业方向"]
