"""Break the glass: the one audited way to a full national ID (SECURITY.md G-AD6)."""

import ast
import datetime
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from grids import reveal
from grids.models import IdReveal
from grids.tests.factories import ResidentFactory

NUMBER = "440305198706151238"
MASKED = "440305********1238"
REASON = "核查涉案人员身份"


@pytest.fixture
def resident(world):
    """A resident of grid A (station S, bureau X) with a known number."""
    return ResidentFactory(household=world.households["A"], id_number=NUMBER)


def reveal_url(resident_pk) -> str:
    return f"/api/v1/residents/{resident_pk}/reveal/"


def test_a_chief_sees_the_number_once_and_the_reveal_is_recorded(
    world, resident, client_for
):
    chief = world.users["chief_s"]
    response = client_for(chief).post(
        reveal_url(resident.pk), {"reason": f"  {REASON} "}, REMOTE_ADDR="10.1.2.3"
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": resident.pk,
        "id_number": NUMBER,
        "phone": resident.phone,  # the audited way to the full phone too
    }
    record = IdReveal.objects.get()
    assert (record.resident, record.revealed_by, record.reason) == (
        resident,
        chief,
        REASON,
    )
    assert record.request_id == response["X-Request-ID"]
    assert record.client == "10.1.2.3"
    assert abs(timezone.now() - record.revealed_at) < datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    ("principal", "status"),
    [
        ("chief_s", 200),
        ("bureau_x", 200),
        ("superuser", 200),
        ("chief_t", 404),  # another station of the same bureau
        ("bureau_y", 404),  # another bureau
        ("officer_a", 403),  # the resident's own grid officer: field staff
        ("auxiliary_a", 403),
        ("officer_b", 403),
        ("no_staff", 403),
        ("deactivated", 403),
    ],
)
def test_who_may_reveal(world, resident, client_for, principal, status):
    response = client_for(world.users[principal]).post(
        reveal_url(resident.pk), {"reason": REASON}
    )

    assert response.status_code == status
    assert IdReveal.objects.count() == (1 if status == 200 else 0)
    if status != 200:
        assert NUMBER not in response.content.decode()


def test_out_of_scope_answers_exactly_like_a_missing_resident(
    world, resident, client_for
):
    client = client_for(world.users["chief_t"])
    outside = client.post(reveal_url(resident.pk), {"reason": REASON})
    missing = client.post(reveal_url(resident.pk + 1000), {"reason": REASON})

    assert outside.status_code == missing.status_code == 404
    assert outside.json() == missing.json()


def test_field_staff_are_refused_even_for_a_missing_resident(world, client_for):
    response = client_for(world.users["officer_a"]).post(
        reveal_url(999999), {"reason": REASON}
    )

    assert response.status_code == 403


@pytest.mark.parametrize("reason", [None, "", "   ", "abc", "a  b"])
def test_a_reason_of_four_characters_is_required(world, resident, client_for, reason):
    body = {} if reason is None else {"reason": reason}
    response = client_for(world.users["chief_s"]).post(reveal_url(resident.pk), body)

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]
    assert not IdReveal.objects.exists()


def test_twenty_reveals_a_day_then_429(world, resident, client_for):
    chief = client_for(world.users["chief_s"])
    # An old reveal has left the 24-hour window and does not count.
    IdReveal.objects.create(
        resident=resident,
        revealed_by=world.users["chief_s"],
        reason=REASON,
        revealed_at=timezone.now() - datetime.timedelta(hours=25),
    )

    answers = [
        chief.post(reveal_url(resident.pk), {"reason": REASON}).status_code
        for _ in range(reveal.REVEALS_PER_DAY)
    ]
    refused = chief.post(reveal_url(resident.pk), {"reason": REASON})

    assert answers == [200] * reveal.REVEALS_PER_DAY
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 24 * 3600
    assert NUMBER not in refused.content.decode()
    assert IdReveal.objects.count() == reveal.REVEALS_PER_DAY + 1
    # The limit is per login: the bureau's staff still may.
    other = client_for(world.users["bureau_x"])
    assert other.post(reveal_url(resident.pk), {"reason": REASON}).status_code == 200


def test_every_other_answer_about_the_resident_is_masked(world, resident, client_for):
    client = client_for(world.users["chief_s"])
    detail = client.get(f"/api/v1/residents/{resident.pk}/")
    lookup = client.post("/api/v1/residents/lookup/", {"id_number": NUMBER})

    assert detail.json()["id_number"] == MASKED
    assert [row["id_number"] for row in lookup.json()] == [MASKED]
    assert NUMBER not in detail.content.decode() + lookup.content.decode()


#
# The page
#


def test_the_page_asks_for_a_reason_then_shows_the_number(world, resident, client):
    client.force_login(world.users["chief_s"])
    url = reverse("grids:resident_reveal", args=[resident.pk])

    form = client.get(url)
    short = client.post(url, {"reason": "abc"})
    shown = client.post(url, {"reason": REASON})

    assert form.status_code == short.status_code == shown.status_code == 200
    assert MASKED in form.content.decode()
    assert NUMBER not in form.content.decode() + short.content.decode()
    assert "data-reveal-form" in short.content.decode()
    assert re.search(rf"data-revealed-id>{NUMBER}<", shown.content.decode())
    assert IdReveal.objects.get().reason == REASON


