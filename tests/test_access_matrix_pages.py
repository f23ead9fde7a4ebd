"""The access rule of SPEC §6 beyond the CRUD matrix (SECURITY G-AC1 to G-AC4).

``test_access_matrix.py`` covers the 16 router resources. This module adds,
for the 11 principals:

* every HTML page: who may open it, which records it lists, and that an
  out-of-scope id (in the path, the query string or a filter) answers
  exactly what a nonexistent id answers, same status and same bytes;
* the metrics, assessment and report endpoints with another scope's
  station, grid, bureau or person id in the query;
* the extra actions of the API (workflow transitions, patrol stop,
  resident lookup) on every record;
* foreign keys in request bodies (API and HTML forms): an id outside the
  writer's territory gets the 400 of a nonexistent id;
* updates that would move a record out of the writer's territory: refused,
  the row unchanged;
* the admin, by one generic rule;
* a guard that every URL pattern has a row here, in the CRUD matrix, or in
  an allowlist with its reason.

What each principal may see is derived from the world's own table of who
works where (``World.principals``), never from the scoping code. The world
is built once for the module; every test still runs in its own savepoint.
"""

import difflib
import functools
import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework import relations
from rest_framework.test import APIClient

from assessments.models import ReportJob
from conftest import build_world
from disputes import workflow as dispute_workflow
from grids import national_id
from ledgers.models import LedgerImport
from policing.api import router
from policing.periods import IsoWeek, Month
from stations.models import Notification
from tests.test_access_matrix import (
    NONEXISTENT_PK,
    PRINCIPALS,
    RESOURCES,
    homes,
    may_see,
    may_write,
)

pytestmark = pytest.mark.django_db

STATION_OF_GRID = {"A": "S", "B": "S", "C": "T", "D": "U"}
BUREAU_OF_STATION = {"S": "X", "T": "X", "U": "Y"}
NOBODY = ("none", None, None, set())

#: requests made by this module, for the figure in the closing note
REQUESTS = {"count": 0}


@pytest.fixture(scope="module")
def mw(django_db_setup, django_db_blocker):
    """The world plus the records only pages show, rolled back after the module.

    Agreements for disputes A and C (station S and T), a ledger import per
    station and per bureau, a finished report file per bureau and a
    notification for officers A and B.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        w.agreements = {}
        for grid_name in ("A", "C"):
            officer = w.persons[f"officer_{grid_name.lower()}"]
            dispute = dispute_workflow.accept(w.disputes[grid_name], by=officer)
            dispute_workflow.hold_session(dispute, by=officer)
            w.agreements[grid_name] = dispute_workflow.resolve(
                dispute, by=officer, terms="双方同意"
            )
        w.ledger_imports = {}
        for owner, station, bureau in (
            ("chief_s", "S", "X"),
            ("chief_t", "T", "X"),
            ("bureau_x", None, "X"),
            ("bureau_y", None, "Y"),
        ):
            w.ledger_imports[owner] = LedgerImport.objects.create(
                entity="households",
                file_name="households.csv",
                content=b"address\n",
                bureau=w.bureaus[bureau],
                station=w.stations.get(station),
                status=LedgerImport.Status.REFUSED,
                requested_by=w.users[owner],
            )
        w.report_jobs = {
            bureau: ReportJob.objects.create(
                bureau=w.bureaus[bureau],
                month=Month.current().previous().first_day,
                format=ReportJob.Format.XLSX,
                status=ReportJob.Status.DONE,
                content=b"PK-report",
                requested_by=w.users[f"bureau_{bureau.lower()}"],
            )
            for bureau in ("X", "Y")
        }
        w.notifications = {
            name: Notification.objects.create(
                recipient=w.persons[name],
                kind=Notification.Kind.choices[0][0],
                key=f"matrix-{name}",
                subject="请查看",
                url="/field/",
            )
            for name in ("officer_a", "officer_b")
        }
        yield w
        transaction.set_rollback(True)
    print(  # noqa: T201 - the figure for the closing note
        f"\naccess matrix (pages, metrics, actions, bodies): {REQUESTS['count']}"
    )


# --- the world's table, read as sets ------------------------------------------


def entry(w, principal):
    return w.principals.get(principal, NOBODY)


def role_of(w, principal) -> str:
    """The role in the table; a deactivated login's session is not honoured."""
    if principal in ("anonymous", "deactivated"):
        return "anonymous"
    return entry(w, principal)[0]


def territory(w, principal) -> set[str]:
    """Grid names whose grid data the principal reads and writes."""
    return set(entry(w, principal)[3])


def stations_seen(w, principal) -> set[str]:
    """Station names whose reference data (and figures) the principal reads."""
    role, bureau, station, _grids = entry(w, principal)
    if role == "superuser":
        return set(BUREAU_OF_STATION)
    if role == "bureau":
        return {s for s, b in BUREAU_OF_STATION.items() if b == bureau}
    if role in ("field", "chief"):
        return {station}
    return set()


def bureaus_seen(w, principal) -> set[str]:
    role, bureau, _station, _grids = entry(w, principal)
    if role == "superuser":
        return {"X", "Y"}
    return {bureau} if bureau else set()


