"""A reader in a real browser (Chromium, driven by Playwright) over ``kg serve``.

Screenshots of each page kind are kept in ``tests/artifacts/`` (not committed).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import REPO, require_tool

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
KIND_PAGES = {
    "organization": "/page/organization/ton-duc-thang-university",
    "agreement": "/page/agreement/tdtu-ppu-cooperation-agreement",
    "event": "/page/event/library-experience-sharing-session",
    "resource": "/page/resource/article-library-experience-sharing-session",
    "position": "/page/position/nguyen-thanh-trung-ppu-head",
    "concept": "/page/concept/lieutenant-colonel",
    "list": "/organizations",
}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    chromium = require_tool("chromium")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def reader(browser) -> Iterator[object]:
    """A fresh English-speaking browser tab that records console errors."""
    context = browser.new_context(locale="en-US", viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def shoot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_search_follow_switch_language_and_follow_a_link(live_server, reader) -> None:
    page = reader
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Library knowledge graph"
    shoot(page, "home")
    page.fill("#home-search", "cuong")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    result = page.locator("ol.results a", has_text="Trịnh Phi Cường")
    assert result.count() == 1
    shoot(page, "search")
    result.click()
    page.wait_for_url("**/page/person/trinh-phi-cuong")
    assert page.locator("h1").inner_text() == "Trịnh Phi Cường"
    assert page.locator("#posts").inner_text() == "Posts"
    shoot(page, "person")
    page.click("nav.languages a[hreflang=vi]")
    page.wait_for_url("**lang=vi")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("#posts").inner_text() == "Chức vụ"
    page.click("#posts ~ div a:has-text('TDTU INSPiRE Library')")
    page.wait_for_url("**/page/organization/tdtu-inspire-library?lang=vi")
    assert page.locator("h1").inner_text() == "TDTU INSPiRE Library"
    assert page.locator("#people").inner_text() == "Nhân sự giữ chức vụ"
    assert page.locator("#network ~ figure svg").count() == 1
    shoot(page, "organization-vi")
    assert not page.errors, page.errors


@pytest.mark.parametrize("kind, path", KIND_PAGES.items())
def test_each_page_kind_renders_without_errors(live_server, reader, kind: str, path) -> None:
    response = reader.goto(live_server.url + path)
    assert response.status == 200
    assert reader.locator("h1").count() == 1 and reader.locator("h1").inner_text()
    shoot(reader, kind)
    assert not reader.errors, reader.errors  # CSP violations are reported here too


def test_keyboard_only(live_server, reader) -> None:
    page = reader
    page.goto(live_server.url + "/page/person/trinh-phi-cuong")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for _ in range(15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "site-search":
            break
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("dai hoc")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search?**")
    assert page.locator("ol.results li").count() == 3


def test_narrow_screen_has_no_sideways_scrolling(live_server, browser) -> None:
    context = browser.new_context(locale="vi-VN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    for path in ("/", KIND_PAGES["event"], KIND_PAGES["organization"]):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 361, f"{path} is {width}px wide on a 360px screen"
    shoot(page, "event-phone-vi")
    context.close()
