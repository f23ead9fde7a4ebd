"""Ledger import and export: households and residents in sheets, grids in GeoJSON."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from grids import ledgers, map_files, national_id
from grids.models import (
    Grid,
    Household,
    LedgerExport,
    LedgerImport,
    LedgerImportRow,
    Resident,
)
from grids.tests.factories import (
    GridFactory,
    HouseholdFactory,
    ResidentFactory,
    square,
    valid_id_number,
)
from stations.models import Person, Post

pytestmark = pytest.mark.django_db

HOUSEHOLD_HEADERS = ["标准地址", "网格编码", "经度", "纬度", "户内人数"]


def sheet(rows: list[list], headers=HOUSEHOLD_HEADERS) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(headers)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(content: bytes) -> list[list]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def centre(grid: Grid) -> tuple[float, float]:
    (lon, lat), _, (lon2, lat2), *_ = grid.boundary["coordinates"][0]
    return (lon + lon2) / 2, (lat + lat2) / 2


def counts() -> tuple[int, int]:
    return Household.objects.count(), Resident.objects.count()


#
# Households and residents
#


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("entity", ["posts", "staff", "households", "residents"])
def test_an_exported_ledger_imports_back_unchanged(world, entity, file_format):
    chief = world.users["chief_s"]
    for n in range(3):
        ResidentFactory(household=world.households["A"], name=f"甲{n}")
    content, exported = ledgers.export(entity, file_format, user=chief)
    before = counts()

    outcome = ledgers.apply(content, f"x.{file_format}", entity, user=chief)

    assert outcome.totals == {"new": 0, "update": 0, "skip": exported, "invalid": 0}
    assert counts() == before


def test_an_export_holds_the_scope_only_and_masks_ids(world):
    content, rows = ledgers.export("residents", "xlsx", user=world.users["chief_s"])
    table = rows_of(content)
    assert table[0] == list(ledgers.HEADERS["residents"])
    addresses = {row[3] for row in table[1:]}
    assert addresses == {world.households["A"].address, world.households["B"].address}
    assert all("*" in row[1] for row in table[1:])
    assert rows == 2


def test_an_edited_export_updates_creates_and_leaves_the_rest(world):
    chief = world.users["chief_s"]
    content, _rows = ledgers.export("households", "xlsx", user=chief)
    table = rows_of(content)
    table[1][4] = 7  # members of the first household
    lon, lat = centre(world.grids["B"])
    table.append(["新建路9号", "", lon, lat, 2])  # placed by its point
    outcome = ledgers.apply(sheet(table[1:]), "x.xlsx", "households", user=chief)

    assert outcome.totals == {"new": 1, "update": 1, "skip": 1, "invalid": 0}
    assert Household.objects.get(address=table[1][0]).member_count == 7
    assert Household.objects.get(address="新建路9号").grid == world.grids["B"]


def test_one_bad_row_among_many_imports_nothing_and_is_reported(world):
    chief = world.users["chief_s"]
    grid = world.grids["A"]
    lon, lat = centre(grid)
    rows = [[f"幸福路{n}号", grid.code, lon, lat, 3] for n in range(30)]
    rows[17][4] = -2  # a negative member count
    before = counts()

    outcome = ledgers.apply(sheet(rows), "x.xlsx", "households", user=chief)

    assert counts() == before
    bad = [row for row in outcome.rows if row.errors]
    assert [(row.number, row.errors[0]["column"]) for row in bad] == [(19, "户内人数")]
    assert outcome.totals["new"] == 29


def test_english_headers_are_read_like_chinese_ones(world):
    grid = world.grids["A"]
    content = sheet(
        [["Station Road 1", grid.code, "", "", 4]],
        headers=["Address", "Grid code", "Longitude", "Latitude", "Members"],
    )
    outcome = ledgers.apply(
        content, "x.xlsx", "households", user=world.users["chief_s"]
    )
    assert outcome.totals["new"] == 1
    assert Household.objects.get(address="Station Road 1").member_count == 4


def test_a_gbk_csv_from_chinese_excel_is_read(world):
    grid = world.grids["A"]
    text = f"标准地址,网格编码,户内人数\r\n和平路1号,{grid.code},2\r\n"
    outcome = ledgers.check(
        text.encode("gb18030"), "x.csv", "households", user=world.users["chief_s"]
    )
    assert outcome.totals["new"] == 1
    assert outcome.rows[0].key == "和平路1号"


def test_a_missing_column_refuses_the_file(world):
    with pytest.raises(ledgers.LedgerFileError, match="姓名"):
        ledgers.check(
            sheet([["x"]], headers=["身份证号", "标准地址"]),
            "x.xlsx",
            "residents",
            user=world.users["chief_s"],
        )


def test_a_row_naming_another_stations_grid_is_an_error(world):
    """Grid C is station T's: for chief S it does not exist."""
    outcome = ledgers.check(
        sheet([["外站路1号", world.grids["C"].code, "", "", 1]]),
        "x.xlsx",
        "households",
        user=world.users["chief_s"],
    )
    assert outcome.rows[0].action == LedgerImportRow.Action.INVALID
    assert outcome.rows[0].errors[0]["column"] == "网格编码"
    # The same row is fine for the bureau, whose scope holds grid C.
    bureau = ledgers.check(
        sheet([["外站路1号", world.grids["C"].code, "", "", 1]]),
        "x.xlsx",
        "households",
        user=world.users["bureau_x"],
    )
    assert bureau.totals["new"] == 1


