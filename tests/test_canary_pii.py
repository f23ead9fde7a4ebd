"""Canary scan: a resident's clear national ID goes nowhere but the reveal.

SECURITY.md G-PII2 and G-PII3. Canary residents are written the two ways a
clear number comes in (the API and an uploaded ledger); then every role
reads every API resource (list and detail) and the pages and exports that
show residents, while every log record at DEBUG (SQL with its parameters
included) and every Celery task's arguments and result are recorded. The
clear number must appear nowhere: not in a response (the reveal's own
answer excepted), a log line, a task, nor the database's bytes (the SQLite
file, or a plain ``pg_dump`` with the audit event tables). Every ID-shaped
string in a response must be masked.
"""

import io
import logging
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from celery import signals
from celery.app.task import Task
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from grids.models import Resident
from policing.api import router

CANARY_ID = "440305198706151238"  # valid GB 11643 check digit
LEDGER_CANARY_ID = "440305198811220012"  # the one that comes in by ledger
CANARY_NAME = "金丝雀"
CANARY_PHONE = "13912345678"
MASK = re.compile(r"^\d{6}\*{8}\d{3}[\dX]$")
#: 18 characters shaped like an ID, clear or masked, not inside a longer token
ID_SHAPED = re.compile(r"(?<![\w*])\d{6}[\d*]{8}\d{3}[\dXx](?![\w*])")
ROLES = [
    "officer_a",
    "auxiliary_a",
    "officer_b",
    "chief_s",
    "chief_t",
    "bureau_x",
    "bureau_y",
    "superuser",
]


def forms_of(number: str) -> list[str]:
    """The number and the pieces that give away what the mask hides."""
    return [
        number,
        number.lower(),
        number[:14],  # region and birth date: the mask's hidden digits shown
        number[6:],  # birth date onwards
        f"{number[:6]} {number[6:14]} {number[14:]}",
        f"{number[:6]}-{number[6:14]}-{number[14:]}",
    ]


CANARY_FORMS = forms_of(CANARY_ID) + forms_of(LEDGER_CANARY_ID)


def leaks(text: str) -> list[str]:
    return [form for form in CANARY_FORMS if form in text]


class Recorder(logging.Handler):
    """Keep every log record's full text, arguments and exception included."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record):
        self.lines.append(self.format(record))


@pytest.fixture
def recorded_logs():
    """Every logger at DEBUG, SQL queries logged with their parameters."""
    recorder = Recorder()
    loggers = [logging.getLogger()] + [
        logging.getLogger(name) for name in list(logging.root.manager.loggerDict)
    ]
    saved = [(logger, logger.level, logger.handlers[:]) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        # Only the recorder: the console would print every query of the test.
        if logger is logging.getLogger() or not logger.propagate:
            logger.handlers[:] = [recorder]
    debug_cursor = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        yield recorder.lines
    finally:
        connection.force_debug_cursor = debug_cursor
        for logger, level, handlers in saved:
            logger.setLevel(level)
            logger.handlers[:] = handlers


@pytest.fixture
def recorded_tasks(monkeypatch):
    """The arguments and results of every Celery task sent or run."""
    records: list[str] = []

    def published(body=None, headers=None, **kwargs):
        records.append(f"publish {headers!r} {body!r}")

    def started(task_id=None, task=None, args=None, kwargs=None, **extra):
        records.append(f"run {task.name} {args!r} {kwargs!r}")

    def finished(task=None, retval=None, **extra):
        records.append(f"result {task.name} {retval!r}")

    apply_async = Task.apply_async

    def sending(self, args=None, kwargs=None, *rest, **options):
        records.append(f"send {self.name} {args!r} {kwargs!r}")
        return apply_async(self, args, kwargs, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", sending)
    receivers = [
        (signals.before_task_publish, published),
        (signals.task_prerun, started),
        (signals.task_postrun, finished),
    ]
    for signal, receiver in receivers:
        signal.connect(receiver, weak=False)
    try:
        yield records
    finally:
        for signal, receiver in receivers:
            signal.disconnect(receiver)


def text_of(response) -> str:
    """A response's text; an xlsx is read from the XML inside its zip."""
    content = b"".join(response) if response.streaming else response.content
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return "\n".join(
                book.read(name).decode()
                for name in book.namelist()
                if name.endswith(".xml")
            )
    return content.decode("utf-8", errors="replace")