def bureau_figures(w, principal) -> set[str]:
    """A bureau's sums cover stations a chief may not see: bureau staff only."""
    role = role_of(w, principal)
    return bureaus_seen(w, principal) if role in ("bureau", "superuser") else set()


def sees_cases(w, principal) -> bool:
    """Case records are for officers, not auxiliaries (G-PII6)."""
    role = role_of(w, principal)
    if role == "field":
        return w.persons[principal].kind == "officer"
    return role in ("chief", "bureau", "superuser")


def person_in_territory(w, principal, person_name) -> bool:
    role, bureau, station, _grids = entry(w, principal)
    person = w.persons[person_name]
    person_station = next(
        (s for s, o in w.stations.items() if o.pk == person.station_id), None
    )
    person_bureau = next(b for b, o in w.bureaus.items() if o.pk == person.bureau_id)
    if role == "superuser":
        return True
    if role == "bureau":
        return person_bureau == bureau
    return role in ("field", "chief") and person_station == station


def quota_persons(w, principal) -> set[str]:
    """Quota figures: field staff their own row, chiefs and bureaus their staff."""
    role = role_of(w, principal)
    if role == "field":
        return {principal}
    return {n for n in w.persons if person_in_territory(w, principal, n)}


# --- requests and their comparison --------------------------------------------


def browser(w, principal) -> Client:
    client = Client()
    if principal != "anonymous":
        client.force_login(w.users[principal])
    return client


def api(w, principal) -> APIClient:
    client = APIClient()
    if principal != "anonymous":
        client.force_authenticate(w.users[principal])
    return client


def call(client, method, url, data=None, **extra):
    REQUESTS["count"] += 1
    # A flash message left by an earlier request would show on this page:
    # each response is compared for itself.
    client.cookies.pop("messages", None)
    if data is None:
        return getattr(client, method)(url, **extra)
    if isinstance(client, APIClient):
        return getattr(client, method)(url, data, format="json", **extra)
    return getattr(client, method)(url, data, **extra)


def shape(response, *ids) -> tuple[int, str]:
    """Status and body (and redirect target) with the asked ids blanked.

    The CSRF token and a CSP nonce change with every response; the id the
    request itself named may be echoed back (a login redirect's ``next``,
    a form's value). Anything else must be byte for byte the same.
    """
    text = response.content.decode("utf-8", errors="replace")
    text += "\nLocation: " + response.get("Location", "")
    text = re.sub(r'(csrfmiddlewaretoken" value=")[^"]+', r"\1", text)
    text = re.sub(r'(nonce=")[^"]+', r"\1", text)
    for pk in ids:
        text = re.sub(rf"(?<!\d){pk}(?!\d)", "<id>", text)
    return response.status_code, text


def same_as_missing(found, missing, pk) -> bool:
    """Whether ``found`` answers exactly as ``missing`` (see ``difference``)."""
    return not difference(found, missing, pk)


def difference(found, missing, pk) -> str:
    """The unified diff of two answers after ``shape``; empty when the same."""
    found_shape = shape(found, pk, NONEXISTENT_PK)
    missing_shape = shape(missing, pk, NONEXISTENT_PK)
    if found_shape == missing_shape:
        return ""
    diff = difflib.unified_diff(
        missing_shape[1].splitlines(), found_shape[1].splitlines(), lineterm=""
    )
    return "\n".join([f"{missing_shape[0]} -> {found_shape[0]}", *list(diff)[:30]])


# --- HTML pages ---------------------------------------------------------------

#: who may open a page at all (SPEC §1): the roles, and how others are refused
FIELD, STAFF, CASE_WRITER, STATION, BUREAU, LEDGER, REVEAL = (
    "own field work",
    "staff",
    "case writers",
    "station",
    "bureau",
    "ledgers",
    "full national ids",
)
#: roles that may see a full national id (G-AD6)
REVEALERS = {"chief", "bureau", "superuser"}


def admitted(w, gate, principal) -> bool:
    role = role_of(w, principal)
    match gate:
        case "own field work":
            return role in ("field", "chief", "bureau")
        case "staff":
            return role in ("field", "chief", "bureau", "superuser")
        case "case writers":
            return sees_cases(w, principal) and role != "superuser"
        case "station":
            return role in ("chief", "bureau", "superuser")
        case "bureau":
            return role in ("bureau", "superuser")
        case "ledgers":
            return role in ("chief", "bureau")
        case "full national ids":
            return role in REVEALERS
    raise AssertionError(gate)


def refusal(w, gate, principal) -> int:
    """Anonymous: to the login page; a unit's page: 404; one's own work: 403."""
    if role_of(w, principal) == "anonymous":
        return 302
    return 404 if gate in (STATION, BUREAU, LEDGER) else 403


@dataclass(frozen=True)
class Page:
    path: str
    gate: str
    method: str = "get"
    ok: int = 200


