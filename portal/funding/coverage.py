"""The officials' coverage view (issue 16): where demands find no funding they are
eligible for, and which shared capabilities no platform serves, by city and pilot zone —
tables with their source and as-of date, exported like every figure."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlmodel import Session, col, or_, select

from matching.programmes import WIDE_REGIONS, is_eligible
from matching.text import TextPipeline
from portal.dashboards.service import Table
from portal.funding import service
from portal.kit.i18n import N_, _
from portal.models import Demand, Organization
from portal.reference.vocab import get_vocabularies
from portal.search.documents import zones_of

SOURCE = N_("本平台数据库（已发布、未过期的需求、资金扶持与共性技术平台）")
KEYS = ("funding_gaps", "platform_gaps", "funding_calls")


def _open_demands(session: Session, today: date) -> list[Demand]:
    return list(
        session.exec(
            select(Demand)
            .where(
                Demand.status == "published",
                or_(col(Demand.deadline).is_(None), col(Demand.deadline) >= today),
            )
            .order_by(col(Demand.id))
        ).all()
    )


def coverage_tables(session: Session, pipeline: TextPipeline, *, today: date) -> dict[str, Table]:
    vocab = get_vocabularies()
    as_of = today.isoformat()
    labels = service.labels()
    calls = [service.call_of(pipeline, r) for r in service.open_calls(session, today=today)]
    demands = _open_demands(session, today)
    eligible_for: Counter[int] = Counter()  # call id → demands eligible
    demands_by_place: Counter[str] = Counter()
    without_by_place: Counter[str] = Counter()
    needed: dict[str, Counter[str]] = {}  # city → capability → demands needing it
    projects = service.projects_of(session, pipeline, demands, words=False)
    for demand, project in zip(demands, projects, strict=True):
        eligible = [c for c in calls if is_eligible(project, c, today=today, labels=labels)]
        for c in eligible:
            eligible_for[c.id] += 1
        for place in (
            f"city:{demand.city}",
            *(f"zone:{z}" for z in zones_of(demand.city, demand.zone)),
        ):
            demands_by_place[place] += 1
            if not eligible:
                without_by_place[place] += 1
        for capability in project.needs:
            needed.setdefault(demand.city, Counter())[capability] += 1

    gaps_rows: list[list[object]] = []
    places = [(f"city:{c}", t.name) for c, t in vocab.terms["city"].items()]
    places += [
        (f"zone:{z}", _("试点区域：{name_zh}").format(name_zh=t.name))
        for z, t in vocab.terms["pilot_zone"].items()
    ]
    for key, name in places:
        total = demands_by_place[key]
        if not total:
            continue
        without = without_by_place[key]
        gaps_rows.append([name, total, without, round(100 * without / total, 1)])
    funding_gaps = Table(
        key="funding_gaps",
        title=_("没有可申请资金扶持的需求（按城市与试点区域）"),
        columns=[_("地区"), _("已发布需求（个）"), _("无可申请资金的需求（个）"), _("占比（%）")],
        rows=gaps_rows,
        source=SOURCE,
        as_of=as_of,
        public=False,
        note=_("可申请：行业、地区、机构类型、项目阶段、申请截止日期和金额门槛均符合。"),
    )

    capabilities = vocab.codes("platform_capability")
    serving: dict[str, Counter[str]] = {c: Counter() for c in vocab.codes("city")}
    for platform, _org in service.live_platforms(session, today=today):
        cities = (
            set(vocab.codes("city"))
            if set(platform.regions) & set(WIDE_REGIONS)
            else set(platform.regions)
        )
        for city in cities & set(serving):
            for capability in platform.platform_capabilities:
                serving[city][capability] += 1
    platform_rows: list[list[object]] = []
    for city, counts in serving.items():
        missing = [c for c in capabilities if not counts[c]]
        wanted = [c for c in missing if needed.get(city, Counter())[c]]
        platform_rows.append(
            [
                vocab.label("city", city),
                *(counts[c] for c in capabilities),
                "、".join(vocab.label("platform_capability", c) for c in missing) or "—",
                "、".join(
                    _("{value}（{value2} 个需求）").format(
                        value=vocab.label("platform_capability", c), value2=needed[city][c]
                    )
                    for c in wanted
                )
                or "—",
            ]
        )
    platform_gaps = Table(
        key="platform_gaps",
        title=_("共性技术平台覆盖（按城市，服务该城市的平台数）"),
        columns=[
            _("城市"),
            *(vocab.label("platform_capability", c) for c in capabilities),
            _("无平台服务的能力"),
            _("有需求但无平台的能力"),
        ],
        rows=platform_rows,
        source=SOURCE,
        as_of=as_of,
        public=False,
        note=_("服务区域为湖南全省或全国的平台计入每个城市；试点区域的园区计入所在城市。"),
    )

    owners = {
        o.id: o.name
        for o in session.exec(
            select(Organization).where(
                col(Organization.id).in_(
                    {r.org_id for r in service.open_calls(session, today=today)}
                )
            )
        )
    }
    call_rows: list[list[object]] = []
    links: list[str | None] = []
    for row in service.open_calls(session, today=today):
        call_rows.append(
            [
                row.title,
                owners.get(row.org_id, ""),
                "、".join(vocab.region_label(r) for r in row.regions),
                row.amount_min,
                row.amount_max,
                row.deadline.isoformat() if row.deadline else _("长期"),
                eligible_for[row.id or 0],
            ]
        )
        links.append(f"/funds/{row.id}")
    funding_calls = Table(
        key="funding_calls",
        title=_("在申资金扶持项目及符合条件的需求数"),
        columns=[
            _("项目"),
            _("发布机构"),
            _("适用地区"),
            _("金额下限（万元）"),
            _("金额上限（万元）"),
            _("申请截止"),
            _("符合条件的需求（个）"),
        ],
        rows=call_rows,
        source=SOURCE,
        as_of=as_of,
        public=False,
        links=links,
    )
    return {t.key: t for t in (funding_gaps, platform_gaps, funding_calls)}
