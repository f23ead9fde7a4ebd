from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids import national_id, reveal
from grids.models import Resident


class ResidentForm(forms.ModelForm):
    """Resident form taking the clear national ID, which is never shown back."""

    id_number = forms.CharField(
        label=_("national ID"),
        max_length=64,
        required=False,
        help_text=_("Full 18-character number. Leave empty to keep the stored one."),
    )

    class Meta:
        model = Resident
        fields = [
            "name",
            "id_number",
            "phone",
            "household",
            "is_key_person",
            "key_person_category",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["id_number"].required = not self.instance.id_number_encrypted
        if self.instance.pk:
            # The stored number is shown masked beside: one label each.
            self.fields["id_number"].label = _("corrected national ID")
            self.fields["id_number"].widget.attrs["placeholder"] = (
                self.instance.id_number_masked
            )

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value:
            return ""
        try:
            return national_id.validate(value)
        except ValidationError as error:
            raise ValidationError(error.messages) from None

    def _post_clean(self):
        if self.cleaned_data.get("id_number"):
            self.instance.id_number = self.cleaned_data["id_number"]
        super()._post_clean()


class RevealForm(forms.Form):
    """Why the full national ID is needed: recorded with the reveal (G-AD6)."""

    reason = forms.CharField(
        label=_("reason"),
        max_length=reveal.REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why you need the full number; it is recorded."),
    )

    def clean_reason(self):
        try:
            return reveal.clean_reason(self.cleaned_data["reason"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["reason"]) from None
