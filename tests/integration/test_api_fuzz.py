"""schemathesis over the served OpenAPI schema (SECURITY.md G-IV1).

Every operation of ``/api/schema/`` gets generated requests (the examples
and fuzzing phases, 100 fuzzed cases each, 25 in CI) from a fixed seed, sent
in-process through the WSGI application as station S's chief with a knox
token, on the ``world`` data. No response may be a server error or disagree
with the schema in its status code, content type or body, and an operation
that declares authentication must refuse requests without it.

Two strategies of the second hardening probe (issue 27, item 10) are mixed
into the generated cases, so the run sends no more requests than before:
about one body in four is replaced by JSON nested deeper than the API takes
(33 to 64 levels), and about one query or path in four gets integers past
2^63 in place of its integers (:func:`attack_strategies`, schemathesis
``map_*`` hooks: a cheap transformation of each generated value).

The operations are split into four shards by a hash of their label
(``crc32(label) % 4``), one test each, so that test processes
(pytest-xdist) share the run; each operation's cases depend only on the
seed and the operation, not on its shard or process. The counts of every
shard are summed into one summary line at the end of the run (conftest.py).

Environment: ``FUZZ_EXAMPLES`` (fuzzing cases per operation, default 100;
CI sends 25 and ``benchmarks/fuzz.sh`` the full 100),
``FUZZ_SEED`` (default 1), ``FUZZ_PHASES`` (default
``examples,fuzzing``), ``FUZZ_PATHS`` (a regex: only those paths)
and ``FUZZ_SQLITE=1`` (run on SQLite too).
"""

import copy
import os
import re
import time
import zlib
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from knox.models import AuthToken

from policing.parsers import MAX_DEPTH, depth_of

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
SEED = int(os.environ.get("FUZZ_SEED", "1"))
# The coverage phase (about 12,000 more cases, 6 more minutes) runs when
# asked for: FUZZ_PHASES=examples,coverage,fuzzing.
PHASES = os.environ.get("FUZZ_PHASES", "examples,fuzzing").split(",")

CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "ignored_auth",
    "use_after_free",
)

#: (operation, phase) -> cases sent, for the summary line.
CASES: Counter = Counter()
#: the probe's inputs among them: deep JSON bodies, huge integers
ATTACKS: Counter = Counter()

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" and os.environ.get("FUZZ_SQLITE") != "1",
    reason="the fuzzing run takes minutes; it runs on PostgreSQL, the "
    "production database (FUZZ_SQLITE=1 runs it here too)",
)


def fuzz_config() -> schemathesis.Config:
    return schemathesis.Config.from_dict(
        {
            "seed": SEED,
            "phases": {
                phase: {"enabled": phase in PHASES}
                for phase in ("examples", "coverage", "fuzzing", "stateful")
            },
            "generation": {"max-examples": EXAMPLES, "database": "none"},
            "checks": {
                "enabled": False,
                **{name: {"enabled": True} for name in CHECKS},
            },
        }
    )


@pytest.fixture(autouse=True)
def fuzz_counts(request):
    """Hand this shard's counts to the run's summary line (conftest.py).

    Through the test's report, so that the shards run by other processes
    are counted too.
    """
    CASES.clear()
    ATTACKS.clear()
    started = time.monotonic()
    yield
    if not CASES:
        return
    counts = Counter({f"cases {phase} {op}": n for (op, phase), n in CASES.items()})
    counts.update({f"attacks {name}": n for name, n in ATTACKS.items()})
    counts["seconds"] = round(time.monotonic() - started)
    counts[f"seed {SEED}"] = 1
    request.node.user_properties.append(("run counts", ("schemathesis", dict(counts))))


#
# The probe's strategies (issue 27, item 10)
#

#: One case in this many carries the probe's input instead of its own.
ATTACK_EVERY = 4


def _nested(depth: int):
    value: list | dict = []
    for level in range(depth - 1):
        value = [value] if level % 2 else {"a": value}
    return value


def _pick(value) -> int | None:
    """A number from 0 to ATTACK_EVERY - 1 per generated value, stable for a
    seed: the run stays reproducible and sends as many requests as before."""
    digest = zlib.crc32(repr(value).encode())
    return digest if digest % ATTACK_EVERY == 0 else None


#: Levels past the API's bound the fuzzed bodies go: enough to cross it;
#: schemathesis hashes each body recursively, so deeper costs time. The
#: probe's 1,000 and 100,000 levels go as raw bytes in tests/test_bad_input.py.
DEEPEST = 2 * MAX_DEPTH


