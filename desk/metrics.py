"""The desk's facts for the rollup engine, registered in the desk's `AppConfig.ready()`:
`daily_counts(day)` → {(area id, None): {metric: n}}, the matters received that day per
channel (`matters_<channel>`) and the consultations answered at the desk that day, each on the
area the matter is about (a village or a township; the engine carries them up the tree)."""

from collections import Counter, defaultdict
from datetime import date

from django.db.models import Count

from desk.models import Matter, MatterEvent, MatterEventKind, MatterKind
from governance.workdays import local_day_bounds


def daily_counts(day: date) -> dict[tuple[int, None], dict[str, int]]:
    start, end = local_day_bounds(day)
    counts: dict[tuple[int, None], Counter] = defaultdict(Counter)
    received = (
        Matter.objects.filter(received_at__range=(start, end))
        .order_by()
        .values("area_id", "channel")
        .annotate(n=Count("pk"))
    )
    for row in received:
        counts[(row["area_id"], None)][f"matters_{row['channel']}"] += row["n"]
    answered = (
        MatterEvent.objects.filter(
            kind=MatterEventKind.ANSWERED,
            at__range=(start, end),
            matter__kind=MatterKind.CONSULTATION,
        )
        .order_by()
        .values("matter__area_id")
        .annotate(n=Count("pk"))
    )
    for row in answered:
        counts[(row["matter__area_id"], None)]["matters_consultations_answered"] += row["n"]
    return {key: dict(value) for key, value in counts.items()}
