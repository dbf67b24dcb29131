"""The tables of 日清周评月考核, written only by the jobs in `governance.rollups.engine` (and the
assessment's configuration and publication by `governance.rollups.services`). Dashboards read
them through `governance.rollups.selectors`, never the raw case rows.

- DailyStat: one day's numbers (METRICS) of an area at any level, or of a grid.
- DepartmentDailyStat: one day's incident numbers of a department (DEPARTMENT_METRIC_NAMES).
- DailyClearItem: the day's "事不过夜" list of a village: what was still untouched at midnight.
- WeeklyRanking: a week's (Monday–Sunday) sums, score and rank of a village within its
  township or of a township within its county, with the change against the week before.
- AssessmentScheme: a county's indicator weights and minimum sample (see `scoring`).
- MonthlyScore: a month's indicators, score and rank of a township, village or grid worker,
  ranked across the county; `ranked` False means "not ranked" (too few cases).
- MonthlyMediatorCount: 以案定补, disputes resolved in the month per lead handler.
- MonthPublication: a county's month, published; its rows above never change afterwards.
- JobRun: every run of a job, with how it ended.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Area, Department

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
    # Ends that are not resolutions, by kind: reported as what they are.
    ("disputes_terminated_withdrawn", _("Terminated: withdrawn")),
    ("disputes_terminated_referred", _("Terminated: referred to court or arbitration")),
    ("disputes_terminated_not_agreed", _("Terminated: no agreement")),
    ("disputes_returned", _("Sent back by a revisit (回头办)")),
    ("disputes_escalated", _("Disputes escalated")),
    ("disputes_overdue_open", _("Disputes overdue")),
    ("disputes_supervised", _("Disputes under supervision")),
    ("revisits", _("Independent revisits")),
    ("satisfaction_total", _("Satisfaction points")),
    ("petitions_new", _("New petitions")),
    ("petitions_accepted", _("Petitions accepted")),
    ("petitions_concluded", _("Petitions concluded")),
    ("petitions_concluded_on_time", _("Petitions concluded on time")),
    ("petitions_overdue", _("Petitions overdue")),
    ("incidents_new", _("New incidents")),
    ("incidents_dispatched", _("Incidents dispatched")),
    ("incidents_signed_in", _("Incidents signed for")),
    ("incidents_signed_in_on_time", _("Incidents signed for on time")),
    ("incidents_returned", _("Incidents returned")),
    ("incidents_reworked", _("Incidents sent back for rework")),
    ("incidents_closed", _("Incidents closed")),
    ("incidents_closed_on_time", _("Incidents closed on time")),
    ("incidents_overdue_open", _("Incidents overdue")),
    ("cases_red", _("Cases red (overdue)")),
    ("cases_yellow", _("Cases yellow (due soon)")),
    # The front desk (一窗受理): matters received by channel, and consultations answered there.
    ("matters_walk_in", _("Matters received: walk-in")),
    ("matters_phone", _("Matters received: phone call")),
    ("matters_hotline_12345", _("Matters received: 12345 hotline")),
    ("matters_police_110", _("Matters received: 110 non-police call")),
    ("matters_court", _("Matters received: court referral")),
    ("matters_petition_referral", _("Matters received: petition to mediation")),
    ("matters_online", _("Matters received: online")),
    ("matters_consultations_answered", _("Consultations answered at the desk")),
]
# The desk's figures by channel, as the county dashboard shows them.
MATTER_CHANNEL_METRICS = [name for name, _label in METRICS if name.startswith("matters_")]
METRIC_NAMES = [name for name, _label in METRICS]
# A department's figures (DepartmentDailyStat): the incident figures that concern the unit an
# incident is sent to, with the same names and meanings as the area's.
DEPARTMENT_METRIC_NAMES = [
    "incidents_dispatched",
    "incidents_signed_in",
    "incidents_signed_in_on_time",
    "incidents_returned",
    "incidents_reworked",
    "incidents_closed",
    "incidents_closed_on_time",
    "incidents_overdue_open",
]


class DailyStat(models.Model):
    """One day's numbers for one area (every level) or one grid (then `grid` is set and
    `area` is its village). Day boundaries are Asia/Shanghai midnight."""

    day = models.DateField(_("day"), db_index=True)
    # No index of their own: the (area, day) index and the unique (grid, day) one serve every
    # read by area or grid, and each index less is one less to update for the ten thousand
    # rows the daily clear writes every night.
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="daily_stats", db_index=False
    )
    grid = models.ForeignKey(
        "grids.Grid",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="daily_stats",
        db_index=False,
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


class DepartmentDailyStat(models.Model):
    """One day's incident figures (DEPARTMENT_METRIC_NAMES) of one department: what was sent
    to it, signed for, returned, reworked and closed that day, and how many of the incidents
    it holds stood overdue that night. Written by the daily job from the apps'
    department counters; the county dashboard sums a month of them per department."""

    day = models.DateField(_("day"))
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        related_name="daily_stats",
        db_index=False,
    )
    # One PositiveIntegerField per entry of DEPARTMENT_METRIC_NAMES, added below the class.

    class Meta:
        verbose_name = _("daily figures of a department")
        verbose_name_plural = _("daily figures of departments")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "day"], name="department_stat_one_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.day}"


_METRIC_LABELS = dict(METRICS)
for _name in DEPARTMENT_METRIC_NAMES:
    DepartmentDailyStat.add_to_class(
        _name, models.PositiveIntegerField(_METRIC_LABELS[_name], default=0)
    )


class JobRun(models.Model):
    """A run of a rollup job, for administrators to see: what, for when, how it ended."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed, nothing written")
        SKIPPED = "skipped", _("Skipped (already running)")

    job = models.CharField(_("job"), max_length=32)
    period = models.CharField(_("period"), max_length=32)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    outcome = models.CharField(
        _("how it ended"), max_length=16, choices=Outcome.choices, default=Outcome.RUNNING
    )
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.job} {self.period} {self.outcome}"


