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
from portal.kit.i18n import N_, _
from portal.kit.templating import Year
from portal.models import PrivateNetwork
from portal.networks.service import REGISTRY_SOURCE, Progress, progress
from portal.reference.service import PLAN_SOURCE
from portal.reference.vocab import get_vocabularies
from portal.zones.service import PlaceCounts, place_counts

LISTINGS_SOURCE = N_("本平台数据库（已发布的需求与解决方案、标杆案例库、专网登记）")
NETWORKS_SOURCE = N_("本平台专网登记（经确认、在用的虚拟/混合专网）")


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
    # The first column is a code (for exports and machines); pages show the name after it.
    codes_first: bool = False

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
        [_("基线（个）"), p.baseline, p.baseline_year, PLAN_SOURCE],
        [_("目标（个）"), p.target, p.target_year, _(p.target_source or PLAN_SOURCE)],
        [
            _("官方统计（个）"),
            official.value if official else None,
            official.year if official else None,
            _(official.source) if official and official.source else "—",
        ],
        [_("平台登记在用（个）"), p.registered_in_service, p.as_of.year, REGISTRY_SOURCE],
        [
            _("差距：官方统计 − 平台登记（个）"),
            p.gap,
            official.year if official else None,
            _("两者之差"),
        ],
    ]
    o = p.outcome
    if p.ended and o is not None:
        basis = _(BASIS_LABELS.get(o.basis or "", "—"))
        status = _(STATUS_LABELS[o.status])
        return [
            *rows,
            [
                _("期末结果：{status}（{basis}，个）").format(status=status, basis=basis),
                o.value,
                o.year,
                _(o.source) if o.source else o.source,
            ],
            [_("与目标之差（个）"), o.difference, p.target_year, _("期末结果 − 目标")],
        ]
    return [
        *rows,
        [
            _("规划轨迹年均增速（%）"),
            _pct(p.implied_rate),
            p.target_year,
            _("由基线与目标推算（几何增长）"),
        ],
        [
            _("{target_year}年规划轨迹值（个）").format(target_year=p.target_year),
            round(p.expected.get(p.target_year, p.target), 1),
            p.target_year,
            _("几何轨迹"),
        ],
        [
            _("达标尚需每年新增（个）"),
            round(p.needed_per_year, 1) if p.needed_per_year is not None else None,
            p.current[0],
            _("自最新数值起平均分摊"),
        ],
        [
            _("达标所需年均增速（%）"),
            _pct(p.needed_rate),
            p.current[0],
            _("自最新数值起几何增长"),
        ],
        [
            _("趋势预测：{target_year}年（个）").format(target_year=p.target_year),
            p.forecast,
            p.target_year,
            _("按{forecast_basis}的对数线性趋势外推").format(forecast_basis=p.forecast_basis)
            if p.forecast_basis
            else _("数据不足两年"),
        ],
    ]


def progress_tables(p: Progress) -> list[Table]:
    vocab = get_vocabularies()
    today = p.as_of.isoformat()
    summary = progress_summary_rows(p)
    for row in summary:  # the third column holds years
        row[2] = Year(row[2]) if row[2] is not None else None
    series = [[Year(s.year), s.expected, s.official, s.registered] for s in p.series]
    by = [
        ("networks_by_city", _("按城市的在用专网"), "city", p.by_city),
        ("networks_by_industry", _("按行业的在用专网"), "industry", p.by_industry),
        ("networks_by_operator", _("按运营商的在用专网"), "operator", p.by_operator),
    ]
    tables = [
        Table(
            "progress_summary",
            _("5G行业虚拟专网：目标、官方统计与平台登记"),
            [_("项目"), _("数值"), _("年份"), _("来源")],
            summary,
            _("{plan}；{registry}").format(plan=PLAN_SOURCE, registry=REGISTRY_SOURCE),
            today,
        ),
        Table(
            "progress_series",
            _("逐年：规划轨迹、官方统计与平台登记"),
            [_("年份"), _("规划轨迹（个）"), _("官方统计（个）"), _("平台登记在用（累计，个）")],
            series,
            _("{plan}；{registry}").format(plan=PLAN_SOURCE, registry=REGISTRY_SOURCE),
            today,
            note=_("平台登记按开通日期累计，只计目前仍在用的专网；开通日期未知的计入当年。"),
        ),
    ]
    for key, title, vocabulary, counts in by:
        tables.append(
            Table(
                key,
                title,
                [_("代码"), _("名称"), _("专网数（个）")],
                [[c, vocab.label(vocabulary, c), n] for c, n in counts.items()],
                NETWORKS_SOURCE,
                today,
                codes_first=True,
            )
        )
    return tables


