"""``portal``: the command line. Every command first brings the data directory up to date."""

from __future__ import annotations

import json
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, select

from matching.search import SearchBackendError
from portal import mail
from portal.bootstrap import ensure_ready, seed_demo
from portal.db import begin_write, get_engine
from portal.imports.service import import_jsonl_text, to_jsonable
from portal.kit.i18n import N_, _, normalize, using
from portal.models import utcnow
from portal.observability import gauges
from portal.search.gateway import SearchGateway, get_gateway
from portal.search.sync import (
    LEASE_WAIT_S,
    drain_all,
    ensure_search_ready,
    index_check,
    pending_count,
)
from portal.search.sync import reindex as reindex_all
from portal.settings import Settings, get_settings

app = typer.Typer(
    help="Hunan 5G application matchmaking portal (湖南5G应用产业生态对接平台)",
    no_args_is_help=True,
    add_completion=False,
)
LANG_HELP = "messages in zh (default) or en; the PORTAL_LANG environment variable sets it too"


@app.callback()
def main_options(
    ctx: typer.Context,
    lang: Annotated[str, typer.Option("--lang", envvar="PORTAL_LANG", help=LANG_HELP)] = "zh",
) -> None:
    """The language of the messages (and of `portal report`), for every command."""
    ctx.with_resource(using(_locale(lang)))


def _locale(lang: str) -> str:
    locale = normalize(lang)
    if locale is None:
        typer.echo(f"--lang: zh | en ({lang!r}?)", err=True)
        raise typer.Exit(2)
    return locale


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on (default: HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default: PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
) -> None:
    """Serve the portal."""
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from portal.allocator import bound_allocator
    from portal.observability.logs import log_config

    bound_allocator()  # before any thread or worker starts (issue 19: memory under load)
    settings = get_settings()
    ensure_ready()
    json_logs = settings.portal_log_format == "json"
    if workers > 1:  # before the workers start: they choose their metrics mode at import
        metrics_dir(settings)
    uvicorn.run(
        "portal.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="info",
        log_config=log_config(settings.portal_log_format) if json_logs else LOGGING_CONFIG,
        access_log=not json_logs,  # the JSON access line comes from the portal's middleware
        **server_options(settings),
    )


def metrics_dir(settings: Settings) -> Path:
    """An empty directory where every process of this server writes its metrics
    (PROMETHEUS_MULTIPROC_DIR): counts start at zero with each start, as Prometheus expects."""
    import os
    import shutil

    path = (settings.portal_data_dir / "metrics").resolve()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options for who may set the client's address (X-Forwarded-For): only the
    configured proxies. uvicorn's default would believe anyone connecting from 127.0.0.1.
    And how long a stop waits for requests in flight."""
    proxies = settings.trusted_proxies
    return {
        "proxy_headers": bool(proxies),
        "forwarded_allow_ips": ",".join(proxies),
        # Without a bound, one client stalled halfway through a request kept a stopping
        # server up for as long as it liked (issue 19): past the grace, connections close.
        "timeout_graceful_shutdown": settings.portal_shutdown_grace,
        # uvicorn kills a worker that does not answer its ping within 5 s: on a busy machine
        # a worker loading the segmentation dictionary was killed and restarted, over and over.
        "timeout_worker_healthcheck": 30,
    }


@app.command()
def migrate() -> None:
    """Apply database migrations and load the reference data."""
    ensure_ready()
    typer.echo(_("数据库已是最新结构，参考数据已加载。"))


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="load the demo data set")] = False,
    force: Annotated[bool, typer.Option(help="load the demo file again even if unchanged")] = False,
) -> None:
    """Load reference data, the benchmark cases and (with --demo) the demo data set."""
    settings = get_settings()
    ensure_ready()
    if not demo:
        typer.echo(_("参考数据与标杆案例已加载。"))
        return
    if not settings.is_development:
        typer.echo(_("示例数据只能在开发环境（PORTAL_ENV=development）中加载。"), err=True)
        raise typer.Exit(2)
    report = seed_demo(force=force)
    _sync_after_write()
    if report is None:
        typer.echo(_("示例数据已是最新，未重复加载。"))
    else:
        typer.echo(_("示例数据已加载：{summary}").format(summary=report.summary()))


@app.command("import")
def import_command(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="JSON Lines file")
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="check only; change nothing")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Import a JSON Lines file (DESIGN.md's format): all of it or nothing."""
    ensure_ready()
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        typer.echo(_("{file}：文件不是 UTF-8 编码").format(file=file), err=True)
        raise typer.Exit(1) from None
    with Session(get_engine()) as session:
        begin_write(session)
        report = import_jsonl_text(session, text, dry_run=dry_run)
    if report.applied:
        _sync_after_write()
    if as_json:
        typer.echo(json.dumps(to_jsonable(report), ensure_ascii=False, indent=2))
    else:
        for issue in report.issues:
            typer.echo(str(issue), err=True)
        if not report.ok:
            typer.echo(
                _("共 {n} 处错误，文件中的记录均未导入。").format(n=len(report.issues)), err=True
            )
        elif dry_run:
            typer.echo(_("检查通过（未写入）：{summary}").format(summary=report.summary()))
        else:
            typer.echo(_("已导入：{summary}").format(summary=report.summary()))
    if not report.ok:
        raise typer.Exit(1)


