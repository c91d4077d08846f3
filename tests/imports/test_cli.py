import json
import re
from pathlib import Path

from sqlmodel import Session, func, select
from typer.testing import CliRunner

from portal.cli import app
from portal.db import get_engine
from portal.models import Organization, Solution
from portal.search.documents import INDEX_SETTINGS
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
    assert clean.output.count("一致") == len(INDEX_SETTINGS)  # every index
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


def test_hostile_text_dates_and_values_are_named_by_line_and_field(data_dir: Path) -> None:
    from tests.imports.test_service import DEMAND, NETWORK, VALUE, VENDOR

    network = dict(NETWORK, demand=None)
    file = data_dir / "hostile.jsonl"
    file.write_text(
        jsonl(
            ORG,
            VENDOR,
            dict(SOLUTION, title="\u200b\u200d\ufeff"),
            dict(DEMAND, description="正文\x1b[31m"),
            dict(network, external_id="n-2", name="专网\u202egpj.exe"),
            dict(network, external_id="n-3", commissioned_on="1900-01-01"),
            dict(network, external_id="n-4", status="planned", commissioned_on="2099-01-01"),
            dict(VALUE, value=-1),
            dict(VALUE, indicator="energy_per_business_drop", value=-2.5),
            dict(ORG, external_id="o-9", name="机构\x07"),
        ),
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(file)])
    assert result.exit_code == 1
    for line, name, says in [
        (3, "title", "不可见"),
        (4, "description", "U+001B"),
        (5, "name", "U+202E"),
        (6, "commissioned_on", "2019-01-01"),
        (7, "commissioned_on", "不能晚于"),
        (8, "value", "不能为负数"),
        (10, "name", "U+0007"),
    ]:
        assert re.search(f"第 {line} 行，字段 {name}：[^\\n]*{re.escape(says)}", result.output), (
            line,
            result.output,
        )
    assert "第 9 行" not in result.output
    assert count(Organization) == 0


def test_messages_follow_lang_and_portal_lang(data_dir: Path) -> None:
    file = data_dir / "in.jsonl"
    file.write_text(GOOD, encoding="utf-8")
    english = runner.invoke(app, ["--lang", "en", "import", "--dry-run", str(file)])
    assert english.exit_code == 0, english.output
    assert english.output.startswith("Check passed (nothing written): ")
    from_env = runner.invoke(app, ["import", "--dry-run", str(file)], env={"PORTAL_LANG": "en"})
    assert from_env.output.startswith("Check passed"), from_env.output
    # Chinese by default, and the English of one run does not stay for the next.
    assert runner.invoke(app, ["import", "--dry-run", str(file)]).output.startswith("检查通过")
    wrong = runner.invoke(app, ["--lang", "fr", "migrate"])
    assert wrong.exit_code == 2 and "zh | en" in wrong.output
