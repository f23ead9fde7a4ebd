"""The 500s and bad inputs of the second hardening probe (issue 27, items 8, 9).

Each test sends the input exactly as the probe did and asserts a clear 400
or field error, with nothing stored.
"""

import codecs
import io
import json

import openpyxl
import pytest
from django.db import connection
from django.forms import modelform_factory
from django.utils import translation
from rest_framework.test import APIClient

from grids.models import Household
from ledgers import files, jobs, sheets
from ledgers.base import LedgerFileError
from ledgers.models import LedgerImport
from policing.parsers import MAX_DEPTH
from policing.validators import CONTROL_CHARACTERS_REFUSED
from visits.models import MAX_INFO_ITEMS

pytestmark = pytest.mark.django_db

CONTROL_ADDRESS = "a\x01\x02\x7f\x1b[31mred"


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


#
# JSON nested 1,000 levels and more, without logging in
#


@pytest.mark.parametrize(
    "path", ["/api/v1/track/", "/api/v1/track/rating/", "/api/v1/auth/token/"]
)
@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deeply_nested_json_is_a_400_without_logging_in(world, path, depth):
    body = '{"code": ' + nested(depth) + "}"
    response = APIClient().post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert str(MAX_DEPTH) in response.json()["detail"]


def test_json_at_the_depth_limit_is_parsed(world, client_for):
    body = {"code": json.loads(nested(MAX_DEPTH - 1)), "phone_tail": "1234"}
    response = APIClient().post("/api/v1/track/", body, format="json")
    assert response.status_code != 400 or "detail" not in response.json()


#
# Time zone offsets PostgreSQL cannot hold
#


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/v1/visits/", "visited_after"),
        ("/api/v1/visits/", "visited_before"),
        ("/api/v1/patrols/", "started_after"),
        ("/api/v1/patrols/", "started_before"),
    ],
)
@pytest.mark.parametrize("offset", ["+16:00", "-16:00", "+23:59", "+14:30"])
def test_a_time_zone_offset_out_of_range_is_a_field_error(
    world, client_for, path, name, offset
):
    response = client_for(world.users["chief_s"]).get(
        path, {name: f"2026-11-01T00:00:00{offset}"}
    )
    assert response.status_code == 400
    assert name in response.json()


def test_a_real_time_zone_offset_filters(world, client_for):
    response = client_for(world.users["chief_s"]).get(
        "/api/v1/visits/", {"visited_after": "2000-01-01T00:00:00+14:00"}
    )
    assert response.status_code == 200
    assert response.json()["count"] == 2


#
# Control characters
#


def test_control_characters_are_refused_on_input(world, client_for):
    household = world.households["A"]
    response = client_for(world.users["chief_s"]).patch(
        f"/api/v1/households/{household.pk}/", {"address": CONTROL_ADDRESS}
    )
    assert response.status_code == 400
    assert response.json()["address"] == [str(CONTROL_CHARACTERS_REFUSED)]
    household.refresh_from_db()
    assert household.address == "A路1号"


def test_a_form_refuses_control_characters_too(world):
    """A ModelForm, as the admin builds one, refuses it on the field."""
    form = modelform_factory(Household, fields=["address", "grid", "member_count"])(
        data={
            "address": CONTROL_ADDRESS,
            "grid": world.grids["A"].pk,
            "member_count": 1,
        },
        instance=world.households["A"],
    )
    assert not form.is_valid()
    assert "address" in form.errors


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_control_characters_stored_before_are_stripped_on_export(
    world, client, file_format
):
    Household.objects.filter(pk=world.households["A"].pk).update(
        address=CONTROL_ADDRESS
    )
    client.force_login(world.users["chief_s"])
    response = client.get(f"/ledgers/export/households.{file_format}")
    assert response.status_code == 200
    if file_format == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        values = [cell.value for row in sheet.iter_rows() for cell in row]
    else:
        values = response.content.decode("utf-8-sig")
    assert "a[31mred" in values
    assert "\x1b" not in str(values) and "\x01" not in str(values)


#
# A NUL in a ledger cell; jobs that cannot finish
#


def test_a_nul_in_a_ledger_cell_is_a_row_error(world):
    chief = world.users["chief_s"]
    content = "标准地址,网格编码\n新路\x001号,{code}\n新路2号,{code}\n".format(
        code=world.grids["A"].code
    ).encode()
    job = jobs.upload(
        user=chief,
        entity="households",
        file_name="x.csv",
        content=content,
        language="zh-hans",
    )
    job = jobs.run_check(job)

    assert job.status == LedgerImport.Status.REFUSED
    rows = {row.number: row for row in job.rows.all()}
    assert rows[2].action == "invalid"
    with translation.override("zh-hans"):  # the job's language
        message = str(CONTROL_CHARACTERS_REFUSED)
    assert rows[2].errors == [{"column": "标准地址", "message": message}]
    assert "\x00" not in rows[2].key
    assert rows[3].action == "new"


def test_a_check_that_cannot_finish_marks_the_job_failed(world, monkeypatch):
    job = jobs.upload(
        user=world.users["chief_s"],
        entity="households",
        file_name="x.csv",
        content=b"x",
        language="zh-hans",
    )

    def broken(*args, **kwargs):
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(sheets, "check", broken)
    job = jobs.run_check(job)  # returns: the task is not sent again

    assert job.status == LedgerImport.Status.FAILED
    assert "NUL" in job.error


