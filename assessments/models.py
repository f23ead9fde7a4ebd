"""Quota policy and assessments of the bureau."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from assessments.querysets import (
    AssessmentPolicyQuerySet,
    AssessmentRowQuerySet,
    CoverageSnapshotQuerySet,
    InterimAssessmentQuerySet,
    MonthlyAssessmentQuerySet,
    QuotaPolicyQuerySet,
    QuotaSnapshotQuerySet,
    ReportJobQuerySet,
)
from policing.audit import audited
from policing.periods import Month

# Seed: Qujing - weekly patrol >= 28 h, >= 20 households visited, >= 20
# information items, and >= 1 day a week working inside the grid.
DEFAULT_TARGETS = {
    "household_visits": 20,
    "info_items": 20,
    "patrol_hours": Decimal("28.00"),
    "grid_days": 1,
}


@audited
class QuotaPolicy(models.Model):
    """A bureau's weekly quota targets (SPEC §3); SPEC defaults when absent."""

    bureau = models.OneToOneField(
        "stations.Bureau",
        models.CASCADE,
        related_name="quota_policy",
        verbose_name=_("bureau"),
    )
    household_visits = models.PositiveIntegerField(
        _("households visited per week"),
        default=DEFAULT_TARGETS["household_visits"],
        validators=[MinValueValidator(1)],
    )
    info_items = models.PositiveIntegerField(
        _("information items per week"),
        default=DEFAULT_TARGETS["info_items"],
        validators=[MinValueValidator(1)],
    )
    patrol_hours = models.DecimalField(
        _("patrol hours per week"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_TARGETS["patrol_hours"],
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    grid_days = models.PositiveSmallIntegerField(
        _("days in the grid per week"),
        default=DEFAULT_TARGETS["grid_days"],
        validators=[MinValueValidator(1)],
    )

    objects = QuotaPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("quota policy")
        verbose_name_plural = _("quota policies")

    def __str__(self):
        return str(self.bureau)

    def targets(self) -> dict[str, int | Decimal]:
        return {name: getattr(self, name) for name in DEFAULT_TARGETS}

    @classmethod
    def targets_by_bureau(cls, bureau_ids) -> dict[int, dict]:
        """Return the targets of each bureau, SPEC defaults where none is stored."""
        stored = {
            p.bureau_id: p.targets()
            for p in cls.objects.filter(bureau_id__in=bureau_ids)
        }
        return {pk: stored.get(pk, dict(DEFAULT_TARGETS)) for pk in bureau_ids}


#
# Monthly assessment
#

#: The six indicators of the monthly assessment (SPEC §3, seed Hengshan:
#: 群众见警率、情况熟悉率、辖区发案率、信息采集率、工作实效率、群众满意率),
#: in their documented order.
INDICATORS = (
    "visibility",
    "familiarity",
    "incident_rate",
    "information",
    "effectiveness",
    "satisfaction",
)

# The seeds name the indicators but give no weights: these defaults lean on
# what the seeds stress most, knowing the households (见人知名、见事知情) and
# the public's satisfaction; a bureau sets its own.
DEFAULT_WEIGHTS = {
    "visibility": 15,
    "familiarity": 20,
    "incident_rate": 15,
    "information": 15,
    "effectiveness": 15,
    "satisfaction": 20,
}
#: Cases per 10,000 residents in a month at or below which the incident
#: rate indicator scores 100; it falls linearly to 0 at twice this rate.
DEFAULT_INCIDENT_TARGET = Decimal("5.00")

WEIGHTS_SUM = _("The weights must add up to 100; these add up to {total}.")


@audited
class AssessmentPolicy(models.Model):
    """A bureau's monthly assessment weights and incident target (SPEC §3).

    A bureau without a stored policy is assessed with ``DEFAULT_WEIGHTS``
    and ``DEFAULT_INCIDENT_TARGET``; see :meth:`for_bureau`.
    """

    bureau = models.OneToOneField(
        "stations.Bureau",
        models.CASCADE,
        related_name="assessment_policy",
        verbose_name=_("bureau"),
    )
    visibility_weight = models.PositiveSmallIntegerField(
        _("weight of visibility"),
        default=DEFAULT_WEIGHTS["visibility"],
        validators=[MaxValueValidator(100)],
    )
    familiarity_weight = models.PositiveSmallIntegerField(
        _("weight of familiarity"),
        default=DEFAULT_WEIGHTS["familiarity"],
        validators=[MaxValueValidator(100)],
    )
    incident_rate_weight = models.PositiveSmallIntegerField(
        _("weight of the incident rate"),
        default=DEFAULT_WEIGHTS["incident_rate"],
        validators=[MaxValueValidator(100)],
    )
    information_weight = models.PositiveSmallIntegerField(
        _("weight of information collection"),
        default=DEFAULT_WEIGHTS["information"],
        validators=[MaxValueValidator(100)],
    )
    effectiveness_weight = models.PositiveSmallIntegerField(
        _("weight of effectiveness"),
        default=DEFAULT_WEIGHTS["effectiveness"],
        validators=[MaxValueValidator(100)],
    )
    satisfaction_weight = models.PositiveSmallIntegerField(
        _("weight of satisfaction"),
        default=DEFAULT_WEIGHTS["satisfaction"],
        validators=[MaxValueValidator(100)],
    )
    incident_target_per_10k = models.DecimalField(
        _("incident target per 10,000 residents a month"),
        max_digits=7,
        decimal_places=2,
        default=DEFAULT_INCIDENT_TARGET,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "Cases reported in a month per 10,000 residents at or below which "
            "the incident rate scores 100; it falls to 0 at twice this rate."
        ),
    )

    objects = AssessmentPolicyQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment policy")
        verbose_name_plural = _("assessment policies")
        constraints = [
            models.CheckConstraint(
                condition=Exact(
                    F("visibility_weight")
                    + F("familiarity_weight")
                    + F("incident_rate_weight")
                    + F("information_weight")
                    + F("effectiveness_weight")
                    + F("satisfaction_weight"),
                    Value(100),
                ),
                name="assessmentpolicy_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(incident_target_per_10k__gt=0),
                name="assessmentpolicy_incident_target_gt_0",
            ),
        ]

    def __str__(self):
        return str(self.bureau)

    def clean(self):
        total = sum(weight or 0 for weight in self.weights().values())
        if total != 100:
            raise ValidationError(WEIGHTS_SUM.format(total=total), code="weights")

    def weights(self) -> dict[str, int]:
        """Return the weight of each indicator, in the order of INDICATORS."""
        return {name: getattr(self, f"{name}_weight") for name in INDICATORS}

    @classmethod
    def for_bureau(cls, bureau_id: int) -> "AssessmentPolicy":
        """Return the bureau's policy, an unsaved default one when it has none."""
        return cls.objects.filter(bureau_id=bureau_id).first() or cls(
            bureau_id=bureau_id
        )


class AssessmentStatus(models.TextChoices):
    COMPUTED = "computed", _("computed")
    PUBLISHED = "published", _("published")


@audited
class MonthlyAssessment(models.Model):
    """The stored assessment of a bureau's staff for one calendar month.

    ``computed`` rows may be recomputed (they are replaced as a whole);
    ``published`` ones are frozen.
    """

    Status = AssessmentStatus

    bureau = models.ForeignKey(
        "stations.Bureau",
        models.PROTECT,
        related_name="monthly_assessments",
        verbose_name=_("bureau"),
    )
    month = models.DateField(
        _("month"), help_text=_("The first day of the calendar month assessed.")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.COMPUTED,
    )
    computed_at = models.DateTimeField(_("computed at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        "stations.Person",
        models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("published by"),
    )
    parameters = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_("The weights and targets the rows were computed with."),
    )

    objects = MonthlyAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly assessment")
        verbose_name_plural = _("monthly assessments")
        ordering = ["-month", "bureau"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "month"], name="monthlyassessment_once_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="monthlyassessment_first_day"
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values),
                name="monthlyassessment_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.bureau} · {self.period}"

    @property
    def period(self) -> Month:
        return Month.containing(self.month)

    @property
    def is_published(self) -> bool:
        return self.status == AssessmentStatus.PUBLISHED


