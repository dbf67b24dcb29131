"""The rollup engine: 日清 (run_daily), 周评 (run_weekly) and 月考核 (run_monthly).

The apps' facts come in through functions the apps register from their AppConfig.ready(), so
the engine never reads another app's tables itself:

- `register_counter(f)`: f(day) → {(area_id, grid_id or None): {metric: n}}, the day's counts;
  the engine adds each entry to its grid's row, its area's row and every ancestor's row, using
  one query for the whole tree (DailyStat).
- `register_clear_lister(f)`: f(day) → [ClearItem dicts], what was still untouched at the end
  of the day (DailyClearItem).
- `register_department_counter(f)`: f(day) → {department_id: {metric: n}}, the day's
  incident figures of each department (DepartmentDailyStat, DEPARTMENT_METRIC_NAMES).
- `register_worker_assignments(f)`: f(first_day, last_day) → [(person_id, grid_id, from, to)],
  who served which grid as grid worker on which days of the period, clipped to it.
- `register_mediator_counter(f)`: f(first_day, last_day) → {(person_id, village_id): n}, the
  disputes resolved in the period with that person as lead handler (以案定补).

Weekly and monthly figures are read from DailyStat alone. Every job runs in one transaction
under a PostgreSQL advisory lock (a second concurrent run is recorded as skipped), deletes and
rewrites its period's rows (so running it twice gives the same tables, and a run that dies
half-way leaves the previous rows), and records a JobRun. Day boundaries are Asia/Shanghai
midnight; a week runs Monday to Sunday; a month is a calendar month.
"""

import calendar
from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Area, AreaLevel, Department
from governance.rollups import scoring
from governance.rollups.models import (
    DEPARTMENT_METRIC_NAMES,
    METRIC_NAMES,
    AssessmentScheme,
    DailyClearItem,
    DailyStat,
    DepartmentDailyStat,
    JobRun,
    MonthlyMediatorCount,
    MonthlyScore,
    MonthPublication,
    SubjectKind,
    WeeklyRanking,
)
from infra.bulk import insert_rows

Counts = dict[tuple[int, int | None], dict[str, int]]
# A line of the daily clear list: keys village_id, grid_id (or None), kind (a
# DailyClearItem.Kind), and optionally count, object_id, label, url.
ClearItem = dict
COUNTERS: list[Callable[[date], Counts]] = []
CLEAR_LISTERS: list[Callable[[date], list[ClearItem]]] = []
DEPARTMENT_COUNTERS: list[Callable[[date], dict[int, dict[str, int]]]] = []
WORKER_ASSIGNMENT_SOURCES: list[Callable[[date, date], list[tuple]]] = []
MEDIATOR_COUNTERS: list[Callable[[date, date], dict[tuple[int, int], int]]] = []
# Advisory lock keys of the jobs, so that two runs of one job never overlap.
JOB_LOCKS = {"daily": 7_140_401, "weekly": 7_140_402, "monthly": 7_140_403}
JOB_LABELS = {
    "daily": _("Daily clear"),
    "weekly": _("Weekly review"),
    "monthly": _("Monthly assessment"),
}


def _register(registry: list, function: Callable) -> None:
    if function not in registry:
        registry.append(function)


def register_counter(counter: Callable[[date], Counts]) -> None:
    _register(COUNTERS, counter)


def register_clear_lister(lister: Callable[[date], list[ClearItem]]) -> None:
    _register(CLEAR_LISTERS, lister)


def register_department_counter(counter: Callable[[date], dict[int, dict[str, int]]]) -> None:
    _register(DEPARTMENT_COUNTERS, counter)


def register_worker_assignments(source: Callable[[date, date], list[tuple]]) -> None:
    _register(WORKER_ASSIGNMENT_SOURCES, source)


def register_mediator_counter(counter: Callable[[date, date], dict]) -> None:
    _register(MEDIATOR_COUNTERS, counter)


# ---------------------------------------------------------------------------------------------
# Running a job
# ---------------------------------------------------------------------------------------------


class JobAlreadyRunning(Exception):
    pass


