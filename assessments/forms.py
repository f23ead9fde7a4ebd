"""Forms of the assessments pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.models import ReportJob
from assessments.periods import Month
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


class ReportRequestForm(forms.Form):
    """Ask for a monthly report file: the month, the format (and a bureau)."""

    month = forms.ChoiceField(label=_("Month"))
    format = forms.ChoiceField(
        label=_("Format"), choices=ReportJob.Format.choices, initial="xlsx"
    )
    bureau = forms.ModelChoiceField(
        label=_("Bureau"), queryset=Bureau.objects.none(), required=False
    )

    def __init__(self, *args, bureaus=None, **kwargs):
        """``bureaus``: the bureaus to choose from (superusers), or None."""
        super().__init__(*args, **kwargs)
        months = recent_months()
        self.fields["month"].choices = months
        self.fields["month"].initial = months[1][0]  # last month
        if bureaus is None:
            del self.fields["bureau"]
        else:
            self.fields["bureau"].queryset = bureaus
            self.fields["bureau"].required = True

    def clean_month(self) -> Month:
        return Month.parse(self.cleaned_data["month"])


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


class InterimRefreshForm(forms.Form):
    """Ask for the running assessment of a month to be recomputed now."""

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