def _indicator(label):
    return models.DecimalField(
        label,
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )


@audited
class AssessmentRow(models.Model):
    """One person's indicators, score and ranks in a monthly assessment.

    An indicator is empty when the person has no data for it (see
    docs/metrics.md, "Monthly assessment").
    """

    assessment = models.ForeignKey(
        MonthlyAssessment,
        models.CASCADE,
        related_name="rows",
        verbose_name=_("assessment"),
    )
    person = models.ForeignKey(
        "stations.Person",
        models.PROTECT,
        related_name="assessment_rows",
        verbose_name=_("person"),
    )
    station = models.ForeignKey(
        "stations.Station",
        models.PROTECT,
        related_name="assessment_rows",
        verbose_name=_("station"),
    )
    visibility = _indicator(_("visibility"))
    familiarity = _indicator(_("familiarity"))
    incident_rate = _indicator(_("incident rate"))
    information = _indicator(_("information collection"))
    effectiveness = _indicator(_("effectiveness"))
    satisfaction = _indicator(_("satisfaction"))
    score = _indicator(_("score"))
    rank_in_station = models.PositiveIntegerField(
        _("rank in the station"), null=True, blank=True
    )
    rank_in_bureau = models.PositiveIntegerField(
        _("rank in the bureau"), null=True, blank=True
    )

    objects = AssessmentRowQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment row")
        verbose_name_plural = _("assessment rows")
        ordering = ["assessment", "rank_in_bureau", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "person"], name="assessmentrow_once_per_person"
            ),
        ]

    def __str__(self):
        return f"{self.assessment} · {self.person}"


