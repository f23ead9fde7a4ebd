"""The officer's phone: log visits through the typeahead, online and offline."""

import pytest
from django.utils import timezone, translation

from disputes.models import Dispute
from tests.browser.phone import OUTBOX, PHONE, choose_household
from tests.browser.waiting import wait_until
from visits.models import Visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]


def bar_value(page, metric: str) -> int:
    return int(page.text_content(f'[data-metric="{metric}"] [data-actual]'))


def test_visit_logged_through_the_typeahead_moves_the_progress_bar(
    phone, live_server, world
):
    """A visit saved from the form is counted on "my week" at once."""
    address = world.households["A"].address
    info_before = bar_value(phone, "info_items")
    visits_before = Visit.objects.count()

    phone.click("text=登记走访")
    phone.wait_for_url(f"{live_server.url}/field/visits/new/")
    choose_household(phone, address[:2], address)
    phone.fill("input[name=info_items]", "2")
    phone.click("[data-visit-form] button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/field/")

    assert bar_value(phone, "info_items") == info_before + 2
    assert Visit.objects.count() == visits_before + 1
    # The page fits the phone: nothing wider than the screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


#: the browser's local time, ``hours`` from now, as a datetime-local field takes it
LOCAL_MINUTE = """hours => {
  const at = new Date(Date.now() + hours * 3600000);
  return new Date(at.getTime() - at.getTimezoneOffset() * 60000)
    .toISOString().slice(0, 16);
}"""


def test_a_visit_made_earlier_keeps_its_time_and_the_future_is_refused(
    phone, live_server, world
):
    """The time defaults to now; an earlier one is stored as given, a later
    one is refused on the phone (issue 19, item 5)."""
    address = world.households["A"].address
    phone.goto(f"{live_server.url}/field/visits/new/")
    now_shown = phone.input_value("input[name=visited_at]")
    assert now_shown == phone.evaluate(LOCAL_MINUTE, 0)
    choose_household(phone, address[:2], address)

    phone.fill("input[name=visited_at]", phone.evaluate(LOCAL_MINUTE, 2))
    phone.click("[data-visit-form] button[type=submit]")
    assert phone.is_visible('[data-error-for="visited_at"]')
    assert (
        not Visit.objects.filter(person=world.persons["officer_a"])
        .exclude(pk=world.visits["A"].pk)
        .exists()
    )

    phone.fill("input[name=visited_at]", phone.evaluate(LOCAL_MINUTE, -3))
    phone.click("[data-visit-form] button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/field/")
    logged = Visit.objects.filter(person=world.persons["officer_a"]).latest("pk")
    hours_ago = (timezone.now() - logged.visited_at).total_seconds() / 3600
    assert 2.9 < hours_ago < 3.1


def test_a_household_found_by_name_shows_and_takes_the_resident(
    phone, live_server, world
):
    resident = world.residents["A"]
    phone.goto(f"{live_server.url}/field/visits/new/")
    phone.fill("[data-household-search]", resident.name)
    match = phone.locator(f'[data-suggestions] [data-matched-resident="{resident.pk}"]')
    match.wait_for()
    assert resident.name in match.text_content()
    match.click()
    phone.click("[data-visit-form] button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/field/")
    logged = Visit.objects.filter(person=world.persons["officer_a"]).latest("pk")
    assert (logged.household_id, logged.resident_id) == (
        resident.household_id,
        resident.pk,
    )


def test_visits_logged_offline_are_sent_once_when_back_online(
    phone, live_server, world
):
    """Offline the visits wait on the phone; back online each is stored once."""
    address = world.households["A"].address
    visits_before = Visit.objects.count()
    phone.goto(f"{live_server.url}/field/visits/new/")
    # The page caches the officer's households for typing while offline.
    wait_until(phone, "localStorage.getItem('policing.households.v1') !== null")

    attempts = []

    def refuse(route):
        attempts.append((route.request.method, route.request.url))
        route.abort("internetdisconnected")

    # On the page, not the context: page routes are matched first, and the
    # offsite guard's catch-all would otherwise let these through unseen.
    phone.route("**/api/**", refuse)
    phone.context.set_offline(True)
    for info_items in (1, 2):
        choose_household(phone, address[:2], address)
        phone.fill("input[name=info_items]", str(info_items))
        phone.click("[data-visit-form] button[type=submit]")
        phone.wait_for_selector(f"[data-outbox-list] li >> nth={info_items - 1}")
    assert phone.is_visible("[data-offline-banner]")
    # Both saves tried the network first and were turned away.
    saves = [url for method, url in attempts if method == "POST"]
    assert len(saves) >= 2
    assert all(url.endswith("/api/v1/visits/") for url in saves)
    queued = phone.evaluate(OUTBOX)
    uuids = [item["payload"]["client_uuid"] for item in queued]
    assert len(set(uuids)) == 2
    assert Visit.objects.count() == visits_before
    assert not Visit.objects.filter(client_uuid__in=uuids).exists()

    phone.unroute("**/api/**", refuse)
    phone.context.set_offline(False)
    phone.wait_for_selector("[data-outbox-panel]", state="hidden", timeout=15000)

    stored = Visit.objects.filter(client_uuid__in=uuids)
    assert sorted(str(u) for u in stored.values_list("client_uuid", flat=True)) == (
        sorted(uuids)
    )
    assert sorted(stored.values_list("info_items", flat=True)) == [1, 2]
    assert Visit.objects.count() == visits_before + 2
    assert phone.evaluate(OUTBOX) == []
    # A reply lost on the way back: the phone sends both again, and the
    # server recognises them instead of storing them twice.
    sent = phone.evaluate(
        """queued => {
          localStorage.setItem('policing.outbox.v1', JSON.stringify(queued));
          return window.outbox.flush();
        }""",
        queued,
    )
    assert sent == 2
    assert phone.evaluate(OUTBOX) == []
    assert Visit.objects.count() == visits_before + 2