def lock_job(job: str) -> None:
    """Hold the job's lock to the end of the transaction, or raise JobAlreadyRunning.

    PostgreSQL's advisory lock serialises runs across workers and machines; SQLite (a
    single-process development setup) has no concurrent runs to guard against.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [JOB_LOCKS[job]])
        if not cursor.fetchone()[0]:
            raise JobAlreadyRunning(job)
        # The jobs' grouped counts over a year of rows look expensive to the planner, which
        # then compiles them (JIT): seconds of compiling for a query that runs in a fraction
        # of one (bench/README.md, "Jobs"). Off for the job's transaction only.
        cursor.execute("SET LOCAL jit = off")


def _run(job: str, period: str, work: Callable[[], int]) -> JobRun:
    """Run `work` (which writes the period's rows and returns how many) in one transaction
    under the job's lock, and record it. A run that raises leaves nothing written, is recorded
    as failed, and re-raises (so Celery sees the failure)."""
    run = JobRun.objects.create(job=job, period=period)
    try:
        with transaction.atomic():
            lock_job(job)
            # Holding the lock, no other run of this job is alive: an earlier run still marked
            # running was killed (its worker died) and never finished.
            JobRun.objects.filter(job=job, outcome=JobRun.Outcome.RUNNING, pk__lt=run.pk).update(
                outcome=JobRun.Outcome.FAILED,
                message="interrupted: the run never finished",
                ended_at=timezone.now(),
            )
            rows = work()
    except JobAlreadyRunning:
        run.outcome = JobRun.Outcome.SKIPPED
    except Exception as error:
        run.outcome = JobRun.Outcome.FAILED
        run.message = repr(error)[:2000]
        run.ended_at = timezone.now()
        run.save()
        raise
    else:
        run.outcome = JobRun.Outcome.DONE
        run.rows = rows
    run.ended_at = timezone.now()
    run.save()
    return run


# ---------------------------------------------------------------------------------------------
# 日清: the day's figures and its clear list
# ---------------------------------------------------------------------------------------------


STAT_FIELDS = ["day", "area", "grid", *METRIC_NAMES]
CLEAR_FIELDS = ["day", "village", "grid", "kind", "count", "object_id", "label", "url"]
DEPARTMENT_FIELDS = ["day", "department", *DEPARTMENT_METRIC_NAMES]


def day_rows(day: date) -> list[tuple]:
    """The DailyStat rows of `day` as tuples of STAT_FIELDS, computed from the registered
    counters (nothing is written). The counts are added up per area first and then carried
    up the tree once per area, not once per grid."""
    parents = dict(Area.objects.values_list("pk", "parent_id"))
    own: dict[int, Counter] = defaultdict(Counter)
    grid_totals: dict[int, Counter] = defaultdict(Counter)
    grid_village: dict[int, int] = {}
    for counter in COUNTERS:
        for (area_id, grid_id), counts in counter(day).items():
            if grid_id is not None:
                grid_totals[grid_id].update(counts)
                grid_village[grid_id] = area_id
            own[area_id].update(counts)
    area_totals: dict[int, Counter] = defaultdict(Counter)
    for area_id, counts in own.items():
        node = area_id
        while node is not None:
            area_totals[node].update(counts)
            node = parents.get(node)
    rows = [(day, area_id, None, *_numbers(counts)) for area_id, counts in area_totals.items()]
    rows += [
        (day, grid_village[grid_id], grid_id, *_numbers(counts))
        for grid_id, counts in grid_totals.items()
    ]
    return rows


def compute_day(day: date) -> list[DailyStat]:
    """The rows of `day`, computed from the registered counters (nothing is written)."""
    return [
        DailyStat(
            day=day,
            area_id=area_id,
            grid_id=grid_id,
            **dict(zip(METRIC_NAMES, numbers, strict=True)),
        )
        for _day, area_id, grid_id, *numbers in day_rows(day)
    ]


def _known(counts: Counter) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in METRIC_NAMES}


def _numbers(counts: Counter) -> list[int]:
    return [counts.get(name, 0) for name in METRIC_NAMES]


def department_rows(day: date) -> list[tuple]:
    """The DepartmentDailyStat rows of `day` as tuples of DEPARTMENT_FIELDS, from the
    registered department counters (nothing is written); a department with nothing counted
    has no row."""
    totals: dict[int, Counter] = defaultdict(Counter)
    for counter in DEPARTMENT_COUNTERS:
        for department_id, counts in counter(day).items():
            unknown = set(counts) - set(DEPARTMENT_METRIC_NAMES)
            if unknown:
                raise ValueError(f"unknown department figures {sorted(unknown)!r}")
            totals[department_id].update(counts)
    # An event may name a department removed since: its figures have no row to go to.
    existing = set(Department.objects.filter(pk__in=list(totals)).values_list("pk", flat=True))
    return [
        (day, department_id, *(counts.get(name, 0) for name in DEPARTMENT_METRIC_NAMES))
        for department_id, counts in sorted(totals.items())
        if department_id in existing and any(counts.values())
    ]


def clear_rows(day: date) -> list[tuple]:
    """The day's clear list from the registered listers, as tuples of CLEAR_FIELDS (nothing
    is written)."""
    kinds = set(DailyClearItem.Kind.values)
    rows = []
    for lister in CLEAR_LISTERS:
        for item in lister(day):
            if item["kind"] not in kinds:
                raise ValueError(f"unknown daily clear kind {item['kind']!r}")
            rows.append(
                (
                    day,
                    item["village_id"],
                    item.get("grid_id"),
                    item["kind"],
                    item.get("count", 1),
                    item.get("object_id"),
                    (item.get("label") or "")[:200],
                    (item.get("url") or "")[:200],
                )
            )
    return rows


def compute_clear_items(day: date) -> list[DailyClearItem]:
    """The day's clear list from the registered listers (nothing is written)."""
    return [
        DailyClearItem(
            day=day,
            village_id=village_id,
            grid_id=grid_id,
            kind=kind,
            count=count,
            object_id=object_id,
            label=label,
            url=url,
        )
        for day, village_id, grid_id, kind, count, object_id, label, url in clear_rows(day)
    ]


