import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, func, select

from portal.imports.service import import_jsonl_text, import_lines
from portal.kit.i18n import using
from portal.models import (
    Demand,
    IndicatorValue,
    Organization,
    OutboxEvent,
    PrivateNetwork,
    Solution,
)


def jsonl(*records: dict[str, Any]) -> str:
    return "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n"


ORG = {
    "type": "organization",
    "external_id": "o-1",
    "name": "醴陵某陶瓷厂",
    "kind": "enterprise",
    "city": "zhuzhou",
}
VENDOR = {
    "type": "organization",
    "external_id": "o-2",
    "name": "某集成商",
    "kind": "integrator",
    "city": "changsha",
    "credit_code": "91350100M000100Y43",
    "verified": True,
}
SOLUTION = {
    "type": "solution",
    "external_id": "s-1",
    "org": "o-2",
    "title": "5G+机器视觉陶瓷表面缺陷检测",
    "summary": "产线视觉质检",
    "description": "工业相机+边缘计算",
    "industries": ["ceramics"],
    "scenarios": ["machine_vision_qc"],
    "capabilities": ["embb", "mec"],
    "regions": ["hunan"],
    "price_min": 30,
    "price_max": 80,
    "preferences": {"industries": ["ceramics"], "regions": [], "min_budget": 20},
}
DEMAND = {
    "type": "demand",
    "external_id": "d-1",
    "org": "o-1",
    "title": "日用瓷釉面缺陷自动检测",
    "description": "人工目检漏检多",
    "industry": "ceramics",
    "scenarios": [],
    "capabilities": ["embb"],
    "must_have": ["mec"],
    "city": "zhuzhou",
    "zone": "zhuzhou",
    "budget_min": 20,
    "budget_max": 60,
    "deadline": "2027-06-30",
}
CASE = {
    "type": "use_case",
    "external_id": "c-1",
    "title": "某钢厂天车远控",
    "summary": "天车远程操控",
    "industry": "steel",
    "scenarios": ["remote_control"],
    "capabilities": ["urllc"],
    "city": "xiangtan",
    "enterprise": "某钢厂",
    "providers": ["某运营商"],
    "year": 2020,
    "source": "https://example.org/a",
    "evidence": "operator_verified",
}
NETWORK = {
    "type": "network",
    "external_id": "n-1",
    "name": "陶瓷厂5G专网",
    "enterprise": "o-1",
    "operator": "china_mobile",
    "industry": "ceramics",
    "city": "zhuzhou",
    "mode": "virtual",
    "status": "in_service",
    "commissioned_on": "2024-05-01",
    "demand": "d-1",
}
VALUE = {
    "type": "indicator_value",
    "indicator": "5G虚拟专网数",
    "year": 2023,
    "value": 210,
    "source": "测试来源",
}
GOOD = jsonl(ORG, VENDOR, SOLUTION, DEMAND, CASE, NETWORK, VALUE)


def counts(session: Session) -> dict[str, int]:
    models = [Organization, Solution, Demand, PrivateNetwork, IndicatorValue, OutboxEvent]
    return {m.__name__: session.exec(select(func.count()).select_from(m)).one() for m in models}


def test_good_file_is_applied(session: Session) -> None:
    before = counts(session)
    report = import_jsonl_text(session, GOOD)
    assert report.ok and report.applied, report.issues
    after = counts(session)
    assert after["Organization"] == before["Organization"] + 2
    assert after["Solution"] == before["Solution"] + 1
    assert after["OutboxEvent"] == before["OutboxEvent"] + 3  # solution, demand, use case
    demand = session.exec(select(Demand).where(Demand.external_id == "d-1")).one()
    assert demand.capabilities == ["embb", "mec"]  # a must-have is a capability asked for
    assert str(demand.deadline) == "2027-06-30"
    network = session.exec(select(PrivateNetwork).where(PrivateNetwork.external_id == "n-1")).one()
    assert network.org_id is not None and network.enterprise == "醴陵某陶瓷厂"
    assert network.demand_id == demand.id
    value = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_code == "private_networks_5g", IndicatorValue.year == 2023
        )
    ).one()
    assert value.value == 210


