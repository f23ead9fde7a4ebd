"""Error responses with DEBUG off (SECURITY.md G-CF5).

They say what happened in general terms and give the request id, which is
also in the log line with the details; nothing else of the failure reaches
the client. Under ``/api/`` they answer JSON, as the API does everywhere
else, including for an exception a DRF view did not handle. The API's
messages are DRF's own, translated by DRF's catalogue.
"""

import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults


def is_api_request(request) -> bool:
    return request.path.startswith("/api/")


def request_id_of(request) -> str:
    # Set by RequestIdMiddleware; a fresh one if the failure came before it.
    return getattr(request, "request_id", None) or uuid.uuid4().hex


def server_error(request):
    """handler500: must work with the database down, so it renders with no
    request context (context processors query the database)."""
    request_id = request_id_of(request)
    if is_api_request(request):
        return JsonResponse(
            {"detail": _("A server error occurred."), "request_id": request_id},
            status=500,
        )
    html = loader.get_template("500.html").render({"request_id": request_id})
    return HttpResponseServerError(html)


def bad_request(request, exception):
    """handler400: a request Django refused before any view ran.

    Under ``/api/`` a JSON answer that says why; a body over the size limit
    (``DATA_UPLOAD_MAX_MEMORY_SIZE``, 2.5 MB) names the limit (issue 27,
    item 9).
    """
    if is_api_request(request):
        if isinstance(exception, RequestDataTooBig):
            megabytes = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / (1024 * 1024)
            detail = _("The request body is larger than the limit of %(size)s MB.") % {
                "size": f"{megabytes:g}"
            }
        else:
            detail = _("Bad request.")
        return JsonResponse({"detail": detail}, status=400)
    return defaults.bad_request(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return JsonResponse(
            {"detail": _("You do not have permission to perform this action.")},
            status=403,
        )
    return defaults.permission_denied(request, exception)