def test_a_point_outside_the_scope_is_an_error(world):
    lon, lat = centre(world.grids["C"])
    outcome = ledgers.check(
        sheet([["外站路2号", "", lon, lat, 1]]),
        "x.xlsx",
        "households",
        user=world.users["chief_s"],
    )
    assert outcome.rows[0].errors[0]["column"] == "经度"


def test_a_file_may_name_a_record_once(world):
    grid = world.grids["A"]
    rows = [["重复路1号", grid.code, "", "", 1], ["重复路1号", grid.code, "", "", 2]]
    outcome = ledgers.check(
        sheet(rows), "x.xlsx", "households", user=world.users["chief_s"]
    )
    assert outcome.rows[1].action == LedgerImportRow.Action.INVALID
    assert "row 2" in outcome.rows[1].errors[0]["message"]


def resident_rows(*rows) -> bytes:
    return sheet(
        [list(row) for row in rows], headers=list(ledgers.HEADERS["residents"])
    )


def test_residents_national_ids_are_checked_encrypted_and_found_by_hash(world):
    address = world.households["A"].address
    good, bad = valid_id_number(901), valid_id_number(902)[:-1] + "0"
    content = resident_rows(
        ["王五", good, "13900139000", address, "是", "吸毒人员"],
        ["赵六", bad, "", address, "否", ""],
    )
    chief = world.users["chief_s"]
    outcome = ledgers.check(content, "x.xlsx", "residents", user=chief)
    assert [row.action for row in outcome.rows] == ["new", "invalid"]
    assert outcome.rows[1].errors[0]["column"] == "身份证号"
    assert good not in json.dumps([row.key for row in outcome.rows])

    ledgers.apply(
        resident_rows(outcome_row(content, 0)), "x.xlsx", "residents", user=chief
    )
    resident = Resident.objects.get(name="王五")
    assert resident.id_number_encrypted != good
    assert national_id.decrypt(resident.id_number_encrypted) == good
    assert resident.key_person_category == Resident.KeyPersonCategory.DRUG_USER
    assert Resident.objects.filter(
        id_number_hash=national_id.blind_index(good)
    ).exists()


def outcome_row(content: bytes, index: int) -> list:
    return rows_of(content)[index + 1]