def _place_rows(places: list[PlaceCounts]) -> list[list[Any]]:
    return [[p.code, p.name, p.demands, p.solutions, p.networks, p.cases] for p in places]


PLACE_COLUMNS = [
    N_("代码"),
    N_("名称"),
    N_("应用需求"),
    N_("服务该地的解决方案"),
    N_("在用专网"),
    N_("标杆案例"),
]


def place_tables(zones: list[PlaceCounts], cities: list[PlaceCounts], today: date) -> list[Table]:
    return [
        Table(
            "zones",
            _("“三市两山”试点区域"),
            PLACE_COLUMNS,
            _place_rows(zones),
            LISTINGS_SOURCE,
            today.isoformat(),
            note=_("园区按其所在城市计算服务该地的解决方案；案例未标注园区，显示为“—”。"),
            links=[f"/zones/{z.code}" for z in zones],
            codes_first=True,
        ),
        Table(
            "cities",
            _("14个市州"),
            PLACE_COLUMNS,
            _place_rows(cities),
            LISTINGS_SOURCE,
            today.isoformat(),
            links=[f"/cities/{c.code}" for c in cities],
            codes_first=True,
        ),
    ]


def cluster_table(clusters: list[ClusterCounts], today: date) -> Table:
    return Table(
        "clusters",
        _("重点产业集群"),
        [
            _("代码"),
            _("行业"),
            _("应用需求"),
            _("开放需求"),
            _("开放且无强匹配"),
            _("在用专网"),
            _("标杆案例"),
        ],
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
        codes_first=True,
    )


def indicator_rows(rows: list[IndicatorPublic]) -> list[list[Any]]:
    body = []
    for r in rows:
        latest = r.latest
        figure = r.outcome if r.outcome is not None else latest
        target = r.period_target
        update = _(STALE_LABEL) if r.stale else r.next_update.isoformat() if r.next_update else None
        body.append(
            [
                r.seq,
                _(r.name),
                _(r.unit),
                r.period.code if r.period else None,
                r.baseline_printed,
                target.printed if target else r.target_printed,
                Year(target.year if target else r.target_year),
                r.growth,
                figure.value if figure else None,
                Year(figure.year) if figure and figure.year is not None else None,
                _(figure.source) if figure and figure.source else "—",
                latest.as_of.isoformat() if latest and latest.as_of else None,
                update if r.next_update else None,
                r.outcome.difference if r.outcome else r.progress_percent,
                _(STATUS_LABELS[r.status]),
            ]
        )
    return body


INDICATOR_COLUMNS = [
    N_("序号"),
    N_("指标名称"),
    N_("单位"),
    N_("规划期"),
    N_("2020年"),
    N_("目标"),
    N_("目标年份"),
    N_("年均/累计"),
    N_("最新/期末实际值"),
    N_("实际值年份"),
    N_("来源"),
    N_("发布日期"),
    N_("下次更新"),
    N_("与目标之差 / 进度（%）"),
    N_("状态"),
]


def indicator_table(rows: list[IndicatorPublic], today: date) -> Table:
    return Table(
        "indicators",
        _("表1 发展主要预期指标：进展"),
        [_(c) for c in INDICATOR_COLUMNS],
        indicator_rows(rows),
        _("{PLAN_SOURCE}；实际值来源逐行注明").format(PLAN_SOURCE=PLAN_SOURCE),
        today.isoformat(),
        note=_(
            "规划期已结束的指标给出期末结果（已达标/未达标及与目标之差）；进行中的按“年均/累计”"
            "一栏隐含的轨迹判断；“[ ]”为5年累计变化数；超过下次更新日期的数值标为“待更新”。"
        ),
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
            _("是") if n.confirmed else _("否"),
        ]
        for n in networks
    ]


NETWORK_COLUMNS = [
    N_("专网编号"),
    N_("专网名称"),
    N_("企业"),
    N_("运营商"),
    N_("行业"),
    N_("城市"),
    N_("模式"),
    N_("状态"),
    N_("开通日期"),
    N_("已确认"),
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
        _("待确认的企业申报专网") if pending else _("专网登记册"),
        NETWORK_COLUMNS,
        _network_rows(rows),
        _("本平台专网登记"),
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
        raise NotFound(_("没有这张表"))
    return builder(session, today)