#: pages without an id: url name -> page
PAGES = {
    "dashboards:my_week": Page("/field/", FIELD),
    "visits:visit_create": Page("/field/visits/new/", FIELD),
    "visits:inspection_create": Page("/field/inspections/new/", FIELD),
    "visits:service_create": Page("/field/services/new/", FIELD),
    "disputes:board": Page("/disputes/", STAFF),
    "disputes:report": Page("/disputes/new/", FIELD),
    "cases:list": Page("/cases/", STAFF),
    "cases:create": Page("/cases/new/", CASE_WRITER),
    "ledgers:ledgers": Page("/ledgers/", LEDGER),
    "ledgers:ledger_export": Page("/ledgers/export/households.csv", LEDGER),
    "ledgers:ledger_template": Page("/ledgers/template/households.csv", LEDGER),
    "stations:notifications": Page("/notifications/", STAFF),
    "stations:notifications_read": Page("/notifications/read/", STAFF, "post", 302),
    "dashboards:county": Page("/county/", BUREAU),
    "assessments:county-refresh": Page("/county/refresh/", BUREAU, "post", 302),
    "assessments:reports": Page("/reports/", BUREAU),
}


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_pages_admit_their_roles(mw, principal):
    """Each page answers its roles and refuses the others the same way."""
    client = browser(mw, principal)
    for name, page in PAGES.items():
        response = call(client, page.method, page.path)
        if admitted(mw, page.gate, principal):
            assert response.status_code == page.ok, (name, response.status_code)
        else:
            expected = refusal(mw, page.gate, principal)
            assert response.status_code == expected, (name, response.status_code)
            if expected == 302:
                assert response["Location"].startswith("/accounts/login/"), name


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_landing_pages(mw, principal):
    """The home page sends staff to their role's page; the others see it."""
    role = role_of(mw, principal)
    response = call(browser(mw, principal), "get", "/")
    landing = {
        "field": "/field/",
        "chief": "/stations/",
        "bureau": "/county/",
        "superuser": "/county/",
    }
    if role in landing:
        assert (response.status_code, response["Location"]) == (302, landing[role])
    else:
        assert response.status_code == 200

    own = call(browser(mw, principal), "get", "/stations/")
    if role == "chief":
        station = mw.stations[entry(mw, principal)[2]]
        assert own["Location"] == f"/stations/{station.pk}/"
    elif role in ("anonymous",):
        assert own.status_code == 302
    else:
        # bureau staff and superusers have no station of their own
        assert own.status_code == 404


def record_pages(w):
    """(url name, method, gate, principal -> {pk: visible to the principal?})."""

    def grid_data(records, *, cases=False):
        def visible(principal):
            return {
                o.pk: g in territory(w, principal)
                and (not cases or sees_cases(w, principal))
                for g, o in records.items()
            }

        return visible

    def stations(principal):
        return {o.pk: s in stations_seen(w, principal) for s, o in w.stations.items()}

    def agreements(principal):
        seen = territory(w, principal)
        return {o.pk: g in w.agreements and g in seen for g, o in w.disputes.items()}

    def ledger_imports(principal):
        role, bureau, station, _grids = entry(w, principal)
        return {
            o.pk: (role == "chief" and o.station == w.stations[station])
            or (role == "bureau" and o.bureau == w.bureaus[bureau])
            for o in w.ledger_imports.values()
        }

    def report_jobs(principal):
        seen = bureau_figures(w, principal)
        return {o.pk: b in seen for b, o in w.report_jobs.items()}

    def notifications(principal):
        return {o.pk: name == principal for name, o in w.notifications.items()}

    cases = grid_data(w.cases, cases=True)
    return [
        ("dashboards:grid", "get", STAFF, grid_data(w.grids)),
        ("dashboards:household", "get", STAFF, grid_data(w.households)),
        ("dashboards:resident", "get", STAFF, grid_data(w.residents)),
        ("grids:resident_reveal", "get", REVEAL, grid_data(w.residents)),
        ("disputes:detail", "get", STAFF, grid_data(w.disputes)),
        ("disputes:detail", "post", STAFF, grid_data(w.disputes)),
        ("disputes:agreement_pdf", "get", STAFF, agreements),
        ("cases:detail", "get", STAFF, cases),
        ("cases:detail", "post", STAFF, cases),
        ("cases:receipt", "get", STAFF, cases),
        ("dashboards:station", "get", STATION, stations),
        ("dashboards:station_behind", "get", STATION, stations),
        ("dashboards:station_contacts_due", "get", STATION, stations),
        ("ledgers:ledger_import", "get", LEDGER, ledger_imports),
        ("ledgers:ledger_import", "post", LEDGER, ledger_imports),
        ("ledgers:ledger_progress", "get", LEDGER, ledger_imports),
        ("assessments:report-progress", "get", BUREAU, report_jobs),
        ("assessments:report-file", "get", BUREAU, report_jobs),
        ("stations:notification_open", "post", STAFF, notifications),
    ]


