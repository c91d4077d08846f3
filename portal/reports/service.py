"""The evaluation report of a plan period (中期评估 while it runs, 总结评估 once it has
ended): what officials hand in, built from the same functions as the pages — the progress
of indicator 16, 表1, the zones and cities, the clusters, the introductions funnel — so the
report never says another number than the dashboard. :mod:`portal.reports.pdf` and
:mod:`portal.reports.word` write it; both walk the same sections.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, select

from portal.clock import local_today
from portal.clusters.service import cluster_counts
from portal.dashboards.service import (
    Table,
    cluster_table,
    indicator_table,
    place_tables,
    progress_tables,
)
from portal.events import service as events
from portal.home.service import headline
from portal.indicators.periods import (
    BASIS_LABELS,
    STALE_LABEL,
    STATUS_LABELS,
    Period,
    list_periods,
    require_period,
)
from portal.indicators.schemas import IndicatorPublic
from portal.indicators.service import list_indicators
from portal.introductions import funnel as funnels
from portal.kit.i18n import N_, SOURCE, _, get_locale
from portal.models import UseCase
from portal.networks.service import REGISTRY_SOURCE, Progress, progress
from portal.reference.service import PLAN_SOURCE
from portal.reference.vocab import get_vocabularies
from portal.reports import charts
from portal.zones.service import place_counts

# The columns of 表1 the report prints (the dashboard's table has them all).
INDICATOR_COLUMNS = (
    N_("序号"),
    N_("指标名称"),
    N_("单位"),
    N_("2020年"),
    N_("目标"),
    N_("目标年份"),
    N_("最新/期末实际值"),
    N_("实际值年份"),
    N_("与目标之差 / 进度（%）"),
    N_("状态"),
    N_("来源"),
    N_("下次更新"),
)


NUMERALS = "一二三四五六七八九十"


@dataclass
class Chart:
    caption: str
    png: bytes


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


@dataclass
class Report:
    period: Period
    kind: str  # 总结评估 | 中期评估, in the report's language
    title: str
    as_of: date
    summary: list[str]
    sections: list[Section]

    @property
    def subtitle(self) -> str:
        return _("{period}{name} · {kind}").format(
            period=self.period.label, name=_(self.period.name), kind=self.kind
        )

    @property
    def filename(self) -> str:
        return f"evaluation-{self.period.code}"


def columns(table: Table, names: tuple[str, ...]) -> Table:
    """The same table with only ``names`` (in that order); the table's columns are in the
    request's language, ``names`` the Chinese sources."""
    shown = [_(n) for n in names]
    index = [table.columns.index(n) for n in shown]
    return Table(
        table.key,
        table.title,
        shown,
        [[row[i] for i in index] for row in table.rows],
        table.source,
        table.as_of,
        table.public,
        table.note,
    )


def build_report(session: Session, *, period: str, now: datetime) -> Report:
    today = local_today(now)
    shown = require_period(list_periods(session), period)
    kind = _("总结评估") if shown.ended(today) else _("中期评估")
    p = progress(session, today=today, period=shown.code)
    rows = list_indicators(session, today=today, period=shown.code)
    statuses = Counter(r.status for r in rows)
    zones, cities = place_counts(session, today=today)
    funnel = funnels.compute(session, now=now)
    figures = headline(session, today=today)
    summary = [
        _(
            "本报告为《湖南省“十四五”信息通信行业发展规划》{period}{name}{kind}报告，"
            "数据截至 {today}，由湖南5G应用产业生态对接平台按平台页面的同一口径生成。"
        ).format(period=shown.label, name=_(shown.name), kind=kind, today=today.isoformat()),
        network_sentence(p),
        _("表1 共 {count} 项指标：{statuses}。").format(
            count=len(rows),
            statuses=_("、").join(
                _("{status} {count} 项").format(status=STATUS_LABELS[s], count=statuses[s])
                for s in STATUS_LABELS
                if statuses[s]
            ),
        ),
        _(
            "平台对接：已发布解决方案 {solutions} 项、应用需求 {demands} 项、标杆案例 {cases} 个；"
            "对接请求 {requests} 次，签约 {contracts} 次，经平台对接开通专网 {born} 个。"
        ).format(
            solutions=figures.solutions,
            demands=figures.demands,
            cases=figures.cases,
            requests=funnel.total,
            contracts=funnel.reached.get("contract", 0),
            born=p.born_from_portal,
        ),
    ]
    sections = [
        Section(
            _("规划指标（表1）完成情况"),
            [
                _(
                    "各指标按{period}的目标判断；规划期已结束的给出期末结果与目标之差，"
                    "进行中的按“年均/累计”一栏隐含的轨迹判断。"
                ).format(period=shown.label)
            ],
            [columns(indicator_table(rows, today), INDICATOR_COLUMNS)],
        ),
        networks_section(p, zones_and_cities=place_tables(zones, cities, today)),
        Section(
            _("重点产业集群与覆盖缺口"),
            [_("“开放且无强匹配”的需求即集群的覆盖缺口：尚无合适的已发布解决方案。")],
            [cluster_table(cluster_counts(session, today=today), today)],
        ),
        matchmaking_section(p, funnel, figures.solutions, figures.demands, today),
        *([held] if (held := events_section(session, shown, now)) else []),
        cases_section(session, today),
        method_section(p, rows, shown, today),
    ]
    for index, section in enumerate(sections):
        # 一、二、… in Chinese; 1., 2., … in English.
        number = NUMERALS[index] if get_locale() == SOURCE else str(index + 1)
        section.title = _("{number}、{title}").format(number=number, title=section.title)
    title = _("湖南省信息通信行业发展规划{period}{kind}报告").format(period=shown.label, kind=kind)
    return Report(shown, kind, title, today, summary, sections)


