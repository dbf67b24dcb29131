from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.levels import is_handling
from cases.panels import render_panels
from cases.personal_data import people_as_seen
from cases.views import act_on_case, case_actions
from cases.workflow import TransitionNotAllowed
from disputes import services
from disputes.actions import DISPUTE
from disputes.attachments import download_name
from disputes.forms import AttachmentForm, DisputeRegisterForm, PartyFormSet
from disputes.models import Dispute, DisputeEvent, Level, Side, Status
from disputes.selectors import (
    capabilities_for,
    dispute_get_for_user_or_404,
    due_soon_limit,
    possible_repeats,
    revisit_due_on,
)
from governance.selectors import get_or_404_audited
from grids.models import FindingCategory, FindingStatus
from grids.selectors import finding_get_for_user_or_404
from infra.errors import error_text
from infra.masking import text_mask


def _finding_prefill(request):
    """A handed-up grid finding opens a dispute prefilled from it."""
    finding_pk = request.GET.get("finding") or request.POST.get("finding")
    if not finding_pk:
        return None
    finding = finding_get_for_user_or_404(user=request.user, pk=finding_pk)
    if finding.status != FindingStatus.HANDED_UP:
        raise Http404
    return finding


@login_required
def dispute_register(request):
    finding = _finding_prefill(request)
    initial = {}
    if finding is not None:
        initial = {
            "channel": "grid",
            "village": finding.grid.village.code,
            "grid": finding.grid_id,
            "description": finding.description,
            "kind": "other" if finding.category != FindingCategory.DISPUTE else "neighbour",
        }
    form = DisputeRegisterForm(request.POST or None, user=request.user, initial=initial)
    parties = PartyFormSet(
        request.POST or None,
        prefix="party",
        initial=None
        if request.method == "POST"
        else [
            {"side": Side.APPLICANT},
            {"side": Side.RESPONDENT},
        ],
    )
    repeats = []
    if request.method == "POST" and form.is_valid() and parties.is_valid():
        data = form.cleaned_data
        party_rows = [p for p in parties.cleaned_data if p and not p.get("DELETE")]
        # Only disputes the person may open: another jurisdiction's cases stay out of sight,
        # their numbers, kinds and dates included.
        visible = Dispute.objects.visible_to(request.user).values("pk")
        repeats = list(
            possible_repeats(kind=data["kind"], parties=party_rows, village=data["village"]).filter(
                pk__in=visible
            )[:5]
        )
        if repeats and not data["confirm_repeat"]:
            form.add_error(
                None,
                _(
                    "The same parties had a dispute of this kind in the last 90 days. "
                    "Check the list below; tick the box to register it anyway."
                ),
            )
        else:
            try:
                dispute = services.dispute_register(
                    actor=request.user,
                    kind=data["kind"],
                    channel=data["channel"],
                    description=data["description"],
                    people_involved=data["people_involved"],
                    village=data["village"],
                    grid=data["grid"],
                    level=data["level"],
                    parties=party_rows,
                    source_finding=finding,
                    repeat_of=repeats[0] if repeats else None,
                    court_name=data["court_name"],
                    court_case_number=data["court_case_number"],
                    court_due_on=data["court_due_on"],
                )
            except (ValidationError, TransitionNotAllowed) as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(
                    request, _("Dispute %(number)s registered.") % {"number": dispute.number}
                )
                return redirect("disputes:detail", pk=dispute.pk)
    return render(
        request,
        "disputes/register.html",
        {"form": form, "parties": parties, "repeats": repeats, "finding": finding},
    )


def _timeline(dispute):
    merged = list(dispute.merged.values_list("pk", flat=True))
    events = list(
        DisputeEvent.objects.filter(dispute_id__in=[dispute.pk, *merged])
        .select_related("actor", "dispute")
        .order_by("at", "pk")
    )
    for event in events:
        event.from_other = event.dispute_id != dispute.pk
    return events


def _party_rows(request, dispute, parties, handling: bool):
    seen = people_as_seen(
        request, case=dispute, area=dispute.village, people=parties, handling=handling
    )
    return [
        {"side": party.get_side_display(), **row} for party, row in zip(parties, seen, strict=True)
    ]


