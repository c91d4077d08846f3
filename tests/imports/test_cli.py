import json
from pathlib import Path

from sqlmodel import Session, func, select
from typer.testing import CliRunner

from portal.cli import app
from portal.db import get_engine
from portal.models import Organization, Solution
from tests.imports.test_service import GOOD, ORG, SOLUTION, jsonl

runner = CliRunner()


def count(model: type) -> int:
    with Session(get_engine()) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_import_on_an_empty_data_directory_then_again(data_dir: Path) -> None:
    file = data_dir / "in.jsonl"
    file.write_text(GOOD, encoding="utf-8")
    first = runner.invoke(app, ["import", str(file)])
    assert first.exit_code == 0, first.output
    assert "已导入" in first.output
    orgs = count(Organization)
    second = runner.invoke(app, ["import", str(file), "--json"])
    assert second.exit_code == 0
    report = json.loads(second.output)
    assert report["created"] == {} and report["updated"] == {}
    assert count(Organization) == orgs


def test_bad_line_names_the_line_and_changes_nothing(data_dir: Path) -> None:
    file = data_dir / "bad.jsonl"
    file.write_text(
        jsonl(ORG, dict(SOLUTION, org="o-1", price_min=9, price_max=1)), encoding="utf-8"
    )
    result = runner.invoke(app, ["import", str(file)])
    assert result.exit_code == 1
    assert "第 2 行" in result.output and "price_max" in result.output
    assert "均未导入" in result.output
    assert count(Organization) == 0 and count(Solution) == 0


def test_dry_run(data_dir: Path) -> None:
    file = data_dir / "in.jsonl"
    file.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(app, ["import", str(file), "--dry-run"])
    assert result.exit_code == 0 and "未写入" in result.output
    assert count(Organization) == 0


def test_import_leaves_the_index_in_step_and_index_check_repairs(data_dir: Path) -> None:
    from portal.search.gateway import get_gateway

    file = data_dir / "in.jsonl"
    file.write_text(GOOD, encoding="utf-8")
    assert runner.invoke(app, ["import", str(file)]).exit_code == 0
    clean = runner.invoke(app, ["index-check", "--no-repair"])
    assert clean.exit_code == 0, clean.output
    assert clean.output.count("一致") == 3
    gateway = get_gateway()
    doc_id = next(iter(gateway.backend.versions("solutions")))
    gateway.backend.delete("solutions", [doc_id])
    drifted = runner.invoke(app, ["index-check", "--no-repair"])
    assert drifted.exit_code == 1 and "缺失 1" in drifted.output
    assert runner.invoke(app, ["index-check"]).exit_code == 0
    assert runner.invoke(app, ["index-check", "--no-repair"]).exit_code == 0
    rebuilt = runner.invoke(app, ["reindex"])
    assert rebuilt.exit_code == 0 and "索引已重建" in rebuilt.output
    synced = runner.invoke(app, ["sync"])
    assert synced.exit_code == 0 and "待处理 0 条" in synced.output