# ---------------------------------------------------------------------------------------------
# 日清: what is still untouched at the end of the day
# ---------------------------------------------------------------------------------------------


class DailyClearItem(models.Model):
    """One line of a village's "事不过夜" list for `day`, written by the daily job from each
    app's `daily_clear_items(day)`: a finding or a dispute that arrived that day and was still
    untouched at midnight, an open incident nobody acted on all day (then `object_id`, `label`
    and `url` point at it), a grid that did not
    report, or a grid whose patrols fell short (then `count` is how many were missing). The
    village and the township read it the next morning through
    `governance.rollups.selectors.daily_clear_items_for`."""

    class Kind(models.TextChoices):
        FINDING_OPEN = "finding_open", _("Finding still open")
        DISPUTE_UNACCEPTED = "dispute_unaccepted", _("Dispute not yet accepted")
        GRID_NOT_REPORTED = "grid_not_reported", _("Grid did not report")
        PATROL_SHORT = "patrol_short", _("Patrols short")
        INCIDENT_UNTOUCHED = "incident_untouched", _("Incident untouched all day")

    day = models.DateField(_("day"), db_index=True)
    village = models.ForeignKey(
        Area,
        verbose_name=_("village / community"),
        on_delete=models.CASCADE,
        related_name="daily_clear_items",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="daily_clear_items",
    )
    kind = models.CharField(_("what"), max_length=32, choices=Kind.choices)
    count = models.PositiveIntegerField(_("count"), default=1)
    object_id = models.PositiveBigIntegerField(_("object"), null=True, blank=True)
    label = models.CharField(_("description"), max_length=200, blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("daily clear item")
        verbose_name_plural = _("daily clear items")
        ordering = ["day", "village_id", "grid_id", "kind", "object_id"]
        indexes = [models.Index(fields=["village", "day"])]

    def __str__(self) -> str:
        return f"{self.day} {self.village} {self.get_kind_display()} {self.label}"


# ---------------------------------------------------------------------------------------------
# 周评: the weekly review
# ---------------------------------------------------------------------------------------------


class WeeklyRanking(models.Model):
    """The weekly review of one village (ranked among the villages of its township) or one
    township (among the townships of its county), for the week Monday `week_start` to Sunday.

    `metrics` holds the week's sums of every DailyStat column of the area ({metric: n});
    `indicators` the scored indicators (see `governance.rollups.scoring`); `score` is 0–100
    with the county's weights. `rank` is 1 for the best (equal scores share a rank);
    `previous_rank` is the rank the same scoring gives the week before (None if the area had
    no figures then) and `rank_change` = previous_rank − rank, so a positive number means it
    moved up. Written by `governance.rollups.engine.run_weekly` only."""

    week_start = models.DateField(_("week from"), db_index=True)
    area = models.ForeignKey(
        Area, verbose_name=_("area"), on_delete=models.CASCADE, related_name="weekly_rankings"
    )
    parent = models.ForeignKey(
        Area,
        verbose_name=_("ranked within"),
        on_delete=models.CASCADE,
        related_name="weekly_rankings_below",
    )
    level = models.CharField(_("level"), max_length=16)
    metrics = models.JSONField(_("figures of the week"), default=dict)
    indicators = models.JSONField(_("indicators"), default=dict)
    score = models.FloatField(_("score"), null=True, blank=True)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    previous_rank = models.PositiveIntegerField(_("rank the week before"), null=True, blank=True)
    rank_change = models.IntegerField(_("change in rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly ranking")
        verbose_name_plural = _("weekly rankings")
        ordering = ["week_start", "parent_id", "rank", "area_id"]
        constraints = [
            models.UniqueConstraint(fields=["week_start", "area"], name="weekly_one_per_area")
        ]
        indexes = [models.Index(fields=["parent", "week_start"])]

    def __str__(self) -> str:
        return f"{self.week_start} {self.area} #{self.rank}"


# ---------------------------------------------------------------------------------------------
# 月考核: the monthly assessment
# ---------------------------------------------------------------------------------------------


class AssessmentScheme(models.Model):
    """A county's assessment: the weight of each indicator (`weights` = {indicator key:
    weight}, keys from `governance.rollups.scoring.INDICATORS`; a missing key weighs 0) and
    the fewest cases (new disputes of the month) a unit needs to be ranked. A county without a
    scheme is assessed with `scoring.DEFAULT_WEIGHTS` and `scoring.DEFAULT_MIN_SAMPLE`.
    Written by `governance.rollups.services.assessment_scheme_set`."""

    county = models.OneToOneField(
        Area,
        verbose_name=_("district / county"),
        on_delete=models.CASCADE,
        related_name="assessment_scheme",
        limit_choices_to={"level": "county"},
    )
    weights = models.JSONField(_("weights"), default=dict)
    min_sample = models.PositiveIntegerField(_("fewest cases to be ranked"), default=3)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")

    def __str__(self) -> str:
        return str(self.county)


class SubjectKind(models.TextChoices):
    TOWNSHIP = "township", _("Township / street")
    VILLAGE = "village", _("Village / community")
    GRID_WORKER = "grid_worker", _("Grid worker")


class MonthlyScore(models.Model):
    """The assessment of one township, village or grid worker for `month` (its first day),
    within `county`. A grid worker's figures are the sums of the DailyStat rows of the grids
    they served as grid worker, on the days they served them; `area` is then the village of
    the grid they served longest. Townships, villages and grid workers are each ranked across
    the county; a unit with fewer cases (`sample`: new disputes of the month) than the
    scheme's minimum is not ranked (`ranked` False, `rank` None: "not ranked").

    `metrics` = the month's sums ({metric: n}), `previous_metrics` the month before's;
    `indicators` = {key: {"value": 0–1 or None, "weight": w}}; `score` 0–100 or None when no
    indicator applies. Written by `engine.run_monthly`, never after the month is published
    (`MonthPublication`)."""

    month = models.DateField(_("month"), db_index=True)
    county = models.ForeignKey(
        Area, verbose_name=_("district / county"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("assessed"), max_length=16, choices=SubjectKind.choices)
    area = models.ForeignKey(
        Area,
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        related_name="monthly_scores",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monthly_scores",
    )
    metrics = models.JSONField(_("figures of the month"), default=dict)
    previous_metrics = models.JSONField(_("figures of the month before"), default=dict)
    indicators = models.JSONField(_("indicators"), default=dict)
    sample = models.PositiveIntegerField(_("cases"), default=0)
    score = models.FloatField(_("score"), null=True, blank=True)
    ranked = models.BooleanField(_("ranked"), default=False)
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly score")
        verbose_name_plural = _("monthly scores")
        ordering = ["month", "county_id", "kind", "rank", "area_id", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "kind", "area"],
                condition=models.Q(person__isnull=True),
                name="monthly_score_one_per_area",
            ),
            models.UniqueConstraint(
                fields=["month", "county", "person"],
                condition=models.Q(person__isnull=False),
                name="monthly_score_one_per_person",
            ),
        ]
        indexes = [models.Index(fields=["county", "month", "kind"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.person or self.area} {self.score}"

    @property
    def rank_display(self):
        """The rank, or "not ranked" for a unit with too few cases to judge."""
        return self.rank if self.ranked else _("Not ranked")


class MonthlyMediatorCount(models.Model):
    """以案定补: how many disputes of `county` were resolved in `month` with `person` as the
    lead handler at the moment of resolution. Counted by the disputes app
    (`disputes.metrics.mediator_case_counts`); frozen once the month is published."""

    month = models.DateField(_("month"), db_index=True)
    county = models.ForeignKey(
        Area, verbose_name=_("district / county"), on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mediator"),
        on_delete=models.CASCADE,
        related_name="monthly_case_counts",
    )
    cases = models.PositiveIntegerField(_("cases resolved"), default=0)

    class Meta:
        verbose_name = _("cases per mediator")
        verbose_name_plural = _("cases per mediator")
        ordering = ["month", "county_id", "-cases", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["month", "county", "person"], name="mediator_count_one_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.person}: {self.cases}"


class MonthPublication(models.Model):
    """A county official published `county`'s assessment of `month`: from then on the month's
    MonthlyScore and MonthlyMediatorCount rows of the county never change."""

    month = models.DateField(_("month"))
    county = models.ForeignKey(
        Area, verbose_name=_("district / county"), on_delete=models.CASCADE, related_name="+"
    )
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True)

    class Meta:
        verbose_name = _("published assessment")
        verbose_name_plural = _("published assessments")
        ordering = ["-month", "county_id"]
        constraints = [
            models.UniqueConstraint(fields=["month", "county"], name="month_published_once")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.month:%Y-%m}"
