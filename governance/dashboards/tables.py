"""The dashboards' tables, built once for the page and for its Excel export alike, so that
the file holds exactly the rows and columns the page shows."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from governance.dashboards.selectors import ChildFigures, Figures, Period, period_figures, trend
from governance.rollups.models import METRICS
from governance.rollups.scoring import INDICATORS
from infra.masking import mask_personal_data

METRIC_LABELS = dict(METRICS)


def metric_label(name: str) -> str:
    return str(METRIC_LABELS[name])


@dataclass
class Column:
    label: str
    # For a sortable column: the metric it sorts by, the link that does so, whether it does.
    sort_key: str = ""
    sort_url: str = ""
    sorted: bool = False
    numeric: bool = True
    link: bool = False  # the cell of this column leads to the row's `url`


@dataclass
class Row:
    cells: list
    url: str = ""


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[Row]
    export_url: str = ""
    empty_text: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def header(self) -> list[str]:
        return [column.label for column in self.columns]

    @property
    def values(self) -> list[list]:
        return [row.cells for row in self.rows]

    @property
    def display_rows(self) -> list[list[dict]]:
        """The rows as the template draws them: each cell with its column's alignment and,
        in the linking column, the row's link."""
        return [
            [
                {
                    "value": value,
                    "numeric": column.numeric,
                    "url": row.url if column.link else "",
                }
                for value, column in zip(row.cells, self.columns, strict=True)
            ]
            for row in self.rows
        ]


def glance_table(
    *, series: dict[date, Figures], periods: dict[str, Period], metrics: list[str]
) -> Table:
    """Each metric for today, this week and this month."""
    figures = {key: period_figures(series, period) for key, period in periods.items()}
    return Table(
        key="glance",
        title=_("At a glance"),
        columns=[Column(_("Indicator"), numeric=False)]
        + [Column(period.heading) for period in periods.values()],
        rows=[
            Row([metric_label(name)] + [figures[key][name] for key in periods]) for name in metrics
        ],
    )


def state_table(*, series: dict[date, Figures], day: date, metrics: list[str]) -> Table:
    """What stands overdue or under supervision on the night of `day`."""
    last = series.get(day, {})
    return Table(
        key="state",
        title=_("Overdue and under supervision"),
        columns=[
            Column(_("Indicator"), numeric=False),
            Column(_("As of %(day)s") % {"day": day.isoformat()}),
        ],
        rows=[Row([metric_label(name), last.get(name, 0)]) for name in metrics],
    )


def trend_table(*, series: dict[date, Figures], day: date, metrics: list[str]) -> Table:
    """The last 30 days, newest first (the chart draws the same numbers oldest first)."""
    days = trend(series, end=day)
    return Table(
        key="trend",
        title=_("The last 30 days"),
        columns=[Column(_("Day"), numeric=False)]
        + [Column(metric_label(name)) for name in metrics],
        rows=[
            Row([each_day.isoformat()] + [figures[name] for name in metrics])
            for each_day, figures in reversed(days)
        ],
    )


def trend_chart(*, series: dict[date, Figures], day: date, metrics: list[str]) -> dict:
    """The data the line chart is drawn from (rendered with json_script)."""
    days = trend(series, end=day)
    return {
        "days": [each_day.strftime("%m-%d") for each_day, _figures in days],
        "series": [
            {"name": metric_label(name), "data": [figures[name] for _day, figures in days]}
            for name in metrics
        ],
    }


def ranked(children: list[ChildFigures], sort: str) -> list[tuple[int, ChildFigures]]:
    """The children, highest `sort` first (code order among equals), each with its rank;
    equal figures share a rank (1, 2, 2, 4)."""
    ordered = sorted(children, key=lambda child: (-child.figures[sort], child.code))
    result, rank, previous = [], 0, None
    for position, child in enumerate(ordered, start=1):
        if child.figures[sort] != previous:
            rank, previous = position, child.figures[sort]
        result.append((rank, child))
    return result


def children_table(
    *,
    children: list[ChildFigures],
    period: Period,
    metrics: list[str],
    sort: str,
    name_label: str,
    child_url,
    sort_url,
) -> Table:
    """The children ranked by `sort` for `period`; `child_url(child)` is a row's drill-down,
    `sort_url(metric)` the link that sorts by a column."""
    return Table(
        key="children",
        title=_("Ranking: %(period)s") % {"period": period.heading},
        columns=[Column(_("Rank")), Column(name_label, numeric=False, link=True)]
        + [
            Column(metric_label(name), sort_key=name, sort_url=sort_url(name), sorted=name == sort)
            for name in metrics
        ],
        rows=[
            Row(
                [rank, child.name] + [child.figures[name] for name in metrics],
                url=child_url(child),
            )
            for rank, child in ranked(children, sort)
        ],
        empty_text=_("No subordinate areas."),
    )


