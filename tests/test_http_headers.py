"""Security headers on every GET route (SECURITY.md G-CF2, G-CF4).

The sweep walks the URL resolver itself, so a new route is swept without
anyone remembering to add it: a route needing arguments gets them from the
``world`` fixture (or an id that does not exist, whose 404 page must carry
the headers too). Each route is requested as an anonymous visitor, a field
officer, a station chief, bureau staff and a superuser.
"""

import gzip
import re
import time

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from knox.models import AuthToken
from rest_framework.test import APIClient

from assessments.models import ReportJob
from ledgers.models import LedgerImport

pytestmark = pytest.mark.django_db

PRINCIPALS = ["anonymous", "officer_a", "chief_s", "bureau_x", "superuser"]
#: The admin and the API are the same views for every role, only scoped, so
#: the other roles sweep the pages (to save CI time).
WHOLE_SWEEP = {"anonymous", "superuser"}

#: A pk no row has: the route answers its "not found", which must be safe too.
MISSING = 987654321

HTML_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}

#: An inline <script> that is neither a file, JSON data nor carries a nonce.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\b(?:src|nonce)=)(?![^>]*application/json)[^>]*>", re.I
)
NONCE_ATTRIBUTE = re.compile(r'<(?:script|style)[^>]*\bnonce="([^"]*)"', re.I)
#: onclick=, onload= ... inside a tag.
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def url_patterns(patterns=None, prefix="", namespace=""):
    """Yield (route, name, URLPattern, argument names) for every route."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from url_patterns(
                entry.url_patterns, prefix + str(entry.pattern), inner
            )
        else:
            route = prefix + str(entry.pattern)
            yield route, f"{namespace}{entry.name}", entry, arguments(route)


def arguments(route: str) -> list[str]:
    """Argument names in a route (path converters and regex groups)."""
    return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)]


def path_of(route: str, values: dict) -> str:
    """Fill a route's arguments and strip regex anchors into a request path."""

    def value(match):
        return str(values[match.group(1) or match.group(2)])

    path = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", value, route)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


def world_arguments(world) -> dict:
    """Arguments for named routes, taken from the world (grid A's things)."""
    ledger_import = LedgerImport.objects.create(
        entity="households",
        file_name="h.xlsx",
        content=b"",
        bureau=world.bureaus["X"],
        station=world.stations["S"],
        requested_by=world.users["chief_s"],
    )
    report = ReportJob.objects.create(
        bureau=world.bureaus["X"],
        month="2026-10-01",
        format="pdf",
        status=ReportJob.Status.DONE,
        content=b"%PDF",
    )
    user = world.users["officer_a"]
    return {
        "disputes:detail": {"pk": world.disputes["A"].pk},
        "disputes:agreement_pdf": {"pk": world.disputes["A"].pk},
        "cases:detail": {"pk": world.cases["A"].pk},
        "dashboards:grid": {"pk": world.grids["A"].pk},
        "ledgers:ledger_import": {"pk": ledger_import.pk},
        "ledgers:ledger_progress": {"pk": ledger_import.pk},
        "ledgers:ledger_export": {"entity": "households", "file_format": "xlsx"},
        "ledgers:ledger_template": {"entity": "households", "file_format": "xlsx"},
        "dashboards:station": {"pk": world.stations["S"].pk},
        "assessments:report-progress": {"pk": report.pk},
        "assessments:report-file": {"pk": report.pk},
        "password_reset_confirm": {
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
        "admin:auth_user_password_change": {"id": user.pk},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(world.grids["A"]).pk,
            "object_id": world.grids["A"].pk,
        },
    }


def first_pk(model) -> int:
    return model.objects.order_by("pk").values_list("pk", flat=True).first() or MISSING


def sweep_paths(world) -> tuple[list[str], list[str]]:
    """Every GET-able path, and the routes left out (format-suffix twins)."""
    named = world_arguments(world)
    paths, twins = [], []
    for route, name, pattern, args in url_patterns():
        if "format" in args:
            # DRF's ".json" twin of a swept route: same view, same headers.
            twins.append(route)
            continue
        if not args:
            values = {}
        elif name in named:
            values = named[name]
        elif model_admin := getattr(pattern.callback, "model_admin", None):
            values = {"object_id": first_pk(model_admin.model)}
        elif viewset := getattr(pattern.callback, "cls", None):
            values = {"pk": first_pk(viewset.queryset.model)}
        else:
            values = dict.fromkeys(args, MISSING)
        paths.append(path_of(route, values))
    return paths, twins


