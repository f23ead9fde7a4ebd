"""HTML forms of the dispute pages: the phone report form and the actions."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import Category, Colour
from grids.models import Grid, Household
from policing.forms import party_formset

HOUSEHOLD_CHOICE = re.compile(r"#(\d+)$")
UNKNOWN_HOUSEHOLD = _("Choose a household from the list, or leave it empty.")


class ReportForm(forms.Form):
    """A dispute found in one of the requester's grids."""

    grid = forms.ModelChoiceField(Grid.objects.none(), label=_("Grid"))
    household = forms.CharField(
        label=_("Household"),
        required=False,
        help_text=_("Optional. Type part of the address and pick it from the list."),
    )
    category = forms.ChoiceField(choices=Category.choices, label=_("Category"))
    colour = forms.ChoiceField(
        choices=Colour.choices, label=_("Colour"), widget=forms.RadioSelect
    )
    summary = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = Grid.objects.in_scope_of(user).order_by("code")
        self.households = Household.objects.in_scope_of(user)

    def clean_household(self):
        text = self.cleaned_data["household"].strip()
        if not text:
            return None
        match = HOUSEHOLD_CHOICE.search(text)
        household = match and self.households.filter(pk=match[1]).first()
        if not household:
            raise forms.ValidationError(UNKNOWN_HOUSEHOLD)
        return household


PartyFormSet = party_formset()


class RegradeForm(forms.Form):
    colour = forms.ChoiceField(choices=Colour.choices, label=_("New colour"))
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when lowering the colour."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2})
    )


class SessionForm(forms.Form):
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    terms = forms.CharField(
        label=_("Terms agreed"), widget=forms.Textarea(attrs={"rows": 5})
    )
    place = forms.CharField(label=_("Place"), max_length=100, required=False)
    consenting_parties = forms.ModelMultipleChoiceField(
        queryset=None,
        label=_("Parties who signed"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, dispute, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consenting_parties"].queryset = dispute.parties.all()


class ReturnVisitForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2})
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        coerce=int,
        choices=[
            (5, _("5 · very satisfied")),
            (4, _("4 · satisfied")),
            (3, _("3 · neutral")),
            (2, _("2 · unsatisfied")),
            (1, _("1 · very unsatisfied")),
        ],
    )


class EmptyForm(forms.Form):
    """An action that needs nothing but the click (accept, close)."""


#: the form of each workflow action, by the action's name
ACTION_FORMS = {
    "accept": EmptyForm,
    "regrade": RegradeForm,
    "escalate": ReasonForm,
    "hold_session": SessionForm,
    "resolve": ResolveForm,
    "refer": ReasonForm,
    "fail": ReasonForm,
    "record_return_visit": ReturnVisitForm,
    "close": EmptyForm,
}


def action_form(action: str, dispute, data=None) -> forms.Form:
    form_class = ACTION_FORMS[action]
    kwargs = {"dispute": dispute} if form_class is ResolveForm else {}
    return form_class(data, prefix=action, **kwargs)