#: the body a record page's POST sends: a workflow action anyone may try
POST_BODIES = {
    "disputes:detail": {"action": "regrade"},
    "cases:detail": {"action": "add_progress"},
}


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_record_pages(mw, principal):
    """A record outside the scope answers what a nonexistent record answers."""
    client = browser(mw, principal)
    for name, method, gate, visible_to in record_pages(mw):
        assert route_exists(name), f"a row names no route: {name}"
        body = POST_BODIES.get(name, {}) if method == "post" else None
        missing = call(client, method, reverse(name, args=[NONEXISTENT_PK]), body)
        # Records out of reach first: opening one's own may change the page
        # around (a notification read lowers the unread count in the header).
        rows = sorted(visible_to(principal).items(), key=lambda row: row[1])
        if not admitted(mw, gate, principal):
            rows = rows[:1]  # refused before the id is read
        for pk, visible in rows:
            response = call(client, method, reverse(name, args=[pk]), body)
            if visible and admitted(mw, gate, principal):
                # A POST may still be refused to someone who only reads (403).
                refused = (404,) if method == "post" else (403, 404)
                assert response.status_code not in refused, (name, method, pk)
            else:
                assert not difference(response, missing, pk), (
                    name,
                    method,
                    pk,
                    response.status_code,
                    missing.status_code,
                )


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_lists_on_pages_hold_exactly_the_scope(mw, principal):
    """The dispute board, the case list and the export show the scope's rows."""
    client = browser(mw, principal)
    seen = territory(mw, principal)
    board = call(client, "get", "/disputes/")
    if admitted(mw, STAFF, principal):
        linked = set(map(int, re.findall(r'href="/disputes/(\d+)/"', board.text)))
        assert linked == {o.pk for g, o in mw.disputes.items() if g in seen}
        cases = call(client, "get", "/cases/")
        linked = set(map(int, re.findall(r'href="/cases/(\d+)/"', cases.text)))
        expected = {o.pk for g, o in mw.cases.items() if g in seen}
        assert linked == (expected if sees_cases(mw, principal) else set())
    if admitted(mw, LEDGER, principal):
        export = call(client, "get", "/ledgers/export/households.csv")
        text = export.content.decode("utf-8-sig")
        for grid_name, household in mw.households.items():
            assert (household.address in text) == (grid_name in seen), grid_name


#: (url name, gate, query parameter, world attribute its ids come from)
PAGE_FILTERS = [
    ("disputes:board", STAFF, "grid", "grids"),
    ("disputes:board", STAFF, "station", "stations"),
    ("cases:list", STAFF, "grid", "grids"),
    ("cases:list", STAFF, "station", "stations"),
    ("dashboards:county", BUREAU, "bureau", "bureaus"),
    ("visits:visit_create", FIELD, "household", "households"),
    ("disputes:report", FIELD, "visit", "visits"),
]


def filter_in_scope(w, principal, parameter, name) -> bool:
    match parameter:
        case "grid":
            return name in territory(w, principal)
        case "household" | "visit":
            return name in territory(w, principal)
        case "station":
            return any(STATION_OF_GRID[g] == name for g in territory(w, principal))
        case "bureau":
            return role_of(w, principal) == "superuser"
    raise AssertionError(parameter)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_page_filters_by_another_scope(mw, principal):
    """Another scope's id in the query string changes nothing a missing id doesn't."""
    client = browser(mw, principal)
    for name, gate, parameter, records in PAGE_FILTERS:
        path = reverse(name)
        missing = call(client, "get", path, {parameter: NONEXISTENT_PK})
        outside = [
            (record_name, record)
            for record_name, record in getattr(mw, records).items()
            if not (
                admitted(mw, gate, principal)
                and filter_in_scope(mw, principal, parameter, record_name)
            )
        ]
        if not admitted(mw, gate, principal):
            outside = outside[:1]  # refused before the query is read
        for record_name, record in outside:
            response = call(client, "get", path, {parameter: record.pk})
            assert not difference(response, missing, record.pk), (
                name,
                parameter,
                record_name,
                response.status_code,
            )
    if admitted(mw, FIELD, principal):
        for grid_name, household in mw.households.items():
            page = call(
                client, "get", "/field/visits/new/", {"household": household.pk}
            )
            assert (household.address in page.text) == (
                grid_name in territory(mw, principal)
            )


#: HTML forms that take a grid (or a household) chosen by the writer
FORM_FIELDS = [
    ("disputes:report", "/disputes/new/", FIELD, "grid", "grids"),
    ("disputes:report", "/disputes/new/", FIELD, "household", "households"),
    ("cases:create", "/cases/new/", CASE_WRITER, "grid", "grids"),
]


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_forms_refuse_other_grids_like_missing_ones(mw, principal):
    """A forged grid or household in a form fails as a nonexistent one does."""
    client = browser(mw, principal)
    for name, path, gate, field, records in FORM_FIELDS:
        body = {"summary": "越权", "parties-TOTAL_FORMS": 0, "parties-INITIAL_FORMS": 0}

        def value(pk, field=field):
            return f"某路 #{pk}" if field == "household" else pk

        missing = call(client, "post", path, {**body, field: value(NONEXISTENT_PK)})
        for record_name, record in getattr(mw, records).items():
            if record_name in territory(mw, principal) and admitted(
                mw, gate, principal
            ):
                continue
            response = call(client, "post", path, {**body, field: value(record.pk)})
            assert not difference(response, missing, record.pk), (name, field)