#
# Snapshots. Derived figures, rewritten whole by ``assessments.reports.snapshots``
# every night; not audited, since nobody edits them and the records they
# are computed from are.
#


class QuotaSnapshot(models.Model):
    """A person's weekly quota figures as computed at ``computed_at``.

    The figures of ``assessments.metrics.weekly_quotas``; the week of the
    night's run is replaced until it ends, so the last snapshot of a week
    holds its final figures (late offline records included).
    """

    week_start = models.DateField(_("week"), help_text=_("The Monday of the ISO week."))
    person = models.ForeignKey(
        "stations.Person",
        models.CASCADE,
        related_name="quota_snapshots",
        verbose_name=_("person"),
    )
    station = models.ForeignKey(
        "stations.Station",
        models.CASCADE,
        related_name="quota_snapshots",
        verbose_name=_("station"),
    )
    bureau = models.ForeignKey(
        "stations.Bureau",
        models.CASCADE,
        related_name="quota_snapshots",
        verbose_name=_("bureau"),
    )
    household_visits = models.PositiveIntegerField(_("households visited"))
    info_items = models.PositiveIntegerField(_("information items"))
    patrol_hours = models.DecimalField(
        _("patrol hours"), max_digits=7, decimal_places=2
    )
    grid_days = models.PositiveSmallIntegerField(_("grid days"))
    completion = models.DecimalField(_("completion"), max_digits=5, decimal_places=4)
    met = models.BooleanField(_("quota met"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = QuotaSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly quota snapshot")
        verbose_name_plural = _("weekly quota snapshots")
        ordering = ["-week_start", "station", "person"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "week_start"], name="quotasnapshot_once_per_week"
            ),
        ]
        indexes = [models.Index(fields=["bureau", "week_start"])]

    def __str__(self):
        return f"{self.person} · {self.week_start}"


