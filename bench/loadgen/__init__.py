"""Generated load: a realistic stretch of time over the area tree, for the benchmarks
(`manage.py generate_load`). Not for a real installation, and not part of the portal: no app
imports this package, so no web or Celery process loads it; the command imports it when it
runs.

The core step here creates the township, county and city staff; then each app's tables come
from its own module (`grids`, `disputes`, `petitions`, `incidents`), run in the order of
`steps()`, all in one transaction. A step reads and extends the shared `LoadContext` (who
works where, the grids, the disputes) and writes through `LoadContext.write`, which streams
rows with PostgreSQL's COPY (plain multi-row inserts on other databases, for small sizes).
Primary keys are allocated here rather than by the database, so that a step can write events
that point at cases without reading them back; the sequences are reset at the end.

Everything is drawn from `random.Random` instances seeded from the seed and the step's name,
so one seed gives the same rows every time and a step's rows do not change when another step
changes.
"""

import random
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models

from governance.demo import DEMO_PASSWORD
from governance.models import Area, AreaLevel, Membership, Role
from infra.bulk import copy_rows

# The full city has 2,628 villages; at four grids each that is about 10,500 grids. The case
# volumes of issue #7 (a hundred thousand disputes, about thirty thousand petitions a year)
# are scaled from there to the grids and days generated.
FULL_GRIDS = 10_512
DISPUTES_PER_YEAR = 100_000
PETITIONS_PER_YEAR = 30_000
CHUNK_ROWS = 50_000

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文军辉力明永健世广海山仁波宁贵福生龙元全国胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"  # noqa: E501


def local_datetime(day: date, seconds: int) -> str:
    """`day` plus `seconds` after midnight, Beijing time, as text both COPY and Django read.
    Much cheaper than building aware datetimes for ten million rows."""
    seconds = max(0, min(seconds, 86_399))
    hours, rest = divmod(seconds, 3600)
    return f"{day.isoformat()} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}+08:00"


def after(day: date, seconds: int) -> tuple[date, int]:
    """The (day, seconds after midnight) that lies `seconds` after midnight of `day`."""
    days, rest = divmod(seconds, 86_400)
    return day + timedelta(days=days), rest


def id_number(rng: random.Random, county_code: str) -> str:
    """A resident ID number valid per GB 11643 (region, birth date, sequence, check)."""
    from cases.identity import ID_CHECK_CHARS, ID_WEIGHTS

    birth = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    body = f"{county_code[:6]}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    total = sum(int(digit) * weight for digit, weight in zip(body, ID_WEIGHTS, strict=True))
    return body + ID_CHECK_CHARS[total % 11]


def phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


# ---------------------------------------------------------------------------------------------
# Writing rows
# ---------------------------------------------------------------------------------------------


