"""Query codes and the public progress query (SECURITY G-PII7).

A code is 12 Crockford base-32 characters from ``secrets`` (60 bits), shown
once on the party's receipt; only its HMAC-SHA256 under ``FIELD_HASH_KEY`` is
stored. A query needs the code and the last four digits of a reporter's or
victim's phone. Every failure looks the same to the client, whatever failed,
and takes the same database work; failures are limited per code and per
client address, after which the code is locked for an hour. Attempts from
an address that is locked out are logged but count against no code.
"""

import datetime
import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import RATABLE_STATUSES, Case, CaseParty, Rating, TrackAttempt

logger = logging.getLogger("policing.security")

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
CODE_LENGTH = 12
#: Crockford's reading rules: these are typed for the digits they look like.
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

WINDOW = datetime.timedelta(hours=1)
MAX_FAILURES_PER_CODE = 5
MAX_FAILURES_PER_CLIENT = 30
LOCK = datetime.timedelta(hours=1)


def new_code() -> str:
    """Return a fresh random query code (60 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize(code: str) -> str:
    """Return ``code`` as stored: upper case, no separators, look-alikes read."""
    cleaned = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    return cleaned.translate(_LOOK_ALIKES)


def display(code: str) -> str:
    """Group a code in fours for the receipt: ``2026-DEMA-CASE``."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_hash(code: str) -> str:
    """Return the keyed hash a code is stored and looked up by."""
    key = settings.FIELD_HASH_KEY.encode()
    message = b"case-query-code:" + normalize(code).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Found:
    """A successful query: the case and the party who asked."""

    case: Case
    party: CaseParty


def find(code: str, phone_tail: str, *, client: str) -> Found | None:
    """Return the case and party behind ``code`` + ``phone_tail``, or None.

    None for every failure alike: unknown code, wrong phone, a party who
    may not track, a locked code, or a client over its limit. Each attempt
    is logged and counted.
    """
    digest = code_hash(code)
    now = timezone.now()
    with transaction.atomic():
        # The row lock queues concurrent queries on one code, so that each
        # counts the failures committed before it: without it a burst of
        # parallel guesses would all see fewer than the limit.
        case = Case.objects.select_for_update().filter(query_code_hash=digest).first()
        party = _matching_party(case, phone_tail)
        client_locked = _client_over_limit(client, now)
        allowed = not client_locked and not (
            case is not None
            and case.tracking_locked_until
            and case.tracking_locked_until > now
        )
        succeeded = allowed and party is not None
        TrackAttempt.objects.create(
            at=now,
            client=client,
            code_hash=digest,
            case=case,
            succeeded=succeeded,
            client_locked=client_locked,
        )
        if not succeeded:
            logger.warning(
                "track failure client=%s case=%s%s",
                client,
                case.pk if case else "-",
                " (client locked out)" if client_locked else "",
            )
            # A locked-out address (perhaps a carrier's NAT shared by many)
            # adds no failure to the codes it tries: otherwise it could lock
            # real parties' codes, the right code and phone included.
            if case is not None and not client_locked:
                _lock_if_over_limit(case, digest, now)
            return None
    return Found(case=case, party=party)


def _matching_party(case: Case | None, phone_tail: str) -> CaseParty | None:
    """Compare the tail with every tracking party's, in constant time.

    An unknown code is compared against a dummy tail so that both failures
    cost the same.
    """
    tail = "".join(ch for ch in (phone_tail or "") if ch.isdigit())[-4:].encode()
    parties = list(case.parties.all()) if case is not None else []
    match = None
    for party in parties or [None]:
        candidate = party.phone_tail if party is not None else "----"
        if hmac.compare_digest(candidate.encode(), tail) and party and party.may_track:
            match = party
    return match


def _client_over_limit(client: str, now) -> bool:
    failures = TrackAttempt.objects.filter(
        client=client, succeeded=False, at__gt=now - WINDOW
    ).count()
    return failures >= MAX_FAILURES_PER_CLIENT


def _lock_if_over_limit(case: Case, digest: str, now) -> None:
    failures = TrackAttempt.objects.filter(
        code_hash=digest, succeeded=False, client_locked=False, at__gt=now - WINDOW
    ).count()
    if failures >= MAX_FAILURES_PER_CODE and not (
        case.tracking_locked_until and case.tracking_locked_until > now
    ):
        # An update of the case row: the audit trail records the lock.
        Case.objects.filter(pk=case.pk).update(tracking_locked_until=now + LOCK)
        logger.warning("track code locked case=%s", case.pk)


#
# Ratings
#

NOT_RATABLE = _("The officer can be rated once the case is solved.")
ALREADY_RATED = _("You have already rated this case.")


class AlreadyRated(ValidationError):
    """The party has rated the case before: a rating is given once only."""

    def __init__(self):
        super().__init__(ALREADY_RATED, code="already_rated")


def rate(found: Found, *, score: int, comment: str = "") -> Rating:
    """Record the rating of the officer in charge by the party who asked.

    Raise ValidationError unless the case is solved or closed, or when the
    score or comment is invalid, and :class:`AlreadyRated` (a
    ValidationError) when the party has rated the case already. The
    ``rating_once_per_party`` constraint settles concurrent submits: the
    loser's insert fails inside a savepoint and becomes ``AlreadyRated``,
    leaving the caller's transaction usable.
    """
    case, party = found.case, found.party
    if case.status not in RATABLE_STATUSES:
        raise ValidationError(NOT_RATABLE, code="not_ratable")
    rating = Rating(
        case=case,
        party=party,
        officer_id=case.officer_id,
        score=score,
        comment=(comment or "").strip(),
    )
    # The foreign keys come from a successful query; uniqueness is left to
    # the database, which alone sees concurrent submits.
    rating.full_clean(
        exclude=["case", "party", "officer"],
        validate_unique=False,
        validate_constraints=False,
    )
    already = Rating.objects.filter(case=case, party=party)
    if already.exists():
        raise AlreadyRated
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as error:
        if already.exists():
            raise AlreadyRated from error
        raise
    return rating