def url_maker(view_name: str) -> Callable[[int], str]:
    """`reverse(view_name, args=[pk])` for many objects at the cost of one `reverse`: a
    clear list of the whole city links ten thousand grids."""
    sentinel = "8642097531"
    head, tail = reverse(view_name, args=[int(sentinel)]).split(sentinel)
    return lambda pk: f"{head}{pk}{tail}"


def run_daily(day: date) -> JobRun:
    """Recompute `day`'s DailyStat rows, DepartmentDailyStat rows and DailyClearItem list:
    delete and rewrite them in one transaction, so a run that dies half-way leaves the previous
    rows, and two runs give the same tables. The rows are streamed in (COPY on PostgreSQL),
    not built as models."""

    def work() -> int:
        rows = day_rows(day)
        departments = department_rows(day)
        items = clear_rows(day)
        DailyStat.objects.filter(day=day).delete()
        DepartmentDailyStat.objects.filter(day=day).delete()
        DailyClearItem.objects.filter(day=day).delete()
        return (
            insert_rows(DailyStat, STAT_FIELDS, rows)
            + insert_rows(DepartmentDailyStat, DEPARTMENT_FIELDS, departments)
            + insert_rows(DailyClearItem, CLEAR_FIELDS, items)
        )

    return _run("daily", day.isoformat(), work)


# ---------------------------------------------------------------------------------------------
# Shared by the week and the month
# ---------------------------------------------------------------------------------------------


class _Tree:
    """The parent, level and county of every area, read in one query."""

    def __init__(self) -> None:
        self.parent: dict[int, int | None] = {}
        self.level: dict[int, str] = {}
        for pk, parent_id, level in Area.objects.values_list("pk", "parent_id", "level"):
            self.parent[pk] = parent_id
            self.level[pk] = level

    def county_of(self, area_id: int) -> int | None:
        node = area_id
        while node is not None and self.level.get(node) != AreaLevel.COUNTY:
            node = self.parent.get(node)
        return node


def _schemes() -> dict[int, tuple[dict, int]]:
    """{county_id: (weights, min_sample)} of the counties that configured a scheme."""
    return {
        county_id: (weights or scoring.DEFAULT_WEIGHTS, min_sample)
        for county_id, weights, min_sample in AssessmentScheme.objects.values_list(
            "county_id", "weights", "min_sample"
        )
    }


def scheme_of(schemes: dict, county_id: int | None) -> tuple[dict, int]:
    return schemes.get(county_id, (scoring.DEFAULT_WEIGHTS, scoring.DEFAULT_MIN_SAMPLE))