def test_a_resident_is_matched_by_national_id_and_updated(world):
    resident = world.residents["A"]
    number = national_id.decrypt(resident.id_number_encrypted)
    content = resident_rows(
        [resident.name, number, "13700137000", resident.household.address, "否", ""]
    )
    outcome = ledgers.apply(content, "x.xlsx", "residents", user=world.users["chief_s"])
    assert outcome.totals["update"] == 1
    resident.refresh_from_db()
    assert resident.phone == "13700137000"


def test_an_unknown_category_names_the_choices(world):
    content = resident_rows(
        [
            "王七",
            valid_id_number(903),
            "",
            world.households["A"].address,
            "是",
            "外星人",
        ]
    )
    outcome = ledgers.check(content, "x.xlsx", "residents", user=world.users["chief_s"])
    error = outcome.rows[0].errors[0]
    assert error["column"] == "重点人员类别"
    assert "刑满释放人员" in error["message"]


def test_templates_hold_the_headers_and_an_example(world):
    table = rows_of(ledgers.template("residents"))
    assert table[0] == list(ledgers.HEADERS["residents"])
    assert len(table) == 2


def staff_rows(*rows) -> bytes:
    return sheet([list(row) for row in rows], headers=list(ledgers.HEADERS["staff"]))


def test_moving_an_officer_ends_the_old_posting_and_starts_the_new(world):
    station, officer = world.stations["S"], world.persons["officer_b"]
    new_grid = GridFactory(area=world.areas["A"], code="S-NEW")
    start = timezone.localdate() + datetime.timedelta(days=7)
    content = staff_rows(
        [
            station.code,
            officer.name,
            "民警",
            "",
            "",
            "否",
            "S-NEW",
            "",
            "责任民警",
            start,
        ]
    )
    outcome = ledgers.apply(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert outcome.totals["update"] == 1, outcome.rows[0].errors
    postings = list(officer.assignments.order_by("start").values_list("grid", "end"))
    assert postings[-1] == (new_grid.pk, None)
    assert postings[-2][1] == start - datetime.timedelta(days=1)


def test_a_second_responsible_officer_is_refused_in_the_role_column(world):
    station = world.stations["S"]
    content = staff_rows(
        [
            station.code,
            "新警",
            "民警",
            "9001",
            "",
            "否",
            world.grids["A"].code,
            "",
            "责任民警",
            "",
        ]
    )
    outcome = ledgers.check(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert outcome.rows[0].errors[0]["column"] == "职责"
    assert "officer_a" in outcome.rows[0].errors[0]["message"]


def test_a_chief_cannot_import_bureau_staff_or_another_stations(world):
    content = staff_rows(
        ["", "县局人员", "民警", "", "", "否", "", "", "", ""],
        [world.stations["T"].code, "外站人员", "民警", "", "", "否", "", "", "", ""],
    )
    outcome = ledgers.check(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert [row.errors[0]["column"] for row in outcome.rows] == ["派出所编码"] * 2
    bureau = ledgers.check(content, "x.xlsx", "staff", user=world.users["bureau_x"])
    assert bureau.totals["new"] == 2


def test_a_post_serves_the_areas_it_names(world):
    station = world.stations["S"]
    headers = list(ledgers.HEADERS["posts"])
    content = sheet(
        [[station.code, "新警务室", "农村中心警务室", "", "", "", "A社区、B社区"]],
        headers=headers,
    )
    outcome = ledgers.apply(content, "x.xlsx", "posts", user=world.users["chief_s"])
    assert outcome.totals["new"] == 1
    post = station.posts.get(name="新警务室")
    assert set(post.serves.values_list("name", flat=True)) == {"A社区", "B社区"}
    wrong = sheet(
        [[station.code, "新警务室", "农村中心警务室", "", "", "", "C社区"]],
        headers=headers,
    )
    outcome = ledgers.check(wrong, "x.xlsx", "posts", user=world.users["chief_s"])
    assert outcome.rows[0].errors[0]["column"] == "服务社区"


#
# GeoJSON
#


def feature(boundary: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": boundary, "properties": properties}


def collection(*features) -> bytes:
    return json.dumps(
        {"type": "FeatureCollection", "features": list(features)}
    ).encode()


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[120, 30], [120.01, 30.01], [120.01, 30], [120, 30.01], [120, 30]]
    ],
}


def test_a_bow_tie_grid_is_refused_with_its_index_and_reason(world):
    content = collection(
        feature(square(120.1, 30.1), code="NEW-1", name="新网格", area="新社区"),
        feature(BOW_TIE, code="NEW-2", name="蝴蝶网格", area="新社区"),
    )
    before = Grid.objects.count()
    outcome = map_files.apply(content, user=world.users["chief_s"])
    assert Grid.objects.count() == before
    bad = [row for row in outcome.rows if row.errors]
    assert [row.number for row in bad] == [1]
    assert bad[0].errors[0]["column"] == "geometry"
    assert (
        "not valid" in bad[0].errors[0]["message"]
        or "无效" in bad[0].errors[0]["message"]
    )


def test_grids_and_a_new_area_are_imported_and_overlaps_reported(world):
    station = world.stations["S"]
    content = collection(
        feature(square(121, 31), code="NEW-1", name="一网格", area="新社区"),
        feature(square(121.005, 31), code="NEW-2", name="二网格", area="新社区"),
    )
    outcome = map_files.apply(content, user=world.users["chief_s"])
    assert outcome.totals["new"] == 2
    assert len(outcome.warnings) == 1 and "NEW-1" in outcome.warnings[0]
    grid = Grid.objects.get(code="NEW-2")
    assert grid.area.station == station and grid.area.name == "新社区"


def test_an_exported_map_imports_back_unchanged(world):
    chief = world.users["chief_s"]
    content, features = map_files.export(user=chief)
    assert features == 2
    outcome = map_files.apply(content, user=chief)
    assert outcome.totals == {"new": 0, "update": 0, "skip": 2, "invalid": 0}


def test_a_grid_code_of_another_station_is_refused(world):
    content = collection(feature(square(122, 32), code=world.grids["C"].code))
    outcome = map_files.check(content, user=world.users["chief_s"])
    assert outcome.rows[0].errors[0]["column"] == "code"


def test_a_file_that_is_not_geojson_is_refused(world):
    with pytest.raises(ledgers.LedgerFileError):
        map_files.check(b"<kml/>", user=world.users["chief_s"])


#
# The page, the jobs, the log
#


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """Run the Celery tasks a request queues at commit, as eager Celery does."""

    def post(client, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(*args, **kwargs)

    return post


@pytest.fixture
def upload(run_tasks):
    def upload_file(client, user, entity: str, name: str, content: bytes):
        client.force_login(user)
        response = run_tasks(
            client,
            "/ledgers/",
            {"entity": entity, "file": SimpleUploadedFile(name, content)},
        )
        return client.get(response.url)

    return upload_file


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="append-only triggers exist on PostgreSQL only",
)
def test_the_export_log_is_append_only(client, world):
    chief = world.users["chief_s"]
    client.force_login(chief)
    assert client.get("/ledgers/export/households.csv").status_code == 200
    record = LedgerExport.objects.get()
    table = LedgerExport._meta.db_table
    for sql in (
        f'UPDATE "{table}" SET rows = 0 WHERE id = %s',
        f'DELETE FROM "{table}" WHERE id = %s',
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            connection.cursor().execute(sql, [record.pk])
    # Deleting the user leaves the log as it was, naming who exported.
    chief_id = chief.pk
    chief.delete()
    record.refresh_from_db()
    assert (record.exported_by_id, record.rows) == (chief_id, 2)


def test_the_chief_checks_then_applies_an_edited_export(
    client, world, upload, run_tasks
):
    chief = world.users["chief_s"]
    client.force_login(chief)
    exported = client.get("/ledgers/export/households.xlsx")
    assert exported.status_code == 200
    assert LedgerExport.objects.get().rows == 2
    table = rows_of(exported.content)
    table[1][4] = 5

    response = upload(client, chief, "households", "households.xlsx", sheet(table[1:]))
    job = LedgerImport.objects.get()
    assert response.request["PATH_INFO"] == f"/ledgers/{job.pk}/"
    assert job.status == LedgerImport.Status.CHECKED
    assert job.totals == {"new": 0, "update": 1, "skip": 1, "invalid": 0}
    assert Household.objects.get(address=table[1][0]).member_count != 5
    html = response.content.decode()
    assert "data-confirm" in html and table[1][0] in html

    run_tasks(client, f"/ledgers/{job.pk}/")
    job.refresh_from_db()
    assert job.status == LedgerImport.Status.APPLIED
    assert job.applied_by == chief
    assert Household.objects.get(address=table[1][0]).member_count == 5
    # Applying twice does nothing more.
    again = run_tasks(client, f"/ledgers/{job.pk}/", follow=True)
    assert list(again.context["messages"])[-1].level_tag == "error"


def test_a_file_with_errors_cannot_be_applied(client, world, upload, run_tasks):
    chief = world.users["chief_s"]
    upload(
        client, chief, "households", "bad.xlsx", sheet([["无网格路1号", "", "", "", 1]])
    )
    job = LedgerImport.objects.get()
    assert job.status == LedgerImport.Status.REFUSED
    run_tasks(client, f"/ledgers/{job.pk}/")
    job.refresh_from_db()
    assert job.status == LedgerImport.Status.REFUSED
    assert not Household.objects.filter(address="无网格路1号").exists()
    page = client.get(f"/ledgers/{job.pk}/?show=errors").content.decode()
    assert 'data-row="2"' in page


def test_a_wrong_file_type_is_a_field_error(client, world):
    client.force_login(world.users["chief_s"])
    response = client.post(
        "/ledgers/",
        {"entity": "grids", "file": SimpleUploadedFile("grids.xlsx", b"x")},
    )
    assert response.status_code == 400
    assert "file" in response.context["form"].errors
    assert LedgerImport.objects.count() == 0


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("chief_s", 200),
        ("bureau_x", 200),
        ("officer_a", 404),
        ("auxiliary_a", 404),
        ("superuser", 404),
        ("no_staff", 404),
    ],
)
def test_the_ledger_page_is_for_chiefs_and_bureau_staff(client, world, user, status):
    client.force_login(world.users[user])
    assert client.get("/ledgers/").status_code == status
    assert client.get("/ledgers/export/residents.csv").status_code == status