def network_sentence(p: Progress) -> str:
    o = p.outcome
    if p.ended and o is not None and o.value is not None and o.difference is not None:
        basis = _(BASIS_LABELS.get(o.basis or "", "—"))
        gap = (
            _("超出目标 {n:g} 个").format(n=o.difference)
            if o.difference >= 0
            else _("距目标差 {n:g} 个").format(n=-o.difference)
        )
        return _(
            "5G虚拟专网数：{target_year} 年目标 {target:g} 个，期末{basis} {value:g} 个"
            "（{year} 年），{status}，{gap}。"
        ).format(
            target_year=p.target_year,
            target=p.target,
            basis=basis,
            value=o.value,
            year=o.year,
            status=STATUS_LABELS[o.status],
            gap=gap,
        )
    latest = (
        _("官方统计 {value:g} 个（{year} 年）").format(value=p.official.value, year=p.official.year)
        if p.official
        else _("尚无官方统计")
    )
    return _(
        "5G虚拟专网数：{target_year} 年目标 {target:g} 个；{latest}，平台登记在用 "
        "{registered} 个；{status}。"
    ).format(
        target_year=p.target_year,
        target=p.target,
        latest=latest,
        registered=p.registered_in_service,
        status=STATUS_LABELS[p.status],
    )


def networks_section(p: Progress, *, zones_and_cities: list[Table]) -> Section:
    vocab = get_vocabularies()
    tables = {t.key: t for t in progress_tables(p)}
    series = tables["progress_series"]
    progress_png = charts.line_chart(
        _("5G行业虚拟专网：规划轨迹、官方统计与平台登记"),
        [row[0] for row in series.rows],
        [
            (_("规划轨迹"), [row[1] for row in series.rows], True),
            (_("官方统计"), [row[2] for row in series.rows], False),
            (_("平台登记在用"), [row[3] for row in series.rows], False),
        ],
        _("个"),
    )
    city_png = charts.bar_chart(
        _("各市州在用专网数"),
        [vocab.label("city", c) for c in p.by_city],
        list(p.by_city.values()),
        _("个"),
    )
    map_names = {code: vocab.terms["city"][code].map_name for code in vocab.codes("city")}
    map_png = charts.hunan_map(
        _("湖南省各市州在用5G行业虚拟专网"),
        {map_names.get(code, code): n for code, n in p.by_city.items()},
    )
    figures = [
        Chart(_("图1 5G行业虚拟专网逐年走势"), progress_png),
        Chart(_("图2 各市州在用专网数"), city_png),
    ]
    if map_png is not None:
        figures.append(Chart(_("图3 湖南省专网分布（按市州）"), map_png))
    return Section(
        _("5G行业虚拟专网"),
        [network_sentence(p)],
        [
            tables["progress_summary"],
            series,
            tables["networks_by_city"],
            *zones_and_cities,
            tables["networks_by_operator"],
            tables["networks_by_industry"],
        ],
        figures,
    )


def matchmaking_section(
    p: Progress, funnel: funnels.Funnel, solutions: int, demands: int, today: date
) -> Section:
    listings = Table(
        "listings",
        _("供需发布"),
        [_("项目"), _("数量")],
        [
            [_("已发布解决方案（项）"), solutions],
            [_("已发布应用需求（项）"), demands],
            [_("对接请求（次）"), funnel.total],
            [_("经平台对接开通的专网（个）"), p.born_from_portal],
        ],
        _("本平台数据库"),
        today.isoformat(),
    )
    return Section(
        _("平台对接成效"),
        [
            _("从匹配到签约、开通专网的对接漏斗；到达数含跳过该阶段直接进入后续阶段的对接。"),
            _("经本平台对接开通、已计入指标16的专网：{n} 个。").format(n=p.born_from_portal),
        ],
        [listings, funnels.table(funnel, as_of=today)],
    )