def area_sums(first: date, last: date, levels=(AreaLevel.TOWNSHIP, AreaLevel.VILLAGE)) -> dict:
    """{area_id: {metric: sum}} of the DailyStat area rows (not grid rows) from `first` to
    `last`, both included, for the areas of `levels` that have rows in the period."""
    rows = (
        DailyStat.objects.filter(day__range=(first, last), grid__isnull=True)
        .filter(area__level__in=levels)
        .values("area_id")
        .annotate(**{f"sum_{name}": Sum(name) for name in METRIC_NAMES})
        .order_by()
    )
    return {
        row["area_id"]: {name: row[f"sum_{name}"] or 0 for name in METRIC_NAMES} for row in rows
    }


# ---------------------------------------------------------------------------------------------
# 周评: the weekly review
# ---------------------------------------------------------------------------------------------


def _require_monday(week_start: date) -> None:
    if week_start.weekday() != 0:
        raise ValueError(f"{week_start} is not a Monday")


def _week_scores(week_start: date, tree: _Tree, schemes: dict) -> dict[int, tuple]:
    """{area_id: (sums, indicator values, score)} of the townships and villages with figures
    in the week from Monday `week_start`."""
    current = area_sums(week_start, week_start + timedelta(days=6))
    before = area_sums(week_start - timedelta(days=7), week_start - timedelta(days=1))
    result = {}
    for area_id, sums in current.items():
        weights, _min_sample = scheme_of(schemes, tree.county_of(area_id))
        values = scoring.indicator_values(sums, before.get(area_id))
        result[area_id] = (sums, values, scoring.weighted_score(values, weights))
    return result


def _ranks_within_parent(scores: dict[int, tuple], tree: _Tree) -> dict[int, int]:
    groups: dict[int, list] = defaultdict(list)
    for area_id, (_sums, _values, score) in scores.items():
        if score is not None:
            groups[tree.parent[area_id]].append((area_id, score))
    ranks = {}
    for members in groups.values():
        ranks.update(scoring.competition_ranks(members))
    return ranks


def compute_week(week_start: date) -> list[WeeklyRanking]:
    """The WeeklyRanking rows of the week from Monday `week_start` (nothing is written): each
    village ranked among the villages of its township, each township among the townships of
    its county, on the week's DailyStat sums scored with the county's weights."""
    _require_monday(week_start)
    tree, schemes = _Tree(), _schemes()
    current = _week_scores(week_start, tree, schemes)
    previous = _week_scores(week_start - timedelta(days=7), tree, schemes)
    ranks = _ranks_within_parent(current, tree)
    previous_ranks = _ranks_within_parent(previous, tree)
    rows = []
    for area_id, (sums, values, score) in sorted(current.items()):
        weights, _min_sample = scheme_of(schemes, tree.county_of(area_id))
        rank, before = ranks.get(area_id), previous_ranks.get(area_id)
        rows.append(
            WeeklyRanking(
                week_start=week_start,
                area_id=area_id,
                parent_id=tree.parent[area_id],
                level=tree.level[area_id],
                metrics=sums,
                indicators=scoring.indicators_json(values, weights),
                score=score,
                rank=rank,
                previous_rank=before,
                rank_change=(before - rank) if rank and before else None,
            )
        )
    return rows


def run_weekly(week_start: date) -> JobRun:
    """Recompute the weekly review of the week from Monday `week_start` (idempotent)."""
    _require_monday(week_start)

    def work() -> int:
        rows = compute_week(week_start)
        WeeklyRanking.objects.filter(week_start=week_start).delete()
        WeeklyRanking.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    return _run("weekly", week_start.isoformat(), work)


# ---------------------------------------------------------------------------------------------
# 月考核: the monthly assessment
# ---------------------------------------------------------------------------------------------


