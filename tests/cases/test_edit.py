"""Officials add and edit benchmark cases; each change is audited and re-indexed."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from portal.models import AuditLog, OutboxEvent, UseCase
from tests.factories import make_case, make_user
from tests.support.web import sign_in

FORM = {
    "title": "某陶瓷厂5G窑炉监测",
    "summary": "窑炉温度5G回传与异常告警",
    "industry": "ceramics",
    "city": "zhuzhou",
    "scenarios": ["safety_monitoring"],
    "capabilities": ["mmtc"],
    "enterprise": "某陶瓷企业",
    "providers": "湖南移动\n某集成商",
    "year": "2024",
    "source": "https://example.org/kiln",
    "evidence": "operator_verified",
}


def test_official_adds_and_edits_a_case(client: TestClient, session: Session) -> None:
    official = make_user(session, role="official")
    csrf = sign_in(client, official.email)
    response = client.post("/cases/new", data={**FORM, "csrf_token": csrf}, follow_redirects=False)
    assert response.status_code == 303, response.text
    case = session.exec(select(UseCase).where(UseCase.title == FORM["title"])).one()
    assert case.providers == ["湖南移动", "某集成商"] and case.year == 2024
    bad = client.post(
        f"/cases/{case.id}/edit", data={**FORM, "year": "去年", "title": "", "csrf_token": csrf}
    )
    assert bad.status_code == 400 and "请输入整数" in bad.text and "不能为空" in bad.text
    response = client.post(
        f"/cases/{case.id}/edit",
        data={**FORM, "benefits": "能耗下降 6%", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303
    session.refresh(case)
    assert case.benefits == "能耗下降 6%" and case.version == 2
    actions = session.exec(
        select(AuditLog.action).where(AuditLog.entity_id == case.external_id)
    ).all()
    assert sorted(actions) == ["case.created", "case.updated"]
    assert (
        len(
            session.exec(
                select(OutboxEvent).where(
                    OutboxEvent.entity == "use_case", OutboxEvent.entity_id == case.id
                )
            ).all()
        )
        == 2
    )


def test_others_may_not_edit_cases(client: TestClient, session: Session) -> None:
    case = make_case(session)
    vendor = make_user(session, role="vendor")
    csrf = sign_in(client, vendor.email)
    session.commit()
    assert client.get("/cases/new").status_code == 403
    response = client.post(f"/cases/{case.id}/edit", data={**FORM, "csrf_token": csrf})
    assert response.status_code == 403
    session.refresh(case)
    assert case.title != FORM["title"]
