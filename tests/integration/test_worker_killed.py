"""A worker killed mid-task leaves no partial or doubled rows (issue 11, G-IN6).

A real ``celery worker`` process, fed through Redis, applies a checked
households ledger of :data:`ROWS` rows: the longest write a task makes, one
INSERT per row inside one transaction. The test waits until the worker's
database session is inside that transaction, writing household rows, and
SIGKILLs it there. Two ways a worker dies are covered:

* only the pool process dies (the OOM killer, a crash in C code): the
  worker's main process sees it lost and, as the task acks late and rejects
  on a lost worker, puts the message back on the queue at once; its next
  pool process runs it again;
* the whole worker dies (its machine is lost): the message stays in Redis's
  unacked set until the visibility timeout, and the outbox row stays too.
  A fresh worker then gets the task **twice**: the outbox sweep sends it
  again, and the broker redelivers the original once the visibility timeout
  has passed (shortened here to 1 s; 2 h in production).

Either way the killed transaction must leave nothing behind, and the end
state must equal the one a single clean run gives: the same households,
once each, the same job status and totals, no outbox row left.

PostgreSQL only: the worker process needs its own connections to the test
database, and the proof that the kill came mid-write reads PostgreSQL's
activity and statistics views.
"""

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
import redis
from django.db import connection, transaction
from django.utils import timezone

from grids.models import Household
from ledgers import jobs
from ledgers.models import LedgerImport
from ledgers.tasks import apply_ledger_import
from policing import outbox
from policing.models import PendingTask
from tests.integration.brokers import REDIS_URL, celery_broker, redis_available
from tests.integration.digests import table_digest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process cannot share the SQLite test database, and "
        "the mid-write proof reads PostgreSQL's activity views",
    ),
    pytest.mark.skipif(
        not redis_available() and os.environ.get("CI") != "true",
        reason="Redis is not running (CI always runs this test)",
    ),
]

#: rows of the ledger: applying them takes ~2 s on 2 cores, so the kill
#: below lands well inside the writing, also on a faster machine
ROWS = 1500
#: how long the killed run goes on writing after its first household INSERT
WRITING_SECONDS = 0.3
#: the longest wait for a worker to start or a task to finish
TIMEOUT = 40
#: fields a run sets to its own clock, compared by presence only
RUN_TIMES = {"applied_at"}
#: Redis keys of the default queue and kombu's unacked bookkeeping
QUEUE_KEYS = ("celery", "unacked", "unacked_index", "unacked_mutex")

# The worker's entry point: the project's Celery app with its production
# settings, except the transport options given as JSON in argv[1].
WORKER_MAIN = """
import json, sys
from policing.celery import app
options = {**app.conf.broker_transport_options, **json.loads(sys.argv[1])}
app.conf.update(broker_transport_options=options)
app.worker_main(sys.argv[2:])
"""


def database_url() -> str:
    settings = connection.settings_dict
    user = settings["USER"] or "postgres"
    host = settings["HOST"] or "127.0.0.1"
    port = settings["PORT"] or 5432
    return f"postgres://{user}@{host}:{port}/{settings['NAME']}"


