"""Every page and API view reads rows through the one scoped base (SPEC §6).

Two guards: every route that is not public is served by a view built on
``ScopedReadsMixin``, and no view module applies the scoping methods by
hand (the base does, in ``policing/views.py``).
"""

import ast
from pathlib import Path

from django.contrib.admin.sites import AdminSite
from django.urls import URLPattern, URLResolver, get_resolver

from policing.views import ScopedReadsMixin

ROOT = Path(__file__).resolve().parent.parent
SCOPING_METHODS = {"visible_to", "in_scope_of", "editable_by"}

#: Routes anyone may open, or that scope in their own way, with the reason.
PUBLIC_OR_SCOPED_ELSEWHERE = {
    "home": "redirects each role to its page; shows entry points to anyone else",
    "login": "django.contrib.auth",
    "logout": "django.contrib.auth",
    "password_change": "django.contrib.auth",
    "password_change_done": "django.contrib.auth",
    "password_reset": "django.contrib.auth",
    "password_reset_done": "django.contrib.auth",
    "password_reset_confirm": "django.contrib.auth",
    "password_reset_complete": "django.contrib.auth",
    "set_language": "django.conf.urls.i18n",
    "track:query": "a case's parties, by query code and phone (G-PII7)",
    "track-query": "a case's parties, by query code and phone (G-PII7)",
    "track-rating": "a case's parties, by query code and phone (G-PII7)",
    "auth-token": "the login of API clients",
    "api-root": "DRF's index of the routes",
    "schema": "the OpenAPI schema (staff only, G-CF4)",
    "api-docs": "Swagger UI (staff only, G-CF4)",
    "health": "the load balancer's probe",
    "favicon": "a redirect to the static icon",
}


def routes(resolver=None, namespace=""):
    """Yield (name, view class) for every route outside the admin."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if isinstance(getattr(pattern, "urlconf_module", None), AdminSite):
                continue
            if pattern.app_name == "admin":
                continue  # the admin scopes through policing.admin.ScopedModelAdmin
            inner = (
                f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            )
            yield from routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            callback = pattern.callback
            view = getattr(callback, "view_class", None) or getattr(
                callback, "cls", None
            )
            yield f"{namespace}{pattern.name}", view


def test_every_staff_route_is_served_by_the_scoped_base():
    unscoped = sorted(
        name
        for name, view in routes()
        if name not in PUBLIC_OR_SCOPED_ELSEWHERE
        and not (isinstance(view, type) and issubclass(view, ScopedReadsMixin))
    )

    assert unscoped == []


def test_the_public_list_names_only_routes_that_exist():
    names = {name for name, _view in routes()}

    assert set(PUBLIC_OR_SCOPED_ELSEWHERE) - names == set()


def view_modules():
    for path in sorted(ROOT.glob("*/**/*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in (".venv", "tests", "benchmarks") or "tests" in parts:
            continue
        if path.stem in ("views", "api") or path.stem.endswith(("_views", "_api")):
            yield path


def scoping_calls(path: Path) -> list[tuple[int, str]]:
    """Return (line, method) of each call of a scoping method in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in SCOPING_METHODS
    ]


def test_no_view_applies_the_scoping_methods_by_hand():
    calls = [
        f"{path.relative_to(ROOT)}:{line} {method}"
        for path in view_modules()
        if path.relative_to(ROOT) != Path("policing/views.py")
        for line, method in scoping_calls(path)
    ]

    assert calls == []


def test_the_source_guard_sees_a_call_by_hand(tmp_path):
    module = tmp_path / "views.py"
    module.write_text("def get(user):\n    return Case.objects.visible_to(user)\n")

    assert scoping_calls(module) == [(2, "visible_to")]


def test_the_route_guard_sees_an_unscoped_view():
    from django.urls import path
    from django.views.generic import TemplateView

    class Unscoped(TemplateView):
        pass

    resolver = get_resolver()
    pattern = path("unscoped/", Unscoped.as_view(), name="unscoped")
    resolver.url_patterns.append(pattern)
    try:
        found = dict(routes())
    finally:
        resolver.url_patterns.remove(pattern)

    assert found["unscoped"] is Unscoped
    assert not issubclass(found["unscoped"], ScopedReadsMixin)
    assert issubclass(found["dashboards:station"], ScopedReadsMixin)
    assert len(found) > 60
