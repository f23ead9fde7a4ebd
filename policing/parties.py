"""Saving the parties of a dispute or a case, for the apps' workflows."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

PARTY_NAME_REQUIRED = _("Give the party's name or choose a resident.")
PARTY_PROBLEM = _("Party {number}: {message}")


def add_parties(
    parties: list[dict],
    new_party: Callable[[dict], models.Model],
    *,
    check: Callable[[models.Model], None] | None = None,
) -> None:
    """Save a party for each dict of ``parties``, or none if one is wrong.

    ``new_party(data)`` returns the unsaved party of the record with what
    the app's parties have besides (a case party's role); this fills in the
    ``resident``, and the ``name`` and ``phone`` given or else the
    resident's. A party needs a name; ``check(party)`` may refuse it for the
    app's own reasons. The problems of all the parties are raised together
    on ``parties``, each prefixed with the party's number.
    """
    problems = []
    for number, data in enumerate(parties, start=1):
        resident = data.get("resident")
        party = new_party(data)
        party.resident = resident
        party.name = (data.get("name") or getattr(resident, "name", "")).strip()
        party.phone = (data.get("phone") or getattr(resident, "phone", "")).strip()
        try:
            if not party.name:
                raise ValidationError({"name": PARTY_NAME_REQUIRED})
            if check is not None:
                check(party)
            party.full_clean()
        except ValidationError as error:
            problems += [
                PARTY_PROBLEM.format(number=number, message=message)
                for messages in error.message_dict.values()
                for message in messages
            ]
            continue
        party.save()
    if problems:
        raise ValidationError({"parties": problems})
