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
