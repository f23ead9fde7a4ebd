"""The dispute pages: the board, a dispute's page and the phone report form."""

import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes import workflow
from disputes.forms import UNKNOWN_HOUSEHOLD
from disputes.models import Agreement, Dispute, DisputeParty
from disputes.tests.factories import DisputeFactory, ReturnVisitFactory
from policing.parties import PARTY_NAME_REQUIRED, PARTY_PROBLEM
from stations.models import Notification

pytestmark = pytest.mark.django_db

S = Dispute.Status
#: the board's query count, measured with one card in every column; it must
#: not grow with the number of disputes (SPEC: pinned query counts)
BOARD_QUERIES = 16
#: a dispute's page, the same with one party, session and visit or eight
DETAIL_QUERIES = 17


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cards(response) -> set[int]:
    """Return the ids of the dispute cards on a board page."""
    assert response.status_code == 200
    html = response.content.decode()
    return {
        int(pk)
        for pk in re.findall(r'class="dispute-card[^>]*data-dispute="(\d+)"', html)
    }


def offered_actions(response) -> list[str]:
    """Return the actions a dispute page offers, in page order."""
    return re.findall(r'<details[^>]*data-action="(\w+)"', response.content.decode())


def timeline(response) -> list[str]:
    return re.findall(r'data-event="(\w+)"', response.content.decode())


def detail_url(dispute) -> str:
    return f"/disputes/{dispute.pk}/"


def grid_a_dispute(world, **kwargs) -> Dispute:
    return DisputeFactory(
        grid=world.grids["A"], reported_by=world.persons["officer_a"], **kwargs
    )


def report_data(world, *, grid="A", parties=(("张三", "13800000001"),), **fields):
    """Return the POST data of the report form with ``parties`` filled in."""
    data = {
        "grid": world.grids[grid].pk,
        "household": "",
        "category": Dispute.Category.NEIGHBOURHOOD,
        "colour": Dispute.Colour.GREEN,
        "summary": "楼上噪音扰民",
        "parties-TOTAL_FORMS": "3",
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "10",
    }
    for number, (name, phone) in enumerate(parties):
        data[f"parties-{number}-name"] = name
        data[f"parties-{number}-phone"] = phone
    data.update(fields)
    return data


#
# The board
#