def _search_ready() -> SearchGateway:
    """Indexes created (and filled when new); exits with a clear message when unreachable."""
    gateway = get_gateway()
    try:
        ensure_search_ready(get_engine(), gateway)
    except SearchBackendError as exc:
        typer.echo(_("搜索服务不可用：{error}").format(error=exc), err=True)
        raise typer.Exit(3) from None
    return gateway


def _sync_after_write() -> None:
    """Bring the index in step with the database; say so when the backend is down."""
    gateway = get_gateway()
    try:
        ensure_search_ready(get_engine(), gateway)
    except SearchBackendError as exc:
        typer.echo(
            _("数据已保存，但搜索索引暂未更新（{error}）；服务恢复后运行 portal sync。").format(
                error=exc
            ),
            err=True,
        )


@app.command()
def sync() -> None:
    """Send queued mail and apply pending search-index changes (drain both outboxes once)."""
    ensure_ready()
    with Session(get_engine()) as session:
        delivery = mail.deliver_all(session, mail.get_mailer(), wait=LEASE_WAIT_S)
        unsent = mail.pending_count(session)
    if delivery.sent or unsent:
        typer.echo(
            _("已发送 {sent} 封邮件，待发送 {unsent} 封。").format(
                sent=delivery.sent, unsent=unsent
            )
        )
    if delivery.skipped:
        typer.echo(_("另一进程正在发送邮件，其余邮件由它发送。"))
    if delivery.error:
        typer.echo(_("邮件发送失败，稍后重试：{error}").format(error=delivery.error), err=True)
    gateway = _search_ready()
    with Session(get_engine()) as session:
        result = drain_all(session, gateway, wait=LEASE_WAIT_S)
        left = pending_count(session)
    typer.echo(
        _(
            "已同步 {processed} 条变更（更新 {upserted}，删除 {deleted}），待处理 {left} 条。"
        ).format(
            processed=result.processed, upserted=result.upserted, deleted=result.deleted, left=left
        )
    )
    if result.skipped:
        typer.echo(_("另一进程正在同步搜索索引，其余变更由它处理。"))
    if result.error:
        typer.echo(_("同步失败：{error}").format(error=result.error), err=True)
    if result.error or delivery.error:
        raise typer.Exit(3)


@app.command()
def reindex() -> None:
    """Rebuild every search index from the database (shadow index, then an atomic swap)."""
    ensure_ready()
    gateway = _search_ready()
    with Session(get_engine()) as session:
        try:
            counts = reindex_all(session, gateway)
        except SearchBackendError as exc:
            typer.echo(_("重建失败，原索引未受影响：{error}").format(error=exc), err=True)
            raise typer.Exit(3) from None
    counted = _("，").join(_("{index} {n} 条").format(index=k, n=v) for k, v in counts.items())
    typer.echo(_("索引已重建：{counts}").format(counts=counted))


