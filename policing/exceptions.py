"""Map domain and database errors to API responses; nothing becomes a 500."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler as drf_exception_handler

CONFLICT_MESSAGE = _(
    "The data conflicts with a record stored meanwhile; reload and retry."
)


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = CONFLICT_MESSAGE
    default_code = "conflict"


def exception_handler(exc, context):
    """Convert Django exceptions to DRF ones, then let DRF build the response.

    DRF's own handler also marks the request's transaction for rollback, so a
    rejected request leaves no partial write behind (SPEC §7).
    """
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(exc.args[0] if exc.args else None)
    elif isinstance(exc, IntegrityError):
        # A concurrent write won a race that validation could not see.
        exc = Conflict()
    return drf_exception_handler(exc, context)
