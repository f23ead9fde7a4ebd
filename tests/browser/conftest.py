"""Headless Chromium (Debian's package) driven by Playwright.

``playwright install`` cannot download a browser here, so the system
Chromium is used. Without it the browser tests are skipped, except in CI,
which installs it and must run them.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.phone import PHONE

CHROMIUM = Path("/usr/bin/chromium")

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync API

if not CHROMIUM.exists() and os.environ.get("CI") != "true":
    pytest.skip("Chromium is not installed (CI installs it)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN"}


@pytest.fixture(autouse=True)
def settle_page(page):
    """Leave the page idle before the test's database is flushed.

    A request the browser still has in flight when the test ends would
    otherwise race the flush on the live server.
    """
    yield
    page.goto("about:blank")


@pytest.fixture
def offsite_requests(page, live_server):
    """Abort and record every request that leaves the test server."""
    blocked = []
    origin = urlsplit(live_server.url).netloc

    def guard(route):
        if urlsplit(route.request.url).netloc == origin:
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    return blocked


@pytest.fixture
def page_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def log_in(page, live_server):
    def log_in_as(user, password="correct-horse-battery-staple"):
        page.goto(f"{live_server.url}/admin/login/")
        page.fill("#id_username", user.username)
        page.fill("#id_password", password)
        page.click("input[type=submit]")
        page.wait_for_url(f"{live_server.url}/admin/")

    return log_in_as


@pytest.fixture
def phone(page, live_server, world, offsite_requests, page_errors):
    """A phone-sized page logged in as officer A."""
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "officer_a")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/field/")
    yield page
    assert page_errors == []
    assert offsite_requests == []