class Writer:
    """Streams rows of one model into its table: COPY on PostgreSQL, batched INSERT
    elsewhere. Values go through the model field's own `get_db_prep_save` where a field asks
    for it (`prepared`: e.g. a field that encrypts at rest), so the stored form is the one the
    model itself would store."""

    def __init__(self, *, report: Callable[[str], None]) -> None:
        self.report = report
        self.totals: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self.models: set[type[models.Model]] = set()

    def write(
        self,
        model: type[models.Model],
        fields: list[str],
        rows: Iterable[tuple],
        *,
        prepared: Iterable[str] = (),
    ) -> int:
        meta = model._meta
        # Columns the model derives from a written value when it saves (a blind index of an
        # encrypted field names its `source`): computed here the way the model computes them.
        derived = [
            (column, fields.index(column.source))
            for column in meta.concrete_fields
            if column.name not in fields and getattr(column, "source", None) in fields
        ]
        if derived:
            fields = [*fields, *(column.name for column, _index in derived)]
            rows = self._with_derived(model, rows, derived)
        model_fields = [meta.get_field(name) for name in fields]
        columns = [f.column for f in model_fields]
        prepare = [
            (index, model_fields[index])
            for index, name in enumerate(fields)
            if name in set(prepared)
        ]
        started = time.monotonic()
        count = 0
        chunk: list[tuple] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= CHUNK_ROWS:
                count += self._flush(meta.db_table, columns, model_fields, chunk, prepare)
                chunk = []
        if chunk:
            count += self._flush(meta.db_table, columns, model_fields, chunk, prepare)
        seconds = time.monotonic() - started
        label = meta.db_table
        self.totals[label] = self.totals.get(label, 0) + count
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds
        self.models.add(model)
        self.report(
            f"  {label:<36} {count:>11,} rows {seconds:7.1f} s "
            f"{count / seconds if seconds else 0:>10,.0f} rows/s"
        )
        return count

    @staticmethod
    def _with_derived(model, rows, derived):
        instance = model()
        for row in rows:
            values = []
            for column, index in derived:
                setattr(instance, column.source, row[index])
                values.append(column.pre_save(instance, True))
            yield (*row, *values)

    def _flush(self, table, columns, model_fields, chunk, prepare) -> int:
        if prepare:
            prepared_rows = []
            for row in chunk:
                row = list(row)
                for index, model_field in prepare:
                    row[index] = model_field.get_db_prep_save(row[index], connection)
                prepared_rows.append(row)
            chunk = prepared_rows
        quote = connection.ops.quote_name
        if connection.vendor == "postgresql":
            copy_rows(table, columns, chunk)
        else:
            unprepared = [
                i for i, model_field in enumerate(model_fields) if (i, model_field) not in prepare
            ]
            values = []
            for row in chunk:
                row = list(row)
                for index in unprepared:
                    row[index] = model_fields[index].get_db_prep_save(row[index], connection)
                values.append(row)
            placeholders = ", ".join(["%s"] * len(columns))
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) "
                    f"VALUES ({placeholders})",
                    values,
                )
        return len(chunk)

    def finish(self) -> None:
        """Move every written table's id sequence past the ids allocated here, summarise the
        BRIN indexes over what was loaded, and refresh the planner's statistics.

        A BRIN index knows nothing of pages written after it was built until they are
        summarised; unsummarised pages match every query, so a day's patrols would be looked
        for in the whole table. A portal fills its pages a few rows at a time and autovacuum
        summarises each range as it fills (`autosummarize`); a load of millions of rows at once
        must do it itself."""
        statements = connection.ops.sequence_reset_sql(no_style(), sorted(self.models, key=str))
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            if connection.vendor != "postgresql":
                return
            tables = [model._meta.db_table for model in sorted(self.models, key=str)]
            cursor.execute(
                "SELECT index.relname FROM pg_index JOIN pg_class index "
                "ON index.oid = pg_index.indexrelid JOIN pg_class tab "
                "ON tab.oid = pg_index.indrelid JOIN pg_am ON pg_am.oid = index.relam "
                "WHERE pg_am.amname = 'brin' AND tab.relname = ANY(%s)",
                [tables],
            )
            for (index_name,) in cursor.fetchall():
                cursor.execute("SELECT brin_summarize_new_values(%s::regclass)", [index_name])
            for table in tables:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


# ---------------------------------------------------------------------------------------------
# The shared context
# ---------------------------------------------------------------------------------------------


@dataclass
class Village:
    id: int
    code: str
    name: str
    township_id: int
    county_id: int
    latitude: float
    longitude: float


@dataclass
class GridInfo:
    id: int
    code: str
    name: str
    village: Village
    worker_id: int
    chief_id: int


