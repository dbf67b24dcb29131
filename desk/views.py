"""The front desk's pages: intake, the receipt, the matters list and a matter's page (desk
staff), and the resident's query page (no account)."""

from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.personal_data import people_as_seen
from cases.workflow import TransitionNotAllowed
from desk.forms import (
    ClassifyForm,
    IntakeForm,
    MatterFilterForm,
    QueryForm,
    ReplyForm,
    ReturnForm,
)
from desk.models import UNROUTED_STATUSES, MatterStatus, desk_roles
from desk.selectors import matter_get_for_user_or_404, matters_for_list
from desk.services import (
    find_repeats,
    matter_classify,
    matter_find_by_code,
    matter_public_view,
    matter_publish_reply,
    matter_receive,
    matter_return,
    matter_sign_in,
    staffs_desk,
)
from governance.audit.clients import client_ip
from governance.audit.services import audit_record
from governance.models import Role
from governance.selectors import user_roles
from infra.crypto import decrypt, encrypt
from infra.errors import error_text
from infra.masking import mask_personal_data, text_mask
from infra.rate_limit import rate_limit_hit

# The query code is shown once, on the receipt printed right after intake: the session holds
# it (sealed) for that one matter until the clerk goes back to the intake form.
RECEIPT_SESSION_KEY = "desk_receipt"
# The query page: tries per address, and per receipt number, in each ten minutes (settings
# may lower or raise them: DESK_QUERY_TRIES_PER_ADDRESS, DESK_QUERY_TRIES_PER_NUMBER).
QUERY_LIMIT_PER_ADDRESS = 20
QUERY_LIMIT_PER_NUMBER = 5
QUERY_WINDOW_SECONDS = 600


def _query_limits() -> tuple[int, int]:
    return (
        getattr(settings, "DESK_QUERY_TRIES_PER_ADDRESS", QUERY_LIMIT_PER_ADDRESS),
        getattr(settings, "DESK_QUERY_TRIES_PER_NUMBER", QUERY_LIMIT_PER_NUMBER),
    )


LIST_PAGE_SIZE = 50


def _require_desk_staff(user) -> None:
    if not (user_roles(user=user) & desk_roles()):
        raise PermissionDenied


