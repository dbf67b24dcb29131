from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.panels import render_panels
from governance.models import AREA_WIDE_ROLES, AreaLevel
from governance.selectors import area_get_for_user_or_404, jurisdiction_roots
from grids import selectors, services
from grids.forms import (
    FindingActionForm,
    FindingForm,
    GridForm,
    HandoverForm,
    LocationForm,
    labelled_errors,
)
from grids.models import Finding, FindingStatus, Grid
from infra.errors import error_text


def _submitted(request, *, files=False) -> tuple:
    """The data a form is bound to: whatever was posted, even nothing (then it says what is
    missing), and nothing to bind on a GET."""
    if request.method != "POST":
        return (None, None) if files else (None,)
    return (request.POST, request.FILES) if files else (request.POST,)


def _wants_json(request) -> bool:
    """The phone's outbox sends findings with fetch and reads the answer as JSON."""
    return "application/json" in request.headers.get("Accept", "")


@login_required
def worker_home(request):
    day = selectors.worker_day(user=request.user)
    # What other apps ask of the worker (the incidents waiting for their check).
    panels = render_panels("worker_home", request, None)
    return render(request, "grids/worker_home.html", {"day": day, "panels": panels})


@login_required
def grids_overview(request):
    """The grid menu entry: the grids of one's village or township for those who watch them,
    a worker's own day for those who work them."""
    for area in jurisdiction_roots(user=request.user, roles=AREA_WIDE_ROLES):
        if area.level == AreaLevel.VILLAGE:
            return redirect("grids:village_grids", code=area.code)
        if area.level == AreaLevel.TOWNSHIP:
            return redirect("grids:township_villages", code=area.code)
    if selectors.grids_worked_by(user=request.user).exists():
        return redirect("grids:worker_home")
    return redirect("area_root")


@login_required
def grid_detail(request, pk):
    grid = selectors.grid_get_for_user_or_404(user=request.user, pk=pk)
    state = selectors.with_day_state(
        Grid.objects.visible_to(request.user).filter(pk=grid.pk), selectors.today()
    ).get()
    recent = selectors.with_text_masks(
        user=request.user,
        findings=Finding.objects.visible_to(request.user)
        .filter(grid=grid)
        .select_related("reporter", "grid", "grid__village")
        .order_by("-found_at")[:20],
    )
    team = selectors.grid_team(grid=grid)
    on_team = any(assignment.person_id == request.user.pk for assignment in team)
    context = {"grid": grid, "state": state, "recent": recent, "team": team, "on_team": on_team}
    context["can_manage"] = not on_team and selectors.may_manage_grids(
        user=request.user, village=grid.village
    )
    return render(request, "grids/grid_detail.html", context)


@login_required
@require_POST
def patrol_start(request, pk):
    grid = selectors.grid_get_worked_by_or_404(user=request.user, pk=pk)
    location = LocationForm(request.POST)
    if not location.is_valid():
        messages.error(request, " ".join(labelled_errors(location)))
        return redirect("grids:worker_home")
    try:
        services.patrol_start(actor=request.user, grid=grid, **location.cleaned_data)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Patrol of %(grid)s started.") % {"grid": grid.name})
    return redirect("grids:worker_home")


@login_required
@require_POST
def patrol_end(request, pk):
    patrol = selectors.patrol_get_for_worker_or_404(user=request.user, pk=pk)
    location = LocationForm(request.POST)
    coordinates = location.cleaned_data if location.is_valid() else {}
    services.patrol_end(actor=request.user, patrol=patrol, **coordinates)
    messages.success(request, _("Patrol ended."))
    return redirect("grids:worker_home")


@login_required
def finding_new(request):
    grids = selectors.grids_worked_by(user=request.user)
    if not grids.exists():
        raise PermissionDenied
    patrol = selectors.patrol_under_way(user=request.user) if request.method == "GET" else None
    form = FindingForm(*_submitted(request, files=True), grids=grids, patrol=patrol)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                finding, created = services.finding_log(
                    actor=request.user,
                    grid=data["grid"],
                    client_key=data["client_key"],
                    category=data["category"],
                    severity=data["severity"],
                    description=data["description"],
                    status=data["status"],
                    action_taken=data["action_taken"],
                    found_at=data["found_at"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    photos=data["photos"],
                    urgent=data["urgent"],
                )
            except (ValidationError, PermissionDenied) as error:
                form.add_error(None, error_text(error))
            else:
                url = reverse("grids:finding_detail", args=[finding.pk])
                if _wants_json(request):
                    return JsonResponse({"ok": True, "created": created, "url": url})
                messages.success(request, _("The finding was saved."))
                return redirect("grids:worker_home")
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": labelled_errors(form)}, status=400)
    return render(request, "grids/finding_form.html", {"form": form})


@login_required
def finding_detail(request, pk):
    finding = selectors.finding_get_for_user_or_404(user=request.user, pk=pk)
    return render(
        request,
        "grids/finding_detail.html",
        {
            "finding": finding,
            "photos": finding.photos.all(),
            "events": finding.events.select_related("actor"),
            "text_mask": selectors.finding_text_mask(user=request.user, finding=finding),
            "can_act": finding.status == FindingStatus.OPEN
            and finding.holder_id == request.user.pk,
            "action_form": FindingActionForm(),
        },
    )


@login_required
def finding_photo(request, pk):
    """Photos are served only to those who may see the finding, never from a public folder."""
    photo = selectors.finding_photo_get_for_user_or_404(user=request.user, pk=pk)
    # Not cached by the browser either (PrivateResponsesNotStoredMiddleware): a shared phone
    # must not keep the photos of its last person.
    return FileResponse(photo.image.open("rb"), content_type="image/jpeg")


def _finding_action(request, pk, action):
    finding = selectors.finding_get_for_user_or_404(user=request.user, pk=pk)
    if finding.holder_id != request.user.pk:
        # Seen, but only its holder acts on it: refused outright, as for any case's action.
        raise PermissionDenied(_("This finding is held by someone else."))
    form = FindingActionForm(request.POST)
    if form.is_valid():
        try:
            action(actor=request.user, finding=finding, note=form.cleaned_data["note"])
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("Saved."))
    else:
        messages.error(request, error_text(ValidationError(form.errors["note"])))
    return redirect("grids:finding_detail", pk=finding.pk)