@dataclass
class LoadContext:
    seed: int
    first_day: date
    last_day: date
    grids_per_village: int
    villages: list[Village]
    writer: Writer
    report: Callable[[str], None]
    # Everyone generated gets this one hash of the demo password (no hashing per person).
    password_hash: str = ""
    # {area id: (code, level, parent id, name)}
    areas: dict[int, tuple[str, str, int | None, str]] = field(default_factory=dict)
    # {person id: full name} of the people who act on cases, for the events' details.
    names: dict[int, str] = field(default_factory=dict)
    department_names: dict[int, str] = field(default_factory=dict)
    township_staff: dict[int, list[int]] = field(default_factory=dict)
    mediators: dict[int, list[int]] = field(default_factory=dict)
    county_staff: dict[int, list[int]] = field(default_factory=dict)
    village_staff: dict[int, list[int]] = field(default_factory=dict)
    departments: dict[int, list[int]] = field(default_factory=dict)
    grids: list[GridInfo] = field(default_factory=list)
    # What one step leaves for the next: e.g. the disputes, for petitions to link to.
    shared: dict[str, object] = field(default_factory=dict)
    _next_ids: dict[type, int] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=n) for n in range(count)]

    @property
    def scale(self) -> float:
        """The share of the full city's year that is generated (grids × days)."""
        return len(self.grids) / FULL_GRIDS * len(self.days) / 365

    def random(self, name: str) -> random.Random:
        return random.Random(f"{self.seed}:{name}")

    def ids(self, model: type[models.Model], count: int) -> range:
        """`count` new primary keys of `model`, past every id already in its table."""
        if model not in self._next_ids:
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self._next_ids[model] = top + 1
        first = self._next_ids[model]
        self._next_ids[model] = first + count
        return range(first, first + count)

    def write(self, model, fields, rows, *, prepared=()) -> int:
        return self.writer.write(model, fields, rows, prepared=prepared)

    def people(self, specs: list[tuple[str, str]], joined: date) -> list[int]:
        """Create people [(sign-in name, full name)] with the shared password hash; their
        ids, in order."""
        user_model = get_user_model()
        ids = self.ids(user_model, len(specs))
        self.names.update(zip(ids, (full_name for _username, full_name in specs), strict=True))
        when = local_datetime(joined, 8 * 3600)
        self.write(
            user_model,
            [
                "id",
                "password",
                "is_superuser",
                "username",
                "first_name",
                "last_name",
                "email",
                "is_staff",
                "is_active",
                "date_joined",
            ],
            (
                (pk, self.password_hash, False, username, full_name, "", "", False, True, when)
                for pk, (username, full_name) in zip(ids, specs, strict=True)
            ),
        )
        return list(ids)

    def memberships(self, grants: list[tuple[int, int, str]]) -> None:
        """Write Membership rows [(user id, area id, role)]."""
        ids = self.ids(Membership, len(grants))
        when = local_datetime(self.first_day, 8 * 3600)
        self.write(
            Membership,
            ["id", "user", "area", "role", "created_at"],
            (
                (pk, user_id, area_id, role, when)
                for pk, (user_id, area_id, role) in zip(ids, grants, strict=True)
            ),
        )


Step = Callable[[LoadContext], None]


def steps() -> list[tuple[str, Step]]:
    """Each app's generator, in the order they run: the grids first (disputes and petitions
    happen in grids, and disputes and incidents grow out of handed-up findings), then the
    disputes, then the petitions (which link to disputes), then the incidents."""
    from bench.loadgen.disputes import generate_disputes
    from bench.loadgen.grids import generate_grids
    from bench.loadgen.incidents import generate_incidents
    from bench.loadgen.petitions import generate_petitions

    return [
        ("grids", generate_grids),
        ("disputes", generate_disputes),
        ("petitions", generate_petitions),
        ("incidents", generate_incidents),
    ]


