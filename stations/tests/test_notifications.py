"""Notifications: who is told of red and overdue disputes, in-app and by mail."""

import datetime
import re

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from disputes import workflow
from disputes.models import Dispute
from disputes.tasks import notify_overdue_disputes
from disputes.tests.factories import DisputeFactory
from stations.models import Notification, Person
from stations.notifications import notify
from stations.tasks import email_notifications
from stations.tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

RED = Notification.Kind.RED_DISPUTE
OVERDUE = Notification.Kind.OVERDUE_DISPUTE
#: the notification list's queries, whatever the number of notifications
LIST_QUERIES = 11


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def report_red(world, grid="A") -> Dispute:
    officer = world.persons[f"officer_{grid.lower()}"]
    return workflow.report(
        grid=world.grids[grid],
        category=Dispute.Category.LAND,
        summary="宅基地纠纷，双方持械对峙",
        parties=[{"name": "王五"}, {"name": "赵六"}],
        colour=Dispute.Colour.RED,
        by=officer,
    )


def overdue_dispute(world, grid="A") -> Dispute:
    """Return a reported dispute whose first contact was due 6 hours ago."""
    now = timezone.now()
    return DisputeFactory(
        grid=world.grids[grid],
        reported_by=world.persons[f"officer_{grid.lower()}"],
        reported_at=now - datetime.timedelta(hours=30),
        first_contact_due=now - datetime.timedelta(hours=6),
    )


def notified(person) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=person)
        .order_by("pk")
        .values_list("kind", "key")
    )


def keys_on_page(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'data-notification="([^"]+)"', response.content.decode())


def add_notification(person, key, **fields) -> Notification:
    return Notification.objects.create(
        recipient=person,
        kind=fields.pop("kind", RED),
        key=key,
        subject=fields.pop("subject", key),
        url=fields.pop("url", "/disputes/"),
        **fields,
    )


#
# Who is told
#


def test_regrade_to_red_notifies_the_chief_once(world):
    """Red again after a regrade away is the same occasion: one notification."""
    dispute = world.disputes["A"]
    chief = world.persons["chief_s"]
    workflow.regrade(dispute, colour="red", by=chief)
    key = f"dispute:{dispute.pk}:red"
    assert notified(chief) == [(RED, key)]
    workflow.regrade(dispute, colour="yellow", reason="双方已冷静", by=chief)
    workflow.regrade(dispute, colour="red", by=chief)
    assert notified(chief) == [(RED, key)]
    assert notified(world.persons["chief_t"]) == []
    assert notified(world.persons["officer_a"]) == []


def test_regrade_below_red_notifies_nobody(world):
    """Orange is serious but not a red alert."""
    workflow.regrade(world.disputes["A"], colour="orange", by=world.persons["chief_s"])
    assert not Notification.objects.exists()


def test_overdue_sweep_notifies_each_chief_once_per_dispute(world):
    """One notification per overdue dispute and chief; a rerun adds none."""
    late_a, late_b = overdue_dispute(world, "A"), overdue_dispute(world, "B")
    late_c = overdue_dispute(world, "C")
    second_chief_s = PersonFactory(
        station=world.stations["S"],
        is_chief=True,
        user=UserFactory(username="chief_s2"),
    )

    assert workflow.notify_overdue() == 5
    for chief in (world.persons["chief_s"], second_chief_s):
        assert set(notified(chief)) == {
            (OVERDUE, f"dispute:{late_a.pk}:overdue:reported"),
            (OVERDUE, f"dispute:{late_b.pk}:overdue:reported"),
        }
    assert notified(world.persons["chief_t"]) == [
        (OVERDUE, f"dispute:{late_c.pk}:overdue:reported")
    ]
    assert workflow.notify_overdue() == 0
    assert Notification.objects.count() == 5