def test_another_stations_import_answers_404(client, world, upload):
    upload(client, world.users["chief_t"], "households", "t.xlsx", sheet([]))
    job = LedgerImport.objects.get()
    client.force_login(world.users["chief_s"])
    assert client.get(f"/ledgers/{job.pk}/").status_code == 404
    assert client.get(f"/ledgers/{job.pk}/progress/").status_code == 404
    assert client.get("/ledgers/999999/").status_code == 404


def test_unknown_export_formats_answer_404(client, world):
    client.force_login(world.users["chief_s"])
    for url in [
        "/ledgers/export/households.pdf",
        "/ledgers/export/grids.xlsx",
        "/ledgers/export/persons.csv",
        "/ledgers/template/grids.xlsx",
    ]:
        assert client.get(url).status_code == 404, url


def test_a_larger_file_goes_through_the_task(client, world, upload, run_tasks):
    """CI size; benchmarks time 100,000 rows."""
    grid = world.grids["A"]
    lon, lat = centre(grid)
    rows = [[f"大院路{n}号", "", lon, lat, 1 + n % 5] for n in range(2000)]
    chief = world.users["chief_s"]
    upload(client, chief, "households", "big.xlsx", sheet(rows))
    job = LedgerImport.objects.get()
    assert job.totals["new"] == 2000
    assert LedgerImportRow.objects.filter(ledger_import=job).count() == 2000
    run_tasks(client, f"/ledgers/{job.pk}/")
    assert (
        Household.objects.filter(grid=grid, address__startswith="大院路").count()
        == 2000
    )
    progress = client.get(f"/ledgers/{job.pk}/progress/").json()
    assert progress == {
        "status": "applied",
        "status_label": progress["status_label"],
        "percent": 100,
    }