def database_bytes() -> bytes:
    """The committed database as bytes: the SQLite file, or a plain pg_dump."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings["NAME"])
        return b"".join(
            Path(f"{path}{suffix}").read_bytes()
            for suffix in ("", "-wal", "-journal")
            if Path(f"{path}{suffix}").exists()
        )
    assert shutil.which("pg_dump"), "pg_dump is needed for the canary scan"
    command = ["pg_dump", "--format=plain", "--no-owner", settings["NAME"]]
    for option, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            command[1:1] = [option, str(settings[key])]
    environment = {"PGPASSWORD": settings.get("PASSWORD") or ""}
    return subprocess.run(
        command,
        check=True,
        capture_output=True,
        env={**os.environ, **environment},
    ).stdout


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_the_clear_national_id_appears_nowhere_but_the_reveal(
    world, recorded_logs, recorded_tasks
):
    grid = world.grids["A"]
    household = world.households["A"]
    officer, chief = (
        client_of(world.users["officer_a"]),
        client_of(world.users["chief_s"]),
    )
    responses = {}  # what each request answered: "role GET url" -> text

    def read(client, who, url, method="get", **data):
        response = getattr(client, method)(url, **data)
        assert response.status_code < 500, (who, url, response.status_code)
        responses[f"{who} {method.upper()} {url}"] = text_of(response)
        return response

    # The ways a clear number comes in: the API, and a residents ledger.
    created = read(
        officer,
        "officer_a",
        "/api/v1/residents/",
        "post",
        data={
            "name": CANARY_NAME,
            "id_number": CANARY_ID,
            "phone": CANARY_PHONE,
            "household": household.pk,
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    ledger = (
        "姓名,身份证号,联系电话,标准地址\n"
        f"{CANARY_NAME}二,{LEDGER_CANARY_ID},,{household.address}\n"
    )
    uploaded = read(
        chief,
        "chief_s",
        reverse("ledgers:ledgers"),
        "post",
        data={
            "entity": "residents",
            "file": SimpleUploadedFile("residents.csv", ledger.encode()),
        },
    )
    read(chief, "chief_s", uploaded["Location"], "post")
    assert Resident.objects.filter(household=household).count() == 3
    # A lookup sends the number in; only its mask comes back.
    read(
        chief,
        "chief_s",
        "/api/v1/residents/lookup/",
        "post",
        data={"id_number": CANARY_ID},
        content_type="application/json",
    )
    canary = Resident.objects.get(name=CANARY_NAME)
    # The one answer allowed to hold the number; its logs are still checked.
    revealed = chief.post(
        f"/api/v1/residents/{canary.pk}/reveal/",
        {"reason": "核对身份"},
        content_type="application/json",
    )
    assert revealed.json()["id_number"] == CANARY_ID

    for role in ROLES:
        client = client_of(world.users[role])
        # Token-style authentication: no session row to save at every call.
        api = APIClient()
        api.force_authenticate(world.users[role])
        for prefix, _viewset, _basename in router.registry:
            listed = read(api, role, f"/api/v1/{prefix}/?page_size=200")
            if listed.status_code != 200:
                continue
            rows = listed.json()["results"]
            # Every resident and household; one row of the other resources.
            for row in rows if prefix in ("residents", "households") else rows[:1]:
                read(api, role, f"/api/v1/{prefix}/{row['id']}/")
        pages = [
            reverse("dashboards:grid", args=[grid.pk]),
            reverse("dashboards:grid", args=[grid.pk]) + f"?q={CANARY_NAME}",
            reverse("dashboards:my_week"),
            reverse("visits:visit_create") + f"?household={household.pk}",
            reverse("dashboards:own_station"),
            reverse("ledgers:ledger_export", args=["residents", "csv"]),
            reverse("ledgers:ledger_export", args=["residents", "xlsx"]),
            reverse("grids:resident_reveal", args=[canary.pk]),
            "/admin/grids/resident/",
            f"/admin/grids/resident/{canary.pk}/change/",
        ]
        for url in pages:
            read(client, role, url, follow=True)

    for name, text in responses.items():
        assert not leaks(text), name
        shaped = ID_SHAPED.findall(text)
        assert all(MASK.match(number) for number in shaped), (name, shaped)
    masked = "440305********1238"
    assert sum(masked in text for text in responses.values()) >= 20
    assert any("440305********0012" in text for text in responses.values())

    logs = "\n".join(recorded_logs)
    assert not leaks(logs)
    # The capture works: SQL with its parameters, the mask among them.
    assert "grids_resident" in logs
    assert masked in logs
    tasks = "\n".join(recorded_tasks)
    assert not leaks(tasks)
    assert "check_ledger_import" in tasks

    stored = database_bytes()
    assert not [form for form in CANARY_FORMS if form.encode() in stored]
    assert masked.encode() in stored
