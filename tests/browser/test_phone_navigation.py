"""An officer on a phone reaches every page of the role by tapping (issue 19)."""

import pytest

from tests.browser.phone import PHONE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]

#: a phone a little wider than the test phone, as the walkthrough had
WALKTHROUGH_PHONE = {"width": 390, "height": 844}


def tap(page, selector: str):
    page.locator(selector).first.click()
    page.wait_for_load_state()


def test_every_field_page_is_a_tap_away_from_my_week(phone, live_server, world):
    phone.set_viewport_size(WALKTHROUGH_PHONE)
    base = live_server.url
    grid = world.grids["A"]
    tabbar = phone.locator("nav.tabbar")
    assert tabbar.is_visible()
    # The top bar's links make way for the tab bar on a phone.
    assert not phone.locator(".topbar .nav-link").first.is_visible()

    tap(phone, '.tabbar [data-tab="grid"]')
    assert phone.url == f"{base}/grids/{grid.pk}/"
    tap(phone, '.tabbar [data-tab="households"]')
    assert phone.url == f"{base}/grids/{grid.pk}/#households"
    assert phone.locator("#households").is_visible()

    tap(phone, '.tabbar [data-tab="disputes"]')
    assert phone.url == f"{base}/disputes/"
    tap(phone, f'[data-dispute="{world.disputes["A"].pk}"]')
    assert phone.url == f"{base}/disputes/{world.disputes['A'].pk}/"

    tap(phone, '.tabbar [data-tab="cases"]')
    assert phone.url == f"{base}/cases/"
    assert phone.locator('.tabbar [data-tab="cases"]').get_attribute("aria-current")
    tap(phone, f'[data-case="{world.cases["A"].pk}"] a')
    assert phone.url == f"{base}/cases/{world.cases['A'].pk}/"

    tap(phone, ".topbar .bell")
    assert phone.url == f"{base}/notifications/"

    tap(phone, '.tabbar [data-tab="my_week"]')
    assert phone.url == f"{base}/field/"
    # My week lists the officer's grids, each a link to its page.
    tap(phone, f'[data-my-grid="{grid.pk}"]')
    assert phone.url == f"{base}/grids/{grid.pk}/"
    assert (
        phone.evaluate("document.documentElement.scrollWidth")
        <= (WALKTHROUGH_PHONE["width"])
    )


def test_the_tab_bar_is_for_phones_only(phone, live_server):
    phone.set_viewport_size({"width": 1280, "height": 800})
    phone.goto(f"{live_server.url}/field/")
    assert not phone.locator("nav.tabbar").is_visible()
    assert phone.locator(".topbar .nav-link").first.is_visible()
    assert PHONE["width"] <= 480
