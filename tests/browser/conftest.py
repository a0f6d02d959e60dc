"""Real Chromium through Playwright against Django's live server (the test database)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test body are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("JINGZHUN_TEST_ARTIFACTS", "test-artifacts"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium_path() -> str:
    found = (
        os.environ.get("JINGZHUN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not found or not Path(found).exists():
        pytest.fail(
            "Chromium not found: install it (Debian: apt-get install -y chromium) — browser tests "
            "are never skipped"
        )
    return found


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(15000)
    tab = context.new_page()
    yield tab
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def login(
    page, live_server, username: str, password: str = "Pass-word-123", whoami_state: str = "visible"
) -> None:
    """Sign in as a real user does: the password, then (for the roles that need it, 等保 L3) the TOTP code
    the user's authenticator app would show for a device bound beforehand. On a phone the navigation is
    collapsed: pass whoami_state="attached" to wait for the user's name in the page, not visible."""
    from jingzhun.accounts.models import User
    from tests.otp import current_code, device_for

    device = device_for(User.objects.get(username=username))
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_function("!location.pathname.startsWith('/login/')")
    if "/account/otp/verify/" in page.url:
        page.fill("#id_token", current_code(device))
        page.click("[data-testid=otp-verify] button")
        page.wait_for_function("!location.pathname.startsWith('/account/otp/')")
    page.wait_for_selector("[data-testid=whoami]", state=whoami_state)
