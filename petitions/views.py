from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.levels import area_at_level, is_handling
from cases.lights import WarningPeriods, light_label, periods_for
from cases.listing import list_page
from cases.personal_data import PERSON_FIELDS, people_as_seen
from cases.views import act_on_case, case_actions
from cases.workflow import TransitionNotAllowed
from disputes.models import Dispute
from governance.excel import workbook_response
from governance.models import AreaLevel
from infra.errors import error_text
from infra.masking import text_mask
from petitions import services
from petitions.actions import PETITION
from petitions.forms import LinkDisputeForm, PetitionerFormSet, PetitionRegisterForm
from petitions.models import Petition, PetitionStatus
from petitions.selectors import (
    PetitionMasks,
    capabilities_for,
    next_clock,
    petition_clocks,
    petition_get_for_user_or_404,
    petitioner_names,
    petitions_assigned_to,
    possible_repeats,
    with_petitioner_names,
)


@login_required
def petition_register(request):
    form = PetitionRegisterForm(request.POST or None, user=request.user)
    petitioners = PetitionerFormSet(request.POST or None, prefix="petitioner")
    repeats = []
    if request.method == "POST" and form.is_valid() and petitioners.is_valid():
        data = form.cleaned_data
        people = [row for row in petitioners.cleaned_data if row]
        repeats = list(
            possible_repeats(
                user=request.user,
                id_numbers=[p["id_number"] for p in people],
                subject=data["subject"],
                area=data["area"],
                received_on=data["received_on"],
            )[:5]
        )
        if repeats and not data["confirm_repeat"]:
            form.add_error(
                None,
                _(
                    "The same petitioner or the same subject in this area came in the last "
                    "180 days. Check the list below; tick the box to register it anyway."
                ),
            )
            final = repeats[0]
            if final.second_reviewed_on is not None:
                form.add_error(
                    None,
                    _(
                        "The matter of petition %(number)s was concluded by a second review on "
                        "%(date)s: a new petition on it is not accepted."
                    )
                    % {"number": final.number, "date": final.second_reviewed_on.isoformat()},
                )
        else:
            try:
                petition = services.petition_register(
                    actor=request.user,
                    channel=data["channel"],
                    subject=data["subject"],
                    content=data["content"],
                    area=data["area"],
                    level=data["level"],
                    petitioners=people,
                    group_size=data["group_size"],
                    received_on=data["received_on"],
                    disputes=data["disputes"],
                    repeat_of=repeats[0] if repeats else None,
                )
            except (ValidationError, TransitionNotAllowed) as error:
                form.add_error(None, error_text(error))
            else:
                messages.success(
                    request, _("Petition %(number)s registered.") % {"number": petition.number}
                )
                return redirect("petitions:detail", pk=petition.pk)
    return render(
        request,
        "petitions/register.html",
        {"form": form, "petitioners": petitioners, "repeats": _as_seen(request, repeats)},
    )


def _as_seen(request, petitions) -> list:
    """Other petitions listed on a page (a queryset, or a list already read), each with the
    mask of its subject for the person (`text_mask`, None where they handle it)."""
    if isinstance(petitions, list):
        prefetch_related_objects(petitions, "area__parent__parent", petitioner_names())
    else:
        petitions = list(with_petitioner_names(petitions))
    masks = PetitionMasks(request.user)
    for petition in petitions:
        petition.text_mask = masks(petition)
    return petitions


def _people(request, petition, handling: bool, fields=PERSON_FIELDS, people=None):
    return people_as_seen(
        request,
        case=petition,
        area=petition.area,
        people=petition.petitioners.all() if people is None else people,
        handling=handling,
        fields=fields,
    )


def _detail_context(request, petition, failed_action=None, failed_form=None):
    capabilities = capabilities_for(user=request.user, case=petition)
    handling = is_handling(capabilities)
    actions = case_actions(
        request,
        PETITION,
        petition,
        capabilities=capabilities,
        failed_action=failed_action,
        failed_form=failed_form,
    )
    events = list(petition.events.select_related("actor"))
    petitioners = list(petition.petitioners.all())
    return {
        "petition": petition,
        "handling": handling,
        "petitioners": _people(request, petition, handling, people=petitioners),
        "text_mask": text_mask(people=petitioners, handling=handling),
        "clocks": petition_clocks(petition),
        "next_clock": next_clock(petition),
        "actions": actions,
        "events": events,
        "disputes": Dispute.objects.visible_to(request.user).filter(petitions=petition),
        "repeats": _as_seen(
            request, Petition.objects.visible_to(request.user).filter(repeat_of=petition)
        ),
        "repeat_of": (
            Petition.objects.visible_to(request.user).filter(pk=petition.repeat_of_id).first()
            if petition.repeat_of_id
            else None
        ),
        "handlers": petition.assignments.filter(ended_at__isnull=True).select_related("person"),
        "link_form": LinkDisputeForm() if handling else None,
    }


@login_required
def petition_detail(request, pk):
    petition = petition_get_for_user_or_404(user=request.user, pk=pk)
    return render(request, "petitions/detail.html", _detail_context(request, petition))


@login_required
@require_POST
def petition_act(request, pk, action):
    """Take one action of the registry on a petition (see cases.views)."""
    return act_on_case(
        request,
        PETITION,
        pk=pk,
        action=action,
        page_context=lambda case, **failed: _detail_context(request, case, **failed),
    )