@pytest.mark.parametrize(
    ("principal", "status"), [("officer_a", 403), ("chief_t", 404)]
)
def test_the_page_follows_the_same_rules(world, resident, client, principal, status):
    client.force_login(world.users[principal])
    url = reverse("grids:resident_reveal", args=[resident.pk])

    assert client.get(url).status_code == status
    assert client.post(url, {"reason": REASON}).status_code == status
    assert not IdReveal.objects.exists()


def test_the_page_refuses_past_the_daily_limit(world, resident, client):
    IdReveal.objects.bulk_create(
        IdReveal(resident=resident, revealed_by=world.users["chief_s"], reason=REASON)
        for _ in range(reveal.REVEALS_PER_DAY)
    )
    client.force_login(world.users["chief_s"])

    response = client.post(
        reverse("grids:resident_reveal", args=[resident.pk]), {"reason": REASON}
    )

    assert response.status_code == 429
    assert NUMBER not in response.content.decode()


#
# The record
#


def test_reveals_are_read_only_in_the_admin(world, resident, client):
    record = IdReveal.objects.create(
        resident=resident, revealed_by=world.users["chief_s"], reason=REASON
    )
    client.force_login(world.users["superuser"])
    base = "/admin/grids/idreveal/"

    assert client.get(base).status_code == 200
    assert client.get(f"{base}{record.pk}/change/").status_code == 200
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{record.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(
        f"{base}{record.pk}/change/", {"reason": "changed"}
    ).status_code in (302, 403)
    record.refresh_from_db()
    assert record.reason == REASON
    assert IdReveal.objects.count() == 1


def test_the_admin_links_a_resident_to_the_reveal_page(world, resident, client):
    client.force_login(world.users["superuser"])

    page = client.get(f"/admin/grids/resident/{resident.pk}/change/").content.decode()

    assert reverse("grids:resident_reveal", args=[resident.pk]) in page
    assert NUMBER not in page


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="append-only triggers exist on PostgreSQL only",
)
def test_reveals_are_append_only_in_the_database(world, resident):
    record = IdReveal.objects.create(
        resident=resident, revealed_by=world.users["chief_s"], reason=REASON
    )
    table = IdReveal._meta.db_table
    for sql in (
        f'UPDATE "{table}" SET reason = %s WHERE id = %s',
        f'DELETE FROM "{table}" WHERE id = %s AND reason <> %s',
    ):
        params = ["x", record.pk] if sql.startswith("UPDATE") else [record.pk, "x"]
        with pytest.raises(DatabaseError), transaction.atomic():
            connection.cursor().execute(sql, params)
    record.refresh_from_db()
    assert record.reason == REASON


#
# One way to the clear number
#

#: the crypto module itself may use ``decrypt``; key rotation goes through
#: ``national_id.reencrypt`` and so needs no exception
DECRYPT_ALLOWED = {"grids/national_id.py"}
SKIPPED_DIRECTORIES = {".venv", ".git", "node_modules", "tests", "staticfiles"}


def source_files():
    """Yield the project's Python files outside tests and the virtualenv."""
    root = Path(settings.BASE_DIR)
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = [
            name
            for name in subdirectories
            if name not in SKIPPED_DIRECTORIES and not name.startswith(".")
        ]
        for name in files:
            if name.endswith(".py") and name != "conftest.py":
                yield Path(directory, name).relative_to(root).as_posix()


def decrypt_uses(source: str) -> list[int]:
    """Return the lines naming ``decrypt``: calls, references and imports."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if (isinstance(node, ast.Attribute) and node.attr == "decrypt")
        or (isinstance(node, ast.Name) and node.id == "decrypt")
        or (
            isinstance(node, ast.ImportFrom)
            and any(alias.name in ("decrypt", "*") for alias in node.names)
            and node.module == "grids.national_id"
        )
    )


def test_the_reveal_is_the_only_code_that_decrypts_a_national_id():
    """A grep over the source: exactly one use of ``decrypt``, in grids/reveal.py."""
    root = Path(settings.BASE_DIR)
    uses = [
        (path, line)
        for path in source_files()
        if path not in DECRYPT_ALLOWED
        for line in decrypt_uses((root / path).read_text())
    ]

    assert [path for path, _ in uses] == ["grids/reveal.py"], uses
    assert len(list(source_files())) > 100  # the walk did find the project


def test_the_search_for_decrypt_finds_every_form():
    source = (
        "from grids.national_id import decrypt\n"
        "national_id.decrypt(token)\n"
        "f = national_id.decrypt\n"
        "decrypt(token)\n"
        "# decrypt in a comment\n"
        "'decrypt in a string'\n"
    )
    assert decrypt_uses(source) == [1, 2, 3, 4]