def test_board_needs_a_login(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get("/disputes/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_board_refuses_logins_without_staff_record(world):
    """A login that is not a member of staff gets 403."""
    assert logged_in(world.users["no_staff"]).get("/disputes/").status_code == 403


def test_chief_sees_the_disputes_of_the_station(world):
    """The chief of S sees grids A and B, not T's grid C or bureau Y's D."""
    shown = cards(logged_in(world.users["chief_s"]).get("/disputes/"))
    assert shown == {world.disputes["A"].pk, world.disputes["B"].pk}


def test_field_officer_sees_only_own_grid(world):
    """Officer A sees the disputes of grid A only."""
    shown = cards(logged_in(world.users["officer_a"]).get("/disputes/"))
    assert shown == {world.disputes["A"].pk}


def test_grid_filter_offers_the_grids_whose_disputes_one_sees(world):
    """Officer A may pick grid A only; chief S picks A or B."""

    def grid_options(user) -> set[int]:
        html = logged_in(user).get("/disputes/").content.decode()
        select = re.search(r'<select name="grid">(.*?)</select>', html, re.S)[1]
        return {int(pk) for pk in re.findall(r'value="(\d+)"', select)}

    grids = world.grids
    assert grid_options(world.users["officer_a"]) == {grids["A"].pk}
    assert grid_options(world.users["chief_s"]) == {grids["A"].pk, grids["B"].pk}


def test_bureau_staff_see_the_bureau_and_may_filter_by_station(world):
    """Bureau X sees grids A to C and gets a station select; a chief does not."""
    page = logged_in(world.users["bureau_x"])
    response = page.get("/disputes/")
    assert cards(response) == {world.disputes[g].pk for g in "ABC"}
    assert '<select name="station">' in response.content.decode()
    station_t = world.stations["T"].pk
    assert cards(page.get("/disputes/", {"station": station_t})) == {
        world.disputes["C"].pk
    }
    chief_page = logged_in(world.users["chief_s"]).get("/disputes/")
    assert 'name="station"' not in chief_page.content.decode()


def test_board_filters_by_colour(world):
    """?colour=red leaves the red disputes only."""
    red = grid_a_dispute(world, colour="red", level="station")
    shown = cards(logged_in(world.users["chief_s"]).get("/disputes/?colour=red"))
    assert shown == {red.pk}


def test_board_filters_by_grid(world):
    """?grid= leaves the disputes of that grid only."""
    response = logged_in(world.users["chief_s"]).get(
        "/disputes/", {"grid": world.grids["B"].pk}
    )
    assert cards(response) == {world.disputes["B"].pk}


def test_board_filters_overdue_disputes(world):
    """?overdue=true leaves the disputes past a time limit, flagged as such."""
    late = grid_a_dispute(
        world,
        reported_at=timezone.now() - datetime.timedelta(hours=30),
        first_contact_due=timezone.now() - datetime.timedelta(hours=6),
    )
    page = logged_in(world.users["chief_s"])
    response = page.get("/disputes/?overdue=true")
    assert cards(response) == {late.pk}
    assert "is-overdue" in response.content.decode()
    everything = page.get("/disputes/")
    assert cards(everything) == {
        late.pk,
        world.disputes["A"].pk,
        world.disputes["B"].pk,
    }
    assert (
        everything.content.decode().count("dispute-card colour-green is-overdue") == 1
    )


def test_a_late_first_contact_stays_visible_after_acceptance(world):
    """Accepting an overdue dispute clears "overdue", not the missed time
    limit: the board and the page still show it, and the SLA figure counts
    it as not on time (issue 19, item 14)."""
    late = grid_a_dispute(
        world,
        reported_at=timezone.now() - datetime.timedelta(hours=30),
        first_contact_due=timezone.now() - datetime.timedelta(hours=6),
    )
    page = logged_in(world.users["chief_s"])
    assert page.post(detail_url(late), {"action": "accept"}).status_code == 302
    detail = page.get(detail_url(late)).content.decode()
    assert 'class="overdue-flag"' not in detail
    assert re.findall(r'data-done-late(?:="(\w+)")?', detail) == ["", "first_contact"]
    board = page.get("/disputes/").content.decode()
    card = re.search(
        rf'data-dispute="{late.pk}">.*?</a>', board, flags=re.DOTALL
    ).group()
    assert "data-done-late" in card and "overdue-flag" not in card
    on_time = Dispute.objects.filter(pk=late.pk).annotate_done_late().get()
    assert on_time.first_contact_done_late and on_time.done_late
    assert not on_time.mediation_done_late
    # A dispute accepted in time is not flagged.
    in_time = world.disputes["A"]
    page.post(detail_url(in_time), {"action": "accept"})
    assert "data-done-late" not in page.get(detail_url(in_time)).content.decode()


def test_board_searches_party_names(world):
    """?q= finds a dispute by the name of one of its parties."""
    wang = grid_a_dispute(world, parties=["王五", "赵六"])
    response = logged_in(world.users["chief_s"]).get("/disputes/", {"q": "王五"})
    assert cards(response) == {wang.pk}


def test_board_column_counts_each_dispute_once_when_searching(world):
    """A search through the parties does not count a dispute once per party."""
    grid_a_dispute(world, summary="宅基地边界争议", parties=["王五", "赵六"])
    response = logged_in(world.users["chief_s"]).get("/disputes/", {"q": "宅基地"})
    reported = response.context["columns"][0]
    assert reported["count"] == 1
    assert len(reported["cards"]) == 1


def test_board_survives_bad_filter_values(world):
    """A malformed filter shows an error and no cards, never a 500."""
    response = logged_in(world.users["chief_s"]).get("/disputes/?grid=abc")
    assert response.status_code == 200
    assert cards(response) == set()
    assert 'class="error"' in response.content.decode()


def test_board_shows_the_month_figures(world):
    """The KPI strip carries the month's open count and the three rates."""
    response = logged_in(world.users["chief_s"]).get("/disputes/")
    html = response.content.decode()
    assert '<b data-kpi="open">2</b>' in html
    assert '<b data-kpi="overdue">0</b>' in html
    for name in ("success_rate", "sla", "satisfaction"):
        assert f'data-kpi="{name}"' in html


def test_board_query_count_does_not_grow_with_disputes(world):
    """The board costs the same queries with 6 disputes or 16."""

    def count() -> int:
        client = Client()
        client.force_login(get_user_model().objects.get(username="chief_s"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/disputes/").status_code == 200
        return len(queries)

    # One card in every column, so that each column's queries run before too.
    for status in (S.ACCEPTED, S.MEDIATING, S.RESOLVED, S.FAILED, S.CLOSED):
        grid_a_dispute(world, status=status)
    before = count()
    for number in range(10):
        grid_a_dispute(world, status=S.values[number % len(S.values)])
    ReturnVisitFactory(dispute=world.disputes["B"], by=world.persons["officer_b"])
    after = count()
    assert before == after
    assert after <= BOARD_QUERIES


#
# A dispute's page
#


def test_detail_of_another_station_is_404(world):
    """Chief T cannot open grid A's dispute, nor anyone a missing one."""
    dispute = world.disputes["A"]
    assert logged_in(world.users["chief_t"]).get(detail_url(dispute)).status_code == 404
    page = logged_in(world.users["chief_s"])
    assert page.get(detail_url(dispute)).status_code == 200
    assert page.get("/disputes/999999/").status_code == 404


def test_detail_offers_the_actions_of_the_state(world):
    """A reported green dispute offers accept, regrade and escalate."""
    dispute = world.disputes["A"]
    response = logged_in(world.users["officer_a"]).get(detail_url(dispute))
    assert offered_actions(response) == list(workflow.allowed_actions(dispute))
    assert offered_actions(response) == ["accept", "regrade", "escalate"]


def test_closed_dispute_offers_no_action(world):
    """A closed dispute offers nothing and says it is closed."""
    closed = grid_a_dispute(world, status=S.CLOSED)
    response = logged_in(world.users["chief_s"]).get(detail_url(closed))
    assert workflow.allowed_actions(closed) == ()
    assert offered_actions(response) == []
    assert "The dispute is closed." in response.content.decode()


def test_chief_sees_masked_phones(world):
    """Phones are masked for a chief (SECURITY G-PII3) ..."""
    html = (
        logged_in(world.users["chief_s"])
        .get(detail_url(world.disputes["A"]))
        .content.decode()
    )
    assert "138****0001" in html
    assert "13800000001" not in html


def test_grid_officer_sees_full_phones(world):
    """... but in full for the officer of the dispute's grid."""
    html = (
        logged_in(world.users["officer_a"])
        .get(detail_url(world.disputes["A"]))
        .content.decode()
    )
    assert "13800000001" in html
    assert "138****0001" not in html


def test_detail_lists_the_timeline(world):
    """The timeline shows every event in order, with the regrading reason."""
    dispute = workflow.report(
        grid=world.grids["A"],
        category="family",
        summary="家庭纠纷",
        parties=[{"name": "王五"}],
        colour="green",
        by=world.persons["officer_a"],
    )
    workflow.regrade(
        dispute, colour="yellow", reason="双方争吵升级", by=world.persons["chief_s"]
    )
    workflow.accept(dispute, by=world.persons["chief_s"])
    response = logged_in(world.users["chief_s"]).get(detail_url(dispute))
    assert timeline(response) == ["reported", "regraded", "accepted"]
    assert "双方争吵升级" in response.content.decode()


def test_superuser_sees_no_action_forms(world):
    """A superuser without a staff record can read but has no one to act as."""
    dispute = world.disputes["A"]
    page = logged_in(world.users["superuser"])
    response = page.get(detail_url(dispute))
    assert response.status_code == 200
    assert offered_actions(response) == []
    assert page.post(detail_url(dispute), {"action": "accept"}).status_code == 403
    dispute.refresh_from_db()
    assert dispute.status == S.REPORTED


def test_detail_query_count_does_not_grow_with_the_timeline(world):
    """A dispute's page costs the same queries with 1 or 8 of everything."""

    def through_the_course(size: int) -> Dispute:
        chief = world.persons["chief_s"]
        dispute = workflow.report(
            grid=world.grids["A"],
            category="family",
            summary="家庭纠纷",
            parties=[
                {"name": f"当事人{n}", "phone": "13800000001"} for n in range(size)
            ],
            colour="green",
            by=world.persons["officer_a"],
        )
        workflow.accept(dispute, by=chief)
        for number in range(size):
            workflow.hold_session(dispute, by=chief, notes=f"第{number}次调解")
        workflow.resolve(dispute, by=chief, terms="双方和解")
        for _number in range(size):
            workflow.record_return_visit(
                dispute, by=chief, outcome="履行协议", satisfaction=5
            )
        return dispute

    def count(dispute) -> int:
        client = logged_in(get_user_model().objects.get(username="chief_s"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail_url(dispute)).status_code == 200
        return len(queries)

    small, large = through_the_course(1), through_the_course(8)
    assert count(small) == count(large)
    assert count(large) <= DETAIL_QUERIES


#
# Actions
#


def test_accept_redirects_back_with_the_dispute_accepted(world):
    """POST action=accept accepts the dispute and returns to its page."""
    dispute = world.disputes["A"]
    page = logged_in(world.users["chief_s"])
    response = page.post(detail_url(dispute), {"action": "accept"})
    assert response.status_code == 302
    assert response.url == detail_url(dispute)
    dispute.refresh_from_db()
    assert dispute.status == S.ACCEPTED
    followed = page.get(response.url)
    assert "The dispute is accepted; mediation is due by" in followed.content.decode()
    assert offered_actions(followed) == list(workflow.allowed_actions(dispute))


def test_action_not_allowed_in_the_state_is_400(world):
    """Resolving a dispute that is only reported is refused, nothing changes."""
    dispute = world.disputes["A"]
    response = logged_in(world.users["chief_s"]).post(
        detail_url(dispute),
        {"action": "resolve", "resolve-terms": "双方和解"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "data-refusal" in html
    assert str(workflow.NOT_ALLOWED).format(status="reported") in html
    assert offered_actions(response) == ["accept", "regrade", "escalate"]
    dispute.refresh_from_db()
    assert dispute.status == S.REPORTED
    assert not Agreement.objects.filter(dispute=dispute).exists()
    assert not dispute.events.exists()


def test_unknown_action_is_404(world):
    """An action name the workflow does not have is 404."""
    dispute = world.disputes["A"]
    response = logged_in(world.users["chief_s"]).post(
        detail_url(dispute), {"action": "delete"}
    )
    assert response.status_code == 404


def test_action_on_a_dispute_out_of_scope_is_404(world):
    """Chief T cannot accept grid A's dispute."""
    dispute = world.disputes["A"]
    response = logged_in(world.users["chief_t"]).post(
        detail_url(dispute), {"action": "accept"}
    )
    assert response.status_code == 404
    dispute.refresh_from_db()
    assert dispute.status == S.REPORTED


def test_downgrade_without_reason_is_400(world):
    """Lowering the colour needs a reason; the form shows the error."""
    dispute = grid_a_dispute(world, colour="orange", level="station")
    response = logged_in(world.users["chief_s"]).post(
        detail_url(dispute),
        {"action": "regrade", "regrade-colour": "green", "regrade-reason": " "},
    )
    assert response.status_code == 400
    assert str(workflow.DOWNGRADE_NEEDS_REASON) in response.content.decode()
    assert response.context["actions"][1][1].errors["reason"] == [
        str(workflow.DOWNGRADE_NEEDS_REASON)
    ]
    dispute.refresh_from_db()
    assert dispute.colour == "orange"
    assert not dispute.events.exists()


def test_resolve_without_every_consent_names_the_missing_party(world):
    """An agreement not signed by 李四 is refused, naming 李四."""
    dispute = grid_a_dispute(world, status=S.MEDIATING, parties=["张三", "李四"])
    zhang = dispute.parties.get(name="张三")
    response = logged_in(world.users["chief_s"]).post(
        detail_url(dispute),
        {
            "action": "resolve",
            "resolve-terms": "张三赔偿李四500元",
            "resolve-consenting_parties": [zhang.pk],
        },
    )
    assert response.status_code == 400
    assert (
        str(workflow.CONSENT_MISSING).format(names="李四") in response.content.decode()
    )
    dispute.refresh_from_db()
    assert dispute.status == S.MEDIATING
    assert not Agreement.objects.filter(dispute=dispute).exists()


def test_the_whole_course_through_the_pages(world):
    """Report, accept, mediate, resolve, print, visit again and close."""
    officer = logged_in(world.users["officer_a"])
    response = officer.post(
        "/disputes/new/",
        report_data(world, parties=(("张三", "13800000001"), ("李四", ""))),
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get(pk=int(response.url.strip("/").split("/")[-1]))
    url = detail_url(dispute)
    assert response.url == url

    chief = logged_in(world.users["chief_s"])
    assert chief.post(url, {"action": "accept"}).status_code == 302
    assert chief.get(f"{url}agreement.pdf").status_code == 404
    response = chief.post(
        url, {"action": "hold_session", "hold_session-notes": "双方到场，各退一步"}
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == S.MEDIATING

    response = chief.post(
        url,
        {
            "action": "resolve",
            "resolve-terms": "张三赔偿李四500元",
            "resolve-consenting_parties": list(
                dispute.parties.values_list("pk", flat=True)
            ),
        },
    )
    assert response.status_code == 302
    dispute.refresh_from_db()
    assert dispute.status == S.RESOLVED
    page = chief.get(url)
    assert "data-agreement-pdf" in page.content.decode()
    assert offered_actions(page) == ["record_return_visit"]

    pdf = chief.get(f"{url}agreement.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert (
        logged_in(world.users["chief_t"]).get(f"{url}agreement.pdf").status_code == 404
    )

    response = officer.post(
        url,
        {
            "action": "record_return_visit",
            "record_return_visit-outcome": "双方履行协议",
            "record_return_visit-satisfaction": "5",
        },
    )
    assert response.status_code == 302
    assert chief.post(url, {"action": "close"}).status_code == 302

    dispute.refresh_from_db()
    assert dispute.status == S.CLOSED
    order = [
        "reported",
        "accepted",
        "session_held",
        "resolved",
        "return_visit",
        "closed",
    ]
    assert list(dispute.events.values_list("kind", flat=True)) == order
    final = chief.get(url)
    assert timeline(final) == order
    assert offered_actions(final) == []


#
# The report form
#


def test_report_form_opens_for_a_field_officer(world):
    """Officer A gets the form, with their households to choose from."""
    response = logged_in(world.users["officer_a"]).get("/disputes/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-report-form" in html
    assert f"A路1号 #{world.households['A'].pk}" in html
    assert f"B路1号 #{world.households['B'].pk}" not in html


def test_report_form_is_prefilled_from_an_own_visit(world):
    """?visit= of one's own visit fills in its grid and household."""
    visit = world.visits["A"]
    response = logged_in(world.users["officer_a"]).get(
        "/disputes/new/", {"visit": visit.pk}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form["grid"].value() == world.grids["A"].pk
    assert form["household"].value() == f"A路1号 #{world.households['A'].pk}"
    html = response.content.decode()
    assert f'name="visit" value="{visit.pk}"' in html


def test_report_form_refuses_a_visit_of_another_grid(world):
    """?visit= of grid C's visit is 404 for officer A, and so is garbage."""
    page = logged_in(world.users["officer_a"])
    assert (
        page.get("/disputes/new/", {"visit": world.visits["C"].pk}).status_code == 404
    )
    assert page.get("/disputes/new/", {"visit": "abc"}).status_code == 404


def test_report_creates_the_dispute_with_its_parties(world):
    """A valid report redirects to the new dispute, parties stored."""
    data = report_data(world, parties=(("王五", "13900000005"), ("赵六", "")))
    response = logged_in(world.users["officer_a"]).post("/disputes/new/", data)
    assert response.status_code == 302
    dispute = Dispute.objects.latest("pk")
    assert response.url == detail_url(dispute)
    assert dispute.grid == world.grids["A"]
    assert dispute.reported_by == world.persons["officer_a"]
    assert list(dispute.parties.values_list("name", "phone")) == [
        ("王五", "13900000005"),
        ("赵六", ""),
    ]
    assert list(dispute.events.values_list("kind", flat=True)) == ["reported"]


def test_report_from_a_visit_links_it(world):
    """A report posted with the visit's id records where it was found."""
    visit = world.visits["A"]
    data = report_data(world, visit=visit.pk)
    response = logged_in(world.users["officer_a"]).post("/disputes/new/", data)
    assert response.status_code == 302
    assert Dispute.objects.latest("pk").visit == visit


def test_report_without_parties_is_400(world):
    """At least one party must be named; nothing is stored otherwise."""
    count = Dispute.objects.count()
    response = logged_in(world.users["officer_a"]).post(
        "/disputes/new/", report_data(world, parties=())
    )
    assert response.status_code == 400
    assert str(workflow.PARTIES_REQUIRED) in response.content.decode()
    assert Dispute.objects.count() == count


def test_report_with_a_bad_phone_is_400(world):
    """An invalid phone number is refused; neither dispute nor party stored."""
    disputes, parties = Dispute.objects.count(), DisputeParty.objects.count()
    response = logged_in(world.users["officer_a"]).post(
        "/disputes/new/", report_data(world, parties=(("王五", "12345"),))
    )
    assert response.status_code == 400
    assert "Enter an 11-digit mobile number" in response.content.decode()
    assert Dispute.objects.count() == disputes
    assert DisputeParty.objects.count() == parties


def test_report_of_a_party_without_name_is_400(world):
    """A row with a phone but no name is refused, numbered; nothing stored."""
    disputes, parties = Dispute.objects.count(), DisputeParty.objects.count()
    data = report_data(world, parties=(("王五", ""), ("", "13900000006")))
    response = logged_in(world.users["officer_a"]).post("/disputes/new/", data)
    assert response.status_code == 400
    expected = PARTY_PROBLEM.format(number=2, message=PARTY_NAME_REQUIRED)
    assert response.context["form"].non_field_errors() == [expected]
    assert Dispute.objects.count() == disputes
    assert DisputeParty.objects.count() == parties


def test_report_in_another_officers_grid_is_400(world):
    """Grid C is not officer A's: a field error, nothing stored."""
    count = Dispute.objects.count()
    response = logged_in(world.users["officer_a"]).post(
        "/disputes/new/", report_data(world, grid="C")
    )
    assert response.status_code == 400
    assert "grid" in response.context["form"].errors
    assert Dispute.objects.count() == count


def test_red_report_notifies_the_station_chief(world):
    """A red dispute in grid A tells chief S, not chief T."""
    response = logged_in(world.users["officer_a"]).post(
        "/disputes/new/", report_data(world, colour="red")
    )
    assert response.status_code == 302
    dispute = Dispute.objects.latest("pk")
    assert dispute.level == Dispute.Level.STATION
    notifications = Notification.objects.filter(key=f"dispute:{dispute.pk}:red")
    assert [(n.recipient.name, n.kind) for n in notifications] == [
        ("chief_s", Notification.Kind.RED_DISPUTE)
    ]
    assert not Notification.objects.filter(recipient=world.persons["chief_t"]).exists()


def test_report_accepts_an_own_household(world):
    """The household field takes "address #pk" of a household of one's grid."""
    household = world.households["A"]
    data = report_data(world, household=f"{household.address} #{household.pk}")
    response = logged_in(world.users["officer_a"]).post("/disputes/new/", data)
    assert response.status_code == 302
    assert Dispute.objects.latest("pk").household == household


def test_report_refuses_a_household_of_another_grid(world):
    """Grid B's household is unknown to officer A: 400, nothing stored."""
    household = world.households["B"]
    count = Dispute.objects.count()
    data = report_data(world, household=f"{household.address} #{household.pk}")
    response = logged_in(world.users["officer_a"]).post("/disputes/new/", data)
    assert response.status_code == 400
    assert response.context["form"].errors["household"] == [str(UNKNOWN_HOUSEHOLD)]
    assert Dispute.objects.count() == count


def test_report_form_needs_a_staff_record(world):
    """The superuser has nobody to report as."""
    assert logged_in(world.users["superuser"]).get("/disputes/new/").status_code == 403
