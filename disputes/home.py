"""The dispute side of the home page (registered in DisputesConfig.ready()): the township
workbench's queues at a glance, and the grids' handed-up findings waiting to be registered as
disputes. Both read the workbench's own selectors."""

from django.template.loader import render_to_string

from disputes.selectors import (
    handed_up_findings_without_dispute,
    workbench_counts,
    workbench_queues,
)
from grids.selectors import with_text_masks

FINDINGS_SHOWN = 10


def workbench_panel(request) -> str:
    return render_to_string(
        "disputes/partials/_home_workbench.html",
        {"counts": workbench_counts(user=request.user)},
        request=request,
    )


def findings_panel(request) -> str:
    findings = with_text_masks(
        user=request.user,
        findings=handed_up_findings_without_dispute(request.user)[: FINDINGS_SHOWN + 1],
    )
    return render_to_string(
        "disputes/partials/_home_findings.html",
        {"findings": findings[:FINDINGS_SHOWN], "more": len(findings) > FINDINGS_SHOWN},
        request=request,
    )


def revisits_panel(request) -> str:
    """The revisit officer's queue: disputes mediated successfully and not yet revisited."""
    waiting = workbench_queues(user=request.user)["awaiting_revisit"]
    rows = list(
        waiting.select_related("village", "village__parent").order_by("resolved_at", "pk")[
            : FINDINGS_SHOWN + 1
        ]
    )
    return render_to_string(
        "disputes/partials/_home_revisits.html",
        {"disputes": rows[:FINDINGS_SHOWN], "more": len(rows) > FINDINGS_SHOWN},
        request=request,
    )