def test_notifications_are_dated_by_their_occasion(world):
    """A red report of last week and a deadline missed six hours ago are
    dated then, not when the sweep found them (issue 19, item 10)."""
    reported_at = timezone.now() - datetime.timedelta(days=7)
    red = workflow.report(
        grid=world.grids["A"],
        category=Dispute.Category.LAND,
        summary="上周上报的红色纠纷",
        parties=[{"name": "王五"}],
        colour=Dispute.Colour.RED,
        by=world.persons["officer_a"],
        at=reported_at,
    )
    late = overdue_dispute(world)
    workflow.notify_overdue()
    chief = world.persons["chief_s"]
    occurred = dict(
        Notification.objects.filter(recipient=chief).values_list("key", "occurred_at")
    )
    assert occurred[f"dispute:{red.pk}:red"] == reported_at
    assert occurred[f"dispute:{late.pk}:overdue:reported"] == late.first_contact_due
    page = logged_in(chief.user).get("/notifications/")
    # The red report is overdue by now as well: three occasions, newest first.
    assert keys_on_page(page) == [
        f"dispute:{late.pk}:overdue:reported",
        f"dispute:{red.pk}:overdue:reported",
        f"dispute:{red.pk}:red",
    ]
    assert timezone.localtime(reported_at).strftime("%Y-%m-%d %H:%M") in (
        page.content.decode()
    )


def test_overdue_sweep_ignores_disputes_on_time(world):
    """The world's disputes are within their time limits: nobody is told."""
    assert workflow.notify_overdue() == 0
    assert not Notification.objects.exists()


def test_deactivated_chief_is_not_notified(world):
    """A chief whose login is deactivated gets no notification."""
    retired = PersonFactory(
        station=world.stations["S"],
        is_chief=True,
        user=UserFactory(username="retired_chief", is_active=False),
    )
    overdue_dispute(world, "A")
    report_red(world, "A")
    assert workflow.notify_overdue() == 1
    assert notified(retired) == []
    assert len(notified(world.persons["chief_s"])) == 2


#
# The list
#


def test_list_shows_only_own_notifications_newest_first(world):
    """Chief S sees their two notifications, newest first, not chief T's."""
    chief_s, chief_t = world.persons["chief_s"], world.persons["chief_t"]
    older = add_notification(chief_s, "older")
    newer = add_notification(chief_s, "newer")
    Notification.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    add_notification(chief_t, "chief-t-only")
    response = logged_in(world.users["chief_s"]).get("/notifications/")
    assert keys_on_page(response) == [newer.key, older.key]


def test_list_query_count_does_not_grow(world):
    """The list costs the same queries with 1 notification or 40."""
    chief = world.persons["chief_s"]

    def count() -> int:
        client = logged_in(chief.user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/notifications/").status_code == 200
        return len(queries)

    add_notification(chief, "first")
    before = count()
    for number in range(39):
        add_notification(chief, f"more-{number}")
    after = count()
    assert before == after
    assert after <= LIST_QUERIES


def test_list_says_so_when_empty(world):
    """Without notifications the page explains what would appear."""
    response = logged_in(world.users["chief_t"]).get("/notifications/")
    assert keys_on_page(response) == []
    assert "No notifications." in response.content.decode()


def test_list_needs_a_staff_login(world, client):
    """Anonymous visitors log in first; logins without staff record get 403."""
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert logged_in(world.users["no_staff"]).get("/notifications/").status_code == 403


def test_opening_marks_read_and_goes_to_the_dispute(world):
    """POST open marks the notification read and redirects to its link."""
    dispute = report_red(world)
    notification = Notification.objects.get(recipient=world.persons["chief_s"])
    response = logged_in(world.users["chief_s"]).post(
        f"/notifications/{notification.pk}/open/"
    )
    assert response.status_code == 302
    assert response.url == dispute.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_does_not_follow_links_off_site(world):
    """A link to another host is replaced by the notification list."""
    notification = add_notification(
        world.persons["chief_s"], "odd", url="https://evil.example/"
    )
    response = logged_in(world.users["chief_s"]).post(
        f"/notifications/{notification.pk}/open/"
    )
    assert response.status_code == 302
    assert response.url == "/notifications/"


def test_opening_someone_elses_notification_is_404(world):
    """Chief T cannot open, nor mark read, chief S's notification."""
    notification = add_notification(world.persons["chief_s"], "mine")
    response = logged_in(world.users["chief_t"]).post(
        f"/notifications/{notification.pk}/open/"
    )
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_touches_only_own(world):
    """POST read/ marks all of the requester's notifications read, no others."""
    mine = [add_notification(world.persons["chief_s"], key) for key in ("a", "b")]
    theirs = add_notification(world.persons["chief_t"], "c")
    response = logged_in(world.users["chief_s"]).post("/notifications/read/")
    assert response.status_code == 302
    assert response.url == "/notifications/"
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine]).unread()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_top_bar_shows_the_unread_count(world):
    """The bell carries the number of unread notifications."""
    chief = world.persons["chief_s"]
    add_notification(chief, "a")
    add_notification(chief, "b")
    add_notification(chief, "read", read_at=timezone.now())
    page = logged_in(world.users["chief_s"])
    html = page.get("/disputes/").content.decode()
    assert re.search(r'<a [^>]*class="bell" data-unread="2"', html)
    page.post("/notifications/read/")
    html = page.get("/disputes/").content.decode()
    assert re.search(r'<a [^>]*class="bell" data-unread="0"', html)


