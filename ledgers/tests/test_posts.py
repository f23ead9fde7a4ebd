"""The posts ledger: a post and the areas it serves."""

import pytest

from ledgers import sheets
from ledgers.tests.workbooks import sheet

pytestmark = pytest.mark.django_db


def test_a_post_serves_the_areas_it_names(world):
    station = world.stations["S"]
    headers = list(sheets.HEADERS["posts"])
    content = sheet(
        [[station.code, "新警务室", "农村中心警务室", "", "", "", "A社区、B社区"]],
        headers=headers,
    )
    outcome = sheets.apply(content, "x.xlsx", "posts", user=world.users["chief_s"])
    assert outcome.totals["new"] == 1
    post = station.posts.get(name="新警务室")
    assert set(post.serves.values_list("name", flat=True)) == {"A社区", "B社区"}
    wrong = sheet(
        [[station.code, "新警务室", "农村中心警务室", "", "", "", "C社区"]],
        headers=headers,
    )
    outcome = sheets.check(wrong, "x.xlsx", "posts", user=world.users["chief_s"])
    assert outcome.rows[0].errors[0]["column"] == "服务社区"
