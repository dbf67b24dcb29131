"""The lights for the rollup engine (registered in CasesConfig.ready()): how many open cases
of every kind stand red and yellow on the day, per area. A state, as it stands when the
nightly job runs for the day that ended."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count

from cases.clocks import Light
from cases.lights import WATCHED, WarningPeriods

LIGHT_METRICS = {Light.RED: "cases_red", Light.YELLOW: "cases_yellow"}


def daily_counts(day: date) -> dict[tuple[int, int | None], dict[str, int]]:
    periods = WarningPeriods()
    counts: dict[tuple[int, int | None], Counter] = defaultdict(Counter)
    for key, watched in WATCHED.items():
        area_id = f"{watched.area_field}_id" if "__" not in watched.area_field else None
        area_path = area_id or watched.area_field
        for light, metric in LIGHT_METRICS.items():
            rows = (
                watched.model.objects.filter(periods.light_q(key, light, on=day))
                .values_list(area_path)
                .annotate(n=Count("pk"))
                .order_by()
            )
            for area, n in rows:
                counts[(area, None)][metric] += n
    return {key: dict(value) for key, value in counts.items()}