#
# E-mail
#


@pytest.fixture
def mail_on(settings, world):
    """Mail notifications, and give chief S an address."""
    settings.NOTIFY_BY_EMAIL = True
    user = world.users["chief_s"]
    user.email = "chief_s@example.org"
    user.save(update_fields=["email"])
    return user


def test_red_report_mails_the_chief_after_commit(
    world, mail_on, mailoutbox, django_capture_on_commit_callbacks
):
    """One mail per new notification, sent once the transaction commits."""
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispute = report_red(world)
        assert mailoutbox == []
    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["chief_s@example.org"]
    assert mail.subject.startswith("Red dispute: ")
    assert dispute.get_absolute_url() in mail.body
    notification = Notification.objects.get(recipient=world.persons["chief_s"])
    assert notification.emailed_at is not None


def test_mailing_again_sends_nothing(
    world, mail_on, mailoutbox, django_capture_on_commit_callbacks
):
    """A notification once mailed is not mailed again."""
    with django_capture_on_commit_callbacks(execute=True):
        report_red(world)
    ids = list(Notification.objects.values_list("pk", flat=True))
    assert email_notifications(ids) == 0
    assert len(mailoutbox) == 1


def test_no_mail_when_mail_is_off(
    world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """With NOTIFY_BY_EMAIL off, the notification stays in the app."""
    settings.NOTIFY_BY_EMAIL = False
    world.users["chief_s"].email = "chief_s@example.org"
    world.users["chief_s"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report_red(world)
    assert callbacks == []
    assert mailoutbox == []
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 1


def test_recipient_without_address_is_skipped(
    world, mail_on, mailoutbox, django_capture_on_commit_callbacks
):
    """A second chief without an e-mail address is told in the app only."""
    silent = PersonFactory(
        station=world.stations["S"], is_chief=True, user=UserFactory(username="quiet")
    )
    with django_capture_on_commit_callbacks(execute=True):
        report_red(world)
    assert [mail.to for mail in mailoutbox] == [["chief_s@example.org"]]
    quiet = Notification.objects.get(recipient=silent)
    assert quiet.emailed_at is None


def test_rolled_back_change_mails_nothing(
    world, mail_on, mailoutbox, django_capture_on_commit_callbacks
):
    """Notifications created in a rolled-back transaction send no mail."""
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(
            Person.objects.filter(pk=world.persons["chief_s"].pk),
            kind=RED,
            key="rolled-back",
            subject="rolled back",
        )
        raise RuntimeError
    assert callbacks == []
    assert mailoutbox == []
    assert not Notification.objects.filter(key="rolled-back").exists()


#
# The beat task
#


def test_overdue_sweep_is_scheduled_and_runs(world):
    """Beat runs disputes.tasks.notify_overdue_disputes; it returns the count."""
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "disputes.tasks.notify_overdue_disputes" in tasks
    assert notify_overdue_disputes.name == "disputes.tasks.notify_overdue_disputes"
    overdue_dispute(world, "A")
    assert notify_overdue_disputes.apply().get() == 1
    assert notify_overdue_disputes() == 0


def test_the_sweep_mails_what_a_lost_task_did_not(world, mail_on, mailoutbox):
    """With the broker down the task is lost; the beat sweep mails it later."""
    report_red(world)  # on-commit callbacks never run here: the task is lost
    assert mailoutbox == []
    assert "email-pending-notifications" in django_settings.CELERY_BEAT_SCHEDULE
    assert email_notifications() == 1
    assert len(mailoutbox) == 1
    assert email_notifications() == 0
