"""``portal``: the command line. Every command first brings the data directory up to date."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import Session

from portal.bootstrap import ensure_ready, seed_demo
from portal.db import begin_write, get_engine
from portal.imports.service import import_jsonl_text, to_jsonable
from portal.settings import get_settings

app = typer.Typer(help="湖南5G应用产业生态对接平台", no_args_is_help=True, add_completion=False)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on (default: HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default: PORT)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="worker processes")] = 1,
) -> None:
    """Serve the portal."""
    import uvicorn

    settings = get_settings()
    ensure_ready()
    uvicorn.run(
        "portal.main:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@app.command()
def migrate() -> None:
    """Apply database migrations and load the reference data."""
    ensure_ready()
    typer.echo("数据库已是最新结构，参考数据已加载。")


@app.command()
def seed(
    demo: Annotated[bool, typer.Option("--demo", help="load the demo data set")] = False,
    force: Annotated[bool, typer.Option(help="load the demo file again even if unchanged")] = False,
) -> None:
    """Load reference data, the benchmark cases and (with --demo) the demo data set."""
    settings = get_settings()
    ensure_ready()
    if not demo:
        typer.echo("参考数据与标杆案例已加载。")
        return
    if not settings.is_development:
        typer.echo("示例数据只能在开发环境（PORTAL_ENV=development）中加载。", err=True)
        raise typer.Exit(2)
    report = seed_demo(force=force)
    if report is None:
        typer.echo("示例数据已是最新，未重复加载。")
    else:
        typer.echo(f"示例数据已加载：{report.summary()}")


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
        typer.echo(f"{file}: 文件不是 UTF-8 编码", err=True)
        raise typer.Exit(1) from None
    with Session(get_engine()) as session:
        begin_write(session)
        report = import_jsonl_text(session, text, dry_run=dry_run)
    if as_json:
        typer.echo(json.dumps(to_jsonable(report), ensure_ascii=False, indent=2))
    else:
        for issue in report.issues:
            typer.echo(str(issue), err=True)
        if not report.ok:
            typer.echo(f"共 {len(report.issues)} 处错误，文件中的记录均未导入。", err=True)
        elif dry_run:
            typer.echo(f"检查通过（未写入）：{report.summary()}")
        else:
            typer.echo(f"已导入：{report.summary()}")
    if not report.ok:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover
    app(prog_name="portal")


if __name__ == "__main__":  # pragma: no cover
    main()
