"""Accessibility: axe-core on every page template, in Chinese and in English, for a visitor
and for each role; no serious or critical violation (issue 18). The figures per page are
written to test-results/axe.json (AXE_REPORT overrides), for the before/after record."""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from e2e.axe import serious, violations
from e2e.test_accounts_journey import sign_in, sign_out
from e2e.test_catalog_journey import ENTERPRISE, OFFICIAL, VENDOR

ADMIN = "admin@demo.hn5g.example"
REPORT = Path(
    os.environ.get("AXE_REPORT", Path(__file__).resolve().parents[1] / "test-results" / "axe.json")
)

VISITOR_PAGES = [
    "/", "/solutions", "/demands", "/cases", "/indicators", "/progress", "/zones",
    "/clusters", "/cities/changsha", "/login", "/register", "/register/sent",
    "/password/forgot", "/password/reset/not-a-token", "/register/verify/not-a-token",
    "/login/unlock/not-a-token", "/invitations/not-a-token", "/no-such-page",
]  # fmt: skip
ROLE_PAGES = {
    ENTERPRISE: ["/", "/account", "/my/listings", "/demands/new", "/introductions",
                 "/networks", "/networks/new"],
    VENDOR: ["/solutions/new", "/opportunities", "/my/listings", "/introductions"],
    OFFICIAL: ["/dashboard", "/moderation", "/networks", "/networks/import", "/cases/new",
               "/introductions/funnel"],
    ADMIN: ["/admin/users", "/admin/audit"],
}  # fmt: skip


def _first_link(page: Page, base_url: str, path: str, pattern: str) -> str | None:
    page.goto(base_url + path)
    for href in page.locator("a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        if href and re.fullmatch(pattern, href.split("?")[0]):
            return str(href.split("?")[0])
    return None


def _discovered(page: Page, base_url: str, sources: list[tuple[str, str]]) -> list[str]:
    found = [_first_link(page, base_url, path, pattern) for path, pattern in sources]
    return [p for p in found if p]


def _audit(page: Page, base_url: str, who: str, paths: list[str], results: dict[str, Any]) -> None:
    for lang in ("zh_CN", "en"):
        page.context.add_cookies([{"name": "lang", "value": lang, "url": base_url}])
        for path in dict.fromkeys(paths):
            page.goto(base_url + path)
            page.wait_for_load_state("networkidle")
            found = violations(page)
            results[f"{who} {lang} {path}"] = {
                "template": page.evaluate("() => document.title"),
                "counts": dict(Counter(v["impact"] for v in found)),
                "violations": found,
            }
    page.context.add_cookies([{"name": "lang", "value": "zh_CN", "url": base_url}])
    page.reload()


def test_no_serious_or_critical_violation_on_any_page(page: Page, base_url: str) -> None:
    results: dict[str, Any] = {}
    visitor = VISITOR_PAGES + _discovered(
        page,
        base_url,
        [
            ("/solutions", r"/solutions/\d+"),
            ("/demands", r"/demands/\d+"),
            ("/cases", r"/cases/\d+"),
            ("/zones", r"/zones/[a-z_]+"),
        ],
    )
    solution = next((p for p in visitor if re.fullmatch(r"/solutions/\d+", p)), None)
    if solution:
        visitor += _discovered(page, base_url, [(solution, r"/organizations/\d+")])
    _audit(page, base_url, "visitor", visitor, results)
    for email, paths in ROLE_PAGES.items():
        sign_in(page, base_url, email)
        extra = _discovered(
            page,
            base_url,
            [
                ("/my/listings", r"/(solutions|demands)/\d+"),
                ("/my/listings", r"/(solutions|demands)/\d+/edit"),
                ("/introductions", r"/introductions/\d+"),
                ("/account", r"/organizations/\d+/(edit|members)"),
                ("/networks", r"/networks/\d+/edit"),
                ("/cases", r"/cases/\d+/edit"),
            ],
        )
        _audit(page, base_url, email.split("@")[0], paths + extra, results)
        sign_out(page)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    bad = {
        key: [(v["id"], v["impact"], v["targets"][:3]) for v in serious(r["violations"])]
        for key, r in results.items()
        if serious(r["violations"])
    }
    assert len(results) > 60
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)
