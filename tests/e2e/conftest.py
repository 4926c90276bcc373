"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

No browser is ever downloaded: without /usr/bin/chromium these tests skip, or fail when
CXO_REQUIRE_BROWSER is set (CI). Screenshots land in tests/e2e/screenshots/ (not committed).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM calls from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CXO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless=new",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CXO_REQUIRE_BROWSER"):
            pytest.fail(f"{reason}, and CXO_REQUIRE_BROWSER is set.", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_csp(page: Page, violations: list[str]) -> Page:
    """Collect the page's Content-Security-Policy violations (Chromium reports each on the console)."""
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    return page


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """Violations of every page a test opens (``page`` and ``another_page``): the test fails on any."""
    violations: list[str] = []
    yield violations
    assert violations == [], "a page broke the Content-Security-Policy:\n" + "\n".join(violations)


@pytest.fixture
def page(browser: Browser, csp_violations: list[str]) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    context.set_default_timeout(15_000)
    yield watch_csp(context.new_page(), csp_violations)
    context.close()


@pytest.fixture
def another_page(browser: Browser, csp_violations: list[str]) -> Iterator[Callable[[], Page]]:
    """``another_page()``: a page in a context of its own (another person), watched like ``page``."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
        contexts.append(context)
        return watch_csp(context.new_page(), csp_violations)

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def shot(page: Page) -> Callable[..., Path]:
    """``shot("dashboard")`` saves a full-page screenshot of ``page`` (or of ``of=``) as screenshots/dashboard.png."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(name: str, of: Page | None = None) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        # caret="initial": Playwright hides the caret by styling the inputs, leaving style="" behind, which
        # htmx's history snapshot then restores into the page, where the Content-Security-Policy refuses it.
        (of or page).screenshot(path=str(path), full_page=True, caret="initial")
        return path

    return take


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    """Sign in through the login page and land on the dashboard."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard/")