@app.command("index-check")
def index_check_command(
    repair: Annotated[bool, typer.Option(help="fix what differs")] = True,
) -> None:
    """Compare the search indexes with the database; repair drift."""
    ensure_ready()
    gateway = _search_ready()
    with Session(get_engine()) as session:
        try:
            report = index_check(session, gateway, repair=repair)
        except SearchBackendError as exc:
            typer.echo(_("检查失败：{error}").format(error=exc), err=True)
            raise typer.Exit(3) from None
        begin_write(session)
        gauges.record_index_check(session, report, now=utcnow())  # /metrics shows it
        session.commit()
    drifted = False
    for entity, drift in report.items():
        if drift.clean:
            typer.echo(_("{index}：一致").format(index=entity))
            continue
        drifted = True
        typer.echo(
            (
                _("{index}：缺失 {missing}，过期 {stale}，多余 {extra}（已修复）")
                if repair
                else _("{index}：缺失 {missing}，过期 {stale}，多余 {extra}")
            ).format(
                index=entity,
                missing=len(drift.missing),
                stale=len(drift.stale),
                extra=len(drift.extra),
            )
        )
    if drifted and not repair:
        raise typer.Exit(1)


# --- accounts (issue 3) ---------------------------------------------------------------------

user_app = typer.Typer(help="Accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="the account's email")],
    password: Annotated[str, typer.Option(help="its password")],
    role: Annotated[str, typer.Option(help="enterprise | vendor | official | admin")],
    org: Annotated[
        str | None, typer.Option(help="external_id of the organisation it will own")
    ] = None,
    name: Annotated[str, typer.Option(help="display name")] = "",
) -> None:
    """Create an account (with --org, as that organisation's owner)."""
    from sqlmodel import select

    from portal.auth.accounts import create_user
    from portal.clock import get_clock
    from portal.kit.errors import FieldErrors
    from portal.models import Organization

    ensure_ready()
    with Session(get_engine(), expire_on_commit=False) as session:
        begin_write(session)
        organization = None
        if org:
            organization = session.exec(
                select(Organization).where(Organization.external_id == org)
            ).first()
            if organization is None:
                typer.echo(_("找不到机构 {org}").format(org=org), err=True)
                raise typer.Exit(1)
        try:
            user = create_user(
                session,
                email=email,
                password=password,
                role=role,
                now=get_clock().now(),
                min_length=get_settings().portal_password_min_length,
                org=organization,
                display_name=name,
            )
        except FieldErrors as refused:
            for field, reason in refused.errors.items():
                typer.echo(_("{field}：{reason}").format(field=field, reason=reason), err=True)
            raise typer.Exit(1) from None
        session.commit()
    created = (
        _("已创建账号 {email}（{role}），机构 {org}") if org else _("已创建账号 {email}（{role}）")
    )
    typer.echo(created.format(email=user.email, role=user.role, org=org))


@user_app.command("release-abandoned")
def user_release_abandoned(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="list them; change nothing")] = False,
) -> None:
    """Free the emails and credit codes held by registrations never verified (their link
    expired, nobody signed in); registering again releases them too, one at a time."""
    from portal.auth.registration import abandoned_registrations, release_registration
    from portal.clock import get_clock

    ensure_ready()
    now = get_clock().now()
    with Session(get_engine(), expire_on_commit=False) as session:
        begin_write(session)
        stale = abandoned_registrations(session, now=now)
        for user in stale:
            typer.echo(
                _("{email}（注册于 {at}）").format(
                    email=user.email, at=f"{user.created_at:%Y-%m-%d %H:%M}"
                )
            )
            if not dry_run:
                release_registration(session, user, now=now)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    released = _("可释放 {n} 个未完成的注册。") if dry_run else _("已释放 {n} 个未完成的注册。")
    typer.echo(released.format(n=len(stale)))


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="the account the token acts as")],
    scope: Annotated[str, typer.Option(help="read | write")] = "read",
    name: Annotated[str, typer.Option(help="a name to recognise it by")] = N_("命令行创建"),
) -> None:
    """Create a personal API token and print it, once."""
    from portal.auth.accounts import find_user_by_email
    from portal.auth.tokens import create_token
    from portal.clock import get_clock

    if scope not in ("read", "write"):
        typer.echo(_("--scope 只能是 read 或 write"), err=True)
        raise typer.Exit(2)
    ensure_ready()
    with Session(get_engine(), expire_on_commit=False) as session:
        begin_write(session)
        user = find_user_by_email(session, email)
        if user is None or not user.is_active:
            typer.echo(_("找不到可用的账号 {email}").format(email=email), err=True)
            raise typer.Exit(1)
        raw, _token = create_token(
            session,
            user=user,
            name=str(name),
            scope="write" if scope == "write" else "read",
            now=get_clock().now(),
            ip="cli",
        )
        session.commit()
    typer.echo(raw)


