"""The report download page in a real browser: the progress bar follows the job."""

import pytest

from assessments.models import ReportJob
from tests.browser.waiting import wait_until

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]


def test_progress_bar_follows_a_running_job_to_its_download(
    page, live_server, world, offsite_requests, page_errors
):
    job = ReportJob.objects.create(
        bureau=world.bureaus["X"],
        month="2026-10-01",
        format="pdf",
        status=ReportJob.Status.RUNNING,
        steps_done=1,
        steps_total=4,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "bureau_x")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/reports/")
    row = page.locator(
        f'.report-job[data-progress-url="/reports/jobs/{job.pk}/progress/"]'
    )
    assert row.locator("progress").get_attribute("value") == "25"
    assert row.locator(".job-file").is_hidden()

    ReportJob.objects.filter(pk=job.pk).update(steps_done=3)
    wait_until(page, "document.querySelector('.report-job progress').value === 75")
    ReportJob.objects.filter(pk=job.pk).update(
        status=ReportJob.Status.DONE, steps_done=4, content=b"%PDF-1.4"
    )
    row.locator(".job-file").wait_for(state="visible")
    assert row.get_attribute("data-status") == "done"
    assert row.locator(".job-status").inner_text() == "已完成"
    page.screenshot(path="/tmp/report-downloads.png", full_page=True)
    assert page_errors == []
    assert offsite_requests == []
