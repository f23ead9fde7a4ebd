"""Field-key rotation: ``manage.py rotate_field_keys`` (SECURITY.md G-PII1)."""

import base64
import hashlib
import io

import pytest
from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from grids import national_id
from grids.models import Resident
from grids.tests.factories import HouseholdFactory, ResidentFactory, valid_id_number
from ledgers.models import LedgerImport
from stations.tests.factories import StationFactory, UserFactory

K1 = base64.urlsafe_b64encode(b"rotation-test-key-one-32-bytes!!").decode()
K2 = base64.urlsafe_b64encode(b"rotation-test-key-two-32-bytes!!").decode()
ROWS = 7


def key_id(key: str) -> str:
    return hashlib.sha256(base64.urlsafe_b64decode(key)).hexdigest()[:8]


@pytest.fixture
def residents(db, settings):
    """Residents written under K1, each changed once (two audit events on PG)."""
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    household = HouseholdFactory()
    numbers = {}
    for n in range(ROWS):
        resident = ResidentFactory(household=household, id_number=valid_id_number(n))
        resident.name = f"改名{n}"
        resident.save()
        numbers[resident.pk] = valid_id_number(n)
    return numbers


def events():
    return apps.get_model("grids", "ResidentEvent").objects.order_by("pgh_id")


def rotate(**options) -> str:
    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out, **options)
    return out.getvalue()


def test_keys_are_separate_from_secret_key_and_tagged_on_each_ciphertext(settings):
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    token = national_id.encrypt(valid_id_number(1))

    assert token.startswith(f"v1:{key_id(K1)}:")
    settings.SECRET_KEY = "an entirely different secret key"
    assert national_id.decrypt(token) == valid_id_number(1)


def test_rotation_re_encrypts_every_row_so_the_old_key_can_go(residents, settings):
    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    events_before = events().count()

    output = rotate(batch_size=3)  # several batches

    assert f"residents: {ROWS} re-encrypted, 0 already under key {key_id(K2)}" in (
        output
    )
    settings.FIELD_ENCRYPTION_KEYS = [K2]
    stored = Resident.objects.values_list("pk", "id_number_encrypted")
    assert {pk: national_id.decrypt(token) for pk, token in stored} == residents
    assert all(national_id.key_id_of(token) == key_id(K2) for _, token in stored)
    # The audit trail is readable without the old key too (events exist on
    # PostgreSQL only); rotation adds one event per resident, no more.
    history = list(events().values_list("pgh_obj_id", "id_number_encrypted"))
    assert all(national_id.decrypt(token) == residents[pk] for pk, token in history)
    if connection.vendor == "postgresql":
        assert events_before == 2 * ROWS
        assert len(history) == 3 * ROWS


def test_rotation_is_idempotent(residents, settings):
    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    rotate()
    tokens = list(Resident.objects.values_list("id_number_encrypted", flat=True))

    output = rotate()

    assert f"residents: 0 re-encrypted, {ROWS} already under key" in output
    assert list(Resident.objects.values_list("id_number_encrypted", flat=True)) == (
        tokens
    )


def test_a_missing_key_fails_loudly(residents, settings):
    settings.FIELD_ENCRYPTION_KEYS = [K2]  # K1 dropped before rotating
    token = Resident.objects.first().id_number_encrypted

    with pytest.raises(ImproperlyConfigured, match=key_id(K1)):
        national_id.decrypt(token)
    with pytest.raises(ImproperlyConfigured, match=key_id(K1)):
        rotate()
    assert all(
        national_id.key_id_of(t) == key_id(K1)
        for t in Resident.objects.values_list("id_number_encrypted", flat=True)
    )


def test_a_tampered_ciphertext_fails_loudly(settings):
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    version, kid, payload = national_id.encrypt(valid_id_number(1)).split(":")
    raw = bytearray(base64.b64decode(payload))
    raw[-1] ^= 1
    tampered = f"{version}:{kid}:{base64.b64encode(bytes(raw)).decode()}"

    with pytest.raises(InvalidTag):
        national_id.decrypt(tampered)


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="append-only triggers exist on PostgreSQL only",
)
def test_event_tables_stay_append_only_after_rotation(residents, settings):
    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    rotate()

    with pytest.raises(DatabaseError), transaction.atomic():
        events().update(name="x")


def test_stored_ledger_files_are_sealed_and_resealed(db, settings):
    """An uploaded ledger holds clear numbers: kept sealed, and rotated too."""
    settings.FIELD_ENCRYPTION_KEYS = [K1]
    station = StationFactory()
    clear = "姓名,身份证号\n张三,440305198706151238\n".encode()

    def stored(content):
        return LedgerImport.objects.create(
            entity="residents",
            file_name="r.csv",
            content=content,
            bureau=station.bureau,
            station=station,
            requested_by=UserFactory(),
        )

    sealed = stored(national_id.seal(clear))
    legacy = stored(clear)  # stored before files were sealed
    assert b"440305198706151238" not in bytes(sealed.content)

    settings.FIELD_ENCRYPTION_KEYS = [K2, K1]
    assert "ledger files: 2 resealed" in rotate()
    assert "ledger files: 0 resealed" in rotate()

    settings.FIELD_ENCRYPTION_KEYS = [K2]
    for job in (sealed, legacy):
        job.refresh_from_db()
        assert b"440305198706151238" not in bytes(job.content)
        assert national_id.unseal(bytes(job.content)) == clear