# --- metrics, assessments, reports ------------------------------------------


def last_month() -> str:
    return str(Month.current().previous())


#: url name -> {query parameter: (world attribute, names allowed for principal)}
METRICS = {
    "metrics-quotas": {"station": "stations", "person": "persons"},
    "metrics-disputes": {"station": "stations", "grid": "grids"},
    "metrics-cases": {"station": "stations"},
    "metrics-coverage": {"station": "stations", "bureau": "bureaus"},
    "metrics-trends": {"station": "stations", "bureau": "bureaus"},
    "assessment-list": {"station": "stations", "bureau": "bureaus"},
    "reports-monthly": {"bureau": "bureaus"},
}


def metric_allowed(w, principal, url_name, parameter) -> set[str]:
    if parameter == "station":
        return stations_seen(w, principal)
    if parameter == "grid":
        return territory(w, principal)
    if parameter == "person":
        return quota_persons(w, principal)
    if url_name == "assessment-list":
        return bureaus_seen(w, principal)
    return bureau_figures(w, principal)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_metrics_with_another_scope_ids(mw, principal):
    """Figures of a station, grid, bureau or person outside the scope: a 404
    identical to a nonexistent id's; inside it: 200."""
    client = api(mw, principal)
    for url_name, parameters in METRICS.items():
        url = reverse(url_name)
        for parameter, records in parameters.items():
            query = {}
            if url_name in ("assessment-list", "reports-monthly"):
                query = {"month": last_month()}
            if url_name == "metrics-quotas":
                query = {"week": str(IsoWeek.current())}
            missing = call(client, "get", url, {**query, parameter: NONEXISTENT_PK})
            allowed = metric_allowed(mw, principal, url_name, parameter)
            values = list(getattr(mw, records).items())
            if role_of(mw, principal) in ("anonymous", "none"):
                values = values[:1]  # refused before the query is read
            for name, record in values:
                response = call(client, "get", url, {**query, parameter: record.pk})
                if name in allowed:
                    assert response.status_code == 200, (url_name, parameter, name)
                else:
                    assert not difference(response, missing, record.pk), (
                        url_name,
                        parameter,
                        name,
                        response.status_code,
                    )
                    if role_of(mw, principal) not in ("anonymous", "none"):
                        assert response.status_code == 404, (url_name, name)


@pytest.mark.parametrize("principal", PRINCIPALS)
@pytest.mark.parametrize("url_name", ["assessment-compute", "assessment-publish"])
def test_assessment_actions_name_a_bureau(mw, principal, url_name):
    """Only bureau staff act, on their own bureau whatever the body names;
    a superuser names one, and a missing one answers 404."""
    client = api(mw, principal)
    url = reverse(url_name)
    missing = call(
        client, "post", url, {"month": last_month(), "bureau": NONEXISTENT_PK}
    )
    role = role_of(mw, principal)
    for bureau in mw.bureaus.values():
        response = call(
            client, "post", url, {"month": last_month(), "bureau": bureau.pk}
        )
        if role == "superuser":
            assert response.status_code != 404
        else:
            assert not difference(response, missing, bureau.pk)
    if role not in ("bureau", "superuser"):
        assert missing.status_code in (401, 403)


# --- the API's extra actions --------------------------------------------------

#: url name -> (resource, body)
API_ACTIONS = {
    "patrol-stop": ("patrols", {}),
    "dispute-accept": ("disputes", {}),
    "dispute-hold-session": ("disputes", {}),
    "dispute-regrade": ("disputes", {"colour": "red", "reason": "升级"}),
    "dispute-escalate": ("disputes", {"reason": "上报"}),
    "dispute-resolve": ("disputes", {"terms": "同意"}),
    "dispute-refer": ("disputes", {"reason": "移交"}),
    "dispute-fail": ("disputes", {"reason": "失败"}),
    "dispute-return-visits": ("disputes", {"outcome": "好", "satisfaction": 5}),
    "dispute-close": ("disputes", {}),
    "case-accept": ("cases", {}),
    "case-start-investigation": ("cases", {}),
    "case-solve": ("cases", {"text": "破案"}),
    "case-close": ("cases", {}),
    "case-drop": ("cases", {"reason": "撤销"}),
    "case-progress": ("cases", {"text": "进展"}),
    "case-return-visits": ("cases", {"outcome": "好"}),
    "case-query-code": ("cases", {}),
    "resident-reveal": ("residents", {"reason": "核查身份信息"}),
}
#: actions for fewer roles than may write the resource
ACTION_ROLES = {"resident-reveal": REVEALERS}


def route_exists(name) -> bool:
    """Whether a route is installed: every row must name one."""
    return name in route_names()


@functools.cache
def route_names() -> frozenset[str]:
    return frozenset(qualified for _route, qualified in routes())