def _detail_context(request, dispute, failed_action=None, failed_form=None):
    capabilities = capabilities_for(user=request.user, dispute=dispute)
    handling = is_handling(capabilities)
    actions = case_actions(
        request,
        DISPUTE,
        dispute,
        capabilities=capabilities,
        failed_action=failed_action,
        failed_form=failed_form,
    )
    today = timezone.localdate()
    parties = list(dispute.parties.all())
    clock = dispute.running_clock()
    return {
        "dispute": dispute,
        "panels": render_panels("dispute", request, dispute),
        "handling": handling,
        "parties": _party_rows(request, dispute, parties, handling),
        "text_mask": text_mask(people=parties, handling=handling),
        "actions": actions,
        "events": _timeline(dispute),
        "sessions": dispute.mediation_sessions.all(),
        "revisits": dispute.revisits.select_related("visited_by"),
        "extensions": dispute.extensions.filter(days__isnull=False),
        "revisit_due_on": revisit_due_on(dispute) if dispute.status == Status.RESOLVED else None,
        "attachments": dispute.attachments.order_by("uploaded_at", "pk"),
        "attachment_form": AttachmentForm() if handling else None,
        "pending_extension": dispute.extensions.filter(approved__isnull=True).first(),
        "overdue": clock is not None and clock.overdue(today),
        "due_soon": clock is not None and clock.due_within(today, due_soon_limit(today)),
    }


@login_required
def dispute_detail(request, pk):
    dispute = dispute_get_for_user_or_404(user=request.user, pk=pk)
    return render(request, "disputes/detail.html", _detail_context(request, dispute))


@login_required
@require_POST
def dispute_act(request, pk, action):
    """Take one action of the registry on a dispute (see cases.views)."""
    return act_on_case(
        request,
        DISPUTE,
        pk=pk,
        action=action,
        page_context=lambda case, **failed: _detail_context(request, case, **failed),
    )


@login_required
def dispute_agreement(request, pk):
    """调解协议书, laid out for A4 by the print stylesheet."""
    dispute = dispute_get_for_user_or_404(user=request.user, pk=pk)
    if not dispute.agreement:
        raise Http404
    handling = is_handling(capabilities_for(user=request.user, dispute=dispute))
    parties = list(dispute.parties.all())
    return render(
        request,
        "disputes/agreement.html",
        {
            "dispute": dispute,
            "parties": _party_rows(request, dispute, parties, handling),
            "text_mask": text_mask(people=parties, handling=handling),
            "sessions": dispute.mediation_sessions.all(),
            "level_label": Level(dispute.resolved_level or dispute.level).label,
        },
    )


@login_required
@require_POST
def dispute_attachment_add(request, pk):
    dispute = dispute_get_for_user_or_404(user=request.user, pk=pk)
    if not is_handling(capabilities_for(user=request.user, dispute=dispute)):
        raise PermissionDenied(_("Only those handling the dispute can attach files."))
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a photo or a PDF file to attach."))
    else:
        try:
            attachment = services.dispute_attach(
                actor=request.user, dispute=dispute, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("%(name)s attached.") % {"name": attachment.original_name})
    return redirect("disputes:detail", pk=dispute.pk)


@login_required
def dispute_attachment(request, pk, attachment_pk):
    """Attachments are evidence and often carry personal data: they are served, never from a
    public folder, to those handling the dispute only."""
    dispute = dispute_get_for_user_or_404(user=request.user, pk=pk)
    attachment = get_or_404_audited(
        dispute.attachments.all(),
        user=request.user,
        area_field="dispute__village",
        pk=attachment_pk,
    )
    if not is_handling(capabilities_for(user=request.user, dispute=dispute)):
        raise PermissionDenied(_("Only those handling the dispute can open its attachments."))
    # The type and the extension are those of what was stored (a PDF or a JPEG), whatever the
    # name it was uploaded under; an attachment stored before names were corrected included.
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=download_name(attachment.original_name, attachment.content_type),
        content_type=attachment.content_type,
    )
