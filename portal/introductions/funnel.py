"""The officials' funnel of introductions: how many reached each stage, the conversion from
one stage to the next, and the median days between them — overall, or for the demands of
one industry, city, pilot zone or cluster. Counts and dates only: no message, no contact.

An introduction that skipped a stage (accepted, then straight to contract) counts as having
passed it; the days between two stages are measured only where both steps were recorded.
"""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlmodel import Session, col, select

from portal.clock import aware
from portal.dashboards.service import Table
from portal.introductions.service import PIPELINE, STAGE_LABELS, stage_of
from portal.kit.i18n import N_, _
from portal.models import Demand, Introduction, IntroductionStep, PrivateNetwork

FUNNEL = ("requested", *PIPELINE)  # requested → accepted → … → network_live
ENDINGS = ("declined", "expired", "closed")
Dimension = Literal["industry", "city", "zone", "cluster"]
SOURCE = N_("本平台对接记录（对接请求、答复与各阶段的更新日期）")


@dataclass
class Funnel:
    reached: dict[str, int]  # how many reached (or passed) each stage of FUNNEL
    current: dict[str, int]  # where each introduction stands now
    conversion: dict[str, float | None]  # "requested→accepted": reached share
    median_days: dict[str, float | None]  # "requested→accepted": days
    total: int = 0
    networks_born: int = 0  # registry networks linked through the pipeline
    by: dict[str, dict[str, int]] = field(default_factory=dict)  # dimension value → reached


def _pairs() -> list[tuple[str, str]]:
    return list(itertools.pairwise(FUNNEL))


def _highest(stages: set[str]) -> int:
    return max((FUNNEL.index(s) for s in stages if s in FUNNEL), default=0)


def compute(
    session: Session,
    *,
    now: datetime,
    dimension: Dimension | None = None,
    value: str | None = None,
    featured: frozenset[str] = frozenset(),
) -> Funnel:
    """The funnel of every introduction, or of those whose demand has ``dimension`` =
    ``value`` (``cluster``: the demand's industry, one of the ``featured`` ones)."""
    rows = session.exec(
        select(Introduction, Demand.industry, Demand.city, Demand.zone).join(
            Demand, col(Demand.id) == col(Introduction.demand_id)
        )
    ).all()
    keyed = []
    for intro, industry, city, zone in rows:
        place = {"industry": industry, "city": city, "zone": zone, "cluster": industry}
        if dimension == "cluster" and industry not in featured:
            continue
        if dimension is not None and value is not None and place[dimension] != value:
            continue
        keyed.append((intro, place))
    ids = [intro.id for intro, _ in keyed]
    stamps: dict[int, dict[str, datetime]] = defaultdict(dict)
    if ids:
        for step in session.exec(
            select(IntroductionStep).where(col(IntroductionStep.introduction_id).in_(ids))
        ):
            stamps[step.introduction_id].setdefault(step.stage, aware(step.at))
    reached = dict.fromkeys(FUNNEL, 0)
    current = dict.fromkeys((*FUNNEL, *ENDINGS), 0)
    gaps: dict[str, list[float]] = defaultdict(list)
    by: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FUNNEL, 0))
    for intro, place in keyed:
        assert intro.id is not None
        seen = set(stamps[intro.id]) | {"requested"}
        now_stage = stage_of(intro, now)
        current[now_stage] = current.get(now_stage, 0) + 1
        if now_stage in FUNNEL:
            seen.add(now_stage)
        top = _highest(seen)
        for stage in FUNNEL[: top + 1]:
            reached[stage] += 1
            where = place.get(dimension) if dimension is not None else None
            if where:
                by[where][stage] += 1
        for a, b in _pairs():
            if a in stamps[intro.id] and b in stamps[intro.id]:
                gaps[f"{a}→{b}"].append(
                    (stamps[intro.id][b] - stamps[intro.id][a]).total_seconds() / 86_400
                )
    conversion = {
        f"{a}→{b}": (round(reached[b] / reached[a], 3) if reached[a] else None) for a, b in _pairs()
    }
    median_days = {
        f"{a}→{b}": (round(statistics.median(gaps[f"{a}→{b}"]), 1) if gaps[f"{a}→{b}"] else None)
        for a, b in _pairs()
    }
    born = session.exec(
        select(PrivateNetwork.id).where(col(PrivateNetwork.introduction_id).is_not(None))
    ).all()
    return Funnel(
        reached=reached,
        current=current,
        conversion=conversion,
        median_days=median_days,
        total=len(keyed),
        networks_born=len(born),
        by=dict(by),
    )


def _percent(share: float | None) -> float | None:
    return None if share is None else round(100 * share, 1)


def rows(funnel: Funnel) -> list[list[object]]:
    """The funnel as table rows: stage, reached, conversion from the previous stage, median
    days from the previous stage."""
    out: list[list[object]] = []
    previous: str | None = None
    for stage in FUNNEL:
        key = f"{previous}→{stage}" if previous else None
        out.append(
            [
                STAGE_LABELS[stage],
                funnel.reached[stage],
                None
                if key is None or funnel.conversion[key] is None
                else round(100 * funnel.conversion[key], 1),  # type: ignore[operator]
                None if key is None else funnel.median_days[key],
            ]
        )
        previous = stage
    for stage in ENDINGS:
        out.append([STAGE_LABELS[stage], funnel.current[stage], None, None])
    return out


def table(funnel: Funnel, *, as_of: date) -> Table:
    """The funnel as the export and the evaluation report show it."""
    return Table(
        key="introductions_funnel",
        title=_("对接漏斗"),
        columns=[_("阶段"), _("到达数"), _("较上一阶段转化率（%）"), _("距上一阶段中位天数")],
        rows=rows(funnel),
        source=SOURCE,
        as_of=as_of.isoformat(),
        public=False,
        note=_("到达数含跳过该阶段直接进入后续阶段的对接；不含任何消息内容或联系方式。"),
    )