def month_bounds(month: date) -> tuple[date, date]:
    """The first and last day of the month of `month`."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def _worker_sums(first: date, last: date, tree: _Tree) -> dict[tuple[int, int], dict]:
    """{(county_id, person_id): {"sums": {metric: n}, "village": village_id}}: the DailyStat
    rows of the grids each grid worker served, on the days they served them."""
    served: dict[int, list[tuple[int, date, date]]] = defaultdict(list)
    for source in WORKER_ASSIGNMENT_SOURCES:
        for person_id, grid_id, start, end in source(first, last):
            served[grid_id].append((person_id, max(start, first), min(end, last)))
    if not served:
        return {}
    totals: dict[tuple[int, int], Counter] = defaultdict(Counter)
    villages: dict[tuple[int, int], Counter] = defaultdict(Counter)
    seen: set[tuple[int, int, date]] = set()
    rows = DailyStat.objects.filter(day__range=(first, last), grid_id__in=list(served)).values_list(
        "grid_id", "day", "area_id", *METRIC_NAMES
    )
    for grid_id, day, village_id, *numbers in rows.iterator(chunk_size=5000):
        for person_id, start, end in served[grid_id]:
            # Two assignments of one person to one grid on one day count that day once.
            if not start <= day <= end or (person_id, grid_id, day) in seen:
                continue
            seen.add((person_id, grid_id, day))
            key = (tree.county_of(village_id), person_id)
            totals[key].update(dict(zip(METRIC_NAMES, numbers, strict=True)))
            villages[key][village_id] += 1
    return {
        key: {
            "sums": _known(counts),
            "village": min(villages[key].items(), key=lambda item: (-item[1], item[0]))[0],
        }
        for key, counts in totals.items()
    }


def compute_month(month: date, *, skip_counties=frozenset()) -> tuple[list, list]:
    """The MonthlyScore and MonthlyMediatorCount rows of `month` for every county not in
    `skip_counties` (nothing is written). See MonthlyScore for what is scored and ranked."""
    first, last = month_bounds(month)
    before_first, before_last = month_bounds(previous_month(first))
    tree, schemes = _Tree(), _schemes()

    # (county, kind, area, person, sums, previous sums)
    subjects = []
    before = area_sums(before_first, before_last)
    for area_id, sums in area_sums(first, last).items():
        kind = SubjectKind(tree.level[area_id])
        subjects.append((tree.county_of(area_id), kind, area_id, None, sums, before.get(area_id)))
    workers_before = _worker_sums(before_first, before_last, tree)
    for (county_id, person_id), found in _worker_sums(first, last, tree).items():
        previous = workers_before.get((county_id, person_id))
        subjects.append(
            (
                county_id,
                SubjectKind.GRID_WORKER,
                found["village"],
                person_id,
                found["sums"],
                previous["sums"] if previous else None,
            )
        )

    scores = []
    for county_id, kind, area_id, person_id, sums, previous in subjects:
        if county_id is None or county_id in skip_counties:
            continue
        weights, min_sample = scheme_of(schemes, county_id)
        values = scoring.indicator_values(sums, previous)
        score = scoring.weighted_score(values, weights)
        sample = sums.get("disputes_new", 0)
        scores.append(
            MonthlyScore(
                month=first,
                county_id=county_id,
                kind=kind,
                area_id=area_id,
                person_id=person_id,
                metrics=sums,
                previous_metrics=previous or {},
                indicators=scoring.indicators_json(values, weights),
                sample=sample,
                score=score,
                ranked=score is not None and sample >= min_sample,
            )
        )
    groups: dict[tuple, list] = defaultdict(list)
    for index, row in enumerate(scores):
        if row.ranked:
            groups[(row.county_id, row.kind)].append((index, row.score))
    for members in groups.values():
        for index, rank in scoring.competition_ranks(members).items():
            scores[index].rank = rank

    per_mediator: Counter = Counter()
    for counter in MEDIATOR_COUNTERS:
        for (person_id, village_id), n in counter(first, last).items():
            county_id = tree.county_of(village_id)
            if county_id is not None and county_id not in skip_counties:
                per_mediator[(county_id, person_id)] += n
    mediators = [
        MonthlyMediatorCount(month=first, county_id=county_id, person_id=person_id, cases=n)
        for (county_id, person_id), n in sorted(per_mediator.items())
        if n
    ]
    return scores, mediators


def run_monthly(month: date) -> JobRun:
    """Recompute the assessment of the month of `month` for every county that has not
    published it; a published county's rows are left exactly as they are."""
    first, _last = month_bounds(month)

    def work() -> int:
        published = set(
            MonthPublication.objects.filter(month=first).values_list("county_id", flat=True)
        )
        scores, mediators = compute_month(first, skip_counties=published)
        MonthlyScore.objects.filter(month=first).exclude(county_id__in=published).delete()
        MonthlyMediatorCount.objects.filter(month=first).exclude(county_id__in=published).delete()
        MonthlyScore.objects.bulk_create(scores, batch_size=2000)
        MonthlyMediatorCount.objects.bulk_create(mediators, batch_size=2000)
        return len(scores) + len(mediators)

    return _run("monthly", f"{first:%Y-%m}", work)