@app.command()
def match(
    demand: Annotated[str | None, typer.Option(help="a demand's external_id")] = None,
    solution: Annotated[str | None, typer.Option(help="a solution's external_id")] = None,
    limit: Annotated[int, typer.Option(min=1, max=50)] = 10,
    strategy: Annotated[str, typer.Option(help="full | text")] = "full",
    as_json: Annotated[bool, typer.Option("--json", help="print the API's JSON object")] = False,
) -> None:
    """Rank solutions for a demand (--demand) or demands for a solution (--solution)."""
    from portal.matching.service import matches_for_demand, matches_for_solution
    from portal.models import Demand, Solution

    if (demand is None) == (solution is None):
        typer.echo(_("请给出 --demand 或 --solution 之一"), err=True)
        raise typer.Exit(2)
    if strategy not in ("full", "text"):
        typer.echo(_("--strategy 只能是 full 或 text"), err=True)
        raise typer.Exit(2)
    ensure_ready()
    gateway = _search_ready()
    with Session(get_engine()) as session:
        if demand is not None:
            row = session.exec(select(Demand).where(Demand.external_id == demand)).first()
            if row is None:
                typer.echo(_("找不到需求 {id}").format(id=demand), err=True)
                raise typer.Exit(1)
            result = matches_for_demand(session, gateway, row, limit=limit, strategy=strategy)  # type: ignore[arg-type]
        else:
            srow = session.exec(select(Solution).where(Solution.external_id == solution)).first()
            if srow is None:
                typer.echo(_("找不到解决方案 {id}").format(id=solution), err=True)
                raise typer.Exit(1)
            result = matches_for_solution(session, gateway, srow, limit=limit, strategy=strategy)  # type: ignore[arg-type]
    if as_json:
        typer.echo(json.dumps(result.model_dump(), ensure_ascii=False, indent=2))
        return
    for rank, m in enumerate(result.matches, start=1):
        typer.echo(f"{rank:>2}. {m.score:.3f}  {m.title}  [{m.external_id}]")
        for sentence in m.explanation:
            typer.echo(f"      · {sentence}")


@app.command()
def evaluate(
    part: Annotated[str, typer.Option(help="test | tuning | all")] = "test",
    as_json: Annotated[bool, typer.Option("--json")] = False,
    tune: Annotated[
        bool, typer.Option("--tune", help="fit the weights on nDCG@10 and tabulate the minimum fit")
    ] = False,
    from_feedback: Annotated[
        bool,
        typer.Option(
            "--from-feedback",
            help="grade pairs by what people did (the configured database) instead of seed/eval",
        ),
    ] = False,
    export: Annotated[
        Path | None,
        typer.Option(help="with --from-feedback: write the graded pairs as judgments.jsonl"),
    ] = None,
    judgments: Annotated[
        Path | None,
        typer.Option(help="graded pairs of the configured database (an exported judgments file)"),
    ] = None,
) -> None:
    """The matching evaluation: nDCG@10, MRR and P@5 for `full` and `text` on seed/eval, or
    on the configured database's feedback (--from-feedback) or graded pairs (--judgments)."""
    from portal.matching import evaluation

    if from_feedback or judgments is not None:
        _evaluate_pairs(from_feedback, export, judgments, tune=tune, as_json=as_json)
        return
    if export is not None:
        typer.echo(_("--export 只能与 --from-feedback 一起使用"), err=True)
        raise typer.Exit(2)
    if tune:
        # The weights are fitted on the tuning part only; the test part stays held out.
        typer.echo(evaluation.format_tuning(evaluation.tune()))
        return
    if part not in ("test", "tuning", "all"):
        typer.echo(_("--part 只能是 test、tuning 或 all"), err=True)
        raise typer.Exit(2)
    report = evaluation.evaluate(part=part)
    if as_json:
        typer.echo(json.dumps(report.__dict__, ensure_ascii=False, indent=2))
    else:
        typer.echo(evaluation.format_report(report))