def deep_json(context, body):
    """About one body in four: JSON nested past the API's bound."""
    picked = _pick(body)
    if picked is None:
        return body
    return _nested(MAX_DEPTH + 1 + picked % (DEEPEST - MAX_DEPTH))


def huge_integers(context, values):
    """About one query or path in four: its integers moved past ±2^63."""
    picked = _pick(values)
    if picked is None or not isinstance(values, dict):
        return values
    sign = -1 if picked % 2 else 1
    return {
        name: sign * (2**63 + abs(value))
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in values.items()
    }


def attack_strategies(schema) -> None:
    """Mix the probe's inputs into every operation's generated cases."""
    schema.hooks.register_hook_with_name(deep_json, "map_body")
    schema.hooks.register_hook_with_name(huge_integers, "map_query")
    schema.hooks.register_hook_with_name(huge_integers, "map_path_parameters")


def fuzz_headers(token: str) -> dict[str, str]:
    """The chief's token, and no compression: the WSGI transport hands back
    the body as sent, and an HTTP client would have unzipped it."""
    return {"Authorization": f"Token {token}", "Accept-Encoding": "identity"}


@pytest.fixture
def chief_token(world):
    _token, key = AuthToken.objects.create(world.users["chief_s"])
    return key


@pytest.fixture
def wsgi_app():
    """The real WSGI application, kept from closing the test's connection.

    Django's handler closes the database connection when a request ends; the
    test's transaction (and the ``world`` in it) would go with it. Django's
    own test client disconnects the same receivers.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


#: the served schema, fetched once per process (every shard reads the same)
_SERVED_SCHEMA: dict = {}


@pytest.fixture
def api_schema(request, wsgi_app, chief_token):
    # schemathesis renames the test node per operation through the private
    # ``_nodeid`` that pytest 9.2 no longer has; the subtests carry the
    # operation's name anyway, so give it an attribute to rename.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    if not _SERVED_SCHEMA:
        served = schemathesis.openapi.from_wsgi(
            "/api/schema/",
            wsgi_app,
            config=fuzz_config(),
            headers=fuzz_headers(chief_token),
        )
        _SERVED_SCHEMA.update(copy.deepcopy(served.raw_schema))
    loaded = schemathesis.openapi.from_dict(
        copy.deepcopy(_SERVED_SCHEMA), config=fuzz_config()
    )
    loaded.app = wsgi_app
    loaded.location = "/api/schema/"
    attack_strategies(loaded)
    # A shard that FUZZ_PATHS leaves without operations has nothing to run.
    matching = loaded.include(request.function.in_shard)
    if not any(True for _ in matching.get_all_operations()):
        pytest.skip(f"FUZZ_PATHS leaves no operation in {request.node.name}")
    return loaded


schema = schemathesis.pytest.from_fixture("api_schema")
PATHS = re.compile(os.environ.get("FUZZ_PATHS", ""))
SHARDS = 4


def shard(number: int):
    """Fuzz the operations of one shard: those whose label hashes to ``number``
    (and whose path FUZZ_PATHS matches: in the same filter, as schemathesis
    takes an operation that any one of several filters includes)."""

    def in_shard(context) -> bool:
        operation = context.operation
        return (
            zlib.crc32(operation.label.encode()) % SHARDS == number
            and PATHS.search(operation.path) is not None
        )

    in_shard.__name__ = f"in_shard_{number}"

    def decorate(test):
        fuzzed = schema.include(in_shard).parametrize()(test)
        fuzzed.in_shard = in_shard
        return fuzzed

    return decorate


def check(case, chief_token) -> None:
    phase = case.meta.phase.name.value if case.meta is not None else "explicit"
    CASES[case.operation.label, phase] += 1
    if depth_of(case.body) > MAX_DEPTH:
        ATTACKS["deep JSON"] += 1
    values = [*(case.query or {}).values(), *(case.path_parameters or {}).values()]
    if any(isinstance(v, int) and abs(v) >= 2**63 for v in values):
        ATTACKS["huge integers"] += 1
    case.call_and_validate(headers=fuzz_headers(chief_token))


@pytest.mark.django_db
@shard(0)
def test_api_conforms_to_its_schema_shard_0(case, chief_token):
    check(case, chief_token)


@pytest.mark.django_db
@shard(1)
def test_api_conforms_to_its_schema_shard_1(case, chief_token):
    check(case, chief_token)


@pytest.mark.django_db
@shard(2)
def test_api_conforms_to_its_schema_shard_2(case, chief_token):
    check(case, chief_token)


@pytest.mark.django_db
@shard(3)
def test_api_conforms_to_its_schema_shard_3(case, chief_token):
    check(case, chief_token)
