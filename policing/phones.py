"""Chinese phone numbers: validation on the way in, masking on the way out."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from policing.scope import Role, Scope

MOBILE = re.compile(r"1\d{10}")

#: a mainland mobile (11 digits from 1) or a landline with its area code
validate_phone = RegexValidator(
    r"^(1\d{10}|0\d{2,3}-?\d{7,8})$",
    _("Enter an 11-digit mobile number or a landline with its area code."),
    code="invalid_phone",
)


def mask_phone(phone: str) -> str:
    """Return a mobile as 138****0001 (SECURITY G-PII3); landlines keep 4 digits."""
    if not phone:
        return ""
    if MOBILE.fullmatch(phone):
        return f"{phone[:3]}****{phone[7:]}"
    return f"{'*' * (len(phone) - 4)}{phone[-4:]}"


def is_masked(phone: str) -> bool:
    """Whether ``phone`` is a mask from :func:`mask_phone`, not a number."""
    return "*" in (phone or "")


def shown_phone(scope: Scope, grid_id: int | None, phone: str) -> str:
    """The one rule for showing a resident's or party's phone (issue 27, item 4).

    In full to the record's own grid field staff; masked to everyone else,
    the chief, bureau staff and superusers included, in every serializer,
    page, admin form and export. The full number is otherwise reached only
    through the audited reveal (:mod:`grids.reveal`), or an export with the
    ``grids.export_full_phones`` permission, which is logged.
    """
    return phone if sees_phones(scope, grid_id) else mask_phone(phone)


def sees_staff_phone(scope: Scope, person_id: int, colleagues: set[int]) -> bool:
    """Whether the requester reads a staff member's phone in full.

    The same rule for staff as :func:`shown_phone` for residents: their own
    number, and their grid's field staff (``colleagues``: the persons
    currently assigned to one of the requester's grids); masked to others.
    """
    return person_id == scope.person_id or (
        scope.role is Role.FIELD and person_id in colleagues
    )


def sees_phones(scope: Scope, grid_id: int) -> bool:
    """Whether the requester sees parties' phones of a grid's record unmasked.

    Only the grid's own field staff do (SECURITY G-PII3); everyone else, the
    station's chief and the bureau included, gets :func:`mask_phone`.
    """
    return scope.role is Role.FIELD and grid_id in scope.grid_ids