class CoverageSnapshot(models.Model):
    """The coverage counts of a station on a day (SPEC §3, "Coverage").

    The counts behind the five rates of ``grids.metrics.coverage``, so
    that a bureau's rates over a period are sums of its stations' counts.
    """

    day = models.DateField(_("day"))
    station = models.ForeignKey(
        "stations.Station",
        models.CASCADE,
        related_name="coverage_snapshots",
        verbose_name=_("station"),
    )
    communities = models.PositiveIntegerField(_("communities"))
    communities_served = models.PositiveIntegerField(
        _("communities with a community office")
    )
    villages = models.PositiveIntegerField(_("villages"))
    villages_with_rural_office = models.PositiveIntegerField(
        _("villages with a rural office")
    )
    villages_with_workstation = models.PositiveIntegerField(
        _("villages with a workstation")
    )
    grids = models.PositiveIntegerField(_("grids"))
    grids_with_officer = models.PositiveIntegerField(
        _("grids with a responsible officer")
    )
    officers = models.PositiveIntegerField(_("officers"))
    officers_at_posts = models.PositiveIntegerField(_("officers at posts"))
    computed_at = models.DateTimeField(_("computed at"))

    objects = CoverageSnapshotQuerySet.as_manager()

    class Meta:
        verbose_name = _("coverage snapshot")
        verbose_name_plural = _("coverage snapshots")
        ordering = ["-day", "station"]
        constraints = [
            models.UniqueConstraint(
                fields=["station", "day"], name="coveragesnapshot_once_per_day"
            ),
        ]

    def __str__(self):
        return f"{self.station} · {self.day}"


class InterimAssessment(models.Model):
    """The running assessment of a month not stored yet, for the county page.

    Computing a city's month takes seconds (docs/scaling.md), too long for
    a page the bureau opens all day; the page reads this copy instead,
    refreshed by beat every half hour and on demand, and says how old it
    is. Derived and rewritten whole by ``assessments.interim``, not
    audited; storing the month's assessment drops it.
    """

    bureau = models.ForeignKey(
        "stations.Bureau",
        models.CASCADE,
        related_name="interim_assessments",
        verbose_name=_("bureau"),
    )
    month = models.DateField(
        _("month"), help_text=_("The first day of the calendar month assessed.")
    )
    computed_at = models.DateTimeField(_("computed at"))
    #: the rows of ``assessments.assessment.compute_month``, decimals as text
    rows = models.JSONField(_("rows"), default=list)

    objects = InterimAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("interim assessment")
        verbose_name_plural = _("interim assessments")
        ordering = ["-month", "bureau"]
        constraints = [
            models.UniqueConstraint(
                fields=["bureau", "month"], name="interimassessment_once_per_month"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="interimassessment_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.bureau} · {self.period}"

    @property
    def period(self) -> Month:
        return Month.containing(self.month)


class ReportJob(models.Model):
    """A monthly report file being built, or built, for the download page.

    The file is kept in the database: reports are small (a few hundred
    kilobytes for a county) and this needs no shared file storage between
    the web and worker containers.
    """

    class Format(models.TextChoices):
        XLSX = "xlsx", "xlsx"
        PDF = "pdf", "PDF"

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    bureau = models.ForeignKey(
        "stations.Bureau",
        models.CASCADE,
        related_name="report_jobs",
        verbose_name=_("bureau"),
    )
    month = models.DateField(
        _("month"), help_text=_("The first day of the calendar month reported.")
    )
    format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    steps_done = models.PositiveIntegerField(_("steps done"), default=0)
    steps_total = models.PositiveIntegerField(_("steps in all"), default=0)
    content = models.BinaryField(_("file"), null=True, blank=True, editable=False)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__day=1), name="reportjob_first_day"
            ),
        ]

    def __str__(self):
        return f"{self.bureau} · {self.period} · {self.format}"

    @property
    def period(self) -> Month:
        return Month.containing(self.month)

    @property
    def percent(self) -> int:
        """How far the job is, 0-100, for the progress bar."""
        if self.status == self.Status.DONE:
            return 100
        if not self.steps_total:
            return 0
        return min(99, 100 * self.steps_done // self.steps_total)
