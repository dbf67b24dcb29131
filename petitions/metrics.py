"""The petition facts of one day, for the rollup engine. Keys are (area id, None): a petition
concerns an area, not a grid. Overdue is the state when the job runs, the night that ends
the day."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count, F, Q

from governance.workdays import local_day_bounds
from petitions.models import OPEN_PETITION_STATUSES, Petition, PetitionEvent


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
    overdue = Petition.objects.filter(status__in=OPEN_PETITION_STATUSES).filter(
        Q(decided_on__isnull=True, acceptance_due__lt=day)
        | Q(replied_on__isnull=True, conclusion_due__lt=day)
    )
    add(overdue, "area", "petitions_overdue")
    return {key: dict(value) for key, value in counts.items()}