def test_the_household_export_names_each_grid(world):
    HouseholdFactory(
        grid=GridFactory(area=world.areas["A"], code="Z-9"), address="末路1号"
    )
    content, rows = ledgers.export("households", "xlsx", user=world.users["chief_s"])
    assert rows_of(content)[-1][:2] == ["末路1号", "Z-9"] or any(
        row[:2] == ["末路1号", "Z-9"] for row in rows_of(content)
    )
    assert rows == 3


#
# Formula injection (issue 27, item 2)
#

FORMULA = '=HYPERLINK("http://x.invalid","click")'
#: What a spreadsheet would run: each OWASP CSV-injection start, and one
#: already behind an apostrophe (it must come back with it).
FORMULAS = [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "'=1+1"]


def store_formulas(world) -> None:
    """Names and addresses a spreadsheet would run, stored as a careless
    user (or an attacker) typed them."""
    Household.objects.filter(pk=world.households["A"].pk).update(address=FORMULA)
    Post.objects.filter(pk=world.posts["S"].pk).update(
        name="=1+1", opening_hours="@cmd"
    )
    Person.objects.filter(pk=world.persons["officer_a"].pk).update(
        name="=1+1", phone="+8613912340001"
    )
    Resident.objects.filter(pk=world.residents["A"].pk).update(name="-2+3")


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize("entity", ["posts", "staff", "households", "residents"])
def test_an_xlsx_export_writes_every_text_cell_as_text(world, entity):
    chief = world.users["chief_s"]
    store_formulas(world)

    content, _rows = ledgers.export(entity, "xlsx", user=chief)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert any(c.value[:1] in "=+-@" for c in texts)
    assert all(c.data_type == "s" for c in texts)
    assert not any(c.data_type == "f" for c in cells)