def _form_errors(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@login_required
def intake(request):
    _require_desk_staff(request.user)
    if request.method == "GET":
        request.session.pop(RECEIPT_SESSION_KEY, None)
    form = IntakeForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            matter, code = matter_receive(
                actor=request.user,
                channel=data["channel"],
                area=data["area"],
                subject=data["subject"],
                description=data["description"],
                place=data["place"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                attachments=data["attachments"],
            )
        except (ValidationError, TransitionNotAllowed) as error:
            _form_errors(form, ValidationError(getattr(error, "messages", [str(error)])))
        else:
            request.session[RECEIPT_SESSION_KEY] = {"matter": matter.pk, "code": encrypt(code)}
            return redirect("desk:receipt", pk=matter.pk)
    return render(request, "desk/intake.html", {"form": form})


@require_POST
@login_required
def matter_sign_in_view(request, pk):
    matter = matter_get_for_user_or_404(user=request.user, pk=pk)
    try:
        matter_sign_in(actor=request.user, matter=matter)
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The work order was signed in."))
    return redirect("desk:detail", pk=matter.pk)


@require_POST
@login_required
def matter_return_view(request, pk):
    matter = matter_get_for_user_or_404(user=request.user, pk=pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            matter_return(actor=request.user, matter=matter, reason=form.cleaned_data["reason"])
        except (ValidationError, TransitionNotAllowed) as error:
            _form_errors(form, ValidationError(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The work order was returned to its source."))
            return redirect("desk:detail", pk=matter.pk)
    return _matter_page(request, matter, return_form=form, status=400)


@never_cache
@login_required
def receipt(request, pk):
    """受理回执: the printable receipt with the number and, right after intake, the code."""
    matter = matter_get_for_user_or_404(user=request.user, pk=pk)
    kept = request.session.get(RECEIPT_SESSION_KEY) or {}
    code = decrypt(kept["code"]) if kept.get("matter") == matter.pk else ""
    return render(request, "desk/receipt.html", {"matter": matter, "query_code": code})


@login_required
def matter_list(request):
    _require_desk_staff(request.user)
    filters = MatterFilterForm(request.GET or None)
    values = filters.cleaned_data if filters.is_valid() else {}
    matters = matters_for_list(
        user=request.user,
        status=values.get("status", ""),
        channel=values.get("channel", ""),
        kind=values.get("kind", ""),
    )
    page = Paginator(matters, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    township_staff = Role.TOWNSHIP_STAFF in user_roles(user=request.user)
    # Each subject as the reader may read it: whole for the township's desk (whose matters
    # these all are) and whoever received it, its numbers and requester's name masked for the
    # county looking on.
    rows = [
        (
            matter,
            mask_personal_data(
                matter.subject,
                names=[matter.requester_name] if matter.requester_name else (),
                handling=township_staff or matter.received_by_id == request.user.pk,
            ),
        )
        for matter in page
    ]
    return render(request, "desk/list.html", {"filters": filters, "page": page, "rows": rows})


def _handling(user, matter) -> bool:
    """Those who received it or staff its township's desk read the requester whole."""
    from cases.levels import works_at_level

    return matter.received_by_id == user.pk or works_at_level(
        user=user, area=matter.area, level="township"
    )


def _matter_page(
    request, matter, *, classify_form=None, reply_form=None, return_form=None, status=200
):
    handling = _handling(request.user, matter)
    requester = SimpleNamespace(name=matter.requester_name, phone=matter.requester_phone)
    seen = people_as_seen(
        request,
        case=matter,
        area=matter.area,
        people=[requester],
        handling=handling,
        fields=("name", "phone"),
    )[0]
    can_act = staffs_desk(user=request.user, area=matter.area)
    repeats = find_repeats(
        area=matter.area,
        requester_name=matter.requester_name,
        requester_phone=matter.requester_phone,
        before=matter.received_at,
    )
    context = {
        "matter": matter,
        "requester": seen,
        "events": matter.events.select_related("actor"),
        "attachments": matter.attachments.all(),
        "earlier_matters": [m for m in repeats["matters"] if m.pk != matter.pk][:10],
        "earlier_disputes": repeats["disputes"][:10],
        "earlier_petitions": repeats["petitions"][:10],
        "can_classify": can_act and matter.status in UNROUTED_STATUSES,
        "can_reply": can_act and matter.status != MatterStatus.RETURNED,
        # A work order from another system is signed in (签收) before it is handled, or sent
        # back (退单) within its source's limit.
        "can_sign_in": can_act and matter.is_work_order and matter.status == MatterStatus.RECEIVED,
        "can_return": can_act
        and matter.is_work_order
        and matter.status in UNROUTED_STATUSES
        and timezone.now() <= matter.return_by,
        "return_form": return_form or ReturnForm(),
        "classify_form": classify_form or ClassifyForm(matter=matter),
        "reply_form": reply_form or ReplyForm(initial={"reply": matter.public_reply}),
        # Its free text (subject, details, place, notes) as this reader may read it.
        "text_mask": text_mask(people=[requester], handling=handling),
    }
    return render(request, "desk/detail.html", context, status=status)


@login_required
def matter_detail(request, pk):
    matter = matter_get_for_user_or_404(user=request.user, pk=pk)
    return _matter_page(request, matter)


@require_POST
@login_required
def matter_classify_view(request, pk):
    matter = matter_get_for_user_or_404(user=request.user, pk=pk)
    form = ClassifyForm(request.POST, matter=matter)
    if form.is_valid():
        try:
            matter = matter_classify(
                actor=request.user,
                matter=matter,
                kind=form.cleaned_data["kind"],
                **form.case_fields(),
            )
        except (ValidationError, TransitionNotAllowed) as error:
            _form_errors(form, ValidationError(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The matter was classified."))
            return redirect("desk:detail", pk=matter.pk)
    return _matter_page(request, matter, classify_form=form, status=400)


@require_POST
@login_required
def matter_reply_view(request, pk):
    matter = matter_get_for_user_or_404(user=request.user, pk=pk)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            matter_publish_reply(
                actor=request.user, matter=matter, reply=form.cleaned_data["reply"]
            )
        except (ValidationError, TransitionNotAllowed) as error:
            _form_errors(form, ValidationError(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The public reply was published."))
            return redirect("desk:detail", pk=matter.pk)
    return _matter_page(request, matter, reply_form=form, status=400)


@never_cache
def query(request):
    """进度查询: a resident's number and query code give the matter's status and public
    reply, nothing else. A wrong code and an unknown number get the same answer; tries are
    limited per address and per number, and every try is audited."""
    form = QueryForm(request.POST or None)
    result, refused, not_found = None, False, False
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["number"].strip()
        address = client_ip(request) or "unknown"
        per_address, per_number = _query_limits()
        allowed = rate_limit_hit(
            f"desk-query-ip:{address}", limit=per_address, window=QUERY_WINDOW_SECONDS
        ) and rate_limit_hit(
            f"desk-query-number:{number}", limit=per_number, window=QUERY_WINDOW_SECONDS
        )
        matter = (
            matter_find_by_code(number=number, code=form.cleaned_data["code"]) if allowed else None
        )
        outcome = "rate_limited" if not allowed else ("shown" if matter else "not_found")
        audit_record(
            kind="progress_queried",
            request=request,
            area=matter.area if matter else None,
            target=number[:32],
            detail={"outcome": outcome},
        )
        if not allowed:
            refused = True
        elif matter is None:
            not_found = True
        else:
            result = matter_public_view(matter)
    status = 429 if refused else (400 if form.is_bound and not form.is_valid() else 200)
    return render(
        request,
        "desk/query.html",
        {"form": form, "result": result, "refused": refused, "not_found": not_found},
        status=status,
    )