def events_section(session: Session, period: Period, now: datetime) -> Section | None:
    """对接活动: the period's matchmaking events, each with the figures of its own report
    (the officials' event report page); None when the period had none."""
    years = range(period.baseline_year + 1, period.target_year + 1)
    held = [e for e in events.listed(session) if e.starts_on.year in years]
    if not held:
        return None
    # events.figures names its figures in the request's language.
    columns = [_("报名机构"), _("洽谈请求"), _("已排入日程"), _("已举行"), _("双方都愿意继续对接")]
    rows: list[list[Any]] = []
    totals = dict.fromkeys(columns, 0)
    for event in sorted(held, key=lambda e: (e.starts_on, e.id or 0)):
        figures = dict(events.figures(session, event, now))
        for name in columns:
            totals[name] += figures[name]
        rows.append([event.title, event.starts_on.isoformat(), *(figures[c] for c in columns)])
    today = local_today(now)
    registered, requested, _scheduled, met, both = (totals[c] for c in columns)
    return Section(
        _("对接活动"),
        [
            _(
                "本期共举办对接会 {events} 场，报名机构 {registered} 家次，"
                "洽谈请求 {requested} 次，已举行洽谈 {met} 场，双方都愿意继续对接的 {both} 场。"
            ).format(
                events=len(held), registered=registered, requested=requested, met=met, both=both
            )
        ],
        [
            Table(
                "events",
                _("对接会"),
                [_("对接会"), _("日期"), *columns],
                rows,
                _("本平台对接会记录"),
                today.isoformat(),
            )
        ],
    )


def cases_section(session: Session, today: date) -> Section:
    vocab = get_vocabularies()
    cases = session.exec(select(UseCase).order_by(col(UseCase.year).desc(), col(UseCase.id))).all()
    by_industry = Counter(c.industry for c in cases)
    return Section(
        _("标杆案例"),
        [_("案例库共 {n} 个标杆案例，均注明出处与证据等级。").format(n=len(cases))],
        [
            Table(
                "cases_by_industry",
                _("按行业的标杆案例"),
                [_("行业"), _("案例数（个）")],
                [[vocab.label("industry", k), n] for k, n in by_industry.most_common()],
                _("本平台标杆案例库"),
                today.isoformat(),
            ),
            Table(
                "cases",
                _("标杆案例（最近 30 个）"),
                [_("案例"), _("行业"), _("城市"), _("年份"), _("证据等级")],
                [
                    [
                        c.title,
                        vocab.label("industry", c.industry),
                        vocab.label("city", c.city),
                        c.year,
                        vocab.label("evidence", c.evidence),
                    ]
                    for c in cases[:30]
                ],
                _("本平台标杆案例库（来源逐案注明）"),
                today.isoformat(),
            ),
        ],
    )


def method_section(
    p: Progress, rows: list[IndicatorPublic], period: Period, today: date
) -> Section:
    stale = [_(r.name) for r in rows if r.stale]
    dated = [
        (
            _("{name}：{year} 年数值发布于 {published}，下次更新 {next_update}")
            if r.next_update
            else _("{name}：{year} 年数值发布于 {published}")
        ).format(
            name=_(r.name),
            year=r.latest.year,
            published=r.latest.as_of.isoformat(),
            next_update=r.next_update.isoformat() if r.next_update else "",
        )
        for r in rows
        if r.latest is not None and r.latest.as_of is not None
    ]
    paragraphs = [
        _(
            "统计口径：指标16“5G虚拟专网数”的平台登记数为{registry}；"
            "官方统计为主管部门录入的年度数值，来源逐行注明。"
        ).format(registry=REGISTRY_SOURCE),
        _("规划目标：{plan}；本期目标出处：{source}。").format(
            plan=PLAN_SOURCE, source=_(period.source or PLAN_SOURCE)
        ),
        _(
            "表1 各行（含5G虚拟专网数）只按官方统计判断；5G虚拟专网数在没有期内官方统计时，"
            "第二部分另按平台登记给出结果（依据注明“平台登记”）。"
        ),
        _(
            "判断方法：规划期结束后，以目标年份的官方数值（未发布时取期内最新年份的数值并注明）"
            "与目标比较，判定已达标或未达标并给出差值；没有期内官方数值的，以平台登记"
            "（{target_year} 年底前开通、目前在用，含开通日期未知的）为依据。"
            "规划期进行中，以基线到目标的几何增长轨迹（“[ ]”为5年均匀累计）判断按计划推进或落后。"
        ).format(target_year=period.target_year),
        (
            _("数据截至 {today}；官方数值超过其下次更新日期的标为“{stale}”：{names}。")
            if stale
            else _("数据截至 {today}；官方数值超过其下次更新日期的标为“{stale}”，目前没有。")
        ).format(today=today.isoformat(), stale=STALE_LABEL, names=_("、").join(stale)),
    ]
    if dated:
        paragraphs.append(_("官方数值的发布日期：{dates}。").format(dates=_("；").join(dated)))
    return Section(_("方法说明"), paragraphs)