def _evaluate_pairs(
    from_feedback: bool, export: Path | None, judgments: Path | None, *, tune: bool, as_json: bool
) -> None:
    from dataclasses import asdict

    from portal.clock import get_clock
    from portal.matching import evaluation

    if from_feedback == (judgments is not None):
        typer.echo(_("请给出 --from-feedback 或 --judgments 之一"), err=True)
        raise typer.Exit(2)
    if judgments is not None and not judgments.is_file():
        typer.echo(_("找不到评分文件 {path}").format(path=judgments), err=True)
        raise typer.Exit(1)
    ensure_ready()
    with Session(get_engine()) as session:
        if judgments is not None:
            pairs = evaluation.read_pairs(judgments)
        else:
            pairs = evaluation.feedback_pairs(session)
            if export is not None and pairs:
                evaluation.write_pairs(pairs, export)
                typer.echo(_("已写出 {n} 对评分：{path}").format(n=len(pairs), path=export))
        if not pairs:
            typer.echo(_("还没有匹配反馈（请求对接、接受、拒绝、收藏、不合适），无法按反馈评测。"))
            return
        if not evaluation.positive_demands(pairs):
            typer.echo(_("反馈中没有正面评价（接受、请求对接或收藏），无法评测排序。"))
            return
        gateway = _search_ready()
        today = get_clock().today()
        if tune:
            result = evaluation.tune_on_pairs(session, gateway, pairs, today=today)
            typer.echo(evaluation.format_tuning(result))
            return
        report = evaluation.evaluate_pairs(session, gateway, pairs, today=today)
    if as_json:
        typer.echo(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    else:
        typer.echo(evaluation.format_feedback_report(report))


@app.command()
def agenda(
    input_file: Annotated[
        Path,
        typer.Option("--input", help="the event as JSON: slots, tables, participants, meetings"),
    ],
    previous: Annotated[
        Path | None,
        typer.Option(help="an earlier output of this command: regenerate moving few meetings"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the output JSON object")] = False,
) -> None:
    """Place accepted meetings into slots and tables (OR-Tools CP-SAT; greedy as baseline).
    Needs no database: the input file is the whole problem."""
    import scheduling

    def read(path: Path, what: str) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            typer.echo(
                _("无法读取{what} {path}：{error}").format(
                    what=what, path=path, error=exc.strerror or exc
                ),
                err=True,
            )
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            typer.echo(
                _("{what} {path} 不是有效的 JSON：{error}").format(what=what, path=path, error=exc),
                err=True,
            )
        raise typer.Exit(2)

    data = read(input_file, _("输入文件"))
    before = read(previous, _("上一版日程")) if previous is not None else None
    try:
        problem = scheduling.parse_problem(data)
        earlier = scheduling.parse_schedule(before) if before is not None else None
    except scheduling.ProblemError as exc:
        typer.echo(_("输入有误：{error}").format(error=exc), err=True)
        raise typer.Exit(2) from None
    result = scheduling.solve(problem, previous=earlier)
    if as_json:
        typer.echo(json.dumps(scheduling.to_json(result), ensure_ascii=False, indent=2))
        return
    typer.echo(
        _(
            "已安排 {count} / {total} 场（贪心基线 {baseline} 场），总权重 {objective:g}，"
            "{quality}（{seconds:.1f} 秒）"
        ).format(
            count=result.count,
            total=len(problem.meetings),
            baseline=result.baseline_scheduled,
            objective=result.objective,
            quality=_("已证明最优") if result.optimal else _("时限内最好结果"),
            seconds=result.seconds,
        )
    )
    for x in result.placements:
        typer.echo(
            "  "
            + _("{slot}  {table:>3} 号桌  {meeting}").format(
                slot=x.slot, table=x.table, meeting=x.meeting
            )
        )
    if result.unscheduled:
        typer.echo(_("未能安排：{meetings}").format(meetings=_("、").join(result.unscheduled)))


@app.command()
def report(
    period: Annotated[str, typer.Option(help="the plan period, e.g. 2021-2025")],
    out: Annotated[Path, typer.Option(help="where to write the report")],
    format: Annotated[str, typer.Option("--format", help="pdf | docx")] = "pdf",
    lang: Annotated[
        str | None, typer.Option("--lang", help="the report's language: zh | en")
    ] = None,
) -> None:
    """Write the evaluation report of a plan period (总结评估 / 中期评估) as PDF or DOCX."""
    from portal.clock import get_clock
    from portal.kit.errors import PortalError
    from portal.reports.routes import CONTENT_TYPES, render_report
    from portal.reports.service import build_report

    # --lang here, or before the command, is the report's language and its messages'.
    with using(_locale(lang)) if lang else nullcontext():
        if format not in CONTENT_TYPES:
            typer.echo(_("--format 只能是 pdf 或 docx"), err=True)
            raise typer.Exit(2)
        ensure_ready()
        try:
            with Session(get_engine()) as session:
                built = build_report(session, period=period, now=get_clock().now())
                body = render_report(built, format)
        except PortalError as error:
            typer.echo(error.message, err=True)
            raise typer.Exit(1) from None
        out.write_bytes(body)
        typer.echo(
            _("已生成《{title}》：{path}（{size:,} 字节）").format(
                title=built.title, path=out, size=len(body)
            )
        )


@app.command()
def worker(
    once: Annotated[
        bool, typer.Option("--once", help="process everything due now, then exit")
    ] = False,
) -> None:
    """Deliver notifications (mail, WeCom) and run the scheduled jobs: new-match and
    saved-search scans, introduction expiry, expiry and freshness reminders, the 08:00
    (Asia/Shanghai) digests. Safe to run in several processes at once."""
    import logging.config
    import signal
    import threading

    from portal.notifications import worker as notification_worker
    from portal.observability.logs import log_config

    settings = get_settings()
    ensure_ready()
    gateway = _search_ready()
    engine, mailer = get_engine(), mail.get_mailer()
    if once:
        report = notification_worker.run_once(engine, gateway=gateway, mailer=mailer)
        typer.echo(
            _(
                "已扫描新发布 {published} 条，产生通知 {raised} 条；已运行任务：{jobs}；"
                "已发送邮件 {mails} 封、企业微信消息 {webhooks} 条。"
            ).format(
                published=report.published,
                raised=report.raised,
                jobs=_("、").join(report.jobs) or _("无"),
                mails=report.mail.sent,
                webhooks=report.webhooks.sent,
            )
        )
        if report.busy:
            typer.echo(_("另一进程正在处理：{jobs}。").format(jobs=_("、").join(report.busy)))
        for error in report.errors:
            typer.echo(_("失败，稍后重试：{error}").format(error=error), err=True)
        raise typer.Exit(3 if report.errors else 0)
    logging.config.dictConfig(log_config(settings.portal_log_format))
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    typer.echo(
        _("通知与定时任务进程已启动（每 {seconds:g} 秒一轮）。").format(
            seconds=settings.portal_worker_interval
        )
    )
    notification_worker.run_forever(
        engine,
        gateway=gateway,
        mailer=mailer,
        interval=settings.portal_worker_interval,
        stop=stop,
        heartbeat=settings.portal_data_dir / "worker.heartbeat",
    )


def main() -> None:  # pragma: no cover
    app(prog_name="portal")


if __name__ == "__main__":  # pragma: no cover
    main()
