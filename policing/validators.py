"""Checks every text the system stores goes through (issue 27, item 8)."""

import re

from django.core.exceptions import ValidationError
from django.db.models import JSONField
from django.utils.translation import gettext_lazy as _

from policing.geometry import validate_point, validate_polygon

#: C0 control characters but tab, line feed and carriage return; DEL; C1.
#: A NUL cannot be stored by PostgreSQL, and the others cannot be written to
#: an xlsx file, or colour a terminal (``\\x1b[31m``) that shows a log.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROL_CHARACTERS_REFUSED = _(
    "Remove the control characters (such as NUL or ESC) from this text."
)


def refuse_control_characters(value) -> None:
    """Raise a ``ValidationError`` if ``value`` holds a control character."""
    if isinstance(value, str) and CONTROL_CHARACTERS.search(value):
        raise ValidationError(CONTROL_CHARACTERS_REFUSED, code="control_characters")


def strip_control_characters(value):
    """Return ``value`` without control characters (a text stored before)."""
    if isinstance(value, str):
        return CONTROL_CHARACTERS.sub("", value)
    return value


def guard_text_fields(models) -> None:
    """Add :func:`refuse_control_characters` to every text field of ``models``.

    Added to each field's computed ``validators`` (not its declared ones),
    so ``full_clean`` (API serializers, forms, the admin, ledger imports)
    and DRF's model serializer fields refuse such text with a field error,
    while migrations see no change.
    """
    from django.db.models import CharField, TextField

    for model in models:
        for field in model._meta.get_fields():
            if isinstance(field, CharField | TextField) and not getattr(
                field, "_control_guard", False
            ):
                field.validators = [*field.validators, refuse_control_characters]
                field._control_guard = True


def guard_geometry_fields(models) -> None:
    """Make ``{}``, ``[]`` and ``""`` reach the geometry validators.

    Django skips the validators of a ``blank`` field for its "empty values",
    which for a ``JSONField`` include ``{}``, ``[]`` and ``""``: an optional
    location or boundary took them as a geometry and responses broke the
    schema (issue 27, item 9). With ``None`` the only empty value, ``null``
    still means "no geometry" and the rest is refused as not a GeoJSON
    geometry object.
    """
    for model in models:
        for field in model._meta.get_fields():
            if isinstance(field, JSONField) and {
                validate_point,
                validate_polygon,
            } & set(field.validators):
                field.empty_values = [None]
