"""Sessions and API tokens expire, and a deactivated user loses both.

SECURITY.md G-AU5 (tokens: hashed, 10 h), G-AU6 (browser sessions: 30 min
idle, 12 h absolute) and G-AC6 (deactivation takes effect on the next
request). Time is moved with time-machine; the server's own clock decides.
"""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from policing.tasks import purge_expired_tokens
from stations.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=datetime.UTC)
#: A page only a logged-in user may open, cheap to render.
LOGIN_ONLY_PAGE = "/accounts/password_change/"
#: An API resource a superuser may list.
API_RESOURCE = "/api/v1/bureaus/"


@pytest.fixture
def user():
    return UserFactory(username="ops_user", is_superuser=True, is_staff=True)


@pytest.fixture
def traveller():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def logged_in(client, user):
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302, "login failed"
    return client


def is_logged_in(client) -> bool:
    response = client.get(LOGIN_ONLY_PAGE)
    if response.status_code == 302:
        assert response["Location"].startswith("/accounts/login/")
        return False
    assert response.status_code == 200
    return True


def after(**delta) -> datetime.datetime:
    return T0 + datetime.timedelta(**delta)


#
# Browser sessions
#


def test_session_survives_29_idle_minutes_and_activity_renews_it(
    traveller, client, user
):
    logged_in(client, user)

    traveller.move_to(after(minutes=29))
    assert is_logged_in(client)
    # That request renewed the idle limit: 58 minutes after login, 29 idle.
    traveller.move_to(after(minutes=58))
    assert is_logged_in(client)


def test_an_active_session_is_written_once_a_minute_not_per_page(
    traveller, client, user
):
    logged_in(client, user)
    key = client.cookies["sessionid"].value

    def expiry():
        return Session.objects.get(session_key=key).expire_date

    first = expiry()
    traveller.move_to(after(seconds=59))
    with CaptureQueriesContext(connection) as queries:
        assert is_logged_in(client)
    assert not [
        q for q in queries if "UPDATE" in q["sql"] and "django_session" in q["sql"]
    ]
    assert expiry() == first
    traveller.move_to(after(seconds=61))
    assert is_logged_in(client)
    assert expiry() == first + datetime.timedelta(seconds=61)


def test_session_ends_after_31_idle_minutes(traveller, client, user):
    logged_in(client, user)

    traveller.move_to(after(minutes=31))
    assert not is_logged_in(client)


def test_active_session_ends_12_hours_after_login(traveller, client, user):
    logged_in(client, user)

    # Active every 25 minutes until just before the 12 hours are up.
    minutes = 25
    while minutes < 12 * 60:
        traveller.move_to(after(minutes=minutes))
        assert is_logged_in(client), f"logged out after {minutes} minutes"
        minutes += 25
    traveller.move_to(after(hours=12, minutes=1))
    assert not is_logged_in(client)
    # The server-side session is gone too, not just refused.
    assert not Session.objects.filter(
        session_key=client.cookies["sessionid"].value
    ).exists()


def test_session_without_login_time_is_ended(traveller, client, user):
    """A session from before the absolute limit existed has no bound: ended."""
    logged_in(client, user)
    session = client.session
    del session["policing_login_at"]
    session.save()

    assert not is_logged_in(client)


#
# API tokens
#


def obtain_token(user) -> str:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    return response.json()["token"]


def api_status(token: str) -> int:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client.get(API_RESOURCE).status_code


def test_token_works_for_10_hours_then_401(traveller, user):
    token = obtain_token(user)

    traveller.move_to(after(hours=9, minutes=59))
    assert api_status(token) == 200
    traveller.move_to(after(hours=10, minutes=1))
    assert api_status(token) == 401


def test_an_expired_token_is_refused_then_purged(traveller, user):
    expired = obtain_token(user)
    traveller.move_to(after(hours=10, minutes=1))
    fresh = obtain_token(user)

    # One query finds the token and its user: the user's other tokens are
    # not read on every call (knox's own check reads them all).
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {fresh}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(API_RESOURCE).status_code == 200
    token_reads = [q for q in queries if AuthToken._meta.db_table in q["sql"]]
    assert len(token_reads) == 1
    assert api_status(expired) == 401
    assert AuthToken.objects.filter(user=user).count() == 2

    assert purge_expired_tokens.delay().get() == 1
    assert api_status(fresh) == 200
    assert AuthToken.objects.filter(user=user).count() == 1


def test_token_is_stored_as_a_digest_only(user):
    token = obtain_token(user)

    row = AuthToken.objects.get(user=user)
    assert row.digest == hash_token(token)
    # No column of the raw table holds the usable token.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {AuthToken._meta.db_table}")
        stored = [str(value) for row in cursor.fetchall() for value in row]
    assert stored, "the token row was not read"
    assert not any(token in value for value in stored)


#
# Deactivation (G-AC6)
#


def test_deactivation_revokes_tokens_and_sessions_on_the_next_request(user):
    token = obtain_token(user)
    browser = logged_in(Client(), user)
    other = UserFactory(username="ops_other", is_superuser=True)
    others_browser = logged_in(Client(), other)
    assert api_status(token) == 200
    assert is_logged_in(browser)

    user.is_active = False
    user.save()

    assert api_status(token) == 401
    assert not is_logged_in(browser)
    # Revoked, not merely refused: nothing is left to reuse on reactivation.
    assert not AuthToken.objects.filter(user=user).exists()
    assert not Session.objects.filter(
        session_key=browser.cookies["sessionid"].value
    ).exists()
    assert is_logged_in(others_browser)


def test_a_new_password_revokes_the_tokens_issued_before(user):
    token = obtain_token(user)
    browser = logged_in(Client(), user)
    assert api_status(token) == 200

    response = browser.post(
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-passphrase-2026",
            "new_password2": "a-new-long-passphrase-2026",
        },
    )
    assert response.status_code == 302, response.content[:500]

    assert api_status(token) == 401
    assert not AuthToken.objects.filter(user=user).exists()
    # The browser that changed the password stays logged in.
    assert is_logged_in(browser)


def test_deactivation_by_bulk_update_is_refused_on_the_next_request(user):
    """``update()`` sends no signal: the is_active check alone still refuses."""
    token = obtain_token(user)
    browser = logged_in(Client(), user)

    type(user).objects.filter(pk=user.pk).update(is_active=False)

    assert api_status(token) == 401
    assert not is_logged_in(browser)