def content_security_policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def problems_with(response, authenticated: bool) -> list[str]:
    """What is wrong with one response's headers and markup."""
    problems = []
    csp = content_security_policy(response)
    script_src = csp.get("script-src", csp.get("default-src", []))
    if "'unsafe-inline'" in script_src or "'unsafe-eval'" in script_src:
        problems.append(f"script-src {script_src}")
    if authenticated and "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.headers.get('Cache-Control')!r}")
    if not response.headers.get("Content-Type", "").startswith("text/html"):
        return problems
    if not csp:
        return [*problems, "no Content-Security-Policy"]
    nonces = [s for s in script_src if s.startswith("'nonce-")]
    if "'self'" not in script_src or len(nonces) != 1:
        problems.append(f"script-src {script_src}")
    for directive in ("object-src", "base-uri", "frame-ancestors"):
        if csp.get(directive) != ["'none'"]:
            problems.append(f"{directive} {csp.get(directive)}")
    for header, expected in HTML_HEADERS.items():
        if response.headers.get(header) != expected:
            problems.append(f"{header} {response.headers.get(header)!r}")
    html = response.content.decode()
    if INLINE_SCRIPT.findall(html):
        problems.append(f"inline script {INLINE_SCRIPT.findall(html)[:2]}")
    if INLINE_HANDLER.findall(html):
        problems.append(f"inline handler {INLINE_HANDLER.findall(html)[:2]}")
    if nonces and any(
        f"'nonce-{n}'" != nonces[0] for n in NONCE_ATTRIBUTE.findall(html)
    ):
        problems.append("an element's nonce is not the header's")
    return problems


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_get_route_sends_the_security_headers(client, world, principal):
    if principal != "anonymous":
        client.force_login(world.users[principal])
    paths, _twins = sweep_paths(world)
    if principal not in WHOLE_SWEEP:
        paths = [p for p in paths if not p.startswith(("/admin/", "/api/"))]
    started = time.monotonic()
    failures, html_pages = {}, 0
    for path in paths:
        response = client.get(path)
        html_pages += (
            response.headers.get("Content-Type", "").startswith("text/html")
            and response.status_code == 200
        )
        if problems := problems_with(response, principal != "anonymous"):
            failures[f"{path} ({response.status_code})"] = problems
    print(  # noqa: T201 - the figure for the closing note
        f"{principal}: {len(paths)} routes, {html_pages} HTML pages answered 200, "
        f"{len(failures)} failing, {time.monotonic() - started:.1f} s"
    )
    assert failures == {}
    # Not vacuous: each logged-in role reaches a good share of pages.
    assert html_pages >= (5 if principal == "anonymous" else 8)


def test_the_sweep_covers_every_route(world):
    """Every route is swept but DRF's format-suffix twins of swept routes."""
    paths, twins = sweep_paths(world)
    routes = [route for route, *_ in url_patterns()]
    assert len(paths) + len(twins) == len(routes)
    for twin in twins:
        assert twin.replace(r"\.(?P<format>[a-z0-9]+)/?", "/") in routes or (
            twin.endswith("<drf_format_suffix:format>")
        )


def test_the_admin_map_widget_runs_with_the_nonce(client, world):
    """django-leaflet's inline scripts carry the header's nonce, nothing else."""
    client.force_login(world.users["superuser"])
    response = client.get(f"/admin/grids/grid/{world.grids['A'].pk}/change/")
    (nonce,) = [
        source
        for source in content_security_policy(response)["script-src"]
        if source.startswith("'nonce-")
    ]
    html = response.content.decode()
    assert "L.GeometryField" in html
    assert len(NONCE_ATTRIBUTE.findall(html)) >= 2
    assert {f"'nonce-{n}'" for n in NONCE_ATTRIBUTE.findall(html)} == {nonce}


def test_api_docs_load_their_script_from_a_url(client, world):
    """Swagger UI's start-up script is a same-origin file, not inline."""
    client.force_login(world.users["superuser"])
    html = client.get("/api/docs/").content.decode()
    (script_url,) = re.findall(r'<script src="(/api/docs/\?[^"]*)"', html)
    script = client.get(script_url.replace("&amp;", "&"))
    assert script.status_code == 200
    assert script.headers["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()


def test_each_request_gets_its_own_nonce(client, world):
    nonces = {
        content_security_policy(client.get("/accounts/login/"))["script-src"][-1]
        for _ in range(3)
    }
    assert len(nonces) == 3


@pytest.mark.parametrize(
    ("tiles", "origin"),
    [
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("https://webrd0{s}.is.autonavi.com/t?x={x}", "https://*.is.autonavi.com"),
        ("http://tiles.intranet:8080/{z}/{x}/{y}.png", "http://tiles.intranet:8080"),
        ("/tiles/{z}/{x}/{y}.png", None),
    ],
)
def test_map_tiles_are_allowed_as_images_from_their_origin(tiles, origin):
    """LEAFLET_TILES_URL's host goes into img-src, so maps keep their tiles."""
    from policing.settings import _tile_origin

    assert _tile_origin(tiles) == origin


#
# Compression (issue 19, item 17)
#


def test_a_page_without_a_query_is_compressed(world, client):
    """Even with the (per-response masked) CSRF token in it."""
    client.force_login(world.users["officer_a"])
    response = client.get("/field/", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert b"csrfmiddlewaretoken" in gzip.decompress(response.content)


def test_a_response_echoing_the_query_is_not_compressed(world, client):
    """BREACH: a search puts the attacker's text next to the page's secrets."""
    client.force_login(world.users["officer_a"])
    grid = world.grids["A"]
    response = client.get(
        f"/grids/{grid.pk}/", {"q": "A路"}, HTTP_ACCEPT_ENCODING="gzip"
    )
    assert response.status_code == 200
    assert not response.has_header("Content-Encoding")
    api = client.get("/api/v1/households/", {"q": "A"}, HTTP_ACCEPT_ENCODING="gzip")
    assert not api.has_header("Content-Encoding")


def test_api_json_with_a_token_is_compressed(world):
    _token, key = AuthToken.objects.create(world.users["chief_s"])
    client = APIClient()
    response = client.get(
        "/api/v1/households/",
        {"page_size": 50},
        HTTP_AUTHORIZATION=f"Token {key}",
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.content).startswith(b"{")


def test_a_posted_form_is_not_compressed(world, client):
    client.force_login(world.users["officer_a"])
    response = client.post(
        f"/cases/{world.cases['A'].pk}/",
        {"action": "nope"},
        HTTP_ACCEPT_ENCODING="gzip",
    )
    assert not response.has_header("Content-Encoding")
