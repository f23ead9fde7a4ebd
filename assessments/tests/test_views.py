"""The monthly report download page: who sees it, requests, progress, files."""

import io

import pytest
import time_machine
from openpyxl import load_workbook

from assessments.models import ReportJob
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

URL = "/reports/"
NOW = local(2026, 11, 5, 12)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return NOW


@pytest.fixture
def bureau_page(client, world):
    client.force_login(world.users["bureau_x"])
    return client


def test_bureau_staff_request_a_report_and_download_it(
    bureau_page, world, django_capture_on_commit_callbacks
):
    page = bureau_page.get(URL)
    assert page.status_code == 200
    assert page.context["form"].fields["month"].initial == "2026-10"
    with django_capture_on_commit_callbacks(execute=True):
        response = bureau_page.post(URL, {"month": "2026-10", "format": "xlsx"})
    assert response.status_code == 302
    # No broker in tests: the job ran when the request committed.
    job = ReportJob.objects.get()
    assert (job.bureau, job.month.isoformat(), job.status) == (
        world.bureaus["X"],
        "2026-10-01",
        ReportJob.Status.DONE,
    )
    progress = bureau_page.get(f"/reports/jobs/{job.pk}/progress/").json()
    assert progress["percent"] == 100
    assert progress["url"] == f"/reports/jobs/{job.pk}/file/"
    download = bureau_page.get(progress["url"])
    assert download.status_code == 200
    assert 'filename="monthly-report-' in download["Content-Disposition"]
    assert load_workbook(io.BytesIO(download.content)).sheetnames[0] == "汇总"
    page = bureau_page.get(URL)
    assert list(page.context["jobs"]) == [job]
    assert b'data-status="done"' in page.content


@pytest.mark.parametrize(
    "data", [{"month": "1999-01", "format": "xlsx"}, {"month": "2026-10"}]
)
def test_a_bad_request_stores_nothing(bureau_page, data):
    response = bureau_page.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not ReportJob.objects.exists()


def test_running_jobs_report_their_progress(bureau_page, world):
    job = ReportJob.objects.create(
        bureau=world.bureaus["X"],
        month="2026-10-01",
        format="pdf",
        status=ReportJob.Status.RUNNING,
        steps_done=1,
        steps_total=4,
    )
    body = bureau_page.get(f"/reports/jobs/{job.pk}/progress/").json()
    assert (body["status"], body["percent"], body["url"]) == ("running", 25, None)
    assert bureau_page.get(f"/reports/jobs/{job.pk}/file/").status_code == 404


@pytest.mark.parametrize("user", ["officer_a", "chief_s"])
def test_others_get_404(client, world, user):
    job = ReportJob.objects.create(
        bureau=world.bureaus["X"], month="2026-10-01", format="pdf"
    )
    client.force_login(world.users[user])
    assert client.get(URL).status_code == 404
    assert client.get(f"/reports/jobs/{job.pk}/progress/").status_code == 404


def test_another_bureaus_job_is_404(client, world):
    job = ReportJob.objects.create(
        bureau=world.bureaus["X"],
        month="2026-10-01",
        format="pdf",
        status=ReportJob.Status.DONE,
        content=b"%PDF",
    )
    client.force_login(world.users["bureau_y"])
    assert client.get(f"/reports/jobs/{job.pk}/file/").status_code == 404
    assert client.get(f"/reports/jobs/{job.pk}/progress/").status_code == 404


def test_the_nav_shows_reports_to_bureau_staff_only(client, world):
    client.force_login(world.users["bureau_x"])
    assert b'href="/reports/"' in client.get("/disputes/").content
    client.force_login(world.users["chief_s"])
    assert b'href="/reports/"' not in client.get("/disputes/").content