@pytest.mark.parametrize("entity", ["posts", "staff", "households", "residents"])
def test_a_csv_export_escapes_cells_a_spreadsheet_would_run(world, entity):
    chief = world.users["chief_s"]
    store_formulas(world)

    content, _rows = ledgers.export(entity, "csv", user=chief)

    cells = [cell for row in csv_rows(content) for cell in row]
    assert any(cell.startswith("'") for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("value", FORMULAS)
def test_escaped_cells_import_back_exactly(world, file_format, value):
    chief = world.users["chief_s"]
    Household.objects.filter(pk=world.households["A"].pk).update(address=value)
    Resident.objects.filter(pk=world.residents["A"].pk).update(name=value)
    for entity in ("households", "residents"):
        content, exported = ledgers.export(entity, file_format, user=chief)
        outcome = ledgers.apply(content, f"x.{file_format}", entity, user=chief)
        assert outcome.totals == {"new": 0, "update": 0, "skip": exported, "invalid": 0}
    assert Household.objects.get(pk=world.households["A"].pk).address == value
    assert Resident.objects.get(pk=world.residents["A"].pk).name == value


def test_templates_write_no_formula(world):
    for entity in ledgers.HEADERS:
        sheet = openpyxl.load_workbook(io.BytesIO(ledgers.template(entity))).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_chief_cannot_make_a_chief_by_import(world):
    """Issue 27, item 6: the 所长 column is the bureau's to change."""
    person = world.persons["officer_a"]
    row = ["", person.name, "民警", person.badge_number, person.phone, "是"]
    headers = ["派出所编码", "姓名", "类别", "警号", "联系电话", "所长"]
    row[0] = world.stations["S"].code
    content = sheet([row], headers=headers)

    refused = ledgers.apply(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert refused.totals["invalid"] == 1
    assert refused.rows[0].errors[0]["column"] == "所长"
    person.refresh_from_db()
    assert not person.is_chief

    ledgers.apply(content, "x.xlsx", "staff", user=world.users["bureau_x"])
    person.refresh_from_db()
    assert person.is_chief
