"""Governance's parts of the home page (registered in GovernanceConfig.ready()): an official's
dashboard at a glance, and the administrator's people and configuration warnings."""

from django.template.loader import render_to_string

from governance.dashboards.selectors import (
    daily_series,
    dashboard_roots,
    latest_rolled_up_day,
    period_figures,
    periods_ending,
)
from governance.dashboards.tables import metric_label
from governance.models import AreaLevel, Role
from governance.selectors import administers_every_area, areas_for_user, people_for_administrator
from governance.workdays import year_lacking_make_up_days

# The figures an official's home shows for each of their dashboards: the latest day, its
# week and its month.
HOME_METRICS = [
    "findings_new",
    "disputes_new",
    "disputes_resolved",
    "incidents_new",
    "petitions_new",
    "cases_red",
]

# Checks of a county's configuration: `check(county)` returns a warning (text), or "" when
# the county is configured. Apps register theirs (a matters list, a patrol target) in their
# AppConfig.ready(); the administrator's home lists what they find.
CONFIGURATION_CHECKS: list = []


def register_configuration_check(check) -> None:
    if check not in CONFIGURATION_CHECKS:
        CONFIGURATION_CHECKS.append(check)


def dashboard_panel(request) -> str:
    day = latest_rolled_up_day()
    roots = dashboard_roots(user=request.user)
    if not roots:
        return ""
    periods = list(periods_ending(day).values()) if day else []
    cards = []
    for area in roots:
        if not day:
            cards.append({"area": area, "rows": []})
            continue
        series = daily_series(area=area, start=min(p.start for p in periods), end=day)
        figures = [period_figures(series, period) for period in periods]
        cards.append(
            {
                "area": area,
                "rows": [(metric_label(name), [f[name] for f in figures]) for name in HOME_METRICS],
            }
        )
    return render_to_string(
        "governance/partials/_home_dashboard.html",
        {"day": day, "periods": periods, "cards": cards},
        request=request,
    )


def administrator_panel(request) -> str:
    user = request.user
    counties = (
        areas_for_user(user=user, roles=[Role.ADMINISTRATOR])
        .filter(level=AreaLevel.COUNTY)
        .order_by("code")
    )
    warnings = [
        {"county": county, "text": text}
        for county in counties
        for check in CONFIGURATION_CHECKS
        if (text := check(county))
    ]
    keeps_calendar = administers_every_area(user=user)
    return render_to_string(
        "governance/partials/_home_administrator.html",
        {
            "people_count": people_for_administrator(user=user).count(),
            "counties": counties,
            "warnings": warnings,
            "keeps_calendar": keeps_calendar,
            "calendar_missing_year": year_lacking_make_up_days() if keeps_calendar else None,
        },
        request=request,
    )