class Worker:
    """A ``celery worker`` process (prefork, one pool process) in its own session."""

    def __init__(self, log_path: Path, **transport_options):
        self.log_path = log_path
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "policing.settings_test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
        }
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    WORKER_MAIN,
                    json.dumps(transport_options),
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--loglevel=INFO",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    f"--hostname=killed-{log_path.stem}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                # Its own process group, so that a kill reaches its pool
                # process too and nothing else.
                start_new_session=True,
            )
        self.wait_for("ready.")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, count: int = 1) -> None:
        deadline = time.monotonic() + TIMEOUT
        while self.log().count(text) < count:
            assert self.process.poll() is None, self.log()[-3000:]
            assert time.monotonic() < deadline, f"no {text!r}:\n{self.log()[-3000:]}"
            time.sleep(0.1)

    def pool_processes(self) -> list[int]:
        """Return the pids of the worker's pool processes (its children)."""
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # exited meanwhile
            # "pid (comm) state ppid ...": comm may hold spaces and brackets.
            if int(stat.rpartition(")")[2].split()[1]) == self.process.pid:
                children.append(int(entry.name))
        return children

    def kill(self) -> None:
        """SIGKILL the whole worker: no warm shutdown, nothing given back."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def workers(tmp_path):
    """Start workers on demand; stop them before the database is flushed."""
    started = []

    def start(**transport_options) -> Worker:
        worker = Worker(tmp_path / f"worker{len(started) + 1}.log", **transport_options)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def broker():
    """Return a client of the test Redis, with no message an earlier run left."""
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(*QUEUE_KEYS)
    yield client
    client.delete(*QUEUE_KEYS)


def ledger_sheet(grid) -> tuple[bytes, list[str]]:
    """Return an xlsx file of ROWS new households in ``grid``, and their addresses."""
    (lon, lat), _, (lon2, lat2), *_ = grid.boundary["coordinates"][0]
    book = openpyxl.Workbook()
    book.active.append(["标准地址", "网格编码", "经度", "纬度", "户内人数"])
    addresses = []
    side = int(ROWS**0.5) + 1
    for n in range(ROWS):
        x, y = (n % side + 1) / (side + 1), (n // side + 1) / (side + 1)
        address = f"杀进程路{n + 1}号"
        addresses.append(address)
        book.active.append(
            [
                address,
                grid.code,
                lon + x * (lon2 - lon),
                lat + y * (lat2 - lat),
                1 + n % 5,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue(), addresses


def checked_import(world) -> tuple[LedgerImport, list[str]]:
    """Upload the sheet as station S's chief and check it (eagerly, here)."""
    content, addresses = ledger_sheet(world.grids["A"])
    job = jobs.upload(
        user=world.users["chief_s"],
        entity="households",
        file_name="households.xlsx",
        content=content,
        language="en",
    )
    job.refresh_from_db()
    assert job.status == LedgerImport.Status.CHECKED, job.error
    assert job.totals.get("new") == ROWS, job.totals
    return job, addresses


def digest() -> dict[str, Counter]:
    """Return each local table's rows as a multiset, run times by presence only.

    A row written twice counts 2; a row left by a killed run is one too
    many. The outbox is checked on its own (a clean run here has no row).
    """
    return table_digest(present_only=RUN_TIMES, skip_models={PendingTask})


def clean_run(job: LedgerImport, user) -> dict[str, Counter]:
    """Return the digest after one uninterrupted apply, then roll it back."""

    class RolledBack(Exception):
        pass

    try:
        with transaction.atomic():
            LedgerImport.objects.filter(pk=job.pk).update(
                status=LedgerImport.Status.APPLYING, applied_by=user
            )
            apply_ledger_import.apply(args=[job.pk], throw=True)
            after = digest()
            raise RolledBack
    except RolledBack:
        pass
    job.refresh_from_db()
    assert job.status == LedgerImport.Status.CHECKED  # rolled back
    assert (
        after["grids.Household"].total() == digest()["grids.Household"].total() + ROWS
    )
    return after


def households_inserted() -> int:
    """Household rows ever inserted, committed or rolled back (PostgreSQL stats).

    A session adds its counts when its transaction ends, a killed one's
    included, and flushes them at exit; ours is flushed on demand (PG 15+).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT n_tup_ins FROM pg_stat_user_tables WHERE relname = %s",
            [Household._meta.db_table],
        )
        return cursor.fetchone()[0]


def writing_backend() -> int:
    """Wait until another session is inserting households in a transaction.

    Return that PostgreSQL backend's pid: the worker's, mid-apply.
    """
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND backend_xid IS NOT NULL AND query LIKE %s",
                # pghistory puts its context's set_config() before the INSERT.
                [f'%INSERT INTO "{Household._meta.db_table}"%'],
            )
            row = cursor.fetchone()
        if row:
            return row[0]
        time.sleep(0.02)
    raise AssertionError("the worker never started writing households")


def wait_gone(backend: int) -> None:
    """Wait until PostgreSQL has ended the killed worker's session."""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            if cursor.fetchone() is None:
                return
        time.sleep(0.02)
    raise AssertionError(f"backend {backend} still there")


