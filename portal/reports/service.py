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
from portal.models import UseCase
from portal.networks.service import REGISTRY_SOURCE, Progress, progress
from portal.reference.service import PLAN_SOURCE
from portal.reference.vocab import get_vocabularies
from portal.reports import charts
from portal.zones.service import place_counts

# The columns of 表1 the report prints (the dashboard's table has them all).
INDICATOR_COLUMNS = (
    "序号",
    "指标名称",
    "单位",
    "2020年",
    "目标",
    "目标年份",
    "最新/期末实际值",
    "实际值年份",
    "与目标之差 / 进度（%）",
    "状态",
    "来源",
    "下次更新",
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
    kind: str  # 总结评估 | 中期评估
    title: str
    as_of: date
    summary: list[str]
    sections: list[Section]

    @property
    def filename(self) -> str:
        return f"evaluation-{self.period.code}"


def columns(table: Table, names: tuple[str, ...]) -> Table:
    """The same table with only ``names`` (in that order)."""
    index = [table.columns.index(n) for n in names]
    return Table(
        table.key,
        table.title,
        list(names),
        [[row[i] for i in index] for row in table.rows],
        table.source,
        table.as_of,
        table.public,
        table.note,
    )


def build_report(session: Session, *, period: str, now: datetime) -> Report:
    today = now.date()
    shown = require_period(list_periods(session), period)
    kind = "总结评估" if shown.ended(today) else "中期评估"
    p = progress(session, today=today, period=shown.code)
    rows = list_indicators(session, today=today, period=shown.code)
    statuses = Counter(r.status for r in rows)
    zones, cities = place_counts(session, today=today)
    funnel = funnels.compute(session, now=now)
    figures = headline(session, today=today)
    summary = [
        f"本报告为《湖南省“十四五”信息通信行业发展规划》{shown.label}{shown.name}{kind}报告，"
        f"数据截至 {today.isoformat()}，由湖南5G应用产业生态对接平台按平台页面的同一口径生成。",
        network_sentence(p),
        f"表1 共 {len(rows)} 项指标："
        + "、".join(f"{STATUS_LABELS[s]} {statuses[s]} 项" for s in STATUS_LABELS if statuses[s])
        + "。",
        f"平台对接：已发布解决方案 {figures.solutions} 项、应用需求 {figures.demands} 项、"
        f"标杆案例 {figures.cases} 个；对接请求 {funnel.total} 次，签约 "
        f"{funnel.reached.get('contract', 0)} 次，经平台对接开通专网 {p.born_from_portal} 个。",
    ]
    sections = [
        Section(
            "规划指标（表1）完成情况",
            [
                f"各指标按{shown.label}的目标判断；规划期已结束的给出期末结果与目标之差，"
                "进行中的按“年均/累计”一栏隐含的轨迹判断。"
            ],
            [columns(indicator_table(rows, today), INDICATOR_COLUMNS)],
        ),
        networks_section(p, zones_and_cities=place_tables(zones, cities, today)),
        Section(
            "重点产业集群与覆盖缺口",
            ["“开放且无强匹配”的需求即集群的覆盖缺口：尚无合适的已发布解决方案。"],
            [cluster_table(cluster_counts(session, today=today), today)],
        ),
        matchmaking_section(p, funnel, figures.solutions, figures.demands, today),
        *([held] if (held := events_section(session, shown, now)) else []),
        cases_section(session, today),
        method_section(p, rows, shown, today),
    ]
    for number, section in zip(NUMERALS, sections, strict=False):
        section.title = f"{number}、{section.title}"
    title = f"湖南省信息通信行业发展规划{shown.label}{kind}报告"
    return Report(shown, kind, title, today, summary, sections)


def network_sentence(p: Progress) -> str:
    o = p.outcome
    if p.ended and o is not None and o.value is not None and o.difference is not None:
        basis = BASIS_LABELS.get(o.basis or "", "—")
        gap = (
            f"超出目标 {o.difference:g} 个"
            if o.difference >= 0
            else f"距目标差 {-o.difference:g} 个"
        )
        return (
            f"5G虚拟专网数：{p.target_year} 年目标 {p.target:g} 个，期末{basis} {o.value:g} 个"
            f"（{o.year} 年），{STATUS_LABELS[o.status]}，{gap}。"
        )
    latest = (
        f"官方统计 {p.official.value:g} 个（{p.official.year} 年）"
        if p.official
        else "尚无官方统计"
    )
    return (
        f"5G虚拟专网数：{p.target_year} 年目标 {p.target:g} 个；{latest}，平台登记在用 "
        f"{p.registered_in_service} 个；{STATUS_LABELS[p.status]}。"
    )


def networks_section(p: Progress, *, zones_and_cities: list[Table]) -> Section:
    vocab = get_vocabularies()
    tables = {t.key: t for t in progress_tables(p)}
    series = tables["progress_series"]
    progress_png = charts.line_chart(
        "5G行业虚拟专网：规划轨迹、官方统计与平台登记",
        [row[0] for row in series.rows],
        [
            ("规划轨迹", [row[1] for row in series.rows], True),
            ("官方统计", [row[2] for row in series.rows], False),
            ("平台登记在用", [row[3] for row in series.rows], False),
        ],
        "个",
    )
    city_png = charts.bar_chart(
        "各市州在用专网数",
        [vocab.label("city", c) for c in p.by_city],
        list(p.by_city.values()),
        "个",
    )
    map_names = {code: vocab.terms["city"][code].map_name for code in vocab.codes("city")}
    map_png = charts.hunan_map(
        "湖南省各市州在用5G行业虚拟专网",
        {map_names.get(code, code): n for code, n in p.by_city.items()},
    )
    figures = [
        Chart("图1 5G行业虚拟专网逐年走势", progress_png),
        Chart("图2 各市州在用专网数", city_png),
    ]
    if map_png is not None:
        figures.append(Chart("图3 湖南省专网分布（按市州）", map_png))
    return Section(
        "5G行业虚拟专网",
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
        "供需发布",
        ["项目", "数量"],
        [
            ["已发布解决方案（项）", solutions],
            ["已发布应用需求（项）", demands],
            ["对接请求（次）", funnel.total],
            ["经平台对接开通的专网（个）", p.born_from_portal],
        ],
        "本平台数据库",
        today.isoformat(),
    )
    return Section(
        "平台对接成效",
        [
            "从匹配到签约、开通专网的对接漏斗；到达数含跳过该阶段直接进入后续阶段的对接。",
            f"经本平台对接开通、已计入指标16的专网：{p.born_from_portal} 个。",
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
    columns = ["报名机构", "洽谈请求", "已排入日程", "已举行", "双方都愿意继续对接"]
    rows: list[list[Any]] = []
    totals = dict.fromkeys(columns, 0)
    for event in sorted(held, key=lambda e: (e.starts_on, e.id or 0)):
        figures = dict(events.figures(session, event, now))
        for name in columns:
            totals[name] += figures[name]
        rows.append([event.title, event.starts_on.isoformat(), *(figures[c] for c in columns)])
    today = now.date()
    return Section(
        "对接活动",
        [
            f"本期共举办对接会 {len(held)} 场，报名机构 {totals['报名机构']} 家次，"
            f"洽谈请求 {totals['洽谈请求']} 次，已举行洽谈 {totals['已举行']} 场，"
            f"双方都愿意继续对接的 {totals['双方都愿意继续对接']} 场。"
        ],
        [
            Table(
                "events",
                "对接会",
                ["对接会", "日期", *columns],
                rows,
                "本平台对接会记录",
                today.isoformat(),
            )
        ],
    )


def cases_section(session: Session, today: date) -> Section:
    vocab = get_vocabularies()
    cases = session.exec(select(UseCase).order_by(col(UseCase.year).desc(), col(UseCase.id))).all()
    by_industry = Counter(c.industry for c in cases)
    return Section(
        "标杆案例",
        [f"案例库共 {len(cases)} 个标杆案例，均注明出处与证据等级。"],
        [
            Table(
                "cases_by_industry",
                "按行业的标杆案例",
                ["行业", "案例数（个）"],
                [[vocab.label("industry", k), n] for k, n in by_industry.most_common()],
                "本平台标杆案例库",
                today.isoformat(),
            ),
            Table(
                "cases",
                "标杆案例（最近 30 个）",
                ["案例", "行业", "城市", "年份", "证据等级"],
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
                "本平台标杆案例库（来源逐案注明）",
                today.isoformat(),
            ),
        ],
    )


def method_section(
    p: Progress, rows: list[IndicatorPublic], period: Period, today: date
) -> Section:
    stale = [r.name for r in rows if r.stale]
    dated = [
        f"{r.name}：{r.latest.year} 年数值发布于 {r.latest.as_of.isoformat()}"
        + (f"，下次更新 {r.next_update.isoformat()}" if r.next_update else "")
        for r in rows
        if r.latest is not None and r.latest.as_of is not None
    ]
    paragraphs = [
        f"统计口径：指标16“5G虚拟专网数”的平台登记数为{REGISTRY_SOURCE}；"
        "官方统计为主管部门录入的年度数值，来源逐行注明。",
        f"规划目标：{PLAN_SOURCE}；本期目标出处：{period.source or PLAN_SOURCE}。",
        "表1 各行（含5G虚拟专网数）只按官方统计判断；5G虚拟专网数在没有期内官方统计时，"
        "第二部分另按平台登记给出结果（依据注明“平台登记”）。",
        "判断方法：规划期结束后，以目标年份的官方数值（未发布时取期内最新年份的数值并注明）"
        "与目标比较，判定已达标或未达标并给出差值；没有期内官方数值的，以平台登记"
        f"（{period.target_year} 年底前开通、目前在用，含开通日期未知的）为依据。"
        "规划期进行中，以基线到目标的几何增长轨迹（“[ ]”为5年均匀累计）判断按计划推进或落后。",
        f"数据截至 {today.isoformat()}；官方数值超过其下次更新日期的标为“{STALE_LABEL}”"
        + (f"：{'、'.join(stale)}。" if stale else "，目前没有。"),
    ]
    if dated:
        paragraphs.append("官方数值的发布日期：" + "；".join(dated) + "。")
    return Section("方法说明", paragraphs)
