from django import forms
from django.utils.translation import gettext_lazy as _

from ledgers import upload_limits
from ledgers.models import LedgerEntity

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