@login_required
@require_POST
def petition_link_dispute(request, pk):
    petition = petition_get_for_user_or_404(user=request.user, pk=pk)
    if not is_handling(capabilities_for(user=request.user, case=petition)):
        raise PermissionDenied(_("Only those handling the petition can link it."))
    form = LinkDisputeForm(request.POST)
    if form.is_valid():
        dispute = (
            Dispute.objects.visible_to(request.user)
            .filter(number=form.cleaned_data["number"].strip())
            .select_related("village")
            .first()
        )
        if dispute is None:
            messages.error(request, _("No dispute you can see has this number."))
        else:
            try:
                services.petition_link_dispute(
                    actor=request.user, petition=petition, dispute=dispute
                )
            except (ValidationError, TransitionNotAllowed) as error:
                messages.error(request, error_text(error))
            else:
                messages.success(
                    request, _("Linked to dispute %(number)s.") % {"number": dispute.number}
                )
    else:
        messages.error(request, _("Give the dispute number."))
    return redirect("petitions:detail", pk=petition.pk)


def _letter(request, pk, *, template, ready):
    petition = petition_get_for_user_or_404(user=request.user, pk=pk)
    if not ready(petition):
        raise Http404
    handling = is_handling(capabilities_for(user=request.user, case=petition))
    petitioners = list(petition.petitioners.all())
    return render(
        request,
        template,
        {
            "petition": petition,
            # A letter is addressed to the petitioners by name: their numbers stay out of it.
            "petitioners": _people(
                request, petition, handling, fields=("name",), people=petitioners
            ),
            # Its subject, reason and reply as the person may read them.
            "text_mask": text_mask(people=petitioners, handling=handling),
            # The letter comes from the body handling the petition now, which escalation,
            # sending down or to a department may have changed since it was registered.
            "unit": petition.department or area_at_level(petition.area, petition.level),
        },
    )


@login_required
def petition_notice(request, pk):
    """不予受理告知书: the printable notice that a petition is not accepted, and why."""
    return _letter(
        request,
        pk,
        template="petitions/notice.html",
        ready=lambda p: bool(p.not_accepted_reason),
    )


@login_required
def petition_referral_notice(request, pk):
    """诉访分离: the printable notice that the claim belongs to litigation, arbitration or
    administrative review, and to which body to bring it."""
    return _letter(
        request,
        pk,
        template="petitions/referral_notice.html",
        ready=lambda p: bool(p.referral_channel),
    )


@login_required
def petition_reply_letter(request, pk):
    """信访事项处理意见书: the printable reply."""
    return _letter(
        request, pk, template="petitions/reply_letter.html", ready=lambda p: bool(p.reply)
    )


def _list_header() -> list[str]:
    return [
        _("Number"),
        _("Received on"),
        _("Channel"),
        _("Subject"),
        _("Area concerned"),
        _("Handling level"),
        _("Status"),
        _("Acceptance due"),
        _("Conclusion due"),
        _("Light"),
    ]


def _list_row(petition, masks: PetitionMasks, periods: WarningPeriods) -> list[str]:
    """One petition as the list shows it and the export writes it: no petitioner's column,
    and its subject masked (names and numbers) for someone who does not handle it. The export
    masks any number left in it besides (governance.excel)."""
    area = petition.area
    mask = masks(petition)
    return [
        petition.number,
        petition.received_on.isoformat(),
        petition.get_channel_display(),
        mask(petition.subject) if mask else petition.subject,
        f"{area.parent.name} · {area.name}" if area.level == AreaLevel.VILLAGE else area.name,
        petition.get_level_display(),
        petition.get_status_display(),
        petition.acceptance_due.isoformat(),
        petition.conclusion_due.isoformat() if petition.conclusion_due else "",
        # The warning light (cases.lights); the page draws it as the badge of the same words.
        light_label(periods.light(petition, on=timezone.localdate())),
    ]


@login_required
def petition_list(request):
    """The petitions the person can see, filtered by status; with ?export=1 the same rows and
    columns as an Excel file (all of them, where the page shows one page of them)."""
    petitions = with_petitioner_names(Petition.objects.visible_to(request.user)).order_by(
        "-registered_at", "-pk"
    )
    masks = PetitionMasks(request.user)
    status = request.GET.get("status", "")
    if status in PetitionStatus.values:
        petitions = petitions.filter(status=status)
    else:
        status = ""
    mine = bool(request.GET.get("mine"))
    if mine:
        petitions = petitions.filter(pk__in=petitions_assigned_to(request.user).values("pk"))
    if request.GET.get("export"):
        return workbook_response(
            filename=f"petitions-{timezone.localdate():%Y%m%d}.xlsx",
            title=_("Petitions"),
            header=_list_header(),
            rows=(
                _list_row(p, masks, periods_for(request))
                for p in petitions.iterator(chunk_size=1000)
            ),
        )
    counts = dict(
        Petition.objects.visible_to(request.user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    page = list_page(petitions, request)
    return render(
        request,
        "petitions/list.html",
        {
            "header": _list_header(),
            "rows": [
                (petition, _list_row(petition, masks, periods_for(request)))
                for petition in page.rows
            ],
            "page": page,
            "status": status,
            "statuses": [
                (value, label, counts.get(value, 0)) for value, label in PetitionStatus.choices
            ],
            "query": (f"status={status}&" if status else "") + ("mine=on&" if mine else ""),
            "mine": mine,
        },
    )
