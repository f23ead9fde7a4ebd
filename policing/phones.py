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


def sees_phones(scope: Scope, grid_id: int) -> bool:
    """Whether the requester sees parties' phones of a grid's record unmasked.

    Only the grid's own field staff do (SECURITY G-PII3); everyone else, the
    station's chief and the bureau included, gets :func:`mask_phone`.
    """
    return scope.role is Role.FIELD and grid_id in scope.grid_ids
