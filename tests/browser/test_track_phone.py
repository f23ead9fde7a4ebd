"""A party follows their case on a phone and rates the officer (G-PII7)."""

import pytest

from cases import tracking, workflow
from cases.models import Rating
from tests.browser.phone import PHONE

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]

INTERNAL_NOTE = "内部线索：嫌疑人常在夜市出没"
PUBLIC_NOTE = "已调取周边监控，正在比对。"


@pytest.fixture
def solved_case(world):
    """A solved theft in grid A; return the case and its query code."""
    officer = world.persons["officer_a"]
    case = workflow.open_case(
        grid=world.grids["A"],
        kind="criminal",
        category="theft",
        summary="内部摘要：疑为熟人作案",
        parties=[
            {"role": "victim", "name": "王建国", "phone": "13800001234"},
            {"role": "suspect", "name": "嫌疑人甲", "phone": "13900005678"},
        ],
        by=officer,
    )
    case = workflow.accept(case, by=officer)
    case = workflow.start_investigation(case, by=officer)
    workflow.add_progress(case, by=officer, text=INTERNAL_NOTE, public=False)
    workflow.add_progress(case, by=officer, text=PUBLIC_NOTE, public=True)
    case = workflow.solve(case, by=officer, text="被盗电动车已追回。")
    return case, workflow.issue_query_code(case, by=officer)


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_party_follows_the_case_and_rates_the_officer(
    page, live_server, solved_case, offsite_requests, page_errors
):
    """Code typed in small letters with dashes, timeline, five stars, thanks."""
    case, code = solved_case
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/track/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert fits_the_phone(page)

    page.fill("#track-code", tracking.display(code).lower())
    page.fill("#track-tail", "1234")
    page.click("[data-track-form] button[type=submit]")
    page.wait_for_selector("[data-timeline]")
    assert page.url == f"{live_server.url}/track/"  # nothing in the URL
    timeline = page.text_content("[data-timeline]")
    assert PUBLIC_NOTE in timeline
    assert INTERNAL_NOTE not in page.content()
    assert "嫌疑人甲" not in page.content()
    assert case.number in page.text_content("h1")
    assert fits_the_phone(page)

    page.click("label[for=score-5]")
    assert page.is_checked("#score-5")
    page.fill("#rating-comment", "民警很负责，谢谢。")
    page.click("[data-rating-form] button[type=submit]")
    page.wait_for_selector("[data-rating][role=status]")
    assert page.url == f"{live_server.url}/track/"
    assert page.get_attribute("[data-rating] [data-score]", "data-score") == "5"
    assert "民警很负责，谢谢。" in page.text_content("[data-rating]")
    assert fits_the_phone(page)

    rating = Rating.objects.get()
    assert (rating.score, rating.comment) == (5, "民警很负责，谢谢。")
    assert rating.officer == case.officer
    assert page_errors == []
    assert offsite_requests == []


def test_the_language_switcher_works_on_the_track_page(
    page, live_server, world, offsite_requests, page_errors
):
    """The page's referrer policy still lets its forms pass the CSRF check.

    Under "no-referrer" a browser sends ``Origin: null`` with every form the
    page posts, and Django refuses it with a 403.
    """
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/track/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.url == f"{live_server.url}/track/"
    assert page.get_attribute("html", "lang") == "en"
    assert page.is_visible("[data-track-form]")
    assert page_errors == []
    assert offsite_requests == []
