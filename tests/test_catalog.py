"""The English catalog is whole: every string marked for translation has an English
translation, the catalog compiles, and no template shows Chinese outside ``_()``. Re-run
by hand with ``make i18n`` (which also adds new strings to the catalog)."""

from __future__ import annotations

from pathlib import Path

import pytest

from portal.kit import catalog
from portal.kit.i18n import compile_catalog


def test_every_marked_string_has_an_english_translation_and_templates_mark_all() -> None:
    report = catalog.check()
    assert report.strings > 1000
    assert report.ok, "\n".join(report.lines())


def test_a_template_with_unmarked_chinese_is_reported(tmp_path: Path) -> None:
    from jinja2 import Environment

    env = Environment(extensions=["jinja2.ext.i18n"])
    source = '<p>{{ _("首页") }}</p><p>{% trans %}已标记{% endtrans %}</p><p>未标记</p>'
    found = [text for _line, text in catalog._unmarked(env, source)]
    assert found == ["</p><p>未标记</p>"]
    assert [t for _l, t in catalog._unmarked(env, "{{ x or '匿名' }}")] == ["'匿名'"]


def test_a_catalog_that_does_not_compile_is_refused(tmp_path: Path) -> None:
    po = tmp_path / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, python-format\nmsgid "共 %(total)s 条"\nmsgstr "%(count)s in total"\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="placeholder"):
        compile_catalog(po, tmp_path / "messages.mo")


def test_format_fields_must_survive_translation() -> None:
    assert catalog.placeholders("第 {row} 行：{reason}") == ["{reason}", "{row}"]
    assert catalog.placeholders("Row {row}: {reason}") == catalog.placeholders(
        "第 {row} 行：{reason}"
    )
    assert catalog.placeholders("Row {line}") != catalog.placeholders("第 {row} 行")
