# ruff: noqa: F811  (pytest fixtures imported from test_browser are parameters here)
"""The editors' desk in headless Chromium: Persian and Vazirmatn, fitting a phone and a laptop,
a Jalali date edited and saved, the dashboard and an upload.

Reuses test_browser's served demo archive and browser. Screenshots of the article list, the change
form and the dashboard at 390×844 and 1366×900 land in test-artifacts/screenshots/ (and in
$EDITORS_ARTIFACTS when set).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
from pathlib import Path

import pytest

from articles.tests.conftest import served_var
from articles.tests.test_browser import (  # noqa: F401  (fixtures)
    SCREENSHOTS,
    _goto,
    _overflow,
    article_path,
    browser,
    pytestmark,
    tabs,
)

# Not emulating a phone (a mobile viewport zooms out over an overflow and hides it): its size only.
ADMIN_SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def _log_in(tabs, served, size: str):
    password = (served_var[served] / "editor-password").read_text().strip()
    page = tabs.open("desktop")
    page.set_viewport_size(ADMIN_SIZES[size])
    _goto(page, "/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "/admin/login/" not in page.url, "the editor could not log in"
    return page


def _shoot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
    assert target.stat().st_size > 10_000, target
    if os.environ.get("EDITORS_ARTIFACTS"):
        Path(os.environ["EDITORS_ARTIFACTS"]).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(os.environ["EDITORS_ARTIFACTS"]) / target.name)
    return target


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_admin_pages_fit_the_window_in_vazirmatn(tabs, served, article_path, size):
    page = _log_in(tabs, served, size)
    article_id = article_path.strip("/").split("/")[-1]
    pages = {
        "admin-list": "/admin/articles/article/",
        "admin-change": f"/admin/articles/article/{article_id}/change/",
        "admin-dashboard": "/admin/dashboard/",
        "admin-search": "/admin/articles/article/?q=" + urllib.parse.quote("گفتوگو"),
        "admin-history": f"/admin/articles/article/{article_id}/history/",
    }
    for name, path in pages.items():
        _goto(page, path)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width[0] <= width[1], f"{path} at {size} scrolls sideways {width}: {_overflow(page)}"
        assert page.evaluate("document.fonts.check('16px Vazirmatn')")
        assert page.evaluate("getComputedStyle(document.body).fontFamily").strip('"').startswith("Vazirmatn")
        tools = page.locator("#user-tools")
        box = tools.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width[1] + 0.5, f"menu cut on {path}: {box}"
        if name != "admin-search" and name != "admin-history":
            _shoot(page, f"{name}-{size}")
    text = page.inner_text("body")
    assert "Edit version" not in text and "Content hash" not in text
    _goto(page, "/admin/articles/article/")
    page.locator("input.action-select").first.check()
    counter = page.inner_text(".action-counter")
    assert "۱" in counter and not any(c.isascii() and c.isdigit() for c in counter), counter


def test_a_jalali_date_is_edited_and_saved(tabs, served, article_path):
    page = _log_in(tabs, served, "desktop")
    article_id = article_path.strip("/").split("/")[-1]
    change = f"/admin/articles/article/{article_id}/change/"
    _goto(page, change)
    original = page.input_value("#id_published")
    assert original == "" or original[0] in "۱۲", original  # empty, or a Jalali year in Persian digits
    try:
        page.fill("#id_published", "۱۴۰۳/۱۰/۱۵ ۱۸:۴۵:۱۲")
        with page.expect_navigation():
            page.click("input[name=_save]")
        assert page.url.endswith("/admin/articles/article/"), page.url
        _goto(page, change)
        assert page.input_value("#id_published") == "۱۴۰۳/۱۰/۱۵ ۱۸:۴۵:۱۲"
        _goto(page, article_path)
        assert "۱۵ دی ۱۴۰۳" in page.inner_text("body")
    finally:  # the served archive is shared with other tests: put the date back, exactly
        _goto(page, change)
        page.fill("#id_published", original)
        with page.expect_navigation():
            page.click("input[name=_save]")
        _goto(page, change)
        assert page.input_value("#id_published") == original


def test_an_editor_uploads_a_file_and_sees_the_summary_then_the_dashboard_lists_it(tabs, served, tmp_path):
    page = _log_in(tabs, served, "desktop")
    records = [
        {
            "id": f"browser-upload-{n}",
            "title": f"گزارش آزمایشی بارگذاری شماره {n} درباره بازار سرمایه",
            "body": "بازار سرمایه امروز با رشد شاخص همراه بود و معامله‌گران خوش‌بین بودند.",
            "date": "2025-01-20T06:00:00+00:00",
            "source": "خبرنامه آرشیو",
        }
        for n in (1, 2)
    ]
    upload = tmp_path / "بارگذاری.jsonl"
    upload.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) + "{broken\n")
    _goto(page, "/admin/dashboard/")
    with page.expect_navigation():
        page.click("#block-imports a.button")
    page.set_input_files("input[type=file]", str(upload))
    with page.expect_navigation():
        page.click("input[type=submit].default")
    page.wait_for_selector(".import-summary")
    assert page.inner_text("td.created") == "۲" and page.inner_text("td.failed") == "۱"
    assert "بارگذاری.jsonl:3" in page.inner_text("table.import-errors")
    _goto(page, "/admin/dashboard/")
    assert "بارگذاری.jsonl" in page.inner_text("#block-imports")
