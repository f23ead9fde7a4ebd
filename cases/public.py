"""The public progress page ``/track/`` for a case's parties (SECURITY G-PII7).

A party without an account posts the query code printed on the receipt and
the last four digits of the phone they gave; :func:`cases.tracking.find`
decides. Whatever failed, the party gets one page, byte for byte the same,
and neither the code nor the phone ever goes in a URL (G-PII4). A found case
is shown through :func:`public_view`, the one place that says what a party
may see; the JSON API (:mod:`cases.public_api`) serialises the same view.
"""

import ipaddress
import unicodedata
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View

from cases import tracking
from cases.models import (
    RATABLE_STATUSES,
    Case,
    CaseEvent,
    Rating,
    Status,
    event_label,
    status_label,
)

GENERIC_FAILURE = _(
    "No case matches this query code and phone number, or there have been "
    "too many tries. Check the receipt and try again in an hour; if it still "
    "fails, ask the police station for a new code."
)
CODE_FORMAT = _("Enter the 12 letters and digits of the query code on the receipt.")
TAIL_FORMAT = _("Enter the last four digits of your phone number.")

#: the way of a case that is not dropped
STEPS = (
    Status.REPORTED,
    Status.ACCEPTED,
    Status.INVESTIGATING,
    Status.SOLVED,
    Status.CLOSED,
)
#: 1 to 5 stars, in the words of the usual satisfaction survey (满意度回访)
SCORES = (
    (1, _("Very dissatisfied")),
    (2, _("Dissatisfied")),
    (3, _("Neither satisfied nor dissatisfied")),
    (4, _("Satisfied")),
    (5, _("Very satisfied")),
)
COMMENT_MAX_LENGTH = 500
#: bucket for a request without a usable client address (a unix socket)
UNKNOWN_CLIENT = "0.0.0.0"  # nosec B104: a log value, not a bind address


#
# Input
#


def clean_code(value: str) -> str:
    """Return the query code as stored, or raise ValidationError.

    Any case, separators and look-alikes are accepted, and so are the
    full-width letters and digits of a Chinese input method.
    """
    code = tracking.normalize(unicodedata.normalize("NFKC", value or ""))
    if len(code) != tracking.CODE_LENGTH or not set(code) <= set(tracking.ALPHABET):
        raise ValidationError(CODE_FORMAT, code="code_format")
    return code


def clean_phone_tail(value: str) -> str:
    """Return the four digits, or raise ValidationError."""
    tail = "".join(unicodedata.normalize("NFKC", value or "").split())
    if len(tail) != 4 or not all(ch in "0123456789" for ch in tail):
        raise ValidationError(TAIL_FORMAT, code="phone_tail_format")
    return tail


def client_address(request) -> str:
    """Return the client's address as the server saw it (``REMOTE_ADDR``).

    Behind a reverse proxy this is the proxy's address unless the proxy's
    real-IP handling rewrites it; a header the client sets itself is never
    trusted, or every request could claim a fresh address and escape the
    per-client limit.
    """
    address = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return UNKNOWN_CLIENT


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Query code"), max_length=40)
    phone_tail = forms.CharField(
        label=_("Last four digits of your phone number"), max_length=20
    )

    def clean_code(self):
        return clean_code(self.cleaned_data["code"])

    def clean_phone_tail(self):
        return clean_phone_tail(self.cleaned_data["phone_tail"])