def sample_rows(w, principal, resource) -> list:
    """One row the principal sees and every kind of row it does not.

    The actions of a viewset share its scoped ``get_object``; one row per
    relation to the principal (own grid, same station, same bureau, other
    bureau) exercises it without repeating the same case.
    """
    rows = sorted(homes(w, resource).items())
    if role_of(w, principal) in ("anonymous", "none") or not may_write(
        w, principal, resource
    ):
        return rows[:1]  # refused before any lookup
    seen = [row for row in rows if may_see(w, principal, resource, row[1])]
    unseen = {}
    for pk, home in rows:
        if not may_see(w, principal, resource, home):
            unseen.setdefault((home[0], home[1]), (pk, home))
    return seen[:1] + list(unseen.values())


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_api_actions_on_every_record(mw, principal):
    """A transition on another scope's record answers like a missing record:
    every action, on a row the principal sees and on rows of every other
    station and bureau."""
    client = api(mw, principal)
    role = role_of(mw, principal)
    for url_name, (resource, body) in API_ACTIONS.items():
        assert route_exists(url_name), f"a row names no route: {url_name}"
        missing = call(client, "post", reverse(url_name, args=[NONEXISTENT_PK]), body)
        rows = sample_rows(mw, principal, resource)
        for pk, home in rows:
            response = call(client, "post", reverse(url_name, args=[pk]), body)
            if role_of(mw, principal) in ("anonymous", "none"):
                assert response.status_code in (401, 403)
            elif not may_write(mw, principal, resource) or role not in ACTION_ROLES.get(
                url_name, {role}
            ):
                assert response.status_code == 403, (url_name, pk)
            elif may_see(mw, principal, resource, home):
                assert response.status_code != 404, (url_name, pk, response.content)
            else:
                assert not difference(response, missing, pk), (url_name, pk)


@pytest.mark.parametrize("principal", PRINCIPALS[3:])
def test_resident_lookup_finds_only_the_scope(mw, principal):
    """Looking up another grid's resident by ID answers like an unknown ID."""
    client = api(mw, principal)
    unknown = call(
        client, "post", "/api/v1/residents/lookup/", {"id_number": "11010519491231002X"}
    )
    for grid_name, resident in mw.residents.items():
        number = national_id.decrypt(resident.id_number_encrypted)
        response = call(
            client, "post", "/api/v1/residents/lookup/", {"id_number": number}
        )
        home = homes(mw, "residents")[resident.pk]
        if may_see(mw, principal, "residents", home):
            assert [row["id"] for row in response.json()] == [resident.pk]
        else:
            assert shape(response) == shape(unknown), grid_name


# --- foreign keys in request bodies; moves out of the territory ----------------

#: model of a related field -> world attribute holding its rows
TARGETS = {
    "Grid": "grids",
    "Household": "households",
    "Resident": "residents",
    "Venue": "venues",
    "Visit": "visits",
    "Area": "areas",
    "Person": "persons",
    "Station": "stations",
    "Bureau": "bureaus",
    "Post": "posts",
}


#: Related fields only a superuser writes: they point outside any territory
#: (a login), and anyone else is refused whatever the id
#: (stations/tests/test_api.py).
SUPERUSER_ONLY_FIELDS = {("persons", "user")}


def related_fields(resource):
    """Writable related fields of a resource's serializer: (name, model, many)."""
    viewset = next(v for prefix, v, _b in router.registry if prefix == resource)
    fields = []
    for name, field in viewset.serializer_class().fields.items():
        if field.read_only or (resource, name) in SUPERUSER_ONLY_FIELDS:
            continue
        if isinstance(field, relations.ManyRelatedField):
            fields.append((name, field.child_relation.queryset.model.__name__, True))
        elif isinstance(field, relations.RelatedField):
            fields.append((name, field.queryset.model.__name__, False))
    return fields


#: one person per kind of home: station S, T, U, bureau X, Y (the others
#: repeat one of these homes)
REPRESENTATIVE_PERSONS = ("officer_a", "officer_c", "officer_d", "bureau_x", "bureau_y")


def targets(w, model) -> dict:
    """The rows a foreign key to ``model`` may be pointed at, by name."""
    rows = getattr(w, TARGETS[model])
    if TARGETS[model] == "persons":
        return {name: rows[name] for name in REPRESENTATIVE_PERSONS}
    return rows


def target_in_territory(w, principal, model, name) -> bool:
    """Whether the writer may point a foreign key at the named target row."""
    role, bureau, _station, grids = entry(w, principal)
    if role == "superuser":
        return True
    match TARGETS[model]:
        case "persons":
            return person_in_territory(w, principal, name)
        case "stations" | "posts":
            return name in stations_seen(w, principal)
        case "bureaus":
            return name == bureau
        case _:
            return name in grids


def test_every_writable_foreign_key_has_targets():
    """A new foreign key on a serializer needs its rows here (guard)."""
    for resource in RESOURCES:
        for name, model, _many in related_fields(resource):
            assert model in TARGETS, (resource, name, model)


WRITERS = [p for p in PRINCIPALS[3:] if p != "superuser"]


