"""The OpenAPI schema and docs need a login with DEBUG off (SECURITY.md G-CF7)."""

import pytest
from django.test import override_settings

from stations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHEMA = "/api/schema/"
DOCS = "/api/docs/"


@override_settings(DEBUG=False)
def test_anonymous_gets_no_schema_in_production(client):
    assert client.get(SCHEMA).status_code == 401


@override_settings(DEBUG=False)
def test_anonymous_is_sent_from_the_docs_to_the_login_page(client):
    response = client.get(DOCS)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"
    # The docs page's start-up script is refused too.
    assert client.get(f"{DOCS}?script=").status_code in (302, 401)


@override_settings(DEBUG=False)
def test_logged_in_user_gets_schema_and_docs_in_production(client):
    client.force_login(UserFactory())

    assert client.get(SCHEMA).status_code == 200
    assert client.get(DOCS).status_code == 200


@override_settings(DEBUG=False)
def test_token_user_gets_the_schema_in_production(client):
    user = UserFactory()
    token = client.post(
        "/api/v1/auth/token/",
        {"username": user.username, "password": "correct-horse-battery-staple"},
        content_type="application/json",
    ).json()["token"]

    response = client.get(SCHEMA, HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200


@override_settings(DEBUG=True)
def test_schema_and_docs_are_public_in_debug(client):
    assert client.get(SCHEMA).status_code == 200
    assert client.get(DOCS).status_code == 200
