"""The engine end to end on a real embedded index: gates, ranking, reciprocity, both directions."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from portal.matching.service import matches_for_demand, matches_for_solution
from portal.models import Demand, Organization, Solution
from portal.search.gateway import SearchGateway
from portal.search.outbox import enqueue
from portal.search.sync import drain_all
from tests.factories import make_demand, make_org, make_solution

TODAY = date(2026, 11, 1)


def solution(session: Session, org: Organization | None = None, **kw: Any) -> Solution:
    values: dict[str, Any] = {
        "industries": ["ceramics"],
        "scenarios": ["machine_vision_qc"],
        "capabilities": ["embb", "mec"],
        "regions": ["hunan"],
        "price_min": 30,
        "price_max": 80,
    }
    values.update(kw)
    row = make_solution(
        session, org=org or make_org(session, kind="integrator", verified=True), **values
    )
    enqueue(session, entity="solution", entity_id=row.id or 0, version=row.version)
    return row


def demand(session: Session, **kw: Any) -> Demand:
    values: dict[str, Any] = {
        "title": "日用瓷釉面缺陷自动检测",
        "description": "釉面针孔、缺釉靠人工目检，漏检多。希望在线拍照自动判断，检测数据不出厂。",
        "industry": "ceramics",
        "city": "zhuzhou",
        "scenarios": ["machine_vision_qc"],
        "capabilities": ["embb", "mec"],
        "must_have": ["mec"],
        "budget_min": 20,
        "budget_max": 100,
    }
    values.update(kw)
    row = make_demand(session, **values)
    enqueue(session, entity="demand", entity_id=row.id or 0, version=row.version)
    return row


def ranked(
    session: Session, gateway: SearchGateway, row: Demand, strategy: str = "full"
) -> list[Any]:
    drain_all(session, gateway)
    return matches_for_demand(session, gateway, row, strategy=strategy, today=TODAY).matches  # type: ignore[arg-type]


def test_hard_gates(session: Session, gateway: SearchGateway) -> None:
    good = solution(session, title="陶瓷釉面缺陷视觉检测")
    no_mec = solution(session, title="陶瓷釉面缺陷视觉检测（云端）", capabilities=["embb"])
    elsewhere = solution(session, title="陶瓷釉面缺陷视觉检测（长沙）", regions=["changsha"])
    draft = solution(session, title="陶瓷釉面缺陷视觉检测（草稿）", status="draft")
    expired = solution(
        session, title="陶瓷釉面缺陷视觉检测（过期）", expires_on=TODAY - timedelta(days=1)
    )
    nationwide = solution(session, title="陶瓷釉面缺陷视觉检测（全国）", regions=["national"])
    ids = {m.id for m in ranked(session, gateway, demand(session))}
    assert good.id in ids and nationwide.id in ids
    assert not ids & {no_mec.id, elsewhere.id, draft.id, expired.id}


def test_the_fitting_solution_beats_a_word_sharing_distractor(
    session: Session, gateway: SearchGateway
) -> None:
    fit = solution(session, title="陶瓷釉面缺陷视觉检测", summary="日用瓷在线检测")
    distractor = solution(
        session,
        title="纺织布面缺陷自动检测",
        summary="布面缺陷在线拍照检测，漏检少，检测数据不出厂",
        description="人工目检漏检多的问题，我们用在线拍照自动判断解决，检测数据不出厂。",
        industries=["general_manufacturing"],
        scenarios=["quality_analytics"],
    )
    matches = ranked(session, gateway, demand(session))
    order = [m.id for m in matches]
    assert order.index(fit.id) < order.index(distractor.id)
    top = matches[0]
    assert top.id == fit.id
    assert set(top.features) >= {"text_demand", "scenario", "capability", "industry", "vendor_view"}
    assert any("行业一致" in s for s in top.explanation)
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_text_strategy_is_text_relevance_alone(session: Session, gateway: SearchGateway) -> None:
    """The baseline: no gates and no features, only visible solutions ranked by text."""
    solution(session, title="陶瓷釉面缺陷视觉检测")
    elsewhere = solution(session, title="陶瓷釉面缺陷视觉检测 釉面 缺陷", regions=["changsha"])
    solution(session, title="陶瓷釉面缺陷视觉检测（草稿）", status="draft")
    matches = ranked(session, gateway, demand(session), strategy="text")
    assert matches and set(matches[0].features) == {"text"}
    assert elsewhere.id in {m.id for m in matches}
    assert all("草稿" not in m.title for m in matches)


def test_missing_capability_and_inference_are_explained(
    session: Session, gateway: SearchGateway
) -> None:
    solution(
        session,
        title="天车远程操控改造",
        industries=["steel"],
        scenarios=["remote_control"],
        capabilities=["urllc", "embb"],
        regions=["xiangtan"],
    )
    plain = demand(
        session,
        title="天车司机想离开高温现场",
        description="炼钢车间的天车司机在高温粉尘里操作，想让他们坐在办公室里遥控，画面要清楚。",
        industry="steel",
        city="xiangtan",
        scenarios=[],
        capabilities=[],
        must_have=[],
    )
    matches = ranked(session, gateway, plain)
    assert matches
    text = " ".join(matches[0].explanation)
    assert "由需求描述推断" in text and "远程操控" in text


def test_reciprocity_the_vendors_minimum_project_size(
    session: Session, gateway: SearchGateway
) -> None:
    keen = solution(session, title="陶瓷釉面缺陷视觉检测", preferences={"min_budget": 10})
    picky = solution(session, title="陶瓷釉面缺陷视觉检测", preferences={"min_budget": 500})
    matches = {m.id: m for m in ranked(session, gateway, demand(session))}
    assert matches[keen.id].score > matches[picky.id].score
    assert any("最低项目规模 500 万元" in s for s in matches[picky.id].explanation)


def test_demands_for_a_solution(session: Session, gateway: SearchGateway) -> None:
    offer = solution(session, title="陶瓷釉面缺陷视觉检测", regions=["zhuzhou"])
    served = demand(session)
    far = demand(session, city="chenzhou")
    needs_more = demand(
        session, must_have=["mec", "positioning"], capabilities=["mec", "positioning"]
    )
    closed = demand(session, status="closed")
    past = demand(session, deadline=TODAY - timedelta(days=3))
    drain_all(session, gateway)
    result = matches_for_solution(session, gateway, offer, today=TODAY)
    ids = [m.id for m in result.matches]
    assert served.id in ids
    assert not set(ids) & {far.id, needs_more.id, closed.id, past.id}
    assert result.matches[0].explanation


def test_no_top_ten_result_breaks_a_gate(session: Session, gateway: SearchGateway) -> None:
    for i in range(15):
        solution(
            session,
            title=f"视觉检测方案{i}",
            regions=["hunan"] if i % 3 == 0 else ["changsha"],
            capabilities=["embb", "mec"] if i % 2 == 0 else ["embb"],
        )
    matches = ranked(session, gateway, demand(session))
    assert matches
    for m in matches:
        row = session.get(Solution, m.id)
        assert row is not None
        assert {"zhuzhou", "hunan", "national"} & set(row.regions)
        assert "mec" in row.capabilities


def test_generic_words_are_never_shared_keywords(session: Session, gateway: SearchGateway) -> None:
    """ "一家""多个" and everyday words say nothing about the need: they never count."""
    solution(
        session,
        title="多个车间的釉面数据自动采集",
        summary="我们是一家企业，服务多个工厂、多台窑炉，数据自动实时上传，釉面缺陷检测",
    )
    need = demand(
        session,
        title="一家陶瓷企业多个车间的釉面检测",
        description="我们是一家企业，有多个车间、多台窑炉，数据需要自动实时采集，釉面缺陷靠人看。",
    )
    line = next(s for s in ranked(session, gateway, need)[0].explanation if "需求关键词" in s)
    shared = set(line.split("：", 1)[1].split("、"))
    assert "釉面" in shared
    assert not shared & {"一家", "多个", "多台", "自动", "数据", "实时", "企业", "车间"}


def test_a_generic_platform_does_not_outrank_a_specific_fit(
    session: Session, gateway: SearchGateway
) -> None:
    """A private network "for every scenario" shares more of the demand's words than the
    vendor who does exactly what is asked; the specific fit still ranks first."""
    specific = solution(
        session,
        title="码头门机远程操控",
        summary="门座式起重机加装遥控与多路视频，司机在中控室操作",
        industries=["ports_logistics"],
        scenarios=["remote_control", "video_monitoring"],
        capabilities=["urllc", "embb"],
        price_min=80,
        price_max=300,
    )
    generic = solution(
        session,
        title="5G行业专网一站式建设（远程操控、视频回传、AGV、机器视觉）",
        summary="UPF下沉、数据不出园区，一张专网承载远程操控、高清视频回传、AGV和视觉质检",
        description="天车、门机、龙门吊、挖掘机的远程操控，多路高清视频实时回传，AGV调度，"
        "机器视觉质检，人员定位。专网时延低、可靠性高，控制信号和视频不经过公网。",
        industries=[
            "ports_logistics",
            "steel",
            "mining",
            "construction_machinery",
            "rail_transit",
            "general_manufacturing",
        ],
        scenarios=[
            "remote_control",
            "video_monitoring",
            "agv_logistics",
            "machine_vision_qc",
            "positioning_tracking",
        ],
        capabilities=["dedicated_upf", "urllc", "embb", "mec", "slicing", "lan"],
        price_min=50,
        price_max=1000,
    )
    need = demand(
        session,
        title="门机司机想下到地面操作，网络还要专网",
        description="港区门座式起重机的司机想在中控室远程操作，看着多路高清视频画面作业。"
        "控制信号时延要低、不能中断，视频和控制数据走5G专网，不经过公网。",
        industry="ports_logistics",
        city="changsha",
        scenarios=[],
        capabilities=[],
        must_have=[],
        budget_min=80,
        budget_max=300,
    )
    matches = {m.id: m for m in ranked(session, gateway, need)}
    assert matches[specific.id].score > matches[generic.id].score
    assert any("通用型方案" in gap for gap in matches[generic.id].gaps)
    assert "通用型方案" in matches[generic.id].verdict


def test_a_stale_listing_ranks_lower_and_says_why(session: Session, gateway: SearchGateway) -> None:
    """Marked stale (freshness check unanswered) on either side, a listing ranks below an
    otherwise identical current one, by the factor, with the reason among its gaps."""
    from datetime import UTC, datetime

    from matching.engine import STALE_FACTOR

    text = {"title": "陶瓷釉面缺陷视觉检测", "summary": "釉面针孔、缺釉在线拍照自动判断"}
    current = solution(session, **text)
    stale = solution(session, **text)
    stale.stale_at = datetime(2026, 10, 1, tzinfo=UTC)
    session.add(stale)
    enqueue(session, entity="solution", entity_id=stale.id or 0, version=stale.version)
    need = demand(session)
    top = {m.id: m for m in ranked(session, gateway, need)}
    fresh_match, stale_match = top[current.id], top[stale.id]
    assert list(top).index(current.id) < list(top).index(stale.id)
    # the factor, and the freshness feature's own small share on top
    expected = fresh_match.score * STALE_FACTOR
    assert expected - 0.01 <= stale_match.score <= expected
    assert any("可能已过时" in g for g in stale_match.gaps)
    assert not any("可能已过时" in g for g in fresh_match.explanation)

    # The same for a vendor's view of demands.
    other = demand(session)
    other.stale_at = datetime(2026, 10, 1, tzinfo=UTC)
    session.add(other)
    enqueue(session, entity="demand", entity_id=other.id or 0, version=other.version)
    drain_all(session, gateway)
    by_id = {m.id: m for m in matches_for_solution(session, gateway, current, today=TODAY).matches}
    assert by_id[other.id].score < by_id[need.id].score
    assert any("需求信息可能已过时" in g for g in by_id[other.id].gaps)