def test_waiting_records_show_their_time_and_refused_ones_can_be_dropped(
    phone, live_server, world
):
    """Inspections and patrols are dated by their own time; a refusal is discarded."""
    phone.goto(f"{live_server.url}/field/visits/new/")
    # Queued from the other field pages: an inspection the server will refuse
    # (more hazards removed than found) and a patrol start still offline.
    phone.route("**/api/v1/patrols/", lambda route: route.abort())
    phone.evaluate(
        """([venue, grid]) => {
          const at = new Date();
          at.setHours(0, 5, 0, 0);
          const queuedAt = new Date().toISOString();
          localStorage.setItem('policing.outbox.v1', JSON.stringify([
            {url: '/api/v1/inspections/', label: '检查', queuedAt, payload: {
              client_uuid: window.outbox.uuid(), venue, kind: 'fire',
              hazards_found: 0, hazards_removed: 1, inspected_at: at.toISOString()}},
            {url: '/api/v1/patrols/', label: '巡逻', queuedAt, payload: {
              client_uuid: window.outbox.uuid(), grid, started_at: at.toISOString()}},
          ]));
        }""",
        [world.venues["A"].pk, world.grids["A"].pk],
    )
    phone.reload()
    refused = phone.locator("[data-outbox-list] li.error")
    refused.wait_for()
    rows = phone.locator("[data-outbox-list] li")
    assert rows.count() == 2
    for row in rows.all():
        text = row.text_content()
        assert text.startswith("00:05"), text  # not "Invalid Date"
    waiting = phone.locator("[data-outbox-list] li:not(.error)")
    assert waiting.locator("button").count() == 0

    dialogs = []

    def answer(accept):
        def handle(dialog):
            dialogs.append(dialog.message)
            if accept:
                dialog.accept()
            else:
                dialog.dismiss()

        return handle

    phone.once("dialog", answer(False))
    refused.get_by_role("button", name="删除").click()
    assert rows.count() == 2
    phone.once("dialog", answer(True))
    refused.get_by_role("button", name="删除").click()
    phone.wait_for_selector("[data-outbox-list] li.error", state="detached")
    with translation.override("zh-hans"):
        question = translation.gettext(
            "Discard this record? The server refused it, so it will never be sent."
        )
    assert dialogs == [question, question]
    assert not question.startswith("Discard")  # the officer reads Chinese
    assert [item["label"] for item in phone.evaluate(OUTBOX)] == ["巡逻"]
    assert rows.count() == 1


def test_inspection_logged_from_the_phone(phone, live_server, world):
    """The inspection form stores one inspection and returns to "my week"."""
    from visits.models import Inspection

    before = Inspection.objects.count()
    phone.goto(f"{live_server.url}/field/inspections/new/")
    phone.select_option("select[name=kind]", "fire")
    phone.fill("input[name=hazards_found]", "2")
    phone.fill("input[name=hazards_removed]", "3")
    phone.click("[data-record-form] button[type=submit]")
    # More removed than found: a field error, nothing stored.
    phone.wait_for_selector('[data-error-for="hazards_removed"]:not([hidden])')
    assert Inspection.objects.count() == before

    phone.fill("input[name=hazards_removed]", "1")
    phone.click("[data-record-form] button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/field/")
    inspection = Inspection.objects.latest("pk")
    assert Inspection.objects.count() == before + 1
    assert (inspection.venue, inspection.kind) == (world.venues["A"], "fire")
    assert (inspection.hazards_found, inspection.hazards_removed) == (2, 1)


def test_dispute_reported_from_a_visit_on_the_phone(phone, live_server, world):
    """From today's visit to a red dispute report, at 360 px, the chief told."""
    visit = world.visits["A"]
    phone.goto(f"{live_server.url}/disputes/new/?visit={visit.pk}")
    form = phone.locator("[data-report-form]")
    assert form.locator("select[name=grid]").input_value() == str(visit.grid_id)
    assert (
        form.locator("input[name=household]")
        .input_value()
        .endswith(f"#{visit.household_id}")
    )
    form.locator("input[name=colour][value=red]").check()
    form.locator("select[name=category]").select_option("family")
    form.locator("textarea[name=summary]").fill("兄弟二人因赡养老人发生争吵")
    form.locator("input[name=parties-0-name]").fill("赵大")
    form.locator("input[name=parties-0-phone]").fill("13800000011")
    form.locator("input[name=parties-1-name]").fill("赵二")
    # Nothing may stick out of a phone screen.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    form.locator("button[type=submit]").click()

    phone.wait_for_url(f"{live_server.url}/disputes/*/")
    dispute = Dispute.objects.get(summary="兄弟二人因赡养老人发生争吵")
    assert dispute.visit == visit
    assert dispute.colour == "red"
    assert [p.name for p in dispute.parties.all()] == ["赵大", "赵二"]
    assert world.persons["chief_s"].notifications.filter(kind="red_dispute").exists()
