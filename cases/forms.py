"""HTML forms of the case pages: opening a case and its workflow actions."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CaseParty, Category, Kind, PartyRole
from grids.models import Grid
from policing.forms import PartyForm as BasePartyForm
from policing.forms import party_formset
from stations.models import Person


class CaseForm(forms.Form):
    """A case reported in one of the requester's grids."""

    grid = forms.ModelChoiceField(Grid.objects.none(), label=_("Grid"))
    kind = forms.ChoiceField(choices=Kind.choices, label=_("Kind"))
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    summary = forms.CharField(
        label=_("Summary (internal)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Never shown to the parties."),
    )
    occurred_at = forms.DateTimeField(
        label=_("Occurred at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    officer = forms.ModelChoiceField(
        Person.objects.none(),
        label=_("Officer in charge"),
        required=False,
        help_text=_("You, when left empty."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Grid.objects.in_scope_of(user).order_by("code")
        self.fields["officer"].queryset = (
            Person.objects.in_scope_of(user).officers().order_by("name")
        )


class PartyForm(BasePartyForm):
    """A case party has a role besides its name and phone."""

    field_order = ["role", "name", "phone"]

    role = forms.ChoiceField(
        choices=PartyRole.choices, label=_("Role"), initial=PartyRole.VICTIM
    )


PartyFormSet = party_formset(PartyForm)


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Note for the parties"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the public progress page."),
    )


class RequiredTextForm(forms.Form):
    text = forms.CharField(
        label=_("Result, for the parties"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the public progress page."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, for the parties"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Shown on the public progress page."),
    )


class ProgressForm(forms.Form):
    text = forms.CharField(
        label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3})
    )
    public = forms.BooleanField(
        label=_("Show to the parties"),
        required=False,
        help_text=_("Leave unticked for internal notes."),
    )


class ReturnVisitForm(forms.Form):
    party = forms.ModelChoiceField(CaseParty.objects.none(), label=_("Party"))
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = case.parties.all()


class EmptyForm(forms.Form):
    """An action that needs nothing but the click."""


ACTION_FORMS = {
    "accept": TextForm,
    "start_investigation": TextForm,
    "solve": RequiredTextForm,
    "close": TextForm,
    "drop": ReasonForm,
    "add_progress": ProgressForm,
    "record_return_visit": ReturnVisitForm,
    "issue_query_code": EmptyForm,
}


def action_form(action: str, case: Case, data=None) -> forms.Form:
    form_class = ACTION_FORMS[action]
    kwargs = {"case": case} if form_class is ReturnVisitForm else {}
    return form_class(data, prefix=action, **kwargs)
