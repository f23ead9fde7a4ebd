"""The chief's dispute board in a real browser: regrade to red, get notified."""

import pytest

from disputes.models import Dispute

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]


@pytest.fixture
def chief(page, live_server, world, offsite_requests, page_errors):
    """A desktop page logged in as the chief of station S."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "chief_s")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/stations/{world.stations['S'].pk}/")
    yield page
    assert page_errors == []
    assert offsite_requests == []


def test_chief_regrades_a_dispute_to_red_and_is_notified(chief, live_server, world):
    """From the board to the dispute, up to red; the bell and the list show it."""
    dispute = world.disputes["A"]
    chief.goto(f"{live_server.url}/disputes/")
    card = chief.locator(f'.dispute-card[data-dispute="{dispute.pk}"]')
    assert "colour-green" in card.get_attribute("class")
    assert chief.locator(".bell").get_attribute("data-unread") == "0"

    card.click()
    chief.wait_for_url(f"{live_server.url}/disputes/{dispute.pk}/")
    regrade = chief.locator('details[data-action="regrade"]')
    regrade.locator("summary").click()
    regrade.locator('select[name="regrade-colour"]').select_option("red")
    regrade.locator('textarea[name="regrade-reason"]').fill("双方扬言动手")
    regrade.locator("button[type=submit]").click()

    chief.wait_for_url(f"{live_server.url}/disputes/{dispute.pk}/")
    assert chief.locator("[data-colour]").get_attribute("data-colour") == "red"
    assert chief.locator('[data-event="regraded"]').count() == 1
    assert chief.locator(".bell").get_attribute("data-unread") == "1"

    chief.click(".bell")
    chief.wait_for_url(f"{live_server.url}/notifications/")
    notification = chief.locator(f'[data-notification="dispute:{dispute.pk}:red"]')
    assert notification.count() == 1
    assert "unread" in notification.get_attribute("class")
    notification.locator("button").click()
    chief.wait_for_url(f"{live_server.url}/disputes/{dispute.pk}/")
    assert chief.locator(".bell").get_attribute("data-unread") == "0"
    dispute.refresh_from_db()
    assert dispute.colour == Dispute.Colour.RED


def test_on_a_phone_the_board_is_one_status_with_ones_own_first(
    phone, live_server, world
):
    """At 390 px: one status at a time, picked by tabs, the officer's own
    disputes above the others (issue 19, item 8)."""
    from disputes.tests.factories import DisputeFactory

    colleague = world.persons["auxiliary_a"]
    newer_of_a_colleague = DisputeFactory(
        grid=world.grids["A"], reported_by=colleague, summary="同事上报的纠纷"
    )
    own = world.disputes["A"]
    assert own.reported_by == world.persons["officer_a"]
    assert newer_of_a_colleague.reported_at > own.reported_at
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/disputes/")

    visible_columns = phone.locator(".board-column:visible")
    assert visible_columns.count() == 1
    assert visible_columns.get_attribute("aria-label") == "待受理"
    cards = visible_columns.locator(".dispute-card")
    order = cards.evaluate_all(
        "cards => cards.map(c => [c.dataset.dispute, c.getBoundingClientRect().top])"
    )
    top_down = [int(pk) for pk, _top in sorted(order, key=lambda row: row[1])]
    assert top_down[:2] == [own.pk, newer_of_a_colleague.pk]

    phone.click('.status-tabs [data-column="5"]')
    phone.wait_for_url("**/disputes/?column=5")
    assert (
        phone.locator(".board-column:visible").get_attribute("aria-label") == "已办结"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