@login_required
@require_POST
def finding_handle(request, pk):
    return _finding_action(
        request,
        pk,
        lambda *, actor, finding, note: services.finding_handle(
            actor=actor, finding=finding, action_taken=note
        ),
    )


@login_required
@require_POST
def finding_hand_up(request, pk):
    return _finding_action(
        request,
        pk,
        lambda *, actor, finding, note: services.finding_hand_up(
            actor=actor, finding=finding, reason=note
        ),
    )


@login_required
def zero_report(request, pk):
    """Filing a zero report asks first: the page says which grid is reported as having had
    nothing to report on which day; only a post of its form (with `confirm` and that day)
    files it. Any other post comes back to the page and changes nothing."""
    grid = selectors.grid_get_worked_by_or_404(user=request.user, pk=pk)
    day = selectors.today()
    if request.method != "POST":
        return render(request, "grids/zero_report_confirm.html", {"grid": grid, "day": day})
    if not request.POST.get("confirm"):
        return redirect("grids:zero_report", pk=grid.pk)
    if request.POST.get("day") != day.isoformat():
        # The page was drawn on another day (say, before midnight): what was confirmed is not
        # what would be filed.
        messages.error(
            request,
            _("The day has changed since the page was opened: confirm today's zero report again."),
        )
        return redirect("grids:zero_report", pk=grid.pk)
    try:
        _report, created = services.zero_report_file(actor=request.user, grid=grid, day=day)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        if created:
            messages.success(request, _("Zero report filed for %(grid)s.") % {"grid": grid.name})
        else:
            messages.info(
                request, _("%(grid)s already has today's zero report.") % {"grid": grid.name}
            )
    return redirect("grids:worker_home")


def _area_of_level_or_404(request, code, level):
    area = area_get_for_user_or_404(user=request.user, code=code)
    if area.level != level:
        raise Http404
    return area


@login_required
def village_grids(request, code):
    village = _area_of_level_or_404(request, code, AreaLevel.VILLAGE)
    grids = selectors.village_grid_states(user=request.user, village=village)
    return render(
        request,
        "grids/village_grids.html",
        {
            "village": village,
            "grids": grids,
            "handed_up": selectors.with_text_masks(
                user=request.user,
                findings=selectors.handed_up_findings(user=request.user, village=village)[:50],
            ),
            "can_manage": selectors.may_manage_grids(user=request.user, village=village),
        },
    )


@login_required
def township_villages(request, code):
    township = _area_of_level_or_404(request, code, AreaLevel.TOWNSHIP)
    rows = selectors.township_village_states(user=request.user, township=township)
    return render(request, "grids/township_villages.html", {"township": township, "rows": rows})


@login_required
def grid_create(request, code):
    village = _area_of_level_or_404(request, code, AreaLevel.VILLAGE)
    # Refused before the form is shown to someone who could not use it.
    services.require_grid_manager(actor=request.user, village=village)
    form = GridForm(*_submitted(request))
    if request.method == "POST" and form.is_valid():
        try:
            grid = services.grid_create(actor=request.user, village=village, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        else:
            messages.success(request, _("Grid %(name)s created.") % {"name": grid.name})
            return redirect("grids:grid_detail", pk=grid.pk)
    return render(request, "grids/grid_form.html", {"form": form, "village": village})


@login_required
def grid_handover(request, pk):
    grid = selectors.grid_get_for_user_or_404(user=request.user, pk=pk)
    services.require_grid_manager(actor=request.user, village=grid.village)
    team_ids = selectors.grid_team(grid=grid).values("person_id")
    user_model = get_user_model()
    candidates = (
        user_model.objects.filter(
            Q(memberships__area=grid.village) | Q(grid_assignments__grid__village=grid.village)
        )
        .distinct()
        .order_by("username")
    )
    form = HandoverForm(
        *_submitted(request),
        team=user_model.objects.filter(pk__in=team_ids).order_by("username"),
        candidates=candidates,
    )
    if request.method == "POST" and form.is_valid():
        try:
            moved = services.grid_handover(
                actor=request.user,
                grid=grid,
                leaving=form.cleaned_data["leaving"],
                successor=form.cleaned_data["successor"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except PermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        else:
            messages.success(
                request, _("Handover done: %(count)d open items moved.") % {"count": moved}
            )
            return redirect("grids:grid_detail", pk=grid.pk)
    return render(request, "grids/grid_handover.html", {"grid": grid, "form": form})
