"""The administrators' audit log page and its Excel export."""

import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from governance.audit.forms import AuditFilterForm
from governance.audit.selectors import audit_entries_visible_to, may_read_audit_log
from governance.audit.services import retention_days
from governance.excel import workbook_response
from governance.workdays import local_day_bounds

ENTRIES_PER_PAGE = 50


def _require_reader(user) -> None:
    if not may_read_audit_log(user=user):
        raise PermissionDenied


def _filtered(request, form: AuditFilterForm):
    entries = audit_entries_visible_to(user=request.user)
    if not form.is_valid():
        return entries.none()
    data = form.cleaned_data
    if data["kind"]:
        entries = entries.filter(kind=data["kind"])
    if data["person"]:
        person = data["person"].strip()
        entries = entries.filter(Q(actor_name__icontains=person) | Q(target__iexact=person))
    if data["date_from"]:
        entries = entries.filter(at__gte=local_day_bounds(data["date_from"])[0])
    if data["date_to"]:
        entries = entries.filter(at__lte=local_day_bounds(data["date_to"])[1])
    return entries.order_by("-at", "-pk")


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _details(entry) -> str:
    return json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else ""


@require_GET
@login_required
def audit_list(request):
    _require_reader(request.user)
    form = AuditFilterForm(request.GET)
    entries = _filtered(request, form)
    page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(entry, _details(entry)) for entry in page.object_list]
    return render(
        request,
        "audit/list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "retention_days": retention_days(),
        },
    )


@require_GET
@login_required
def audit_export(request):
    _require_reader(request.user)
    entries = _filtered(request, AuditFilterForm(request.GET))
    header = [
        _("Time"),
        _("Event"),
        _("Person"),
        _("Area"),
        _("Object"),
        _("Address"),
        _("Browser"),
        _("Details"),
    ]
    rows = (
        [
            timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M:%S"),
            entry.get_kind_display(),
            entry.actor_name,
            entry.area.name if entry.area else "",
            entry.target,
            entry.ip_address or "",
            entry.user_agent,
            _details(entry),
        ]
        for entry in entries.iterator(chunk_size=1000)
    )
    return workbook_response(
        filename=f"audit-log-{timezone.localdate():%Y%m%d}.xlsx",
        title=_("Audit log"),
        header=header,
        rows=rows,
    )
