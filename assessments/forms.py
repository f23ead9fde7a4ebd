"""Forms of the assessments pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import ReportJob
from policing.periods import Month
from stations.models import Bureau

#: How many months back the download page offers.
MONTHS_OFFERED = 24


def recent_months() -> list[tuple[str, str]]:
    """The months offered, this month first."""
    month = Month.current()
    months = []
    for _n in range(MONTHS_OFFERED):
        months.append((str(month), str(month)))
        month = month.previous()
    return months


class BureauMonthForm(forms.Form):
    """A month of the last two years, and for superusers the bureau."""

    month = forms.ChoiceField(label=_("Month"))
    bureau = forms.ModelChoiceField(
        label=_("Bureau"), queryset=Bureau.objects.none(), required=False
    )

    def __init__(self, *args, bureaus=None, **kwargs):
        """``bureaus``: the bureaus to choose from (superusers), or None."""
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = recent_months()
        if bureaus is None:
            del self.fields["bureau"]
        else:
            self.fields["bureau"].queryset = bureaus
            self.fields["bureau"].required = True

    def clean_month(self) -> Month:
        return Month.parse(self.cleaned_data["month"])


class ReportRequestForm(BureauMonthForm):
    """Ask for a monthly report file: the month, the format (and a bureau)."""

    format = forms.ChoiceField(
        label=_("Format"), choices=ReportJob.Format.choices, initial="xlsx"
    )
    field_order = ["month", "format", "bureau"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = self.fields["month"].choices[1][0]  # last


class CountyDashboardForm(forms.Form):
    """The county dashboard's month (and, for superusers, bureau) selector."""

    month = forms.ChoiceField(label=_("Month"), required=False)
    bureau = forms.ModelChoiceField(
        label=_("Bureau"), queryset=Bureau.objects.none(), required=False
    )
    sort = forms.ChoiceField(required=False)

    def __init__(self, *args, bureaus=None, sort_keys=(), **kwargs):
        """``bureaus``: the bureaus to choose from (superusers), or None."""
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = recent_months()
        self.fields["sort"].choices = [(key, key) for key in sort_keys]
        if bureaus is None:
            del self.fields["bureau"]
        else:
            self.fields["bureau"].queryset = bureaus

    def clean_month(self) -> Month:
        text = self.cleaned_data["month"]
        return Month.parse(text) if text else Month.current()


class InterimRefreshForm(BureauMonthForm):
    """Ask for the running assessment of a month to be recomputed now."""
