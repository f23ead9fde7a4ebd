"""``check --deploy`` fails while a login keeps a default password (G-AU7)."""

import pytest
from django.core import checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

from policing.checks import DEMO_PASSWORD
from stations.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.db_independent]


def login(username, password, **fields):
    user = UserFactory(username=username, **fields)
    user.set_password(password)
    user.save()
    return user


def default_account_errors() -> list[str]:
    messages = checks.run_checks(include_deployment_checks=True)
    return sorted(m.msg for m in messages if m.id == "policing.E001")


@override_settings(DEBUG=False)
def test_demo_and_well_known_passwords_are_errors():
    login("officer", DEMO_PASSWORD)
    login("root", DEMO_PASSWORD, is_superuser=True)
    login("admin", "admin123", is_superuser=True)
    login("chief", "a-real-password-of-its-own")
    login("bureau", DEMO_PASSWORD, is_active=False)
    login("ops_clerk", DEMO_PASSWORD)  # not a demo login nor a superuser

    errors = default_account_errors()

    assert [error.split("'")[1] for error in errors] == ["admin", "officer", "root"]


@override_settings(DEBUG=False)
def test_check_deploy_command_fails():
    login("admin", DEMO_PASSWORD, is_superuser=True)

    with pytest.raises(SystemCheckError, match=r"policing\.E001"):
        call_command("check", "--deploy")


@override_settings(DEBUG=False)
def test_changed_passwords_pass():
    for username in ("officer", "chief", "bureau", "admin"):
        login(username, f"{username}-own-password-2026")

    assert default_account_errors() == []


@override_settings(DEBUG=True)
def test_demo_passwords_are_fine_in_debug():
    login("officer", DEMO_PASSWORD)

    assert default_account_errors() == []