def wait_applied(job: LedgerImport) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if (
            job.status == LedgerImport.Status.APPLIED
            and not PendingTask.objects.exists()
        ):
            return
        time.sleep(0.2)
    raise AssertionError(f"job {job.status}, outbox {list(PendingTask.objects.all())}")


def assert_same_as(reference: dict[str, Counter]) -> None:
    """Assert every local table holds what the clean run left, rows counted."""
    now = digest()
    changed = {
        label: f"{now[label].total()} rows, {reference[label].total()} expected"
        for label in reference
        if now[label] != reference[label]
    }
    assert changed == {}


def kill_mid_apply(job, addresses, kill) -> None:
    """Queue the apply, and ``kill`` the worker while it writes households.

    Asserts the kill came mid-task: the job was not done, rows had been
    inserted in the killed transaction, and none of them were committed.
    """
    before = households_inserted()
    assert jobs.confirm(job, user=job.requested_by)  # sent to Redis
    backend = writing_backend()
    time.sleep(WRITING_SECONDS)
    kill()
    wait_gone(backend)

    written = households_inserted() - before
    job.refresh_from_db()
    assert job.status == LedgerImport.Status.APPLYING  # it did not finish
    assert 0 < written < ROWS  # killed mid-write ...
    committed = Household.objects.filter(address__in=addresses).count()
    assert committed == 0, f"the killed run left {committed} of {written} rows"


def test_a_killed_pool_process_is_replaced_and_its_task_run_again(
    world, broker, workers
):
    """The pool process dies mid-apply: the message is requeued, applied once."""
    job, addresses = checked_import(world)
    reference = clean_run(job, world.users["chief_s"])
    worker = workers()
    (pool_process,) = worker.pool_processes()

    with celery_broker(REDIS_URL):
        kill_mid_apply(job, addresses, lambda: os.kill(pool_process, signal.SIGKILL))
    wait_applied(job)

    worker.wait_for("succeeded in")
    log = worker.log()
    assert f"pid:{pool_process} exited with 'signal 9 (SIGKILL)'" in log
    # The same message twice, requeued by the worker's main process.
    (task_id,) = set(re.findall(r"apply_ledger_import\[([-0-9a-f]+)\] received", log))
    assert log.count(f"[{task_id}] received") == 2
    assert log.count("succeeded in") == 1
    assert_same_as(reference)
    assert Household.objects.filter(address__in=addresses).count() == ROWS
    assert not broker.exists("unacked", "celery")


def test_a_killed_worker_gets_its_task_twice_and_applies_it_once(
    world, broker, workers
):
    """The whole worker dies mid-apply: sweep and redelivery both run it; one apply."""
    job, addresses = checked_import(world)
    reference = clean_run(job, world.users["chief_s"])
    first = workers()

    with celery_broker(REDIS_URL):
        kill_mid_apply(job, addresses, first.kill)
        # The message waits in Redis for its visibility timeout, the outbox
        # row for the sweep.
        assert broker.hlen("unacked") == 1
        assert PendingTask.objects.filter(task=apply_ledger_import.name).count() == 1

        # The sweep, as beat runs it a minute on, sends the task again ...
        sent = outbox.resend_pending(now=timezone.now() + 2 * outbox.RESEND_AFTER)
        assert sent == 1
    # ... and a fresh worker, whose visibility timeout (1 s) stands for the
    # 2 h of production, also takes back the killed worker's message.
    time.sleep(1.5)
    second = workers(
        visibility_timeout=1, unacked_restore_interval=1, unacked_restore_throttle=1
    )
    second.wait_for("succeeded in", count=2)
    # One of the two is the killed worker's own message, from the unacked set.
    (killed_id,) = re.findall(
        r"apply_ledger_import\[([-0-9a-f]+)\] received", first.log()
    )
    assert f"[{killed_id}] succeeded in" in second.log()

    wait_applied(job)
    assert_same_as(reference)
    assert Household.objects.filter(address__in=addresses).count() == ROWS
    assert not broker.exists("unacked", "celery")
