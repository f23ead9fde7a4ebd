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
