"""The restore drill (SECURITY.md G-IN8): back up, restore, and use the copy.

``backup_database`` dumps the test database, ``restore_database`` restores it
into a fresh database, and the copy is checked as a bureau would check it
after a disaster: the same rows in every table, every audit trigger
installed, national IDs readable with the environment's key, and a new write
audited.
"""

from contextlib import contextmanager

import pghistory.models
import pgtrigger
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections

from grids import national_id
from grids.models import Household, HouseholdEvent, Resident, ResidentEvent
from grids.tests.factories import ResidentFactory, valid_id_number
from policing import backup
from visits.models import Visit

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="pg_dump and pg_restore back up PostgreSQL only",
)


@pytest.fixture
def restored_database():
    """A database to restore into, dropped before and after."""
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    backup.drop(name)
    yield name
    backup.drop(name)


@contextmanager
def connected(database: str):
    """A connection to ``database`` of its own, outside ``connections``.

    The test runner allows only the test database under its aliases; a
    connection made here is one it lets through.
    """
    wrapper = type(connections[DEFAULT_DB_ALIAS])(
        {**connection.settings_dict, "NAME": database}, alias="restore_drill"
    )
    try:
        yield wrapper
    finally:
        wrapper.close()


def row_counts(using) -> dict[str, int]:
    with using.cursor() as cursor:
        counts = {}
        for table in using.introspection.table_names(cursor):
            cursor.execute(f"SELECT count(*) FROM {using.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def triggers(using) -> set[tuple]:
    """The pgtrigger triggers: table, name, enabled, hash of the definition."""
    with using.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.tgrelid::regclass::text, t.tgname, t.tgenabled,
                   obj_description(t.oid, 'pg_trigger')
            FROM pg_trigger t
            WHERE NOT t.tgisinternal AND t.tgname LIKE 'pgtrigger_%%'
            """
        )
        return set(cursor.fetchall())


def one(using, sql: str, params=()):
    with using.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_restored_backup_has_every_row_trigger_and_key(
    world, tmp_path, restored_database
):
    number = valid_id_number(21, region="410102", birth="19850315")
    resident = ResidentFactory(household=world.households["A"], id_number=number)
    archive = tmp_path / "policing.dump"

    call_command("backup_database", output=archive)
    call_command("restore_database", str(archive), into=restored_database)

    with connected(restored_database) as copy:
        # The same rows in every table, audit events and their contexts too.
        counts = row_counts(connection)
        assert row_counts(copy) == counts
        for model in (Resident, ResidentEvent, Visit):
            assert counts[model._meta.db_table] > 0, model

        # Every trigger the code declares is installed here (`pgtrigger ls`),
        # and the copy has the very same triggers, enabled, with the same
        # definitions: the audit triggers and the events' append-only guards.
        declared = pgtrigger.registered()
        statuses = {
            trigger.get_installation_status(model) for model, trigger in declared
        }
        assert statuses == {("INSTALLED", True)}
        installed = triggers(connection)
        assert triggers(copy) == installed
        assert len(installed) == len(declared)
        guarded = {table for table, name, *_ in installed if "append_only" in name}
        event_tables = {
            model._meta.db_table
            for model in apps.get_models()
            if issubclass(model, pghistory.models.Event)
        }
        assert event_tables <= guarded

        # The national ID decrypts with the key from the environment
        # (settings) and is found again by its blind index.
        residents = Resident._meta.db_table
        ciphertext = one(
            copy,
            f"SELECT id_number_encrypted FROM {residents} WHERE id = %s",
            [resident.pk],
        )
        assert national_id.decrypt(ciphertext) == number
        found = one(
            copy,
            f"SELECT id FROM {residents} WHERE id_number_hash = %s",
            [national_id.blind_index(number)],
        )
        assert found == resident.pk

        # A write to the copy is audited there, and its events stay append-only.
        household = world.households["A"]
        events = HouseholdEvent._meta.db_table
        one(
            copy,
            f"UPDATE {Household._meta.db_table} SET member_count = 42 "
            "WHERE id = %s RETURNING id",
            [household.pk],
        )
        written = (
            f"SELECT count(*) FROM {events} "
            "WHERE pgh_obj_id = %s AND pgh_label = 'update' AND member_count = 42"
        )
        assert one(copy, written, [household.pk]) == 1
        assert one(connection, written, [household.pk]) == 0
        with pytest.raises(DatabaseError, match="Cannot update or delete"):
            one(
                copy,
                f"DELETE FROM {events} WHERE pgh_obj_id = %s RETURNING 1",
                [household.pk],
            )
        assert one(copy, written, [household.pk]) == 1


# Nothing committed is needed: a plain test skips the slow flush afterwards.
@postgresql_only
@pytest.mark.django_db
def test_restore_never_overwrites_an_existing_database(tmp_path):
    """Restoring into the live database's name fails before touching it."""
    archive = tmp_path / "policing.dump"
    call_command("backup_database", output=archive)
    before = row_counts(connection)
    with pytest.raises(CommandError, match="createdb failed"):
        call_command(
            "restore_database", str(archive), into=connection.settings_dict["NAME"]
        )
    assert row_counts(connection) == before


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's own message")
def test_sqlite_is_backed_up_by_copying_its_file(tmp_path):
    archive = tmp_path / "policing.dump"
    with pytest.raises(CommandError, match="copying the file"):
        call_command("backup_database", output=archive)
    assert not archive.exists()