class RatingForm(TrackForm):
    score = forms.TypedChoiceField(
        label=_("Your rating of the officer in charge"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose from one to five stars.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
    )


#
# What a party may see
#


@dataclass(frozen=True)
class PublicOfficer:
    name: str
    badge_number: str


@dataclass(frozen=True)
class PublicEvent:
    kind: str
    kind_display: str
    at: object
    text: str


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    #: "done", "current", "todo" or "dropped"
    state: str


@dataclass(frozen=True)
class PublicView:
    """A case as its party sees it: no summary, parties or internal notes."""

    number: str
    kind: str
    kind_display: str
    category: str
    category_display: str
    status: str
    status_display: str
    reported_at: object
    station: str
    officer: PublicOfficer
    events: list[PublicEvent]
    steps: list[Step]
    may_rate: bool
    rating: Rating | None


def public_view(found: tracking.Found) -> PublicView:
    """Return what the party who asked may see of the found case.

    Only public events, the officer in charge's name and badge number (never
    the phone), and the station: no other party, no summary, no grid.
    """
    case = Case.objects.select_related("officer", "grid__area__station").get(
        pk=found.case.pk
    )
    events = [
        PublicEvent(
            kind=event.kind,
            kind_display=event_label(case.kind, event.kind),
            at=event.at,
            text=event.text,
        )
        for event in CaseEvent.objects.filter(case=case, public=True).order_by(
            "at", "pk"
        )
    ]
    rating = Rating.objects.filter(case=case, party=found.party).first()
    return PublicView(
        number=case.number,
        kind=case.kind,
        kind_display=case.get_kind_display(),
        category=case.category,
        category_display=case.get_category_display(),
        status=case.status,
        status_display=case.get_status_display(),
        reported_at=case.reported_at,
        station=case.grid.area.station.name,
        officer=PublicOfficer(
            name=case.officer.name, badge_number=case.officer.badge_number
        ),
        events=events,
        steps=progress_steps(
            case.status, {event.kind for event in events}, kind=case.kind
        ),
        may_rate=case.status in RATABLE_STATUSES and rating is None,
        rating=rating,
    )


def progress_steps(status: str, reached: set[str], *, kind: str) -> list[Step]:
    """Return the progress stepper for a case in ``status``.

    A dropped case shows the steps its public timeline reached, then the
    drop; any other case shows the whole way with its position on it.
    """
    if status == Status.DROPPED:
        # Status steps and their events share their values ("accepted" ...).
        done = [step for step in STEPS if step == Status.REPORTED or step in reached]
        return [Step(step, status_label(kind, step), "done") for step in done] + [
            Step(Status.DROPPED, Status.DROPPED.label, "dropped")
        ]
    position = STEPS.index(status)
    return [
        Step(
            step,
            status_label(kind, step),
            "done" if i < position else "current" if i == position else "todo",
        )
        for i, step in enumerate(STEPS)
    ]


#
# Pages
#


def private(view):
    """Keep the page out of caches, indexes and other sites' Referer logs."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return protect(view(request, *args, **kwargs))

    return wrapped


#: Not "no-referrer": under it browsers send ``Origin: null`` with every
#: form the page posts, even to itself (Fetch, "serializing a request
#: origin"), and Django's CSRF check refuses them: the query, the rating and
#: the language switcher would all fail. The URL holds nothing secret, and
#: "same-origin" sends it to no other site.
REFERRER_POLICY = "same-origin"


def protect(response):
    """Set the headers of every /track/ response, page or API."""
    add_never_cache_headers(response)  # includes no-store
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def failure_page(request):
    """Render the one page of every failed query, whatever failed."""
    return render(
        request, "cases/track.html", {"form": TrackForm(), "failed": GENERIC_FAILURE}
    )


def case_page(request, found, *, code, phone_tail, rating_form=None, rated=False):
    return render(
        request,
        "cases/track.html",
        {
            "view": public_view(found),
            "code": code,
            "phone_tail": phone_tail,
            "rating_form": rating_form,
            "scores": SCORES,
            "rated": rated,
            "comment_max_length": COMMENT_MAX_LENGTH,
        },
    )


@method_decorator(private, name="dispatch")
class TrackView(View):
    """Ask for the code and the phone's tail; show the case they open.

    The rating form posts here too (``action=rate``), with the code and the
    tail again in hidden fields: without an account nothing else can carry
    the found case from one request to the next, and the URL must not. One
    URL also keeps every failure page byte for byte the same.
    """

    http_method_names = ["get", "post"]

    def get(self, request):
        return render(request, "cases/track.html", {"form": TrackForm()})

    def post(self, request):
        if request.POST.get("action") == "rate":
            return self.rate(request)
        form = TrackForm(request.POST)
        if not form.is_valid():
            return render(request, "cases/track.html", {"form": form})
        code, tail = form.cleaned_data["code"], form.cleaned_data["phone_tail"]
        found = tracking.find(code, tail, client=client_address(request))
        if found is None:
            return failure_page(request)
        return case_page(request, found, code=code, phone_tail=tail)

    def rate(self, request):
        """Check the code and tail again, then record the rating."""
        form = RatingForm(request.POST)
        form.is_valid()
        if "code" not in form.cleaned_data or "phone_tail" not in form.cleaned_data:
            # The hidden fields were tampered with: a failure like any other.
            return failure_page(request)
        code, tail = form.cleaned_data["code"], form.cleaned_data["phone_tail"]
        found = tracking.find(code, tail, client=client_address(request))
        if found is None:
            return failure_page(request)
        if form.errors:
            return case_page(
                request, found, code=code, phone_tail=tail, rating_form=form
            )
        try:
            tracking.rate(
                found,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            return case_page(
                request, found, code=code, phone_tail=tail, rating_form=form
            )
        return case_page(request, found, code=code, phone_tail=tail, rated=True)
