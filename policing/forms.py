"""Form pieces shared by the apps' pages: workflow errors and party rows."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from policing.phones import validate_phone


def add_errors(form: forms.Form, error: ValidationError) -> None:
    """Put the workflow's field errors on the form's fields, others on top."""
    errors = error.message_dict if hasattr(error, "error_dict") else {}
    if not errors:
        errors = {None: error.messages}
    for field, field_messages in errors.items():
        target = field if field in form.fields else None
        for message in field_messages:
            form.add_error(target, message)


class PartyForm(forms.Form):
    """One party of a dispute or a case: a name and a phone, both optional.

    An app subclasses it for the fields its parties have besides (a case
    party's role).
    """

    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, validators=[validate_phone]
    )


class BasePartyFormSet(forms.BaseFormSet):
    def parties(self) -> list[dict]:
        """Return the filled-in rows; rows without a name or phone are spare."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data.get("name") or form.cleaned_data.get("phone")
        ]


def party_formset(form_class: type[PartyForm] = PartyForm):
    """Return the formset class of the party rows: three spare, ten at most."""
    return forms.formset_factory(
        form_class, formset=BasePartyFormSet, extra=3, max_num=10, validate_max=True
    )
