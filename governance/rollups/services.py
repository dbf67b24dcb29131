"""The only writers of the assessment's configuration and publication.

`actor` is the signed-in person doing it (None only for the operator at the command line).
The period tables themselves are written by the jobs in `governance.rollups.engine`.
"""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Area, AreaLevel, Membership, Role
from governance.rollups import scoring
from governance.rollups.engine import JobAlreadyRunning, lock_job, month_bounds
from governance.rollups.models import AssessmentScheme, JobRun, MonthPublication
from governance.selectors import jurisdiction_q


def _require_county(county: Area) -> None:
    if county.level != AreaLevel.COUNTY:
        raise ValidationError(_("Choose a district or county."), code="not_county")


def assessment_scheme_set(
    *, actor, county: Area, weights: dict, min_sample: int
) -> AssessmentScheme:
    """Set `county`'s indicator weights ({indicator key: weight}) and the fewest cases a unit
    needs to be ranked. `actor` must be an administrator whose area covers the county. The
    months already published keep the scores they were published with; the next runs of the
    others use the new scheme."""
    _require_county(county)
    if actor is not None and not actor.is_superuser:
        covered = Area.objects.filter(
            jurisdiction_q(user=actor, roles=[Role.ADMINISTRATOR]), pk=county.pk
        )
        if not covered.exists():
            raise PermissionDenied(_("You do not administer this district or county."))
    problems = scoring.validate_weights(weights)
    if isinstance(min_sample, bool) or not isinstance(min_sample, int) or min_sample < 0:
        problems.append(_("The fewest cases to be ranked must be a whole number of 0 or more."))
    if problems:
        raise ValidationError(problems, code="invalid_scheme")
    clean = {key: weights.get(key, 0) for key in scoring.INDICATOR_KEYS}
    with transaction.atomic():
        scheme, _created = AssessmentScheme.objects.update_or_create(
            county=county,
            defaults={"weights": clean, "min_sample": min_sample, "updated_by": actor},
        )
    return scheme


def month_publish(*, actor, county: Area, month: date) -> MonthPublication:
    """Publish `county`'s assessment of the month of `month`. Only a county official of that
    very county may; the month must have ended and been assessed. From then on the month's
    scores and mediator counts of the county never change (`run_monthly` leaves them alone).
    Publishing a published month again returns the first publication and changes nothing."""
    _require_county(county)
    first, last = month_bounds(month)
    official = Membership.objects.filter(
        user=actor, area=county, role=Role.COUNTY_OFFICIAL
    ).exists()
    if actor is None or not official:
        raise PermissionDenied(_("Only a county official of this county can publish its month."))
    if last >= timezone.localdate():
        raise ValidationError(_("A month can be published once it has ended."), code="not_ended")
    existing = MonthPublication.objects.filter(month=first, county=county).first()
    if existing is not None:
        return existing
    assessed = JobRun.objects.filter(
        job="monthly", period=f"{first:%Y-%m}", outcome=JobRun.Outcome.DONE
    ).exists()
    if not assessed:
        raise ValidationError(
            _("The month has not been assessed yet: run the monthly assessment first."),
            code="not_assessed",
        )
    with transaction.atomic():
        try:
            lock_job("monthly")
        except JobAlreadyRunning:
            raise ValidationError(
                _("The assessment is being recomputed right now: try again in a few minutes."),
                code="running",
            ) from None
        publication, _created = MonthPublication.objects.get_or_create(
            month=first, county=county, defaults={"published_by": actor}
        )
    return publication
