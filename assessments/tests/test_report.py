"""The monthly report: its figures, the xlsx and PDF files, the API and jobs.

Uses the shared world (conftest): bureau X with stations S and T, each grid
with one visit, patrol and dispute by its responsible officer. The clock is
frozen on 2026-11-05, so October 2026 is last month.
"""

import dataclasses
import io
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from pypdf import PdfReader

from assessments.models import ReportJob
from assessments.reports import jobs as report_jobs
from assessments.reports.files import (
    FIGURE_COLUMNS,
    MIN_ROWS_ON_A_PAGE,
    report_pdf,
    report_xlsx,
)
from assessments.reports.monthly import monthly_report, weeks_of
from policing.periods import IsoWeek, Month
from stations.models import Bureau, Person, Station
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


@pytest.mark.parametrize("people", [30, 52])
def test_every_pdf_page_names_its_station_and_its_number(world, people):
    """A station's part running over pages keeps its name on each, every page
    says "第 n 页 / 共 m 页", and no page is left with a handful of rows
    (issue 19, item 12)."""
    report = monthly_report(world.bureaus["X"], OCTOBER)
    section = next(section for section in report.stations if section.assessment)
    many = [
        dataclasses.replace(section.assessment[0], person_name=f"民警{n:03d}")
        for n in range(people)
    ]
    long_section = dataclasses.replace(section, assessment=many)
    report = dataclasses.replace(report, stations=[long_section])
    pages = [
        page.extract_text() for page in PdfReader(io.BytesIO(report_pdf(report))).pages
    ]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"第 {number} 页 / 共 {len(pages)} 页" in text
    for text in pages[1:]:
        assert long_section.name in text
    rows_per_page = [len(re.findall(r"民警\d{3}", text)) for text in pages[1:]]
    assert sum(rows_per_page) == people
    assert min(rows_per_page) >= MIN_ROWS_ON_A_PAGE


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


@pytest.mark.parametrize("format", ["xlsx", "pdf"])
def test_an_explicit_format_wins_over_the_accept_header(world, client_for, format):
    response = client_for(world.users["bureau_x"]).get(
        URL, {"month": "2026-10", "format": format}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] != "application/json"
    assert response.content.startswith({"xlsx": b"PK", "pdf": b"%PDF"}[format])


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


#
# Injection through names (issue 27, items 2 and 3)
#


def name_station_and_person(world, station_name: str, person_name: str) -> None:
    Station.objects.filter(pk=world.stations["S"].pk).update(name=station_name)
    Person.objects.filter(pk=world.persons["officer_a"].pk).update(name=person_name)


def test_report_xlsx_stores_names_as_text_not_formulas(world, client_for):
    """Both the API's file and the /reports/ job's: a station named
    =HYPERLINK(...) and a person named =1+1 are text cells."""
    name_station_and_person(world, '=HYPERLINK("http://x.invalid","click")', "=1+1")
    api = client_for(world.users["bureau_x"]).get(
        URL, {"month": "2026-10", "format": "xlsx"}
    )
    job = report_jobs.request_report(
        world.bureaus["X"], OCTOBER, "xlsx", user=world.users["bureau_x"]
    )
    report_jobs.run_report_job(job)
    job.refresh_from_db()

    for content in (api.content, bytes(job.content)):
        workbook = load_workbook(io.BytesIO(content))
        cells = [
            cell
            for sheet in workbook.worksheets
            for row in sheet.iter_rows()
            for cell in row
        ]
        names = {c.value: c.data_type for c in cells if c.value in ("=1+1",)}
        assert names == {"=1+1": "s"}
        links = [c for c in cells if str(c.value).startswith("=HYPERLINK")]
        assert links and all(c.data_type == "s" for c in links)
        assert not [c for c in cells if c.data_type == "f"]


PDF_NAMES = [
    '城<img src="static/favicon.svg"/>',
    '城<a href="https://x.invalid/">点击</a>',
    "城<blink>所</blink>",
    "城<unknown",
    "城&所\x01",
]


def links_and_images(pdf: PdfReader) -> tuple[list, list]:
    links, images = [], []
    for page in pdf.pages:
        for annotation in page.get("/Annots") or []:
            links.append(annotation.get_object())
        images += list(page.images)
    return links, images


@pytest.mark.parametrize("name", PDF_NAMES)
def test_report_pdf_shows_markup_in_names_as_text(world, client_for, name):
    name_station_and_person(world, name, name)
    Bureau.objects.filter(pk=world.bureaus["X"].pk).update(name=name)
    response = client_for(world.users["bureau_x"]).get(
        URL, {"month": "2026-10", "format": "pdf"}
    )
    assert response.status_code == 200
    pdf = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in pdf.pages)
    visible = name.replace("\x01", "")
    assert visible.replace(" ", "") in text.replace(" ", "").replace("\n", "")
    assert links_and_images(pdf) == ([], [])
