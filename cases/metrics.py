"""The lights for the rollup engine (registered in CasesConfig.ready()): how many open cases
of every kind stand red and yellow on the day, per area (and per grid, for the kinds that have
one). A state, as it stands when the nightly job runs for the day that ended."""

from collections import Counter, defaultdict
from datetime import date

from django.core.exceptions import FieldError
from django.db.models import Count

from cases.clocks import Light
from cases.lights import WATCHED, WarningPeriods, Watched

LIGHT_METRICS = {Light.RED: "cases_red", Light.YELLOW: "cases_yellow"}


def _grid_path(watched: Watched) -> str | None:
    """The path to the case's grid, beside its area (`village` → `grid`), if it has one."""
    prefix = watched.area_field.rpartition("__")[0]
    path = f"{prefix}__grid" if prefix else "grid"
    try:
        watched.model.objects.values(path)
    except FieldError:
        return None
    return path


def daily_counts(day: date) -> dict[tuple[int, int | None], dict[str, int]]:
    periods = WarningPeriods()
    counts: dict[tuple[int, int | None], Counter] = defaultdict(Counter)
    for key, watched in WATCHED.items():
        grid = _grid_path(watched)
        for light, metric in LIGHT_METRICS.items():
            rows = (
                watched.model.objects.filter(periods.light_q(key, light, on=day))
                .values_list(watched.area_field, *([grid] if grid else []))
                .annotate(n=Count("pk"))
                .order_by()
            )
            for row in rows:
                area, grid_id, n = row if grid else (row[0], None, row[1])
                counts[(area, grid_id)][metric] += n
    return {key: dict(value) for key, value in counts.items()}
