"""月考核: a county's monthly assessment page — the rankings of its townships, villages and
grid workers, its ten best grid workers (十佳网格员), the cases per mediator (以案定补), and
the county official's button that publishes the month. Read from the rollup tables only."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from governance.dashboards.selectors import dashboard_area_get_or_404, dashboard_breadcrumbs
from governance.models import AreaLevel, Membership, Role
from governance.rollups import scoring
from governance.rollups.engine import month_bounds, previous_month
from governance.rollups.models import METRICS, AssessmentScheme, SubjectKind
from governance.rollups.selectors import (
    mediator_case_counts,
    month_publication,
    monthly_scores,
    ten_best_grid_workers,
)
from governance.rollups.services import assessment_scheme_set, month_publish
from governance.selectors import area_get_for_user_or_404, user_roles
from infra.errors import error_text

# The months there can be figures for; the date arithmetic of the rollups must never reach
# the ends of the calendar (a month of year 1 or 9999 gave a server error).
FIRST_YEAR, LAST_YEAR = 2000, 2099


def _month(value: str | None) -> date | None:
    """`YYYY-MM`, or the month before this one; None when `value` is no such month."""
    if not value:
        return previous_month(timezone.localdate().replace(day=1))
    try:
        month = date.fromisoformat(f"{value}-01")
    except ValueError:
        return None
    return month if FIRST_YEAR <= month.year <= LAST_YEAR else None


# How the disputes of a township ended in the month: resolved means mediated successfully
# (an agreement, written or oral); the terminations are shown as what they are, by kind.
DISPUTE_ENDS = [
    "disputes_resolved",
    "disputes_terminated_withdrawn",
    "disputes_terminated_referred",
    "disputes_terminated_not_agreed",
    "disputes_returned",
]


def dispute_ends(scores) -> dict:
    """The month's dispute ends of each scored area, from the figures its score was made of."""
    labels = dict(METRICS)
    return {
        "header": [labels[name] for name in DISPUTE_ENDS],
        "rows": [
            {"area": row.area, "values": [row.metrics.get(name, 0) for name in DISPUTE_ENDS]}
            for row in scores
        ],
    }


def _county_or_404(request, code):
    county = dashboard_area_get_or_404(user=request.user, code=code)
    if county.level != AreaLevel.COUNTY:
        raise Http404
    return county


def _may_publish(user, county) -> bool:
    """Whether `user` is a county official of `county`, the one who publishes its months."""
    return Membership.objects.filter(user=user, area=county, role=Role.COUNTY_OFFICIAL).exists()


@login_required
def month_assessment(request, code):
    county = _county_or_404(request, code)
    month = _month(request.GET.get("month"))
    if month is None:
        raise Http404
    first, _last = month_bounds(month)
    townships = monthly_scores(county=county, month=first, kind=SubjectKind.TOWNSHIP)
    return render(
        request,
        "dashboards/assessment.html",
        {
            "area": county,
            "breadcrumbs": dashboard_breadcrumbs(user=request.user, area=county),
            "month": first,
            "previous": previous_month(first),
            "townships": townships,
            "dispute_ends": dispute_ends(townships),
            "villages": monthly_scores(county=county, month=first, kind=SubjectKind.VILLAGE),
            "ten_best": ten_best_grid_workers(county=county, month=first),
            "mediators": mediator_case_counts(county=county, month=first),
            "publication": month_publication(county=county, month=first),
            "can_publish": _may_publish(request.user, county),
        },
    )


@login_required
def month_publish_view(request, code):
    """Publishing a month asks first: the page says which county's month is frozen for good;
    only a post of its form (with `confirm` and the month) publishes. Any other post comes
    back to the page and changes nothing."""
    county = _county_or_404(request, code)
    if not _may_publish(request.user, county):
        raise PermissionDenied(_("Only a county official of this county can publish its month."))
    if request.method != "POST":
        month = _month(request.GET.get("month"))
        if month is None:
            raise Http404
        first, _last = month_bounds(month)
        return render(
            request,
            "dashboards/month_publish.html",
            {
                "area": county,
                "month": first,
                "publication": month_publication(county=county, month=first),
            },
        )
    # A post names its month: the one the page it came from showed, never a default.
    month = _month(request.POST.get("month")) if request.POST.get("month") else None
    if month is None:
        messages.error(request, _("This is not a month of the assessment. Reload the page."))
        return redirect("dashboards:month", code=county.code)
    if not request.POST.get("confirm"):
        return redirect(
            f"{reverse('dashboards:month_publish', args=[county.code])}?month={month:%Y-%m}"
        )
    try:
        month_publish(actor=request.user, county=county, month=month)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The month's assessment is published."))
    return redirect(f"{reverse('dashboards:month', args=[county.code])}?month={month:%Y-%m}")


class SchemeForm(forms.Form):
    """A county's indicator weights and the fewest cases a unit needs to be ranked."""

    min_sample = forms.IntegerField(
        label=gettext_lazy("Fewest cases to be ranked"), min_value=0, max_value=10000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in scoring.INDICATORS:
            self.fields[key] = forms.IntegerField(
                label=label, min_value=0, max_value=100, required=True
            )


@login_required
def scheme_edit(request, code):
    """An administrator sets the county's assessment weights (月考核指标权重)."""
    county = area_get_for_user_or_404(user=request.user, code=code)
    if county.level != AreaLevel.COUNTY:
        raise Http404
    if Role.ADMINISTRATOR not in user_roles(user=request.user):
        raise PermissionDenied
    scheme = AssessmentScheme.objects.filter(county=county).first()
    initial = {
        **(scheme.weights if scheme else scoring.DEFAULT_WEIGHTS),
        "min_sample": scheme.min_sample if scheme else scoring.DEFAULT_MIN_SAMPLE,
    }
    form = SchemeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        min_sample = data.pop("min_sample")
        try:
            assessment_scheme_set(
                actor=request.user, county=county, weights=data, min_sample=min_sample
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("The assessment weights are saved."))
            return redirect("dashboards:scheme", code=county.code)
    return render(request, "dashboards/scheme.html", {"area": county, "form": form})
