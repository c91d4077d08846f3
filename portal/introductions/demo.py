"""Demo introductions (development only): a few demand–solution pairs of the demo set at
each stage of the pipeline, so the pages and the officials' funnel show something real to
look at. Written once (a ``Meta`` key), with steps dated over the past weeks; the pairs of
the demo accounts' own listings are left alone for people to try."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal.clock import local_today
from portal.models import (
    Demand,
    Introduction,
    IntroductionStep,
    MatchFeedback,
    Meta,
    Organization,
    PrivateNetwork,
    Solution,
)

META_KEY = "seed:demo-introductions"
VERSION = "1"
# (demand, solution, who asked, the stages it went through, days ago it began, extras)
PAIRS: tuple[tuple[str, str, str, tuple[str, ...], int, dict[str, object]], ...] = (
    ("demo-dem-llcy-glaze", "demo-sol-cer-glaze", "demand",
     ("accepted", "negotiating", "poc", "contract", "network_live"), 150, {"amount": 96}),
    ("demo-dem-zzgd-weld", "demo-sol-rail-bogie", "solution",
     ("accepted", "negotiating", "poc", "contract"), 95, {"amount": 160}),
    ("demo-dem-xzgt-crane", "demo-sol-st-crane", "demand",
     ("accepted", "negotiating", "poc"), 60, {}),
    ("demo-dem-lnky-net", "demo-sol-mine-net", "demand", ("accepted", "negotiating"), 40, {}),
    ("demo-dem-xnyy-consult", "demo-sol-med-consult", "solution", ("accepted",), 20, {}),
    ("demo-dem-yjqp-forklift", "demo-sol-forklift", "demand",
     ("accepted", "negotiating", "closed"), 70, {"close_reason": "年度预算冻结，明年再议"}),
    ("demo-dem-xtjm-plan", "demo-sol-im-aps", "demand", ("declined",), 30,
     {"decline_reason": "budget", "decline_note": "首期预算不足，以后再联系"}),
    ("demo-dem-xfsn-orchard", "demo-sol-agri", "solution", ("expired",), 40, {}),
    ("demo-dem-dtgw-crane", "demo-sol-port-crane", "demand", (), 3, {}),
)  # fmt: skip
MESSAGE = "看到贵方在平台上的发布与我方情况相符，希望进一步沟通具体需求、现场条件和实施周期。"


def seed(session: Session, *, now: datetime) -> int:
    """Write the demo introductions once; returns how many were written."""
    meta = session.get(Meta, META_KEY)
    if meta is not None and meta.value == VERSION:
        return 0
    written = 0
    for demand_id, solution_id, initiator, stages, days_ago, extra in PAIRS:
        demand = session.exec(select(Demand).where(Demand.external_id == demand_id)).first()
        solution = session.exec(select(Solution).where(Solution.external_id == solution_id)).first()
        if demand is None or solution is None or demand.id is None or solution.id is None:
            continue
        begun = now - timedelta(days=days_ago)
        requester, receiver = (demand.org_id, solution.org_id)
        if initiator == "solution":
            requester, receiver = receiver, requester
        final = stages[-1] if stages else "requested"
        intro = Introduction(
            demand_id=demand.id,
            solution_id=solution.id,
            initiator=initiator,
            requester_org_id=requester,
            receiver_org_id=receiver,
            message=MESSAGE,
            next_step="visit",
            stage=final,
            is_open=final not in ("declined", "expired", "closed"),
            created_at=begun,
            updated_at=begun,
            expires_at=begun + timedelta(days=14),
            answered_at=begun + timedelta(days=2) if stages and final != "expired" else None,
            amount=extra.get("amount"),  # type: ignore[arg-type]
            close_reason=extra.get("close_reason"),  # type: ignore[arg-type]
            decline_reason=extra.get("decline_reason"),  # type: ignore[arg-type]
            decline_note=extra.get("decline_note"),  # type: ignore[arg-type]
        )
        session.add(intro)
        session.flush()
        assert intro.id is not None
        at = begun
        session.add(IntroductionStep(introduction_id=intro.id, stage="requested", at=at))
        session.add(_feedback(intro, initiator, requester, "request", at))
        for n, stage in enumerate(stages):
            at = (
                begun + timedelta(days=2 + 12 * n)
                if stage != "expired"
                else begun + timedelta(days=14)
            )
            session.add(IntroductionStep(introduction_id=intro.id, stage=stage, at=at))
            if stage in ("accepted", "declined"):
                side = "solution" if initiator == "demand" else "demand"
                action = "accept" if stage == "accepted" else "decline"
                session.add(_feedback(intro, side, receiver, action, at))
            intro.updated_at = at
        if final == "network_live":
            enterprise = session.get(Organization, demand.org_id)
            assert enterprise is not None
            network = PrivateNetwork(
                external_id=f"demo-net-intro-{intro.id}",
                name=f"{enterprise.name}5G虚拟专网",
                enterprise=enterprise.name,
                org_id=demand.org_id,
                operator="china_mobile",
                industry=demand.industry,
                city=demand.city,
                zone=demand.zone,
                mode="virtual",
                status="in_service",
                commissioned_on=local_today(at),
                demand_id=demand.id,
                introduction_id=intro.id,
                confirmed=True,
                is_demo=True,
            )
            session.add(network)
            session.flush()
            intro.network_id = network.id
        session.add(intro)
        written += 1
    session.merge(Meta(key=META_KEY, value=VERSION))
    session.flush()
    return written


def _feedback(
    intro: Introduction, side: str, org_id: int, action: str, at: datetime
) -> MatchFeedback:
    return MatchFeedback(
        demand_id=intro.demand_id,
        solution_id=intro.solution_id,
        org_id=org_id,
        side=side,
        action=action,
        at=at,
    )
