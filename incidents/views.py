from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.listing import list_page
from cases.panels import render_panels
from cases.views import act_on_case, case_actions
from cases.workflow import CaseChangedUnderYou, TransitionNotAllowed
from governance.selectors import get_or_404_audited
from grids.forms import labelled_errors
from grids.models import Finding
from grids.selectors import with_text_masks
from incidents import services
from incidents.actions import INCIDENT
from incidents.forms import PhoneCheckForm
from incidents.models import Incident, IncidentStatus
from incidents.selectors import (
    capabilities_for,
    findings_waiting_for_incident,
    handles_incident,
    incident_get_for_user_or_404,
    incident_photo_get_for_user_or_404,
    incidents_assigned_to,
    incidents_handled_by,
    incidents_to_check,
)
from incidents.workflow import CHECKER
from infra.errors import error_text
from infra.masking import text_mask

FINDINGS_LIMIT = 20
TO_CHECK_LISTED = 10


@login_required
def incident_list(request):
    status = request.GET.get("status", "")
    incidents = Incident.objects.visible_to(request.user).select_related(
        "area", "area__parent", "area__parent__parent", "department"
    )
    if status in IncidentStatus.values:
        incidents = incidents.filter(status=status)
    mine = bool(request.GET.get("mine"))
    if mine:
        incidents = incidents.filter(pk__in=incidents_assigned_to(request.user).values("pk"))
    page = list_page(incidents, request)
    handled = incidents_handled_by(user=request.user, incidents=page.rows)
    for incident in page.rows:
        incident.text_mask = text_mask(people=(), handling=incident.pk in handled)
    return render(
        request,
        "incidents/list.html",
        {
            "incidents": page.rows,
            "page": page,
            "statuses": IncidentStatus.choices,
            "status": status,
            "mine": mine,
        },
    )


def _detail_context(request, incident, failed_action=None, failed_form=None):
    capabilities = capabilities_for(user=request.user, case=incident)
    handling = handles_incident(user=request.user, incident=incident, capabilities=capabilities)
    return {
        "incident": incident,
        "text_mask": text_mask(people=(), handling=handling),
        "actions": case_actions(
            request,
            INCIDENT,
            incident,
            capabilities=capabilities,
            failed_action=failed_action,
            failed_form=failed_form,
        ),
        "events": list(incident.events.select_related("actor").prefetch_related("photos")),
        "panels": render_panels("incident", request, incident),
    }


@login_required
def incident_detail(request, pk):
    incident = incident_get_for_user_or_404(user=request.user, pk=pk)
    return render(request, "incidents/detail.html", _detail_context(request, incident))


@login_required
@require_POST
def incident_act(request, pk, action):
    """Take one action of the registry on an incident (see cases.views)."""
    return act_on_case(
        request,
        INCIDENT,
        pk=pk,
        action=action,
        page_context=lambda case, **failed: _detail_context(request, case, **failed),
    )


@login_required
def incident_photo(request, pk):
    """Photos are served only to those who may see the incident, never from a public folder;
    nor kept by the browser (PrivateResponsesNotStoredMiddleware): a shared phone must not
    keep the photos of its last person."""
    photo = incident_photo_get_for_user_or_404(user=request.user, pk=pk)
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


def _wants_json(request) -> bool:
    """The phone's outbox (static/js/outbox.js) sends with fetch and reads the answer as JSON."""
    return "application/json" in request.headers.get("Accept", "")


@login_required
def incident_check_phone(request, pk):
    """The grid worker's check on the spot, on their phone: what the unit did and its photos,
    then passed, or failed with what is still wrong and a photo. Sent through the phone's
    outbox, so a dropped network loses nothing, and recorded once (its client key)."""
    incident = incident_get_for_user_or_404(user=request.user, pk=pk)
    if CHECKER not in capabilities_for(user=request.user, case=incident):
        refusal = _("Only the grid worker who reported this incident checks it.")
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": [refusal]}, status=403)
        raise PermissionDenied(refusal)
    posted = request.method == "POST"
    form = PhoneCheckForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        user=request.user,
        incident=incident,
    )
    if posted:
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident, created = services.incident_check_once(
                    actor=request.user,
                    incident=incident,
                    version=data["version"],
                    passed=data["passed"],
                    reason=data["reason"],
                    photos=data["photos"],
                    client_key=data["client_key"],
                )
            except (
                CaseChangedUnderYou,
                ValidationError,
                TransitionNotAllowed,
                PermissionDenied,
            ) as error:
                form.add_error(None, error_text(error))
            else:
                url = reverse("incidents:detail", args=[incident.pk])
                if _wants_json(request):
                    return JsonResponse({"ok": True, "created": created, "url": url})
                messages.success(request, _("Your check was saved."))
                return redirect("grids:worker_home")
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": labelled_errors(form)}, status=400)
    handled = incident.events.filter(kind="handle").prefetch_related("photos").last()
    return render(
        request,
        "incidents/check_phone.html",
        {
            "incident": incident,
            "form": form,
            "waiting": incident.status == IncidentStatus.HANDLED,
            "handled": handled,
            "text_mask": text_mask(people=(), handling=True),
        },
        status=400 if posted else 200,
    )


def worker_home_panel(request, case=None) -> str:
    """On the grid worker's phone home: the handled incidents waiting for their check."""
    waiting = list(incidents_to_check(request.user)[: TO_CHECK_LISTED + 1])
    if not waiting:
        return ""
    return render_to_string(
        "incidents/partials/_to_check.html",
        {"incidents": waiting[:TO_CHECK_LISTED], "more": len(waiting) > TO_CHECK_LISTED},
        request=request,
    )


@login_required
@require_POST
def incident_from_finding(request, pk):
    """The workbench's "register as an incident" button."""
    findings = Finding.objects.visible_to(request.user).select_related(
        "grid", "grid__village", "grid__village__parent", "reporter"
    )
    finding = get_or_404_audited(findings, user=request.user, area_field="grid__village", pk=pk)
    try:
        incident = services.incident_create_from_finding(actor=request.user, finding=finding)
    except TransitionNotAllowed as error:
        raise PermissionDenied(error_text(error)) from None
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("disputes:workbench")
    messages.success(request, _("Incident %(number)s registered.") % {"number": incident.number})
    return redirect("incidents:detail", pk=incident.pk)


def workbench_panel(request, case=None) -> str:
    """On the township workbench: handed-up findings that are not disputes, waiting to become
    incidents."""
    findings = with_text_masks(
        user=request.user,
        findings=findings_waiting_for_incident(request.user)[: FINDINGS_LIMIT + 1],
    )
    return render_to_string(
        "incidents/partials/_workbench_queue.html",
        {"findings": findings[:FINDINGS_LIMIT], "more_findings": len(findings) > FINDINGS_LIMIT},
        request=request,
    )