def _spot(code: str) -> tuple[float, float]:
    """A fixed point for a village inside Changzhi's bounding box, derived from its code."""
    digest = zlib.crc32(code.encode())
    return 35.8 + (digest % 10_000) / 10_000 * 1.2, 112.2 + (digest // 10_000 % 10_000) / 7_000


def choose_villages(count: int | None, *, seed: int, must_include: str) -> list[Village]:
    """`count` villages (every one when None) spread over the tree, always with the demo
    village `must_include` when it exists, ordered by code."""
    rows = list(
        Area.objects.filter(level=AreaLevel.VILLAGE)
        .order_by("code")
        .values_list("pk", "code", "name", "parent_id", "parent__parent_id")
    )
    if count is not None and count < len(rows):
        chosen = random.Random(f"{seed}:villages").sample(rows, count)
        codes = {row[1] for row in chosen}
        if must_include not in codes:
            demo = [row for row in rows if row[1] == must_include]
            if demo:
                chosen = demo + chosen[: count - 1]
        rows = sorted(chosen, key=lambda row: row[1])
    return [
        Village(pk, code, name, township_id, county_id, *_spot(code))
        for pk, code, name, township_id, county_id in rows
    ]


def core_step(ctx: LoadContext) -> None:
    """Township centre staff and mediators for each township, officials for each county, a
    city official and village staff for each village; the demo people count among them."""
    ctx.password_hash = ctx.password_hash or make_password(DEMO_PASSWORD)
    for pk, code, level, parent_id, name in Area.objects.values_list(
        "pk", "code", "level", "parent", "name"
    ):
        ctx.areas[pk] = (code, level, parent_id, name)
    rng = ctx.random("people")
    townships = sorted({v.township_id for v in ctx.villages})
    counties = sorted({v.county_id for v in ctx.villages})
    specs: list[tuple[str, str]] = []
    grants: list[tuple[int, str]] = []  # (area, role), parallel to specs

    def add(prefix: str, area_id: int, role: str, count: int) -> None:
        code = ctx.areas[area_id][0]
        for n in range(1, count + 1):
            specs.append((f"{prefix}{code}-{n}", person_name(rng)))
            grants.append((area_id, role))

    for township_id in townships:
        add("ts", township_id, Role.TOWNSHIP_STAFF, 2)
        add("md", township_id, Role.MEDIATOR, 2)
    for county_id in counties:
        add("co", county_id, Role.COUNTY_OFFICIAL, 2)
    for village in ctx.villages:
        add("vs", village.id, Role.VILLAGE_STAFF, 1)
    ids = ctx.people(specs, ctx.first_day)
    ctx.memberships([(pk, area, role) for pk, (area, role) in zip(ids, grants, strict=True)])
    by_role = {
        Role.TOWNSHIP_STAFF: ctx.township_staff,
        Role.MEDIATOR: ctx.mediators,
        Role.COUNTY_OFFICIAL: ctx.county_staff,
        Role.VILLAGE_STAFF: ctx.village_staff,
    }
    # The demo people (and anyone already there) first, so the demo accounts act on cases.
    for area_ids, role in (
        (townships, Role.TOWNSHIP_STAFF),
        (townships, Role.MEDIATOR),
        (counties, Role.COUNTY_OFFICIAL),
        ([v.id for v in ctx.villages], Role.VILLAGE_STAFF),
    ):
        existing = Membership.objects.filter(area_id__in=area_ids, role=role).order_by("user_id")
        for area_id, user_id, name in existing.values_list(
            "area_id", "user_id", "user__first_name"
        ):
            by_role[role].setdefault(area_id, []).append(user_id)
            ctx.names[user_id] = name
    for pk, (area, role) in zip(ids, grants, strict=True):
        by_role[role].setdefault(area, []).append(pk)


@dataclass
class LoadResult:
    rows: dict[str, int]
    seconds: dict[str, float]
    villages: int
    grids: int
    wall_seconds: float


def generate(
    *,
    villages: list[Village],
    grids_per_village: int,
    first_day: date,
    last_day: date,
    seed: int,
    report: Callable[[str], None] = lambda line: None,
) -> LoadResult:
    """Run the core step and every app's step over `villages` from `first_day` to
    `last_day` (both included), in one transaction."""
    from django.db import transaction

    started = time.monotonic()
    writer = Writer(report=report)
    ctx = LoadContext(
        seed=seed,
        first_day=first_day,
        last_day=last_day,
        grids_per_village=grids_per_village,
        villages=villages,
        writer=writer,
        report=report,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # The load is one transaction: a crash leaves nothing, so it need not wait
                # for each commit to reach the disk.
                cursor.execute("SET LOCAL synchronous_commit TO off")
                # Foreign keys checked row by row as they arrive, rather than queued for the
                # commit: a queue of tens of millions of checks would hold gigabytes.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        report("people")
        core_step(ctx)
        for name, step in steps():
            report(name)
            step(ctx)
        writer.finish()
    return LoadResult(
        rows=dict(writer.totals),
        seconds=dict(writer.seconds),
        villages=len(villages),
        grids=len(ctx.grids),
        wall_seconds=time.monotonic() - started,
    )
