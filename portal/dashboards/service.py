"""The tables of the progress page, the officials' dashboard, the zones and the clusters.

One service computes every table; the pages show them and the exports write them, so the
numbers on screen and in the CSV/XLSX files are the same numbers. Each table carries its
source and its as-of date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from portal.clusters.service import PROXY_NOTE, ClusterCounts, cluster_counts
from portal.indicators.periods import BASIS_LABELS, STALE_LABEL, STATUS_LABELS
from portal.indicators.schemas import IndicatorPublic
from portal.indicators.service import list_indicators
from portal.kit.errors import NotFound
from portal.models import PrivateNetwork
from portal.networks.service import REGISTRY_SOURCE, Progress, progress
from portal.reference.service import PLAN_SOURCE
from portal.reference.vocab import get_vocabularies
from portal.zones.service import PlaceCounts, place_counts

LISTINGS_SOURCE = "本平台数据库（已发布的需求与解决方案、标杆案例库、专网登记）"
NETWORKS_SOURCE = "本平台专网登记（经确认、在用的虚拟/混合专网）"


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    source: str
    as_of: str
    public: bool = True
    note: str | None = None
    # Per row, a link for the first cell (pages only; not exported).
    links: list[str | None] = field(default_factory=list)

    @property
    def year_columns(self) -> frozenset[int]:
        """Columns of years, printed as 2025, never "2,025"."""
        return frozenset(i for i, c in enumerate(self.columns) if c.endswith("年份"))


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def progress_summary_rows(p: Progress) -> list[list[Any]]:
    """The figures of the period shown: for a period in progress, the trajectory and what
    it takes to reach the target; for an ended one, the outcome."""
    official = p.official
    rows: list[list[Any]] = [
        ["基线（个）", p.baseline, p.baseline_year, PLAN_SOURCE],
        ["目标（个）", p.target, p.target_year, p.target_source or PLAN_SOURCE],
        [
            "官方统计（个）",
            official.value if official else None,
            official.year if official else None,
            (official.source if official else None) or "—",
        ],
        ["平台登记在用（个）", p.registered_in_service, p.as_of.year, REGISTRY_SOURCE],
        [
            "差距：官方统计 − 平台登记（个）",
            p.gap,
            official.year if official else None,
            "两者之差",
        ],
    ]
    o = p.outcome
    if p.ended and o is not None:
        basis = BASIS_LABELS.get(o.basis or "", "—")
        return [
            *rows,
            [f"期末结果：{STATUS_LABELS[o.status]}（{basis}，个）", o.value, o.year, o.source],
            ["与目标之差（个）", o.difference, p.target_year, "期末结果 − 目标"],
        ]
    return [
        *rows,
        [
            "规划轨迹年均增速（%）",
            _pct(p.implied_rate),
            p.target_year,
            "由基线与目标推算（几何增长）",
        ],
        [
            f"{p.target_year}年规划轨迹值（个）",
            round(p.expected.get(p.target_year, p.target), 1),
            p.target_year,
            "几何轨迹",
        ],
        [
            "达标尚需每年新增（个）",
            round(p.needed_per_year, 1) if p.needed_per_year is not None else None,
            p.current[0],
            "自最新数值起平均分摊",
        ],
        [
            "达标所需年均增速（%）",
            _pct(p.needed_rate),
            p.current[0],
            "自最新数值起几何增长",
        ],
        [
            f"趋势预测：{p.target_year}年（个）",
            p.forecast,
            p.target_year,
            f"按{p.forecast_basis}的对数线性趋势外推" if p.forecast_basis else "数据不足两年",
        ],
    ]


def progress_tables(p: Progress) -> list[Table]:
    vocab = get_vocabularies()
    today = p.as_of.isoformat()
    summary = progress_summary_rows(p)
    series = [[s.year, s.expected, s.official, s.registered] for s in p.series]
    by = [
        ("networks_by_city", "按城市的在用专网", "city", p.by_city),
        ("networks_by_industry", "按行业的在用专网", "industry", p.by_industry),
        ("networks_by_operator", "按运营商的在用专网", "operator", p.by_operator),
    ]
    tables = [
        Table(
            "progress_summary",
            "5G行业虚拟专网：目标、官方统计与平台登记",
            ["项目", "数值", "年份", "来源"],
            summary,
            f"{PLAN_SOURCE}；{REGISTRY_SOURCE}",
            today,
        ),
        Table(
            "progress_series",
            "逐年：规划轨迹、官方统计与平台登记",
            ["年份", "规划轨迹（个）", "官方统计（个）", "平台登记在用（累计，个）"],
            series,
            f"{PLAN_SOURCE}；{REGISTRY_SOURCE}",
            today,
            note="平台登记按开通日期累计，只计目前仍在用的专网；开通日期未知的计入当年。",
        ),
    ]
    for key, title, vocabulary, counts in by:
        tables.append(
            Table(
                key,
                title,
                ["代码", "名称", "专网数（个）"],
                [[c, vocab.label(vocabulary, c), n] for c, n in counts.items()],
                NETWORKS_SOURCE,
                today,
            )
        )
    return tables


def _place_rows(places: list[PlaceCounts]) -> list[list[Any]]:
    return [[p.code, p.name, p.demands, p.solutions, p.networks, p.cases] for p in places]


PLACE_COLUMNS = ["代码", "名称", "应用需求", "服务该地的解决方案", "在用专网", "标杆案例"]


def place_tables(zones: list[PlaceCounts], cities: list[PlaceCounts], today: date) -> list[Table]:
    return [
        Table(
            "zones",
            "“三市两山”试点区域",
            PLACE_COLUMNS,
            _place_rows(zones),
            LISTINGS_SOURCE,
            today.isoformat(),
            note="园区按其所在城市计算服务该地的解决方案；案例未标注园区，显示为“—”。",
            links=[f"/zones/{z.code}" for z in zones],
        ),
        Table(
            "cities",
            "14个市州",
            PLACE_COLUMNS,
            _place_rows(cities),
            LISTINGS_SOURCE,
            today.isoformat(),
            links=[f"/cities/{c.code}" for c in cities],
        ),
    ]


def cluster_table(clusters: list[ClusterCounts], today: date) -> Table:
    return Table(
        "clusters",
        "重点产业集群",
        ["代码", "行业", "应用需求", "开放需求", "开放且无强匹配", "在用专网", "标杆案例"],
        [
            [
                c.code,
                c.name,
                c.demands,
                c.open_demands,
                c.open_without_strong_match,
                c.networks,
                c.cases,
            ]
            for c in clusters
        ],
        LISTINGS_SOURCE,
        today.isoformat(),
        note=PROXY_NOTE,
    )


def indicator_rows(rows: list[IndicatorPublic]) -> list[list[Any]]:
    body = []
    for r in rows:
        latest = r.latest
        figure = r.outcome if r.outcome is not None else latest
        target = r.period_target
        body.append(
            [
                r.seq,
                r.name,
                r.unit,
                r.period.code if r.period else None,
                r.baseline_printed,
                target.printed if target else r.target_printed,
                target.year if target else r.target_year,
                r.growth,
                figure.value if figure else None,
                figure.year if figure else None,
                (figure.source if figure else None) or "—",
                latest.as_of.isoformat() if latest and latest.as_of else None,
                (STALE_LABEL if r.stale else r.next_update.isoformat()) if r.next_update else None,
                r.outcome.difference if r.outcome else r.progress_percent,
                STATUS_LABELS[r.status],
            ]
        )
    return body


INDICATOR_COLUMNS = [
    "序号",
    "指标名称",
    "单位",
    "规划期",
    "2020年",
    "目标",
    "目标年份",
    "年均/累计",
    "最新/期末实际值",
    "实际值年份",
    "来源",
    "发布日期",
    "下次更新",
    "与目标之差 / 进度（%）",
    "状态",
]


def indicator_table(rows: list[IndicatorPublic], today: date) -> Table:
    return Table(
        "indicators",
        "表1 发展主要预期指标：进展",
        INDICATOR_COLUMNS,
        indicator_rows(rows),
        f"{PLAN_SOURCE}；实际值来源逐行注明",
        today.isoformat(),
        note="规划期已结束的指标给出期末结果（已达标/未达标及与目标之差）；进行中的按“年均/累计”"
        "一栏隐含的轨迹判断；“[ ]”为5年累计变化数；超过下次更新日期的数值标为“待更新”。",
    )


def _network_rows(networks: list[PrivateNetwork]) -> list[list[Any]]:
    vocab = get_vocabularies()
    return [
        [
            n.external_id,
            n.name,
            n.enterprise,
            vocab.label("operator", n.operator),
            vocab.label("industry", n.industry),
            vocab.label("city", n.city),
            vocab.label("network_mode", n.mode),
            vocab.label("network_status", n.status),
            n.commissioned_on.isoformat() if n.commissioned_on else None,
            "是" if n.confirmed else "否",
        ]
        for n in networks
    ]


NETWORK_COLUMNS = [
    "专网编号",
    "专网名称",
    "企业",
    "运营商",
    "行业",
    "城市",
    "模式",
    "状态",
    "开通日期",
    "已确认",
]


def registry_table(session: Session, today: date, *, pending: bool, limit: int | None) -> Table:
    statement = select(PrivateNetwork).order_by(col(PrivateNetwork.id).desc())
    if pending:
        statement = statement.where(col(PrivateNetwork.confirmed).is_(False))
    if limit is not None:
        statement = statement.limit(limit)
    rows = list(session.exec(statement).all())
    return Table(
        "networks_pending" if pending else "networks_registry",
        "待确认的企业申报专网" if pending else "专网登记册",
        NETWORK_COLUMNS,
        _network_rows(rows),
        "本平台专网登记",
        today.isoformat(),
        public=False,
        links=[f"/networks/{n.id}/edit" for n in rows],
    )


# --- the pages' sets of tables, and one table by key (exports) ----------------------------


def progress_page_tables(
    session: Session, *, today: date, period: str | None = None
) -> tuple[Progress, list[Table]]:
    p = progress(session, today=today, period=period)
    zones, cities = place_counts(session, today=today)
    tables = [
        *progress_tables(p),
        *place_tables(zones, cities, today),
        cluster_table(cluster_counts(session, today=today), today),
    ]
    return p, tables


def dashboard_tables(
    session: Session, *, today: date, period: str | None = None
) -> tuple[Progress, list[Table]]:
    p, tables = progress_page_tables(session, today=today, period=period)
    tables.append(indicator_table(list_indicators(session, today=today, period=period), today))
    tables.append(registry_table(session, today, pending=True, limit=50))
    return p, tables


_BUILDERS: dict[str, Callable[[Session, date], Table]] = {}


def _register() -> None:
    def from_progress(key: str) -> Callable[[Session, date], Table]:
        def build(session: Session, today: date) -> Table:
            return next(t for t in progress_tables(progress(session, today=today)) if t.key == key)

        return build

    for key in (
        "progress_summary",
        "progress_series",
        "networks_by_city",
        "networks_by_industry",
        "networks_by_operator",
    ):
        _BUILDERS[key] = from_progress(key)
    _BUILDERS["zones"] = lambda s, d: place_tables(*place_counts(s, today=d), d)[0]
    _BUILDERS["cities"] = lambda s, d: place_tables(*place_counts(s, today=d), d)[1]
    _BUILDERS["clusters"] = lambda s, d: cluster_table(cluster_counts(s, today=d), d)
    _BUILDERS["indicators"] = lambda s, d: indicator_table(list_indicators(s, today=d), d)
    _BUILDERS["networks_registry"] = lambda s, d: registry_table(s, d, pending=False, limit=None)
    _BUILDERS["networks_pending"] = lambda s, d: registry_table(s, d, pending=True, limit=None)


_register()
TABLE_KEYS = tuple(_BUILDERS)
OFFICIAL_TABLES = frozenset({"networks_registry", "networks_pending"})


def build_table(session: Session, key: str, *, today: date) -> Table:
    builder = _BUILDERS.get(key)
    if builder is None:
        raise NotFound("没有这张表")
    return builder(session, today)