def test_importing_twice_changes_nothing(session: Session) -> None:
    import_jsonl_text(session, GOOD)
    before = counts(session)
    solution = session.exec(select(Solution).where(Solution.external_id == "s-1")).one()
    version, updated_at = solution.version, solution.updated_at
    report = import_jsonl_text(session, GOOD)
    assert report.ok
    assert sum(report.created.values()) == 0 and sum(report.updated.values()) == 0
    assert sum(report.unchanged.values()) == 7
    assert counts(session) == before
    session.refresh(solution)
    assert (solution.version, solution.updated_at) == (version, updated_at)


def test_a_changed_record_is_updated_and_reindexed(session: Session) -> None:
    import_jsonl_text(session, GOOD)
    outbox_before = counts(session)["OutboxEvent"]
    changed = dict(SOLUTION, title="5G+机器视觉陶瓷缺陷检测（升级版）")
    report = import_jsonl_text(session, jsonl(changed))
    assert report.updated["solution"] == 1
    solution = session.exec(select(Solution).where(Solution.external_id == "s-1")).one()
    assert solution.version == 2 and solution.title.endswith("（升级版）")
    assert counts(session)["OutboxEvent"] == outbox_before + 1


def test_one_bad_line_changes_nothing_and_is_named(session: Session) -> None:
    before = counts(session)
    bad = dict(DEMAND, budget_min=80, budget_max=20)
    report = import_jsonl_text(session, jsonl(ORG, VENDOR, SOLUTION, bad, CASE))
    assert not report.ok and not report.applied
    assert [(i.line, i.field) for i in report.issues] == [(4, "budget_max")]
    assert "第 4 行" in str(report.issues[0])
    assert counts(session) == before


def test_dry_run_checks_but_writes_nothing(session: Session) -> None:
    before = counts(session)
    report = import_jsonl_text(session, GOOD, dry_run=True)
    assert report.ok and not report.applied
    assert report.created["organization"] == 2
    assert counts(session) == before


@pytest.mark.parametrize(
    ("record", "field", "fragment"),
    [
        (dict(SOLUTION, price_min=False), "price_min", "数字"),
        (dict(SOLUTION, price_min="12"), "price_min", "数字"),
        (dict(VENDOR, verified=1), "verified", "布尔"),
        (dict(SOLUTION, regions=["beijing"]), "regions", "beijing"),
        (dict(SOLUTION, capabilities=["6g"]), "capabilities", "6g"),
        (dict(SOLUTION, org="nobody"), "org", "找不到机构"),
        (dict(SOLUTION, regions=[]), "regions", "至少"),
        (dict(SOLUTION, colour="red"), "colour", "不认识"),
        (
            dict(VENDOR, external_id="o-3", credit_code="91350100M000100Y44"),
            "credit_code",
            "校验位",
        ),
        (dict(DEMAND, external_id="d-2", zone="malanshan"), "zone", "不在该城市"),
        (dict(DEMAND, external_id="d-2", deadline="30/06/2027"), "deadline", "YYYY-MM-DD"),
        (dict(DEMAND, external_id="d-2", title="  "), "title", "不能为空"),
        ({k: v for k, v in dict(DEMAND, external_id="d-2").items() if k != "city"}, "city", "缺少"),
        (dict(NETWORK, mode="wifi"), "mode", "取值"),
        (dict(VALUE, indicator="不存在的指标"), "indicator", "找不到指标"),
        (dict(VALUE, value=float("nan")), "value", "有限"),
        (dict(VALUE, value=float("inf")), "value", "有限"),
        ({"type": "spaceship", "external_id": "x"}, "type", "type 应为"),
    ],
)
def test_bad_fields_are_reported_in_chinese(
    session: Session, record: dict[str, Any], field: str, fragment: str
) -> None:
    report = import_jsonl_text(session, jsonl(ORG, VENDOR, DEMAND, record))
    assert not report.ok
    issue = next(i for i in report.issues if i.line == 4)
    assert issue.field == field
    assert fragment in issue.message


