from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Area

# The counted facts, in the order the dashboards show them. Each app's `daily_counts` fills
# some of them; a column nobody fills stays 0.
METRICS = [
    ("findings_new", _("Findings")),
    ("findings_handled", _("Handled on the spot")),
    ("findings_handed_up", _("Handed up")),
    ("grids_total", _("Grids")),
    ("grids_reported", _("Grids reported")),
    ("grids_zero_reported", _("Zero reports")),
    ("grids_not_reported", _("Grids not reported")),
    ("patrols_done", _("Patrols")),
    ("patrols_target", _("Patrols due")),
    ("disputes_new", _("New disputes")),
    ("disputes_accepted", _("Disputes accepted")),
    ("disputes_resolved", _("Disputes resolved")),
    ("disputes_resolved_grid", _("Resolved in the grid")),
    ("disputes_resolved_village", _("Resolved in the village")),
    ("disputes_resolved_township", _("Resolved in the township")),
    ("disputes_resolved_county", _("Resolved in the county")),
    ("disputes_resolved_on_time", _("Resolved on time")),
    ("disputes_escalated", _("Disputes escalated")),
    ("disputes_overdue_open", _("Disputes overdue")),
    ("disputes_supervised", _("Disputes under supervision")),
    ("revisits", _("Revisits")),
    ("satisfaction_total", _("Satisfaction points")),
    ("petitions_new", _("New petitions")),
    ("petitions_accepted", _("Petitions accepted")),
    ("petitions_concluded", _("Petitions concluded")),
    ("petitions_concluded_on_time", _("Petitions concluded on time")),
    ("petitions_overdue", _("Petitions overdue")),
]
METRIC_NAMES = [name for name, _label in METRICS]


class DailyStat(models.Model):
    """One day's numbers for one area (every level) or one grid (then `grid` is set and
    `area` is its village). Day boundaries are Asia/Shanghai midnight."""

    day = models.DateField(_("day"), db_index=True)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="daily_stats")
    grid = models.ForeignKey(
        "grids.Grid", on_delete=models.CASCADE, null=True, blank=True, related_name="daily_stats"
    )
    # One PositiveIntegerField per entry of METRICS, added below the class.

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "day"],
                condition=models.Q(grid__isnull=True),
                name="daily_stat_one_per_area_day",
            ),
            models.UniqueConstraint(
                fields=["grid", "day"],
                condition=models.Q(grid__isnull=False),
                name="daily_stat_one_per_grid_day",
            ),
        ]
        indexes = [models.Index(fields=["area", "day"])]

    def __str__(self) -> str:
        return f"{self.area} {self.grid or ''} {self.day}"


for _name, _label in METRICS:
    DailyStat.add_to_class(_name, models.PositiveIntegerField(_label, default=0))


class JobRun(models.Model):
    """A run of a rollup job, for administrators to see: what, for when, how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (already running)")

    job = models.CharField(_("job"), max_length=32)
    period = models.CharField(_("period"), max_length=32)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.RUNNING
    )
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.job} {self.period} {self.outcome}"
