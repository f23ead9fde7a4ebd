"""Every page, as each role, in Chromium: 0 CSP violations, 0 requests out.

SECURITY.md G-CF3. The Content-Security-Policy header is checked route by
route in tests/test_http_headers.py; here a real browser runs each page's
scripts (maps, charts, Swagger UI, the admin's map widget) and reports what
the policy blocked: a ``securitypolicyviolation`` listener installed before
any page script, plus console errors naming the policy. Every request to a
host other than the test server's loopback address is recorded and aborted.
"""

import time
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    [event.violatedDirective, event.blockedURI, event.sourceFile,
     event.lineNumber, event.sample].join(" ")
  );
});
"""

#: Drawn asynchronously: wait for dashboard.js to mark maps and charts ready.
DRAWN = (
    "[...document.querySelectorAll('[data-map], [data-chart]')]"
    ".every((element) => element.dataset.ready === 'true')"
)

TOOLTIP_SHOWN = (
    "[...document.querySelectorAll('[data-chart] div')]"
    ".some((box) => box.style.zIndex > 1000 && box.style.display !== 'none')"
)

LOOPBACK = {"127.0.0.1", "localhost", "[::1]"}


def pages_for(world) -> dict[str, list[str]]:
    """The pages each role reaches (each must answer 200)."""
    grid = world.grids["A"].pk
    dispute = world.disputes["A"].pk
    case = world.cases["A"].pk
    station = world.stations["S"].pk
    shared = [
        "/",
        f"/grids/{grid}/",
        "/disputes/",
        f"/disputes/{dispute}/",
        "/cases/",
        f"/cases/{case}/",
        "/notifications/",
    ]
    admin = [
        "/admin/",
        f"/admin/grids/grid/{grid}/change/",
        "/admin/grids/household/add/",
    ]
    return {
        "anonymous": ["/accounts/login/", "/track/", "/admin/login/"],
        "officer_a": [
            *shared,
            "/field/",
            "/field/visits/new/",
            "/field/inspections/new/",
            "/field/services/new/",
            "/disputes/new/",
            "/cases/new/",
        ],
        "chief_s": [*shared, f"/stations/{station}/", "/ledgers/", *admin],
        "bureau_x": [
            *shared,
            "/county/",
            f"/stations/{station}/",
            "/ledgers/",
            "/reports/",
            *admin,
        ],
        # Swagger UI is the same page for everyone, and slow (it generates
        # the schema): visited once.
        "superuser": [
            *shared,
            "/county/",
            f"/stations/{station}/",
            *admin,
            "/api/docs/",
        ],
    }


@pytest.fixture
def staff_world(world):
    """Chiefs and bureau staff use the admin with ``is_staff`` (policing.admin)."""
    for name in ("chief_s", "bureau_x"):
        world.users[name].is_staff = True
        world.users[name].save(update_fields=["is_staff"])
    return world


def test_no_page_breaks_the_policy_or_leaves_the_machine(
    page, live_server, staff_world, page_errors
):
    outside, console_errors = [], []

    def only_loopback(route):
        if urlsplit(route.request.url).hostname in LOOPBACK | {"::1"}:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "Content Security Policy" in message.text
            and console_errors.append(message.text)
        ),
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    started = time.monotonic()
    violations, visited = {}, 0
    for role, paths in pages_for(staff_world).items():
        page.context.clear_cookies()
        if role != "anonymous":
            log_in(page, live_server, role)
        for path in paths:
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{role} {path}: {response.status}"
            wait_until_ready(page, path)
            visited += 1
            if found := page.evaluate("window.__cspViolations"):
                violations[f"{role} {path}"] = found
    print(  # noqa: T201 - the figures for the closing note
        f"{visited} page visits over {len(pages_for(staff_world))} roles: "
        f"{sum(map(len, violations.values()))} CSP violations, "
        f"{len(console_errors)} CSP console errors, {len(outside)} outside "
        f"requests, {time.monotonic() - started:.1f} s"
    )
    assert violations == {}
    assert console_errors == []
    assert outside == []
    assert page_errors == []


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def wait_until_ready(page, path):
    """Let the page's own scripts finish the work the policy could block."""
    if path.startswith("/api/docs/"):
        # Swagger UI has fetched and drawn the schema.
        page.wait_for_selector(".swagger-ui .opblock-tag")
    elif path.startswith("/admin/grids/"):
        page.wait_for_selector(".leaflet-container .leaflet-draw")
    else:
        page.wait_for_function(DRAWN)
    charts = page.locator("[data-chart]")
    if charts.count():
        # ECharts writes its tooltip as HTML with style attributes: raise one.
        charts.first.hover()
        page.wait_for_function(TOOLTIP_SHOWN)
