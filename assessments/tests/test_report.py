"""The monthly report: its figures, the xlsx and PDF files, the API and jobs.

Uses the shared world (conftest): bureau X with stations S and T, each grid
with one visit, patrol and dispute by its responsible officer. The clock is
frozen on 2026-11-05, so October 2026 is last month.
"""

import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments import report_jobs
from assessments.models import ReportJob
from assessments.periods import IsoWeek, Month
from assessments.report import monthly_report, weeks_of
from assessments.report_files import FIGURE_COLUMNS, report_pdf, report_xlsx
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 5, 12)
OCTOBER = Month(2026, 10)
URL = "/api/v1/reports/monthly/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return NOW


def test_the_weeks_of_a_month_are_those_whose_thursday_is_in_it():
    # October 2026: Thursday 1st is in W40, Thursday 29th in W44.
    assert weeks_of(OCTOBER) == [IsoWeek(2026, week) for week in range(40, 45)]
    # November 2026 starts on a Sunday: W44's Thursday is Oct 29, so W45 first.
    assert weeks_of(Month(2026, 11))[0] == IsoWeek(2026, 45)


def test_report_has_a_section_per_station_and_a_summary(world):
    bureau = world.bureaus["X"]
    calls = []
    report = monthly_report(
        bureau, OCTOBER, progress=lambda done, total: calls.append((done, total))
    )
    assert [s.code for s in report.stations] == sorted(s.code for s in report.stations)
    assert {s.station for s in report.stations} == {
        world.stations["S"].pk,
        world.stations["T"].pk,
    }
    assert report.summary.station is None
    assert report.summary.disputes.counts.total == sum(
        s.disputes.counts.total for s in report.stations
    )
    assert report.assessment_status == "live"
    assert calls[-1][0] == calls[-1][1]  # progress reaches the end
    assert [done for done, _total in calls] == sorted(done for done, _ in calls)


def test_report_queries_do_not_grow_with_the_records(world):
    bureau = world.bureaus["X"]
    with CaptureQueriesContext(connection) as first:
        monthly_report(bureau, OCTOBER)
    from visits.tests.factories import VisitFactory

    for household in world.households.values():
        VisitFactory.create_batch(
            3, household=household, visited_at=local(2026, 10, 14, 9)
        )
    with CaptureQueriesContext(connection) as second:
        monthly_report(bureau, OCTOBER)
    assert len(second) == len(first)


def test_xlsx_has_a_summary_and_a_sheet_per_station(world):
    report = monthly_report(world.bureaus["X"], OCTOBER)
    workbook = load_workbook(io.BytesIO(report_xlsx(report)))
    names = workbook.sheetnames
    assert names[0] == "汇总"
    assert len(names) == 1 + len(report.stations)
    summary = workbook["汇总"]
    assert summary["A4"].value == "派出所"
    assert summary["B4"].value == FIGURE_COLUMNS[0].header
    assert summary.freeze_panes == "B5"
    total_row = 5 + len(report.stations)
    assert summary.cell(total_row, 1).value == "合计"
    disputes = [c.header for c in FIGURE_COLUMNS].index("纠纷受理") + 2
    assert summary.cell(total_row, disputes).value == (
        report.summary.disputes.counts.total
    )
    assert summary.cell(5, 2).number_format == "0.0%"
    assert summary.column_dimensions["A"].width == 16
    station = workbook[names[1]]
    assert station["A7"].value == "站内排名"
    assert station.freeze_panes == "D8"


def test_pdf_is_chinese_with_the_stations_and_a_chart(world):
    report = monthly_report(world.bureaus["X"], OCTOBER)
    pdf = PdfReader(io.BytesIO(report_pdf(report)))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "网格警务工作月报" in text
    assert "考核平均分与周任务完成率" in text  # the chart's heading
    for header in ("派出所", "一格一警覆盖率", "站内排名", "见警率", "满意率"):
        assert header in text
    for section in report.stations:
        assert section.name in text
        for row in section.assessment:
            assert row.person_name in text
    assert any(section.assessment for section in report.stations)
    assert len(pdf.pages) == 1 + len(report.stations)


def test_api_gives_json_xlsx_and_pdf_to_bureau_staff(world, client_for):
    client = client_for(world.users["bureau_x"])
    body = client.get(URL, {"month": "2026-10"}).json()
    assert body["month"] == "2026-10"
    assert body["weeks"] == [f"2026-W{week}" for week in range(40, 45)]
    assert {"summary", "stations", "assessment_status"} <= body.keys()
    assert body["summary"]["coverage"]["grid_officer_coverage"]["denominator"] > 0
    xlsx = client.get(URL, {"month": "2026-10", "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in xlsx["Content-Disposition"]
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames[0] == "汇总"
    pdf = client.get(URL, {"month": "2026-10", "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"month": "2026-13"}, "month"),
        ({"month": "2026-12", "format": "xlsx"}, "month"),  # not begun
        ({"format": "csv"}, "format"),
        ({"bureau": "x"}, "bureau"),
    ],
)
def test_api_refuses_bad_parameters_in_json(world, client_for, params, field):
    response = client_for(world.users["bureau_x"]).get(URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert field in response.json()


@pytest.mark.parametrize("user", ["officer_a", "chief_s", "bureau_y"])
def test_api_hides_the_bureau_from_others(world, client_for, user):
    response = client_for(world.users[user]).get(
        URL, {"bureau": world.bureaus["X"].pk, "format": "pdf"}
    )
    assert response.status_code == 404


def test_report_job_builds_the_file_with_progress(world):
    job = report_jobs.request_report(
        world.bureaus["X"], OCTOBER, "xlsx", user=world.users["bureau_x"]
    )
    report_jobs.run_report_job(job)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.DONE
    assert job.percent == 100
    assert job.steps_done == job.steps_total > 0
    assert load_workbook(io.BytesIO(bytes(job.content))).sheetnames[0] == "汇总"