@pytest.mark.parametrize("principal", WRITERS)
def test_foreign_keys_outside_the_territory_read_as_missing(mw, principal):
    """Creating with a foreign key outside the territory fails as with a
    nonexistent id: same status, same error text."""
    client = api(mw, principal)
    for resource in RESOURCES:
        if not may_write(mw, principal, resource):
            continue
        url = f"/api/v1/{resource}/"
        for field, model, many in related_fields(resource):

            def body(pk, field=field, many=many):
                return {field: [pk] if many else pk}

            missing = call(client, "post", url, body(NONEXISTENT_PK))
            assert missing.status_code == 400, (resource, field)
            assert field in missing.json(), (resource, field, missing.json())
            for name, target in targets(mw, model).items():
                if target_in_territory(mw, principal, model, name):
                    continue
                response = call(client, "post", url, body(target.pk))
                assert not difference(response, missing, target.pk), (
                    resource,
                    field,
                    name,
                    response.content,
                )


def editable_row(w, principal, resource):
    """A row of ``resource`` inside the writer's territory, or None."""
    role, bureau, station, grids = entry(w, principal)
    for pk, (row_bureau, row_station, row_grid) in sorted(homes(w, resource).items()):
        if row_grid is not None and RESOURCES[resource][0] != "reference":
            inside = row_grid in grids
        elif role == "bureau":
            inside = row_bureau == bureau
        else:
            inside = row_station == station
        if inside:
            return pk
    return None


def foreign_keys_of(row, fields) -> dict:
    return {
        name: set(getattr(row, name).values_list("pk", flat=True))
        if many
        else getattr(row, f"{name}_id")
        for name, _model, many in fields
    }


@pytest.mark.parametrize("principal", WRITERS)
def test_updates_cannot_move_a_record_out_of_the_territory(mw, principal):
    """Pointing a record's foreign key outside the territory is refused with
    the error of a nonexistent id, and the row is left unchanged."""
    client = api(mw, principal)
    moves = 0
    for resource in RESOURCES:
        if not may_write(mw, principal, resource):
            continue
        fields = related_fields(resource)
        pk = editable_row(mw, principal, resource)
        if not fields or pk is None:
            continue
        viewset = next(v for prefix, v, _b in router.registry if prefix == resource)
        model = viewset.queryset.model
        before = foreign_keys_of(model.objects.get(pk=pk), fields)
        url = f"/api/v1/{resource}/{pk}/"
        for field, target_model, many in fields:

            def body(value, field=field, many=many):
                return {field: [value] if many else value}

            missing = call(client, "patch", url, body(NONEXISTENT_PK))
            assert missing.status_code == 400, (resource, field, missing.content)
            outside = [
                (name, target)
                for name, target in targets(mw, target_model).items()
                if not target_in_territory(mw, principal, target_model, name)
            ]
            # The field's choices are the create case's (tested against every
            # target above): here the nearest and the farthest target.
            for name, target in dict(outside[:1] + outside[-1:]).items():
                response = call(client, "patch", url, body(target.pk))
                assert not difference(response, missing, target.pk), (
                    resource,
                    field,
                    name,
                    response.content,
                )
                moves += 1
        assert foreign_keys_of(model.objects.get(pk=pk), fields) == before, resource
    assert moves > 0


def test_named_moves_out_of_scope_are_refused(mw):
    """SECURITY G-AC3's own examples, spelled out."""
    visit = mw.visits["A"]
    response = call(
        api(mw, "officer_a"),
        "patch",
        f"/api/v1/visits/{visit.pk}/",
        {"household": mw.households["B"].pk},
    )
    assert response.status_code == 400
    assert type(visit).objects.get(pk=visit.pk).household_id == mw.households["A"].pk

    response = call(
        api(mw, "officer_a"),
        "post",
        "/api/v1/disputes/",
        {"grid": mw.grids["B"].pk, "category": "neighbour", "summary": "越权"},
    )
    assert response.status_code == 400 and "grid" in response.json()

    area = mw.areas["A"]
    response = call(
        api(mw, "chief_s"),
        "patch",
        f"/api/v1/areas/{area.pk}/",
        {"station": mw.stations["T"].pk},
    )
    assert response.status_code == 400
    assert type(area).objects.get(pk=area.pk).station_id == mw.stations["S"].pk

    assignment = mw.persons["officer_a"].assignments.get()
    response = call(
        api(mw, "chief_s"),
        "patch",
        f"/api/v1/assignments/{assignment.pk}/",
        {"grid": mw.grids["C"].pk},
    )
    assert response.status_code == 400
    assert type(assignment).objects.get(pk=assignment.pk).grid_id == mw.grids["A"].pk


def test_action_bodies_refuse_other_scopes_people_like_missing_ones(mw):
    """A mediator or a case party from another scope reads as a missing id."""
    chief = api(mw, "chief_s")
    dispute = mw.disputes["B"]
    assert (
        call(chief, "post", f"/api/v1/disputes/{dispute.pk}/accept/").status_code == 200
    )
    url = f"/api/v1/disputes/{dispute.pk}/hold-session/"
    missing = call(chief, "post", url, {"mediators": [NONEXISTENT_PK]})
    assert missing.status_code == 400
    for name, person in mw.persons.items():
        if person_in_territory(mw, "chief_s", name):
            continue
        response = call(chief, "post", url, {"mediators": [person.pk]})
        assert not difference(response, missing, person.pk), name

    case = mw.cases["A"]
    assert call(chief, "post", f"/api/v1/cases/{case.pk}/accept/").status_code == 200
    url = f"/api/v1/cases/{case.pk}/return-visits/"
    missing = call(chief, "post", url, {"party": NONEXISTENT_PK, "outcome": "好"})
    assert missing.status_code == 400
    for grid_name in ("C", "D"):
        party = mw.cases[grid_name].parties.get()
        response = call(chief, "post", url, {"party": party.pk, "outcome": "好"})
        assert not difference(response, missing, party.pk), grid_name


