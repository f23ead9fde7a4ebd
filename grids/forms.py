from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from grids import national_id, reveal, upload_limits
from grids.models import LedgerEntity, Resident


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


#: The file names each kind of ledger may have.
LEDGER_EXTENSIONS = {
    LedgerEntity.GRIDS: (".geojson", ".json"),
    LedgerEntity.POSTS: (".xlsx", ".csv"),
    LedgerEntity.STAFF: (".xlsx", ".csv"),
    LedgerEntity.HOUSEHOLDS: (".xlsx", ".csv"),
    LedgerEntity.RESIDENTS: (".xlsx", ".csv"),
}


class LedgerUploadForm(forms.Form):
    """The first step of an import: which records, which file."""

    entity = forms.ChoiceField(label=_("Records"), choices=LedgerEntity.choices)
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes

    def clean(self):
        cleaned = super().clean()
        upload, entity = cleaned.get("file"), cleaned.get("entity")
        if upload is None or entity is None:
            return cleaned
        extensions = LEDGER_EXTENSIONS[entity]
        if not upload.name.lower().endswith(extensions):
            self.add_error(
                "file",
                _("For %(records)s upload a %(extensions)s file.")
                % {
                    "records": LedgerEntity(entity).label,
                    "extensions": " / ".join(extensions),
                },
            )
        elif upload.size > self.max_bytes:
            self.add_error(
                "file",
                _("The file is larger than %(megabytes)s MB.")
                % {"megabytes": self.max_bytes // (1024 * 1024)},
            )
        elif upload.size == 0:
            self.add_error("file", _("The file is empty."))
        else:
            # Refused here, before the file is stored or a job queued
            # (issue 27, item 1); the job checks again row by row.
            try:
                upload_limits.check_upload(upload.read(), upload.name)
            except upload_limits.UploadTooLarge as error:
                self.add_error("file", str(error))
            finally:
                upload.seek(0)
        return cleaned


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
