"""What the phone says about records kept on it (issue 19, item 4).

A record saved without signal is shown as on its way, not as an error, and
confirmed once sent. A patrol started without signal shows as running, and
its stop keeps the moment of the tap however late it reaches the server.
"""

import datetime

import pytest
from django.utils import timezone

from tests.browser.phone import OUTBOX, choose_household
from tests.browser.waiting import wait_until
from visits.models import Patrol, Visit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]


def go_offline(page):
    def refuse(route):
        route.abort("internetdisconnected")

    # On the page, not the context: page routes are matched first.
    page.route("**/api/**", refuse)
    page.context.set_offline(True)
    return refuse


def go_online(page, refuse):
    page.unroute("**/api/**", refuse)
    page.context.set_offline(False)


def test_a_queued_visit_is_pending_then_confirmed_as_sent(phone, live_server, world):
    address = world.households["A"].address
    phone.goto(f"{live_server.url}/field/visits/new/")
    wait_until(phone, "localStorage.getItem('policing.households.v1') !== null")
    refuse = go_offline(phone)
    choose_household(phone, address[:2], address)
    phone.click("[data-visit-form] button[type=submit]")

    notice = phone.locator("[data-notice]")
    notice.wait_for()
    assert notice.get_attribute("data-notice") == "pending"
    assert "已保存在本机" in notice.text_content()
    # Not shown as an error.
    assert phone.locator(".field-error:visible").count() == 0

    go_online(phone, refuse)
    phone.wait_for_selector('[data-notice="sent"]', timeout=15000)
    assert "已发送" in notice.text_content()
    assert phone.evaluate(OUTBOX) == []
    assert Visit.objects.filter(household=world.households["A"]).count() == 2


def test_a_patrol_started_and_stopped_offline_keeps_its_times(
    phone, live_server, world
):
    person = world.persons["officer_a"]
    Patrol.objects.filter(person=person).update(ended_at=timezone.now())
    phone.goto(f"{live_server.url}/field/")
    refuse = go_offline(phone)

    phone.click("[data-patrol-start] button[type=submit]")
    waiting = phone.locator("[data-patrol-waiting]")
    waiting.wait_for()
    # Shown as started: no start button to tap a second time.
    assert phone.locator("[data-patrol-start]").count() == 0
    assert "巡逻中" in waiting.text_content()

    phone.wait_for_timeout(1500)
    phone.click("[data-patrol-stop-waiting]")
    assert "结束" in phone.locator("[data-patrol-waiting]").text_content()
    queued = phone.evaluate(OUTBOX)
    assert len(queued) == 1 and queued[0]["payload"]["ended_at"]
    tapped_stop = datetime.datetime.fromisoformat(queued[0]["payload"]["ended_at"])

    # The connection comes back a while later: the times are those of the taps.
    phone.wait_for_timeout(2000)
    go_online(phone, refuse)
    wait_until(phone, f"{OUTBOX}.length === 0", timeout=15)
    patrol = Patrol.objects.filter(person=person, ended_at__isnull=False).latest("pk")
    assert patrol.ended_at == tapped_stop
    assert (timezone.now() - patrol.ended_at).total_seconds() >= 2


def test_a_running_patrol_stopped_offline_is_stopped_at_the_tap(
    phone, live_server, world
):
    person = world.persons["officer_a"]
    Patrol.objects.filter(person=person).update(ended_at=timezone.now())
    running = Patrol.objects.create(
        person=person,
        grid=world.grids["A"],
        started_at=timezone.now() - datetime.timedelta(hours=1),
    )
    phone.goto(f"{live_server.url}/field/")
    refuse = go_offline(phone)
    phone.click(f'[data-patrol-stop="{running.pk}"]')
    phone.locator("[data-patrol-waiting]").wait_for()
    tapped = datetime.datetime.fromisoformat(
        phone.evaluate(OUTBOX)[0]["payload"]["ended_at"]
    )
    phone.wait_for_timeout(2000)
    go_online(phone, refuse)
    wait_until(phone, f"{OUTBOX}.length === 0", timeout=15)
    running.refresh_from_db()
    assert running.ended_at == tapped
