"""The assessment's indicators, their default weights, and how a score and a rank are made.

Every indicator is a share between 0 and 1 computed from summed DailyStat figures, or None
when the unit had nothing to measure it on (no disputes resolved, no revisits...). A score is
the weighted mean of the indicators that apply, times 100, so a unit is not punished for an
indicator it had no occasion to earn; weights of a county come from its `AssessmentScheme`.

- new_disputes_trend (新增纠纷升降): 0.5 when new disputes held level against the period
  before, 1 when they fell to none, 0 when they doubled or more; None when the period before
  has no figures or both periods had none.
- resolution_rate (化解率): disputes resolved ÷ new disputes, at most 1.
- on_time_rate (按期化解率): resolved within their deadline ÷ resolved.
- local_resolution_rate (就地化解率): resolved by the grid or the village ÷ resolved.
- patrol_completion (巡查完成率): patrols ÷ patrols due, at most 1.
- reporting_completeness (上报完整率): grid-days reported (findings or a zero report) ÷
  grid-days.
- revisit_satisfaction (回访满意度): satisfaction points ÷ (5 × revisits).
"""

from collections.abc import Hashable, Iterable

from django.utils.translation import gettext_lazy as _

INDICATORS = [
    ("new_disputes_trend", _("Rise or fall in new disputes")),
    ("resolution_rate", _("Resolution rate")),
    ("on_time_rate", _("On-time rate")),
    ("local_resolution_rate", _("Resolved at grid or village level")),
    ("patrol_completion", _("Patrol completion")),
    ("reporting_completeness", _("Reporting completeness")),
    ("revisit_satisfaction", _("Revisit satisfaction")),
]
INDICATOR_KEYS = [key for key, _label in INDICATORS]
DEFAULT_WEIGHTS = {
    "new_disputes_trend": 10,
    "resolution_rate": 20,
    "on_time_rate": 15,
    "local_resolution_rate": 20,
    "patrol_completion": 15,
    "reporting_completeness": 10,
    "revisit_satisfaction": 10,
}
DEFAULT_MIN_SAMPLE = 3
SATISFACTION_SCALE = 5


def _share(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return min(1.0, part / whole)


def indicator_values(current: dict, previous: dict | None) -> dict[str, float | None]:
    """The indicators of a unit from its summed figures of the period (`current`) and of the
    period before (`previous`, None when it had no figures then)."""
    get = current.get
    new, resolved = get("disputes_new", 0), get("disputes_resolved", 0)
    trend = None
    if previous is not None:
        before = previous.get("disputes_new", 0)
        if new or before:
            change = (new - before) / max(before, 1)
            trend = min(1.0, max(0.0, 0.5 - 0.5 * change))
    local = get("disputes_resolved_grid", 0) + get("disputes_resolved_village", 0)
    return {
        "new_disputes_trend": trend,
        "resolution_rate": _share(resolved, max(new, resolved)),
        "on_time_rate": _share(get("disputes_resolved_on_time", 0), resolved),
        "local_resolution_rate": _share(local, resolved),
        "patrol_completion": _share(get("patrols_done", 0), get("patrols_target", 0)),
        "reporting_completeness": _share(get("grids_reported", 0), get("grids_total", 0)),
        "revisit_satisfaction": _share(
            get("satisfaction_total", 0), SATISFACTION_SCALE * get("revisits", 0)
        ),
    }


def weighted_score(values: dict[str, float | None], weights: dict[str, float]) -> float | None:
    """0–100: the weighted mean of the indicators that apply; None if none applies."""
    total = weight_sum = 0.0
    for key in INDICATOR_KEYS:
        weight = float(weights.get(key, 0) or 0)
        value = values.get(key)
        if value is None or weight <= 0:
            continue
        total += weight * value
        weight_sum += weight
    if not weight_sum:
        return None
    return round(100 * total / weight_sum, 2)


def indicators_json(values: dict[str, float | None], weights: dict[str, float]) -> dict:
    """What a score row stores: each indicator's value and the weight it was given."""
    return {
        key: {
            "value": None if values[key] is None else round(values[key], 4),
            "weight": weights.get(key, 0),
        }
        for key in INDICATOR_KEYS
    }


def competition_ranks(scores: Iterable[tuple[Hashable, float]]) -> dict[Hashable, int]:
    """Rank 1 for the highest score; equal scores share a rank and the next rank is skipped
    ("1, 2, 2, 4")."""
    ordered = sorted(scores, key=lambda item: -item[1])
    ranks: dict[Hashable, int] = {}
    previous_score, previous_rank = None, 0
    for position, (key, score) in enumerate(ordered, start=1):
        if score != previous_score:
            previous_rank, previous_score = position, score
        ranks[key] = previous_rank
    return ranks


def validate_weights(weights: dict) -> list[str]:
    """The problems with an administrator's weights, as sentences; empty if none."""
    problems = []
    if not isinstance(weights, dict):
        return [str(_("The weights must map indicators to numbers."))]
    for key, weight in weights.items():
        if key not in INDICATOR_KEYS:
            problems.append(str(_("Unknown indicator “%(key)s”.") % {"key": key}))
        elif isinstance(weight, bool) or not isinstance(weight, int | float) or weight < 0:
            problems.append(
                str(_("The weight of “%(key)s” must be a number of 0 or more.") % {"key": key})
            )
    if not problems and not any(weights.get(key) for key in INDICATOR_KEYS):
        problems.append(str(_("At least one indicator must weigh more than 0.")))
    return problems
