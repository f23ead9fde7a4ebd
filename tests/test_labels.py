"""Labels a walkthrough found wrong in Chinese (issue 19, item 13).

Each test reads the label as a zh-hans page renders it.
"""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from cases.tests.test_tracking import open_theft, page, query

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def labels(html: str) -> list[str]:
    """The text of every <label>, tags inside it and the colon left out."""
    return [
        re.sub(r"<[^>]+>|\s+", "", label).removesuffix("：")
        for label in re.findall(r"<label[^>]*>(.*?)</label>", html, flags=re.DOTALL)
    ]


def test_the_household_field_is_labelled_zhuhu(world):
    officer = logged_in(world.users["officer_a"])
    visit_form = officer.get("/field/visits/new/").content.decode()
    assert "住户" in labels(visit_form)
    report_form = officer.get("/disputes/new/").content.decode()
    assert any(label.startswith("住户") for label in labels(report_form))


def test_a_persons_name_is_xingming_in_the_admin(world):
    admin = logged_in(world.users["superuser"])
    person = world.persons["officer_a"]
    html = admin.get(f"/admin/stations/person/{person.pk}/change/").content.decode()
    assert "姓名" in labels(html)
    assert "名称" not in labels(html)


def test_the_resident_admin_names_the_national_id_once(world):
    admin = logged_in(world.users["superuser"])
    resident = world.residents["A"]
    html = admin.get(f"/admin/grids/resident/{resident.pk}/change/").content.decode()
    found = labels(html)
    assert found.count("身份证号码") == 1
    assert "更正身份证号码" in found


def test_the_admin_index_names_every_section_in_chinese(world):
    html = logged_in(world.users["superuser"]).get("/admin/").content.decode()
    for english in ("Axes", "AXES", "Knox", "KNOX", "Auth tokens", "Access attempts"):
        assert english not in html
    for chinese in ("登录锁定", "登录尝试", "API 令牌"):
        assert chinese in html


def test_labels_before_a_value_end_in_a_full_width_colon(world):
    admin = logged_in(world.users["superuser"])
    html = admin.get("/admin/grids/household/add/").content.decode()
    assert re.search(r"<label[^>]*>[^<]*[^\x00-\x7f]：</label>", html)
    assert not re.search(r"<label[^>]*>[^<]*[^\x00-\x7f]:</label>", html)
    tracked = open_theft(world)
    html = page(query(tracked.code))
    assert "状态：" in html
    assert "Status:" not in html


def test_the_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    static_path = response.url.removeprefix("/static/")
    assert finders.find(static_path)


#
# Words (issue 19, items 2 and 3)
#


def test_the_dispute_board_names_the_status_and_the_date_apart(world):
    chief = logged_in(world.users["chief_s"])
    board = chief.get("/disputes/").content.decode()
    columns = re.findall(
        r'<section class="board-column[^"]*" aria-label="([^"]+)"', board
    )
    assert columns[0] == "待受理"
    assert "报案" not in board
    dispute = world.disputes["A"]
    detail = chief.get(f"/disputes/{dispute.pk}/").content.decode()
    assert "<dt>上报时间</dt>" in detail


def test_the_board_rates_use_the_seeds_words_and_targets(world):
    board = logged_in(world.users["chief_s"]).get("/disputes/").content.decode()
    kpis = {
        name: (label, detail)
        for name, label, detail in re.findall(
            r'data-kpi="(\w+)">\s*<span class="kpi-label">([^<]+)</span>'
            r'.*?kpi-detail">([^<]*)</span>',
            board,
            flags=re.DOTALL,
        )
    }
    assert kpis["success_rate"][0] == "化解率"
    assert kpis["satisfaction"][0] == "群众满意率"
    assert "目标 90%" in kpis["success_rate"][1]
    assert "目标 90%" in kpis["satisfaction"][1]
    # The seeds set no target for handling on time.
    assert "目标" not in kpis["sla"][1]


def test_an_administrative_case_is_investigated_and_dealt_with(world):
    from cases.tests.factories import CaseFactory

    officer = world.persons["officer_a"]
    case = CaseFactory(
        grid=world.grids["A"],
        officer=officer,
        kind="administrative",
        category="gambling",
        status="investigating",
    )
    page = logged_in(world.users["officer_a"]).get(f"/cases/{case.pk}/")
    html = page.content.decode()
    assert "行政（治安）案件" in html
    assert (
        '<span class="tag status-investigating" data-status="investigating">调查中'
        in html
    )
    assert "侦查" not in html
    assert "<summary>已查处</summary>" in html
    criminal = world.cases["A"]
    criminal.status = "investigating"
    criminal.save()
    html = logged_in(world.users["officer_a"]).get(f"/cases/{criminal.pk}/")
    assert "侦查中" in html.content.decode()


def test_key_persons_due_have_one_name_on_every_page(world):
    field = logged_in(world.users["officer_a"]).get("/field/").content.decode()
    station = logged_in(world.users["chief_s"]).get("/", follow=True).content.decode()
    for html in (field, station):
        assert "待联系的重点人员" in html
        assert "待见面" not in html


def test_the_ranking_calls_its_indicators_scores(world):
    html = logged_in(world.users["bureau_x"]).get("/county/").content.decode()
    headers = re.findall(r'data-sort-key="(\w+)">([^<]+)</a>', html)
    named = dict(headers)
    assert named["visibility"] == "见警率得分"
    assert named["incident_rate"] == "发案率得分"
    assert named["satisfaction"] == "群众满意率得分"
    assert "data-score-note" in html
