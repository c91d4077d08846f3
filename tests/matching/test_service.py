"""What the pages read from the match list: each match's verdict, gaps and fit tier, the
split into recommendations and the nearest few below the minimum fit, and what the engine
inferred from a demand's words."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from matching.embedded import EmbeddedBackend
from matching.engine import MIN_FIT
from portal.dashboards.cache import Memo
from portal.matching.schemas import MatchPublic
from portal.matching.service import inferred_needs, matches_for_demand, split_by_fit
from portal.models import Demand
from portal.search.gateway import SearchGateway, get_pipeline
from portal.search.sync import drain_all
from tests.matching.test_engine import TODAY, demand, ranked, solution


def test_a_full_fit_leads_with_a_high_verdict_and_no_gaps(
    session: Session, gateway: SearchGateway
) -> None:
    fit = solution(
        session,
        title="日用瓷釉面缺陷视觉检测",
        summary="釉面针孔、缺釉在线拍照自动判断，检测数据不出厂",
        scenarios=["machine_vision_qc", "quality_analytics"],
    )
    need = demand(session, scenarios=["machine_vision_qc", "quality_analytics"])
    top = ranked(session, gateway, need)[0]
    assert top.id == fit.id
    assert top.fit == "high" and top.score >= MIN_FIT
    assert top.verdict.startswith("高度匹配：")
    assert "覆盖全部场景与所需能力" in top.verdict and "预算相符" in top.verdict
    assert top.gaps == []


def test_every_gap_is_listed_and_named_in_the_verdict(
    session: Session, gateway: SearchGateway
) -> None:
    """The budget mismatch and the missing scenario used to fall past the fifth line."""
    costly = solution(
        session,
        title="日用瓷釉面缺陷视觉检测",
        summary="釉面针孔、缺釉在线拍照自动判断",
        scenarios=["machine_vision_qc"],
        price_min=150,
        price_max=300,
    )
    need = demand(session, scenarios=["machine_vision_qc", "quality_analytics"])
    match = next(m for m in ranked(session, gateway, need) if m.id == costly.id)
    assert "不含场景：质量分析" in match.gaps
    assert "报价起点 150 万元高于预算上限 100 万元" in match.gaps
    assert set(match.gaps) <= set(match.explanation)
    assert "覆盖 1/2 个场景" in match.verdict and "报价高于预算" in match.verdict
    assert not match.verdict.startswith("高度匹配")


def test_a_weak_match_is_low_and_the_text_baseline_judges_no_fit(
    session: Session, gateway: SearchGateway
) -> None:
    weak = solution(
        session,
        title="纺织布面瑕疵检测",
        industries=["steel"],
        scenarios=["quality_analytics"],
        price_min=150,
        price_max=300,
    )
    need = demand(session, scenarios=["machine_vision_qc"])
    match = next(m for m in ranked(session, gateway, need) if m.id == weak.id)
    assert match.fit == "low" and match.score < MIN_FIT
    assert match.verdict.startswith("匹配度低：") and "跨行业" in match.verdict
    baseline = ranked(session, gateway, need, strategy="text")
    assert baseline and all(m.fit is None and not m.gaps for m in baseline)


def _match(id: int, fit: str | None) -> MatchPublic:
    return MatchPublic(
        id=id,
        external_id=f"s{id}",
        title=f"方案{id}",
        score=0.9 if fit == "high" else 0.5,
        features={},
        explanation=[],
        verdict="",
        gaps=[],
        fit=fit,  # type: ignore[arg-type]
    )


def test_split_by_fit_keeps_the_order_and_the_nearest_three() -> None:
    matches = [_match(1, "high"), _match(2, "low"), _match(3, "high")]
    matches += [_match(i, "low") for i in range(4, 8)]
    recommended, nearest = split_by_fit(matches)
    assert [m.id for m in recommended] == [1, 3]
    assert [m.id for m in nearest] == [2, 4, 5]
    none_fit, nearest = split_by_fit([_match(i, "low") for i in range(1, 3)])
    assert none_fit == [] and [m.id for m in nearest] == [1, 2]


def test_inferred_needs_are_only_what_the_owner_did_not_write(
    session: Session, gateway: SearchGateway
) -> None:
    plain = demand(
        session,
        title="天车司机想离开高温现场",
        description="炼钢车间的天车司机在高温粉尘里操作，想让他们坐在办公室里遥控，画面要清楚。",
        industry="steel",
        scenarios=[],
        capabilities=[],
        must_have=["mec"],
    )
    inferred = inferred_needs(session, gateway, plain)
    assert "remote_control" in inferred["scenarios"]
    assert "urllc" in inferred["capabilities"]
    assert "mec" not in inferred["capabilities"]  # a must-have the owner wrote
    written = demand(session, scenarios=["machine_vision_qc"], capabilities=["embb"])
    assert inferred_needs(session, gateway, written) == {"scenarios": [], "capabilities": []}


def _ids(session: Session, gateway: SearchGateway, row: Demand) -> list[int]:
    return [m.id for m in matches_for_demand(session, gateway, row, today=TODAY).matches]


def test_a_memoized_ranking_is_what_the_index_holds_and_follows_it(
    session: Session, gateway: SearchGateway, tmp_path: Path
) -> None:
    """The ranking is memoized, but keyed on where the index stands: a solution committed
    but not yet applied to the index is not ranked (the index does not hold it), and once
    another process's drainer applied it the next ranking has it."""
    first = solution(session, title="陶瓷釉面缺陷视觉检测")
    need = demand(session)
    assert ranked(session, gateway, need) and _ids(session, gateway, need) == [first.id]
    second = solution(session, title="日用瓷釉面缺陷在线视觉检测", summary="釉面针孔自动判断")
    assert _ids(session, gateway, need) == [first.id]  # committed, not yet in the index
    # Another worker process: its own backend on the same index folder, draining the outbox.
    other = SearchGateway(EmbeddedBackend(tmp_path / "index", prefix="test"), get_pipeline())
    other.ensure_indexes()
    drain_all(session, other)
    assert set(_ids(session, gateway, need)) == {first.id, second.id}


def test_the_memo_is_bounded_and_keeps_the_most_recently_used() -> None:
    memo = Memo(2)
    computed: list[str] = []

    def value(key: str) -> str:
        def compute() -> str:
            computed.append(key)
            return key

        return memo.get((key,), compute)

    for key in ("a", "b", "a", "c", "a", "b"):
        value(key)
    assert len(memo) == 2
    assert computed == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came


def test_a_memo_keeps_one_value_per_key_the_last_stamped() -> None:
    """A value made over newer stamps replaces the one before: the old one, which no
    request would ask for again, does not wait for the LRU end to leave."""
    memo = Memo(8)
    memo.put(("/demands",), "page 1", ("v1",))
    assert memo.peek(("/demands",), ("v1",)) == "page 1"
    assert memo.peek(("/demands",), ("v2",)) is None  # a request that read newer stamps
    assert memo.get(("/demands",), lambda: "page 2", ("v2",)) == "page 2"
    assert len(memo) == 1
    assert memo.peek(("/demands",), ("v1",)) is None
    assert memo.peek(("/demands",)) is None  # no stamps is a stamp of its own
    for n in range(20):  # a write between every read: the memo stays at one entry
        memo.put(("/demands",), f"page {n}", (f"w{n}",))
    assert len(memo) == 1 and memo.peek(("/demands",), ("w19",)) == "page 19"
