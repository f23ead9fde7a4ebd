"""Login safety (SECURITY.md, issue 11 §7): lockout per user and address, Argon2."""

import importlib

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"
HOME = "10.0.0.1"
ELSEWHERE = "10.0.0.2"


def log_in(client, username, password, address=HOME):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def fail_five_times(client, username, address=HOME):
    statuses = [
        log_in(client, username, "wrong-password", address).status_code
        for _attempt in range(5)
    ]
    assert statuses == [200] * 4 + [429]  # the fifth failure locks


def test_five_failures_lock_the_user_at_that_address(client, world):
    fail_five_times(client, "officer_a")
    locked = log_in(client, "officer_a", PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_spares_other_users_and_other_addresses(client, world):
    fail_five_times(client, "officer_a")
    assert log_in(client, "officer_b", PASSWORD).status_code == 302
    client.logout()
    assert log_in(client, "officer_a", PASSWORD, address=ELSEWHERE).status_code == 302


def test_four_failures_do_not_lock(client, world):
    for _attempt in range(4):
        log_in(client, "officer_a", "wrong-password")
    assert log_in(client, "officer_a", PASSWORD).status_code == 302


def test_the_token_endpoint_counts_and_honours_the_lock(world):
    api = APIClient(REMOTE_ADDR=HOME)
    for _attempt in range(5):
        response = api.post(
            "/api/v1/auth/token/", {"username": "chief_s", "password": "nope"}
        )
        assert response.status_code in (400, 429)
    response = api.post(
        "/api/v1/auth/token/", {"username": "chief_s", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "token" not in response.json()
    assert "15" in response.json()["detail"]


def test_failures_on_the_login_page_lock_the_admin_too(client, world):
    fail_five_times(client, "superuser")
    response = client.post(
        "/admin/login/",
        {"username": "superuser", "password": PASSWORD},
        REMOTE_ADDR=HOME,
    )
    assert response.status_code == 429


def test_production_hashes_passwords_with_argon2():
    production = importlib.import_module("policing.settings")
    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    assert encoded.startswith("argon2$") and hasher.verify(PASSWORD, encoded)
