"""The ledger page: upload, check, apply, export and its log; who may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from grids.models import Household
from ledgers.models import LedgerExport, LedgerImport, LedgerImportRow
from ledgers.tests.workbooks import centre, rows_of, sheet

pytestmark = pytest.mark.django_db


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
