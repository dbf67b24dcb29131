"""The township workbench: queues, the filtered list, and its Excel export."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.lights import WarningPeriods, light_label
from cases.listing import list_page
from cases.panels import render_panels
from disputes.forms import DisputeFilterForm
from disputes.models import Dispute
from disputes.selectors import (
    disputes_assigned_to,
    handed_up_findings_without_dispute,
    workbench_counts,
    workbench_queues,
)
from governance.excel import workbook_response
from grids.selectors import with_text_masks

FINDINGS_LIMIT = 20


def filtered_disputes(*, user, form: DisputeFilterForm):
    """The visible disputes that match the filter form, in one place for the list and the
    export, so that the export is exactly the list."""
    disputes = Dispute.objects.visible_to(user)
    if not form.is_valid():
        return disputes.none()
    data = form.cleaned_data
    queue = data.get("queue")
    if queue:
        queues = workbench_queues(user=user)
        if queue in queues:
            disputes = queues[queue]
    if data.get("mine"):
        disputes = disputes.filter(pk__in=disputes_assigned_to(user).values("pk"))
    for field in ("status", "level", "kind", "risk"):
        if data.get(field):
            disputes = disputes.filter(**{field: data[field]})
    if data.get("area"):
        disputes = disputes.filter(village__code__startswith=data["area"])
    if data.get("date_from"):
        disputes = disputes.filter(registered_at__date__gte=data["date_from"])
    if data.get("date_to"):
        disputes = disputes.filter(registered_at__date__lte=data["date_to"])
    return disputes.select_related("village", "village__parent").order_by("-registered_at", "-pk")


@login_required
def workbench(request):
    counts = workbench_counts(user=request.user)
    findings = with_text_masks(
        user=request.user,
        findings=handed_up_findings_without_dispute(request.user)[: FINDINGS_LIMIT + 1],
    )
    return render(
        request,
        "disputes/workbench.html",
        {
            "counts": counts,
            "findings": findings[:FINDINGS_LIMIT],
            "more_findings": len(findings) > FINDINGS_LIMIT,
            # Other queues of the workbench, registered by the apps that own them (incidents).
            "panels": render_panels("workbench", request, None),
        },
    )


@login_required
def dispute_list(request):
    form = DisputeFilterForm(request.GET or None)
    if not request.GET:
        form = DisputeFilterForm({})
    disputes = filtered_disputes(user=request.user, form=form)
    page = list_page(disputes, request)
    return render(
        request,
        "disputes/list.html",
        {
            "form": form,
            "disputes": page.rows,
            "page": page,
            # The filter, for the export link (the export holds every match, not one page).
            "query": page.query,
            "by_status": disputes.order_by().values("status").annotate(n=Count("pk")),
        },
    )


@login_required
def dispute_export(request):
    """The filtered list as an Excel file, row for row and column for column as the list
    (templates/disputes/list.html) shows it; no personal data: parties are not in the list."""
    form = DisputeFilterForm(request.GET or {})
    disputes = filtered_disputes(user=request.user, form=form)
    header = [
        _("Number"),
        _("Registered"),
        _("Kind"),
        _("Village / community"),
        _("Level"),
        _("Status"),
        _("Risk"),
        _("Due"),
        _("Light"),
    ]
    periods, today = WarningPeriods(), timezone.localdate()
    rows = (
        [
            d.number,
            timezone.localtime(d.registered_at).strftime("%Y-%m-%d %H:%M"),
            d.get_kind_display(),
            f"{d.village.parent.name} · {d.village.name}",
            d.get_level_display(),
            d.get_status_display(),
            d.get_risk_display(),
            d.due_on.isoformat() if d.due_on else "",
            light_label(periods.light(d, on=today)),
        ]
        for d in disputes.iterator(chunk_size=1000)
    )
    return workbook_response(
        filename=f"disputes-{timezone.localdate():%Y%m%d}.xlsx",
        title=_("Disputes"),
        header=header,
        rows=rows,
    )