def test_a_network_in_service_may_not_start_after_hunans_today(session: Session) -> None:
    today = date(2026, 12, 2)
    late = dict(NETWORK, commissioned_on=(today + timedelta(days=1)).isoformat())
    report = import_lines(session, jsonl(ORG, VENDOR, DEMAND, late).splitlines(), today=today)
    assert [(i.line, i.field) for i in report.issues] == [(4, "commissioned_on")]
    assert "不能晚于今天" in report.issues[0].message
    ontime = dict(NETWORK, commissioned_on=today.isoformat())
    report = import_lines(session, jsonl(ORG, VENDOR, DEMAND, ontime).splitlines(), today=today)
    assert report.ok, report.issues


def test_invalid_json_and_duplicates(session: Session) -> None:
    report = import_jsonl_text(session, jsonl(ORG) + "{not json\n" + jsonl(ORG))
    assert [(i.line, i.message) for i in report.issues] == [
        (2, "不是合法的 JSON"),
        (3, "与第 1 行重复：o-1"),
    ]


def test_references_resolve_regardless_of_order(session: Session) -> None:
    report = import_jsonl_text(session, jsonl(NETWORK, DEMAND, SOLUTION, VENDOR, ORG))
    assert report.ok, report.issues


def test_an_organisations_contact_person_is_imported_and_checked(session: Session) -> None:
    import json

    from portal.models import Organization

    line = {
        "type": "organization",
        "external_id": "org-contact-1",
        "name": "联系人测试企业",
        "kind": "enterprise",
        "city": "changsha",
        "contact_name": "王工",
        "contact_phone": "0731-88880000",
        "contact_email": "wang@example.com",
    }
    assert import_lines(session, [json.dumps(line, ensure_ascii=False)]).ok
    bad = {**line, "contact_email": "not-an-email"}
    report = import_lines(session, [json.dumps(bad, ensure_ascii=False)])
    assert [(i.field, i.message) for i in report.issues] == [("contact_email", "邮箱格式不正确")]
    without = {k: v for k, v in line.items() if not k.startswith("contact_")}
    assert import_lines(session, [json.dumps(without, ensure_ascii=False)]).ok
    org = session.exec(
        select(Organization).where(Organization.external_id == "org-contact-1")
    ).one()
    assert (org.contact_name, org.contact_phone) == ("王工", "0731-88880000")  # kept


def test_an_indicator_value_carries_its_publication_and_next_update(session: Session) -> None:
    dated = {**VALUE, "as_of": "2024-03-01", "next_update": "2025-03-31"}
    report = import_jsonl_text(session, jsonl(dated))
    assert report.ok, report.issues
    value = session.exec(
        select(IndicatorValue).where(
            IndicatorValue.indicator_code == "private_networks_5g", IndicatorValue.year == 2023
        )
    ).one()
    assert (str(value.as_of), str(value.next_update)) == ("2024-03-01", "2025-03-31")
    backwards = {**VALUE, "as_of": "2024-03-01", "next_update": "2024-01-01"}
    refused = import_jsonl_text(session, jsonl(backwards))
    assert [(i.field, i.message) for i in refused.issues] == [
        ("next_update", "下次更新日期应晚于发布日期")
    ]


def test_an_organisation_that_may_not_publish_is_named_in_the_requests_language(
    session: Session,
) -> None:
    with using("en"):
        report = import_jsonl_text(session, jsonl(ORG, dict(SOLUTION, org="o-1")))
    issue = next(i for i in report.issues if i.field == "org")
    assert issue.message == (
        "The organisation 'o-1' (Enterprise (demand side)) cannot publish a solution"
    )