NOTHING = "—"


def _rank_change(change: int | None) -> str | int:
    # No change is the number 0 (a number in the Excel file too); a move is text (↑2).
    if not change:
        return NOTHING if change is None else 0
    return f"↑{change}" if change > 0 else f"↓{-change}"


def weekly_table(*, review, name_label: str, child_url) -> Table:
    """The weekly review (周评) of the children: rank, score, the move since the week before,
    and each scored indicator as a percentage (— where it had nothing to measure)."""
    week_end = review.week_start + timedelta(days=6)
    return Table(
        key="weekly",
        title=_("Weekly review (%(start)s to %(end)s)")
        % {"start": review.week_start.isoformat(), "end": week_end.isoformat()},
        columns=[
            Column(_("Rank")),
            Column(name_label, numeric=False, link=True),
            Column(_("Score")),
            Column(_("Change in rank")),
        ]
        + [Column(_("%(indicator)s (%%)") % {"indicator": label}) for _key, label in INDICATORS],
        rows=[
            Row(
                [
                    NOTHING if row.rank is None else row.rank,
                    row.area.name,
                    NOTHING if row.score is None else round(row.score, 2),
                    _rank_change(row.rank_change),
                ]
                + [_percent((row.indicators or {}).get(key)) for key, _label in INDICATORS],
                url=child_url(row.area),
            )
            for row in review.rows
        ],
        empty_text=_("No weekly review has been run for this week yet."),
    )


def _percent(indicator: dict | None):
    value = (indicator or {}).get("value")
    return NOTHING if value is None else round(100 * value, 1)


def _rate(part: int, whole: int):
    """`part` of `whole` as a percentage, or — when there was nothing to measure."""
    return NOTHING if not whole else round(100 * part / whole, 1)


def department_table(*, departments: list, period: Period) -> Table:
    """The incidents each department was sent in the period and how it dealt with them:
    signed for on time (of those it signed for), closed on time (of those it closed), the
    rework rate (checks failed of all the checks of its handling), returned, and how many
    it held overdue at the period's end."""
    return Table(
        key="departments",
        title=_("Departments and their incidents: %(period)s") % {"period": period.heading},
        columns=[
            Column(_("Department"), numeric=False),
            Column(metric_label("incidents_dispatched")),
            Column(metric_label("incidents_signed_in")),
            Column(_("Signed for on time (%)")),
            Column(metric_label("incidents_closed")),
            Column(_("Closed on time (%)")),
            Column(metric_label("incidents_reworked")),
            Column(_("Rework rate (%)")),
            Column(metric_label("incidents_returned")),
            Column(
                _("Overdue as of %(day)s") % {"day": period.end.isoformat()},
            ),
        ],
        rows=[
            Row(
                [
                    row.name,
                    row.figures["incidents_dispatched"],
                    row.figures["incidents_signed_in"],
                    _rate(
                        row.figures["incidents_signed_in_on_time"],
                        row.figures["incidents_signed_in"],
                    ),
                    row.figures["incidents_closed"],
                    _rate(row.figures["incidents_closed_on_time"], row.figures["incidents_closed"]),
                    row.figures["incidents_reworked"],
                    _rate(
                        row.figures["incidents_reworked"],
                        row.figures["incidents_reworked"] + row.figures["incidents_closed"],
                    ),
                    row.figures["incidents_returned"],
                    row.figures["incidents_overdue_open"],
                ]
            )
            for row in departments
        ],
        empty_text=_("No departments in this county."),
    )


def clear_table(*, items: list, limit: int) -> Table:
    """The day's clear list (日清): what was still untouched when the day ended."""
    return Table(
        key="clear",
        title=_("Daily clear: still open at the end of the day"),
        columns=[
            Column(_("Village / community"), numeric=False),
            Column(_("Grid"), numeric=False),
            Column(_("What"), numeric=False),
            Column(_("Count")),
            Column(_("Details"), numeric=False, link=True),
        ],
        rows=[
            Row(
                [
                    item.village.name,
                    item.grid.name if item.grid_id else "",
                    item.get_kind_display(),
                    item.count,
                    # A finding's description: read here (and exported) by those who do not
                    # handle it. Masked again in case a line was written before the job
                    # masked what it stores.
                    mask_personal_data(item.label),
                ],
                # Links are written by the portal's own jobs; anything else is not followed.
                url=item.url if item.url.startswith("/") and not item.url.startswith("//") else "",
            )
            for item in items[:limit]
        ],
        empty_text=_("Nothing was left open: the day is clear."),
    )
