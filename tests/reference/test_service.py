import json

import pytest
from sqlmodel import Session, func, select

from portal.models import City, Indicator, IndicatorValue, PilotZone, VocabularyTerm
from portal.reference.service import load_reference, parse_growth, parse_printed_number
from portal.reference.vocab import SEED_DIR, get_vocabularies

PLAN = SEED_DIR.parents[0].parent / "shared" / "plan" / "hunan-ict-14th-five-year-plan.txt"


def test_every_row_of_table_1_is_loaded_as_printed(session: Session) -> None:
    rows = session.exec(select(Indicator).order_by(Indicator.sort)).all()
    assert len(rows) == 24
    by_name = {r.name: r for r in rows}
    vpn = by_name["5G虚拟专网数"]
    assert (vpn.seq, vpn.unit, vpn.baseline, vpn.target, vpn.growth_printed) == (
        "16",
        "个",
        66,
        300,
        "35.4%",
    )
    assert by_name["单位电信业务总量综合能耗下降幅度"].growth_printed == "[15]"
    assert by_name["单位电信业务总量综合能耗下降幅度"].growth_kind == "cumulative"
    assert by_name["新建大型和超大型数据中心PUE值"].target_printed == "力争小于1.35"
    assert by_name["新建大型和超大型数据中心PUE值"].target is None
    assert by_name["其中：基础电信企业收入"].parent_code == "ict_revenue"
    assert by_name["其中:5G用户月均移动数据流量"].seq == ""
    assert by_name["电信用户综合满意指数"].target_printed == "高于全国平均水平"
    assert [r.seq for r in rows if r.seq] == [str(i) for i in range(1, 20)]


@pytest.mark.skipif(
    not PLAN.exists(), reason="the plan text is in ../shared, beside the repository"
)
def test_seed_rows_match_the_plan_text() -> None:
    """Every name and printed cell of the seed file stands in the plan's 表1, in that order."""
    text = PLAN.read_text(encoding="utf-8")
    table = text[text.index("表1 发展主要预期指标") : text.index("注：[ ]内数值")]
    cells = [c.strip() for c in table.splitlines() if c.strip()]
    rows = json.loads((SEED_DIR / "indicators.json").read_text(encoding="utf-8"))["rows"]
    position = 0
    for row in rows:
        position = cells.index(row["name"], position)
        assert cells[position + 1 : position + 5] == [
            row["unit"],
            row["baseline"],
            row["target"],
            row["growth"],
        ]
        if row["seq"]:
            assert cells[position - 1] == row["seq"]


def test_baseline_values_become_2020_actuals(session: Session) -> None:
    value = session.exec(
        select(IndicatorValue).where(IndicatorValue.indicator_code == "private_networks_5g")
    ).one()
    assert (value.year, value.value) == (2020, 66)
    assert "表1" in (value.source or "")
    # "-" has no actual.
    assert (
        session.exec(
            select(IndicatorValue).where(IndicatorValue.indicator_code == "telecom_satisfaction")
        ).first()
        is None
    )


def test_vocabularies_cities_and_zones(session: Session) -> None:
    vocab = get_vocabularies()
    assert len(vocab.codes("industry")) == 24
    assert len(vocab.codes("capability")) == 9
    assert len(vocab.codes("scenario")) == 20
    assert session.exec(select(func.count()).select_from(City)).one() == 14
    zones = {z.code: z for z in session.exec(select(PilotZone)).all()}
    assert set(zones) == {"changsha", "zhuzhou", "xiangtan", "yuelushan", "malanshan"}
    assert zones["malanshan"].city == "changsha" and zones["malanshan"].kind == "park"
    term = session.get(VocabularyTerm, ("industry", "ceramics"))
    assert term is not None and term.name_zh == "陶瓷" and term.featured


def test_load_reference_is_idempotent(session: Session) -> None:
    before = session.exec(select(func.count()).select_from(IndicatorValue)).one()
    load_reference(session)
    load_reference(session)
    assert session.exec(select(func.count()).select_from(IndicatorValue)).one() == before


@pytest.mark.parametrize(
    ("text", "expected"),
    [("35.4%", ("annual", 0.354)), ("[15]", ("cumulative", 15.0)), ("-", (None, None))],
)
def test_parse_growth(text: str, expected: tuple[str | None, float | None]) -> None:
    assert parse_growth(text) == expected


def test_parse_printed_number() -> None:
    assert parse_printed_number("2.9") == 2.9
    assert parse_printed_number("-") is None
    assert parse_printed_number("力争小于1.35") is None


def test_plan_growth_column_reproduces_from_baseline_and_target(session: Session) -> None:
    """The printed annual growth is (target/baseline)^(1/5) - 1, rounded to 0.1 %, for every
    row but one: 省际出口带宽 48 → 100 T is 15.8 % a year, printed as 20.1 %. We keep the
    printed figure (表1 is seed data exactly as printed) and pin the discrepancy here."""
    mismatched = []
    for row in session.exec(select(Indicator).where(Indicator.growth_kind == "annual")).all():
        assert row.baseline and row.target
        rate = (row.target / row.baseline) ** (1 / 5) - 1
        if abs(rate * 100 - float(row.growth_printed.rstrip("%"))) > 0.11:
            mismatched.append(row.name)
    assert mismatched == ["省际出口带宽"]