# --- the admin, by one rule ---------------------------------------------------


def test_admin_is_for_staff_flag_holders_and_scoped(mw):
    """Without the staff flag every admin page sends to the admin login; with
    it, a chief's change, delete and history pages of another station's
    records answer what a nonexistent record's do (a redirect to the index).
    The per-model behaviour is in test_admin_scoping.py."""
    for principal in PRINCIPALS[:-1]:
        response = call(browser(mw, principal), "get", "/admin/grids/grid/")
        assert response.status_code == 302, principal
        assert response["Location"].startswith("/admin/login/"), principal

    chief = mw.users["chief_s"]
    type(chief).objects.filter(pk=chief.pk).update(is_staff=True)
    client = browser(mw, "chief_s")
    resource_of = {
        "stations.station": "stations",
        "stations.post": "posts",
        "stations.person": "persons",
        "stations.assignment": "assignments",
        "grids.area": "areas",
        "grids.grid": "grids",
        "grids.household": "households",
        "grids.resident": "residents",
        "visits.visit": "visits",
        "visits.patrol": "patrols",
        "visits.venue": "venues",
        "visits.inspection": "inspections",
        "visits.service": "services",
        "disputes.dispute": "disputes",
        "cases.case": "cases",
    }
    checked = 0
    for model in admin.site._registry:
        label = model._meta.label_lower
        base = f"/admin/{label.replace('.', '/')}"
        if label not in resource_of:
            continue
        resource = resource_of[label]
        for suffix in ("change/", "delete/", "history/"):
            missing = call(client, "get", f"{base}/{NONEXISTENT_PK}/{suffix}")
            for pk, home in homes(mw, resource).items():
                if may_see(mw, "chief_s", resource, home):
                    continue
                response = call(client, "get", f"{base}/{pk}/{suffix}")
                assert not difference(response, missing, pk), (label, suffix, pk)
                checked += 1
                break  # the admin's lookup is one queryset per model
    assert checked > 0
    for label in ("auth/user", "knox/authtoken", "axes/accessattempt"):
        assert call(client, "get", f"/admin/{label}/").status_code == 403, label


# --- every route has a row (G-AC4) --------------------------------------------

TRACKING = "public by design: a query code and a phone tail (test_tracking.py)"
#: routes outside the matrix, each with the reason it holds no scoped data
ALLOWLIST = {
    "login": "the login form",
    "logout": "ends one's own session",
    "password_change": "one's own password",
    "password_change_done": "one's own password",
    "password_reset": "password reset by e-mail: no scoped data",
    "password_reset_done": "password reset by e-mail: no scoped data",
    "password_reset_confirm": "password reset by e-mail: no scoped data",
    "password_reset_complete": "password reset by e-mail: no scoped data",
    "set_language": "a language cookie",
    "track:query": TRACKING,
    "track-query": TRACKING,
    "track-rating": TRACKING,
    "auth-token": "the login of the API (tests/test_login_safety.py)",
    "schema": "the OpenAPI description, no records",
    "health": "database, broker and worker status, no records",
    "favicon": "a redirect to the static icon",
    "api-docs": "the OpenAPI description, no records",
    "api-root": "links to the resources, no records",
    "home": "test_landing_pages",
    "dashboards:own_station": "test_landing_pages",
}  # fmt: skip


def matrix_rows() -> set[str]:
    """Route names that have a row in this module or the CRUD matrix."""
    rows = set(PAGES) | set(METRICS) | set(API_ACTIONS)
    rows |= {name for name, *_rest in record_pages(_NamesOnly())}
    rows |= {"assessment-compute", "assessment-publish", "resident-lookup"}
    for prefix, _viewset, basename in router.registry:
        if prefix in RESOURCES:
            rows |= {f"{basename}-list", f"{basename}-detail"}
    return rows


class _NamesOnly:
    """A stand-in world: ``record_pages`` read for its url names only."""

    grids = disputes = cases = stations = agreements = residents = households = {}
    ledger_imports = report_jobs = notifications = {}


def routes(patterns=None, prefix="", namespace=""):
    """Yield (route, qualified name) of every URL pattern, recursively."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}{pattern.namespace}:"
            yield from routes(
                pattern.url_patterns, prefix + str(pattern.pattern), inner
            )
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield prefix + str(pattern.pattern), name


def test_every_route_is_in_the_matrix():
    """A new page or endpoint fails here until the matrix has a row for it."""
    rows = matrix_rows()
    uncovered = sorted(
        route
        for route, name in routes()
        if not route.startswith("admin/")  # test_admin_is_for_staff_...
        and name not in rows
        and name not in ALLOWLIST
    )
    assert uncovered == []
