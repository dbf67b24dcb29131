"""A wrongly typed case converted either way, keeping its history: an open incident that is
really a dispute becomes a dispute, an open dispute that is really a hazard, a broken facility
or a public-order matter becomes an incident.

The old case is not deleted nor reopened: it ends, in the terminal status `converted` (counted
neither as open nor as resolved by the rollups), with an event "converted to dispute/incident
N". The new case starts with an event "converted from ... N" and carries over the finding,
the reporter, the area, the grid and the description (the finding's photos with it). Each
case page shows the other (`incident_conversion_panel`, `dispute_conversion_panel`) and the
earlier case's timeline. The links live on the incident (`converted_from_dispute`,
`converted_to_dispute`): incidents may know disputes, disputes may not know incidents
(docs/architecture.md), so this module is where both sides of a conversion are written.

Who may: on an incident, those who dispatch it (`DISPATCHER`); the dispute starts at the
incident's dispatching level. On a dispute, the staff of its level or of a level above
(`LEVEL_STAFF`, `SUPERIOR`) who may also dispatch the incident it becomes; the incident is
dispatched from the dispute's level (a grid's dispute: from its village). Each side goes
through `cases.actions.take_action` (row lock, stale version refused, status, who and guard
checked, one event), so a second submit of the same form is refused and creates nothing.

The finding: `Incident.finding` and `Dispute.source_finding` are each one-to-one. The new case
takes the finding when no case of its kind holds it. A live case of its kind holding it means
the finding is already that case: the conversion is refused (it would open the same matter
twice). A converted case of its kind holding it (the matter went back and forth:
dispute → incident → dispute) keeps it, untouched like the rest of its history; the new case
then reaches the finding through the case it came from, which its page links to.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from cases.actions import CaseType, take_action
from cases.identity import clean_id_number, clean_phone
from cases.levels import is_handling
from cases.workflow import (
    LEVEL_STAFF,
    SUPERIOR,
    CaseChangedUnderYou,
    TransitionNotAllowed,
    Workflow,
    action,
)
from disputes.actions import DISPUTE
from disputes.models import (
    OPEN_STATUSES,
    Channel,
    Dispute,
    DisputeEvent,
    DisputeKind,
    Level,
    Party,
    Side,
    Status,
)
from disputes.selectors import capabilities_for as dispute_capabilities_for
from disputes.selectors import dispute_get_for_user_or_404, due_date
from disputes.services import risk_colour, staff_of_level
from governance.notifications import notify
from grids.models import FindingCategory, Severity
from incidents.forms import VersionedForm, long_text
from incidents.models import (
    INCIDENT_CATEGORIES,
    Incident,
    IncidentEvent,
    IncidentLevel,
    IncidentStatus,
)
from incidents.selectors import handles_incident, is_dispatcher
from incidents.services import dispatchers, unit_people
from infra.errors import error_text
from infra.masking import text_mask

# Held over a dispute by who may convert it: staff of its level or above who may also dispatch
# the incident it becomes.
CONVERTER = "converter"

REASON_MAX = 1000
PEOPLE_MAX = 100_000


def incident_level_for(dispute_level: str) -> str:
    """The level an incident converted from a dispute is dispatched from: the dispute's own
    (a grid has no dispatching level: its village's)."""
    return IncidentLevel.VILLAGE if dispute_level == Level.GRID else dispute_level


def dispute_level_for(incident_level: str) -> str:
    """The level a dispute converted from an incident is handled at: the incident's
    dispatching level (village, township or county are levels of both)."""
    return incident_level


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why it is converted."))
    if len(reason) > REASON_MAX:
        raise ValidationError(
            _("The reason is too long: at most %(n)d characters.") % {"n": REASON_MAX}
        )
    return reason


def _holder(model, field: str, finding_id):
    """The case of `model` that holds the finding (its one-to-one `field`), if any."""
    if finding_id is None:
        return None
    return model.objects.filter(**{f"{field}_id": finding_id}).first()


def _live_holder_refusal(holder, converted: str, message: str):
    if holder is not None and holder.status != converted:
        return message % {"number": holder.number}
    return None


def _finding_for_new_case(model, field: str, finding_id, converted: str, message: str):
    """The finding the new case takes: the old case's, unless a case of the new kind holds it
    already: refused when that case is live, left there (None) when it was converted."""
    holder = _holder(model, field, finding_id)
    refusal = _live_holder_refusal(holder, converted, message)
    if refusal:
        raise ValidationError(refusal)
    return finding_id if holder is None else None


DISPUTE_HOLDS_FINDING = gettext_lazy("Its finding is already dispute %(number)s: handle it there.")
INCIDENT_HOLDS_FINDING = gettext_lazy(
    "Its finding is already incident %(number)s: handle it there."
)


# --- Incident → dispute ----------------------------------------------------------------------


def finding_not_yet_a_dispute(incident: Incident):
    """The registry's guard: the finding behind the incident is not already a live dispute."""
    holder = _holder(Dispute, "source_finding", incident.finding_id)
    return _live_holder_refusal(holder, Status.CONVERTED, str(DISPUTE_HOLDS_FINDING))


def _checked_parties(parties) -> list[dict]:
    checked = []
    for party in parties or []:
        row = {
            "side": party.get("side") or Side.APPLICANT,
            "name": (party.get("name") or "").strip(),
            "id_number": clean_id_number(party.get("id_number", "")),
            "phone": clean_phone(party.get("phone", "")),
        }
        if row["side"] not in Side.values:
            raise ValidationError(_("Unknown side."))
        Party(**row).full_clean(exclude=["dispute"])
        checked.append(row)
    if not checked:
        raise ValidationError(_("Name at least one party."))
    return checked


def incident_convert_to_dispute(
    *,
    actor,
    incident: Incident,
    version=None,
    kind: str,
    parties: list[dict],
    reason: str,
    people_involved: int = 2,
) -> Dispute:
    """Convert an open incident into a dispute, as one who dispatches it. The dispute is
    registered at the incident's dispatching level with `parties` (at least one, as at any
    registration) and its kind; the incident ends as converted. Returns the dispute."""
    from incidents.actions import INCIDENT

    reason = _reason(reason)
    if kind not in DisputeKind.values:
        raise ValidationError(_("Choose the kind of dispute."))
    if (
        not isinstance(people_involved, int)
        or isinstance(people_involved, bool)
        or not 1 <= people_involved <= PEOPLE_MAX
    ):
        raise ValidationError(_("Give how many people are involved."))
    parties = _checked_parties(parties)
    created = {}

    def change(locked: Incident):
        level = dispute_level_for(locked.level)
        finding_id = _finding_for_new_case(
            Dispute,
            "source_finding",
            locked.finding_id,
            Status.CONVERTED,
            str(DISPUTE_HOLDS_FINDING),
        )
        origin = locked.converted_from_dispute
        dispute = Dispute(
            kind=kind,
            channel=origin.channel if origin is not None else Channel.GRID,
            description=locked.description,
            people_involved=people_involved,
            village=locked.area,
            grid=locked.grid,
            source_finding_id=finding_id,
            level=level,
            status=Status.REGISTERED,
            risk=risk_colour(people_involved=people_involved, kind=kind, is_repeat=False),
            due_on=due_date(level=level, kind=kind),
            registered_by=actor,
        )
        dispute.save()
        # The number as every dispute's (disputes.services.intake).
        dispute.number = f"JF{timezone.localdate():%Y}{dispute.pk:07d}"
        dispute.save(update_fields=["number"])
        for party in parties:
            Party.objects.create(dispute=dispute, **party)
        DisputeEvent.objects.create(
            dispute=dispute,
            actor=actor,
            kind="converted_from_incident",
            from_status="",
            to_status=dispute.status,
            note=reason,
            details={
                "counterpart": locked.number,
                "incident": locked.pk,
                "finding": locked.finding_id,
            },
        )
        locked.converted_to_dispute = dispute
        notify(
            recipients=unit_people(locked),
            kind="incident_converted",
            text=_("Incident %(number)s is a dispute, %(dispute)s: nothing more to do on it.")
            % {"number": locked.number, "dispute": dispute.number},
            url=reverse("incidents:detail", args=[locked.pk]),
            exclude=actor,
        )
        notify(
            recipients=staff_of_level(dispute, level),
            kind="dispute_converted",
            text=_("Dispute %(number)s was registered from incident %(incident)s.")
            % {"number": dispute.number, "incident": locked.number},
            url=reverse("disputes:detail", args=[dispute.pk]),
            exclude=actor,
        )
        created["case"] = dispute
        return {"counterpart": dispute.number, "dispute": dispute.pk}

    try:
        take_action(
            INCIDENT,
            actor=actor,
            case=incident,
            version=version,
            action="convert_to_dispute",
            change=change,
            note=reason,
            event_kind="converted_to_dispute",
        )
    except IntegrityError:
        # Another registration took the finding between the guard and the write.
        raise ValidationError(
            _("Its finding was registered as a dispute meanwhile: nothing was converted.")
        ) from None
    return created["case"]


class ConvertToDisputeForm(VersionedForm):
    """The incident page's "convert to a dispute": the kind, the parties (as at any
    registration: at least one), how many people, and why."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind of dispute"), choices=[("", "—"), *DisputeKind.choices]
    )
    people_involved = forms.IntegerField(
        label=gettext_lazy("People involved"), min_value=1, max_value=PEOPLE_MAX, initial=2
    )
    reason = long_text(gettext_lazy("Why it is a dispute"), REASON_MAX)

    SIDES = (
        ("applicant", Side.APPLICANT, gettext_lazy("Applicant")),
        ("respondent", Side.RESPONDENT, gettext_lazy("Respondent")),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for prefix, _side, label in self.SIDES:
            required = prefix == "applicant"
            self.fields[f"{prefix}-name"] = forms.CharField(
                label=f"{label} · {_('Name')}", max_length=50, required=required
            )
            self.fields[f"{prefix}-id_number"] = forms.CharField(
                label=f"{label} · {_('ID number')}", max_length=18, required=False
            )
            self.fields[f"{prefix}-phone"] = forms.CharField(
                label=f"{label} · {_('Phone')}", max_length=20, required=False
            )

    def clean(self):
        data = super().clean()
        parties = []
        for prefix, side, _label in self.SIDES:
            row = {"side": side}
            for part, check in (
                ("name", str.strip),
                ("id_number", clean_id_number),
                ("phone", clean_phone),
            ):
                field = f"{prefix}-{part}"
                if field not in data:
                    continue
                try:
                    row[part] = check(data.get(field) or "")
                except forms.ValidationError as error:
                    self.add_error(field, error)
            if row.get("name"):
                parties.append(row)
            elif row.get("id_number") or row.get("phone"):
                self.add_error(f"{prefix}-name", _("Give the name of this party."))
        if self.errors:
            return data
        return {
            "version": data.get("version"),
            "kind": data.get("kind"),
            "people_involved": data.get("people_involved"),
            "parties": parties,
            "reason": data.get("reason"),
        }


# --- Dispute → incident ----------------------------------------------------------------------


def _probe_incident(dispute: Dispute) -> Incident:
    return Incident(area=dispute.village, level=incident_level_for(dispute.level))


def conversion_capabilities(*, user, case: Dispute) -> set[str]:
    """The dispute's capabilities, with `CONVERTER` when the person may convert it."""
    held = set(dispute_capabilities_for(user=user, dispute=case))
    if held & {LEVEL_STAFF, SUPERIOR} and is_dispatcher(user=user, incident=_probe_incident(case)):
        held.add(CONVERTER)
    return held


def finding_not_yet_an_incident(dispute: Dispute):
    """The guard: the finding behind the dispute is not already a live incident."""
    holder = _holder(Incident, "finding", dispute.source_finding_id)
    return _live_holder_refusal(holder, IncidentStatus.CONVERTED, str(INCIDENT_HOLDS_FINDING))


class ConvertToIncidentForm(forms.Form):
    """The dispute page's "convert to an incident" (the incidents app's panel)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    category = forms.ChoiceField(
        label=gettext_lazy("Category of incident"),
        choices=[("", "—")] + [(c, FindingCategory(c).label) for c in INCIDENT_CATEGORIES],
    )
    severity = forms.ChoiceField(label=gettext_lazy("Severity"), choices=Severity.choices)
    reason = long_text(gettext_lazy("Why it is not a dispute"), REASON_MAX)

    def __init__(self, *args, user=None, dispute=None, **kwargs):
        initial = kwargs.pop("initial", {})
        if dispute is not None:
            initial.setdefault("version", dispute.version)
            finding = dispute.source_finding if dispute.source_finding_id else None
            if finding is not None:
                if finding.category in INCIDENT_CATEGORIES:
                    initial.setdefault("category", finding.category)
                initial.setdefault("severity", finding.severity)
        super().__init__(*args, initial=initial, **kwargs)
        self.user = user
        self.dispute = dispute


def dispute_convert_to_incident(
    *, actor, dispute: Dispute, version=None, category: str, reason: str, severity: str = ""
) -> Incident:
    """Convert an open dispute into an incident, as staff of its level or above who may
    dispatch the incident. Its handlers are released; the dispute ends as converted. Returns
    the incident, waiting to be dispatched."""
    reason = _reason(reason)
    if category not in INCIDENT_CATEGORIES:
        raise ValidationError(_("Choose the category of incident."))
    severity = severity or Severity.LOW
    if severity not in Severity.values:
        raise ValidationError(_("Choose the severity."))
    created = {}

    def change(locked: Dispute):
        finding_id = _finding_for_new_case(
            Incident,
            "finding",
            locked.source_finding_id,
            IncidentStatus.CONVERTED,
            str(INCIDENT_HOLDS_FINDING),
        )
        origin = Incident.objects.filter(converted_to_dispute=locked).first()
        finding = locked.source_finding if locked.source_finding_id else None
        if finding is not None:
            reporter = finding.reporter
        else:
            reporter = origin.reporter if origin is not None else None
        grid = locked.grid
        incident = Incident(
            area=locked.village,
            grid=grid,
            finding_id=finding_id,
            reporter=reporter,
            category=category,
            severity=severity,
            place=grid.name if grid is not None else "",
            description=locked.description,
            level=incident_level_for(locked.level),
            registered_by=actor,
            converted_from_dispute=locked,
        )
        incident.save()
        # The number as every incident's (incidents.services).
        incident.number = f"SJ{timezone.localdate():%Y}{incident.pk:07d}"
        incident.save(update_fields=["number"])
        IncidentEvent.objects.create(
            incident=incident,
            actor=actor,
            kind="converted_from_dispute",
            to_status=incident.status,
            note=reason,
            details={
                "counterpart": locked.number,
                "dispute": locked.pk,
                "finding": locked.source_finding_id,
            },
        )
        handlers = [
            a.person
            for a in locked.assignments.filter(ended_at__isnull=True, person__isnull=False)
            .select_related("person")
            .order_by("pk")
        ]
        locked.assignments.filter(ended_at__isnull=True).update(ended_at=timezone.now())
        notify(
            recipients=handlers,
            kind="dispute_converted",
            text=_("Dispute %(number)s is an incident, %(incident)s: nothing more to do on it.")
            % {"number": locked.number, "incident": incident.number},
            url=reverse("disputes:detail", args=[locked.pk]),
            exclude=actor,
        )
        notify(
            recipients=dispatchers(incident),
            kind="incident_converted",
            text=_("Incident %(number)s was registered from dispute %(dispute)s: dispatch it.")
            % {"number": incident.number, "dispute": locked.number},
            url=reverse("incidents:detail", args=[incident.pk]),
            exclude=actor,
        )
        created["case"] = incident
        return {"counterpart": incident.number, "incident": incident.pk}

    try:
        take_action(
            DISPUTE_CONVERSION,
            actor=actor,
            case=dispute,
            version=version,
            action="convert_to_incident",
            change=change,
            note=reason,
            event_kind="converted_to_incident",
        )
    except IntegrityError:
        raise ValidationError(
            _("Its finding was registered as an incident meanwhile: nothing was converted.")
        ) from None
    return created["case"]


# The dispute side's one action, declared as every action is (cases.workflow), in a registry
# of the incidents app: the disputes' registry may not name an incidents service.
DISPUTE_CONVERSION = CaseType(
    model=Dispute,
    event_model=DisputeEvent,
    keyword="dispute",
    workflow=Workflow(
        transitions=[
            action(
                "convert_to_incident",
                gettext_lazy("Convert to an incident"),
                sources=OPEN_STATUSES,
                target=Status.CONVERTED,
                who={CONVERTER},
                guard=finding_not_yet_an_incident,
                form=ConvertToIncidentForm,
                service=dispute_convert_to_incident,
                style="outline-secondary",
            )
        ],
        status_labels=dict(Status.choices),
    ),
    capabilities=conversion_capabilities,
    get_for_user_or_404=dispute_get_for_user_or_404,
    template=DISPUTE.template,
    detail_url=DISPUTE.detail_url,
    related=DISPUTE.related,
    changed_message=DISPUTE.changed_message,
)

FAILED_FORM = "_dispute_conversion_form"


@login_required
@require_POST
def dispute_convert(request, pk):
    """The dispute page's "convert to an incident". Refused: the dispute page again, with the
    person's input in the form and the reason above it."""
    from disputes.views import dispute_detail

    dispute = dispute_get_for_user_or_404(user=request.user, pk=pk)
    transition = DISPUTE_CONVERSION.workflow.get("convert_to_incident")
    if not transition.who & conversion_capabilities(user=request.user, case=dispute):
        raise PermissionDenied(
            _("You may not “%(action)s” on this case.") % {"action": transition.label}
        )
    form = ConvertToIncidentForm(request.POST, user=request.user, dispute=dispute)
    if form.is_valid():
        arguments = dict(form.cleaned_data)
        version = arguments.pop("version")
        try:
            incident = dispute_convert_to_incident(
                actor=request.user, dispute=dispute, version=version, **arguments
            )
        except CaseChangedUnderYou as error:
            form.add_error(None, str(error))
        except (ValidationError, TransitionNotAllowed, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(
                request,
                _("Dispute %(dispute)s converted to incident %(number)s.")
                % {"dispute": dispute.number, "number": incident.number},
            )
            return redirect("incidents:detail", pk=incident.pk)
    if form.errors.get("version"):
        form.add_error(None, _("This form is out of date: reload the page and try again."))
    dispute = dispute_get_for_user_or_404(user=request.user, pk=pk)
    if dispute.status not in transition.sources:
        # Converted (or closed) meanwhile: the page says so, there is no form to keep.
        messages.error(request, " ".join(form.non_field_errors()) or _("Not possible now."))
        return redirect("disputes:detail", pk=dispute.pk)
    # The fresh version, so that resubmitting the kept input acts on the new state.
    form.data = form.data.copy()
    form.data["version"] = dispute.version
    request.__dict__[FAILED_FORM] = form
    response = dispute_detail(request, pk)
    response.status_code = 400
    return response


# --- The pages: each case shows the other and the earlier timeline ---------------------------


def _dispute_view(user, dispute: Dispute | None) -> dict | None:
    """How `user` sees a dispute named by an incident page: its number always; a link, its
    status and its timeline (masked as the dispute's own page masks it) when they may see it."""
    if dispute is None:
        return None
    visible = Dispute.objects.visible_to(user).filter(pk=dispute.pk).exists()
    view = {"number": dispute.number, "visible": visible}
    if visible:
        parties = list(dispute.parties.all())
        handling = is_handling(dispute_capabilities_for(user=user, dispute=dispute))
        view.update(
            url=reverse("disputes:detail", args=[dispute.pk]),
            status=dispute.get_status_display(),
            events=list(dispute.events.select_related("actor", "dispute")),
            text_mask=text_mask(people=parties, handling=handling),
            finding_id=dispute.source_finding_id,
        )
    return view


def _incident_view(user, incident: Incident | None) -> dict | None:
    if incident is None:
        return None
    visible = Incident.objects.visible_to(user).filter(pk=incident.pk).exists()
    view = {"number": incident.number, "visible": visible}
    if visible:
        view.update(
            url=reverse("incidents:detail", args=[incident.pk]),
            status=incident.get_status_display(),
            events=list(
                incident.events.select_related("actor", "incident").prefetch_related("photos")
            ),
            text_mask=text_mask(people=(), handling=handles_incident(user=user, incident=incident)),
            finding_id=incident.finding_id,
        )
    return view


def incident_conversion_panel(request, incident: Incident) -> str:
    """On an incident's page: the dispute it was converted from (with that dispute's
    timeline) and the dispute it was converted to."""
    if not (incident.converted_from_dispute_id or incident.converted_to_dispute_id):
        return ""
    origin = _dispute_view(request.user, incident.converted_from_dispute)
    successor = _dispute_view(request.user, incident.converted_to_dispute)
    return render_to_string(
        "incidents/partials/_conversion.html",
        {
            "origin": origin,
            "successor": successor,
            "origin_label": _("Converted from dispute"),
            "successor_label": _("Converted to dispute"),
            "own_finding": incident.finding_id,
        },
        request=request,
    )


def dispute_conversion_panel(request, dispute: Dispute) -> str:
    """On a dispute's page (registered in IncidentsConfig.ready()): the incident it was
    converted from (with that incident's timeline), the incident it was converted to, and,
    for who may, the form that converts it into an incident."""
    linked = list(
        Incident.objects.filter(
            Q(converted_from_dispute=dispute) | Q(converted_to_dispute=dispute)
        ).order_by("pk")
    )
    origin = next((i for i in linked if i.converted_to_dispute_id == dispute.pk), None)
    successor = next((i for i in linked if i.converted_from_dispute_id == dispute.pk), None)
    form = request.__dict__.get(FAILED_FORM)
    transition = DISPUTE_CONVERSION.workflow.get("convert_to_incident")
    if (
        form is None
        and dispute.status in transition.sources
        and transition.who & conversion_capabilities(user=request.user, case=dispute)
        and transition.refusal(dispute) is None
    ):
        form = ConvertToIncidentForm(user=request.user, dispute=dispute)
    if not (origin or successor or form):
        return ""
    return render_to_string(
        "incidents/partials/_conversion.html",
        {
            "origin": _incident_view(request.user, origin),
            "successor": _incident_view(request.user, successor),
            "origin_label": _("Converted from incident"),
            "successor_label": _("Converted to incident"),
            "own_finding": dispute.source_finding_id,
            "form": form,
            "form_open": FAILED_FORM in request.__dict__,
            "form_url": reverse("incidents:convert_dispute", args=[dispute.pk]),
            "transition": transition,
        },
        request=request,
    )
