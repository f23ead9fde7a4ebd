"""The audit context is append-only and no audit table can be truncated
(issue 27, item 5; PostgreSQL only, where the audit lives)."""

import pghistory
import pghistory.models
import pytest
from django.db import DatabaseError, connection, transaction

from grids.models import Household
from policing import audit_guards
from policing.middleware import audit_context

# Transactional: each statement commits, so a context row is written in an
# earlier transaction than the attempts to change it, as in production.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="audit triggers are PostgreSQL's"
    ),
]

CONTEXT = pghistory.models.Context._meta.db_table
REFUSED = "refused"


def audited_change(world, **metadata) -> pghistory.models.Context:
    household = world.households["A"]
    with audit_context(**metadata):
        household.member_count = 7
        household.save()
    return pghistory.models.Context.objects.order_by("-created_at").first()


def refused(sql: str, params=()) -> str:
    """Run ``sql`` in a savepoint; return the error, or "" if it went through."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    except DatabaseError as error:
        return str(error)
    return ""


def test_context_rows_cannot_be_rewritten_or_deleted(world):
    """The probe's UPDATE … SET metadata='{}' and DELETE, and a changed user."""
    context = audited_change(world, user=world.users["chief_s"].pk)
    before = dict(context.metadata)
    attempts = {
        "empty metadata": (f"UPDATE {CONTEXT} SET metadata = '{{}}' WHERE id = %s",),
        "another user": (
            f"UPDATE {CONTEXT} SET metadata = metadata || '{{\"user\": 1}}' "
            "WHERE id = %s",
        ),
        "new created_at": (
            f"UPDATE {CONTEXT} SET created_at = now(), metadata = '{{}}' WHERE id = %s",
        ),
        "delete": (f"DELETE FROM {CONTEXT} WHERE id = %s",),
    }
    for name, (sql,) in attempts.items():
        error = refused(sql, [context.pk])
        assert REFUSED in error, name
    context.refresh_from_db()
    assert context.metadata == before
    with pytest.raises(DatabaseError), transaction.atomic():
        pghistory.models.Context.objects.filter(pk=context.pk).delete()


def test_pghistory_still_writes_and_extends_its_context(world):
    """What pghistory itself does stays allowed: a context whose metadata
    grows within its transaction and across later ones."""
    household = world.households["A"]
    with pghistory.context(user=world.users["chief_s"].pk):
        household.member_count = 2
        household.save()
        with pghistory.context(url="/x/"):
            household.member_count = 3
            household.save()
    context = pghistory.models.Context.objects.order_by("-created_at").first()
    assert context.metadata["user"] == world.users["chief_s"].pk
    assert context.metadata["url"] == "/x/"
    # Adding a key later (a task's context over several transactions).
    assert not refused(
        f"UPDATE {CONTEXT} SET metadata = metadata || '{{\"step\": 2}}' WHERE id = %s",
        [context.pk],
    )


def test_no_audit_table_can_be_truncated(world):
    audited_change(world, user=world.users["chief_s"].pk)
    tables = audit_guards.guarded_tables()
    assert CONTEXT in tables
    assert "grids_idreveal" in tables and "grids_ledgerexport" in tables
    for name in tables:
        error = refused(f'TRUNCATE "{name}" CASCADE')
        assert "TRUNCATE" in error and REFUSED in error, name
    assert Household.objects.exists()


def test_every_event_table_has_the_truncate_guard():
    """A new event table is covered after migrate, or this fails."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE t.tgname = %s AND t.tgenabled IN ('O', 'A')
            """,
            [audit_guards.TRUNCATE_TRIGGER],
        )
        guarded = {row[0] for row in cursor.fetchall()}
    assert set(audit_guards.guarded_tables()) <= guarded
    assert len(guarded) > 30


def test_production_has_no_truncate_switch(world, settings):
    """Without the test setting, setting policing.allow_truncate changes nothing."""
    settings.AUDIT_TRUNCATE_FOR_TESTS = False
    audit_guards.install()
    try:
        error = refused(
            "SELECT set_config('policing.allow_truncate', 'on', true); "
            f"TRUNCATE {CONTEXT} CASCADE"
        )
        assert REFUSED in error
    finally:
        settings.AUDIT_TRUNCATE_FOR_TESTS = True
        audit_guards.install()
