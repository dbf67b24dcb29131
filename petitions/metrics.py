"""The petition facts of one day, for the rollup engine. Keys are (area id, None): a petition
concerns an area, not a grid. Overdue is the state when the job runs, the night that ends
the day, as `Petition.objects.overdue` defines it (the page reads the same clocks)."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, F

from governance.workdays import local_day_bounds
from petitions.models import Petition, PetitionEvent


def daily_counts(day: date) -> dict[tuple[int, None], dict[str, int]]:
    start, end = local_day_bounds(day)
    counts: dict[tuple[int, None], Counter] = defaultdict(Counter)

    def add(queryset, field, metric):
        for area, n in queryset.values_list(field).annotate(n=Count("pk")).order_by():
            counts[(area, None)][metric] += n

    add(Petition.objects.filter(registered_at__range=(start, end)), "area", "petitions_new")
    add(
        PetitionEvent.objects.filter(at__range=(start, end), kind="accept"),
        "petition__area",
        "petitions_accepted",
    )
    concluded = Petition.objects.filter(replied_on=day)
    add(concluded, "area", "petitions_concluded")
    add(
        concluded.filter(replied_on__lte=F("conclusion_due")),
        "area",
        "petitions_concluded_on_time",
    )
    add(Petition.objects.overdue(on=day), "area", "petitions_overdue")
    return {key: dict(value) for key, value in counts.items()}