#
# Integers above 2^63 in id filters
#


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/persons/?grid=143939294077888348160",
        "/api/v1/persons/?station=143939294077888348160",
        "/api/v1/households/?grid=143939294077888348160",
        "/api/v1/visits/?household=143939294077888348160",
        "/api/v1/assignments/?grid=143939294077888348160",
    ],
)
def test_an_id_above_2_to_the_63_is_a_400(world, client_for, path):
    response = client_for(world.users["chief_s"]).get(path)
    assert response.status_code == 400


def test_an_id_above_2_to_the_63_in_a_body_is_a_field_error(world, client_for):
    response = client_for(world.users["officer_a"]).post(
        "/api/v1/visits/",
        {"household": 143939294077888348160, "visited_at": "2026-11-01T10:00:00Z"},
    )
    assert response.status_code == 400
    assert "household" in response.json()


#
# SQLite: WAL and a busy timeout
#


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own settings")
def test_sqlite_waits_for_a_lock_and_writes_ahead(settings):
    from policing import settings as production

    options = production.DATABASES["default"]["OPTIONS"]
    assert options["timeout"] >= 20
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]


#
# Empty GeoJSON (item 9)
#


@pytest.mark.parametrize(
    ("resource", "key", "field"),
    [
        ("areas", "A", "boundary"),
        ("grids", "A", "boundary"),
        ("venues", "A", "location"),
        ("households", "A", "location"),
        ("posts", "S", "location"),
        ("stations", "S", "location"),
    ],
)
@pytest.mark.parametrize("empty", [{}, [], ""])
def test_an_empty_geojson_is_refused(world, client_for, resource, key, field, empty):
    objects = {
        "areas": world.areas,
        "grids": world.grids,
        "venues": world.venues,
        "households": world.households,
        "posts": world.posts,
        "stations": world.stations,
    }[resource]
    record = objects[key]
    before = getattr(record, field)
    response = client_for(world.users["bureau_x"]).patch(
        f"/api/v1/{resource}/{record.pk}/", {field: empty}, format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    record.refresh_from_db()
    assert getattr(record, field) == before


def test_null_still_clears_an_optional_location(world, client_for):
    post = world.posts["S"]
    response = client_for(world.users["bureau_x"]).patch(
        f"/api/v1/posts/{post.pk}/", {"location": None}, format="json"
    )
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.location is None


#
# Upper bounds of counts (item 9)
#


def visit_body(world, info_items) -> dict:
    from django.utils import timezone

    return {
        "household": world.households["A"].pk,
        "visited_at": timezone.now().isoformat(),
        "info_items": info_items,
    }


@pytest.mark.parametrize("info_items", [2_147_483_647, MAX_INFO_ITEMS + 1])
def test_a_count_above_its_human_bound_is_a_field_error(world, client_for, info_items):
    from visits.models import Visit

    before = Visit.objects.count()
    response = client_for(world.users["officer_a"]).post(
        "/api/v1/visits/", visit_body(world, info_items), format="json"
    )
    assert response.status_code == 400
    assert "info_items" in response.json()
    assert Visit.objects.count() == before


def test_a_count_at_its_bound_is_accepted(world, client_for):
    response = client_for(world.users["officer_a"]).post(
        "/api/v1/visits/", visit_body(world, MAX_INFO_ITEMS), format="json"
    )
    assert response.status_code == 201


#
# Bodies over 2.5 MB (item 9)
#


@pytest.mark.parametrize("path", ["/api/v1/auth/token/", "/api/v1/households/"])
def test_a_body_over_the_limit_is_a_json_400(world, client_for, path):
    body = json.dumps({"address": "x" * (3 * 1024 * 1024)})
    response = client_for(world.users["chief_s"]).post(
        path, body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "2.5 MB" in response.json()["detail"]


#
# CSV encodings (item 9)
#

HOUSEHOLD_CSV = "标准地址,网格编码\n编码路1号,{code}\n"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "gbk", "utf-16", "utf-16-le-bom", "utf-16-be"]
)
def test_a_csv_is_read_in_each_encoding_excel_writes(world, encoding):
    text = HOUSEHOLD_CSV.format(code=world.grids["A"].code)
    if encoding == "utf-16-le-bom":
        content = codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    elif encoding == "utf-16-be":
        content = codecs.BOM_UTF16_BE + text.encode("utf-16-be")
    else:
        content = text.encode(encoding)
    outcome = sheets.check(content, "x.csv", "households", user=world.users["chief_s"])
    assert outcome.totals["new"] == 1
    assert outcome.rows[0].key == "编码路1号"


@pytest.mark.parametrize(
    "content",
    [
        HOUSEHOLD_CSV.format(code="X").encode("utf-16-le"),  # no byte order mark
        codecs.BOM_UTF16_LE + b"\x00\xd8",  # a broken surrogate
    ],
)
def test_a_csv_in_an_unknown_encoding_is_refused_clearly(world, content):
    with pytest.raises(LedgerFileError) as refused:
        sheets.check(content, "x.csv", "households", user=world.users["chief_s"])
    assert str(refused.value) == str(files.UNKNOWN_ENCODING)
