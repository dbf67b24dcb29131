"""The only writers of the intake API's records: issuing and revoking source systems' tokens,
receiving a work order (through the desk's `matter_receive`), returning one within the
source's limit, and reporting a matter's events back to its source.

Each is atomic and validating; a refusal is a `ValidationError` or `PermissionDenied` with a
message for the person (or the system) that asked."""

import hashlib
import json
import logging
import secrets
import urllib.error
import urllib.request
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from desk.models import MatterChannel, MatterEvent, MatterEventKind
from desk.services import matter_receive
from governance.audit.models import AuditKind
from governance.audit.services import audit_record
from governance.models import Area, AreaLevel
from governance.outbox.services import enqueue
from governance.selectors import administers_every_area, covers
from open311.models import Callback, SourceSystem, WorkOrder

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "o311_"
MAX_RETURN_LIMIT_HOURS = 24 * 30
MAX_REQUESTS_PER_MINUTE = 6000
# The areas a source may be scoped to: whole counties or townships (a matter is about a
# village or a township inside one of them).
SCOPE_LEVELS = frozenset({AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP})
# What a source is told of: every change after the one it caused itself (receiving).
REPORTED_EVENTS = frozenset(set(MatterEventKind.values) - {MatterEventKind.RECEIVED})
CALLBACK_TIMEOUT_SECONDS = 10
# Waits between failed deliveries: 1, 2, 4 … minutes, at most a day.
MAX_BACKOFF = timedelta(hours=24)


# --- Tokens ---------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    """SHA-256 of a token. Tokens are 256 random bits, so a plain digest is as strong as a
    slow password hash would be, and a digest can be looked up by index."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _require_city_administrator(actor) -> None:
    """Tokens open the whole city's intake: only an administrator of the whole city issues or
    revokes them (`actor` None: a management command run on the server)."""
    if actor is not None and not administers_every_area(user=actor):
        raise PermissionDenied(_("Only an administrator of the whole city can manage API tokens."))


def _clean_source_fields(
    *, name, channel, areas, callback_url, return_limit_hours, requests_per_minute
):
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Give the source system a name."))
    if len(name) > 100:
        raise ValidationError(_("The name is at most 100 characters."))
    if channel not in MatterChannel.values:
        raise ValidationError(_("Unknown channel."))
    areas = list(areas)
    if not areas:
        raise ValidationError(_("Name at least one area the system may send to."))
    for area in areas:
        if not isinstance(area, Area) or area.level not in SCOPE_LEVELS:
            raise ValidationError(
                _("A source system is scoped to the city, counties or townships.")
            )
    callback_url = (callback_url or "").strip()
    if callback_url:
        try:
            URLValidator(schemes=["http", "https"])(callback_url)
        except ValidationError:
            raise ValidationError(_("The callback URL is not a valid http(s) address.")) from None
        if len(callback_url) > 500:
            raise ValidationError(_("The callback URL is at most 500 characters."))
    for value, limit in (
        (return_limit_hours, MAX_RETURN_LIMIT_HOURS),
        (requests_per_minute, MAX_REQUESTS_PER_MINUTE),
    ):
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= limit:
            raise ValidationError(
                _("Limits are whole numbers from 1 to %(limit)d.") % {"limit": limit}
            )
    return name, callback_url, areas


def source_issue(
    *,
    actor,
    name: str,
    channel: str,
    areas,
    callback_url: str = "",
    return_limit_hours: int = 24,
    requests_per_minute: int = 60,
) -> tuple[SourceSystem, str]:
    """Register a source system and issue its token. Returns the system and the token, which
    is kept only as a digest and so can be shown this once."""
    _require_city_administrator(actor)
    name, callback_url, areas = _clean_source_fields(
        name=name,
        channel=channel,
        areas=areas,
        callback_url=callback_url,
        return_limit_hours=return_limit_hours,
        requests_per_minute=requests_per_minute,
    )
    if SourceSystem.objects.filter(name=name).exists():
        raise ValidationError(_("A source system of this name already exists."))
    token = new_token()
    with transaction.atomic():
        source = SourceSystem.objects.create(
            name=name,
            channel=channel,
            token_digest=token_digest(token),
            token_hint=token[-4:],
            callback_url=callback_url,
            return_limit_hours=return_limit_hours,
            requests_per_minute=requests_per_minute,
            issued_by=actor,
        )
        source.areas.set(areas)
        _audit(actor, source, "token_issued", areas=[area.code for area in areas])
    return source, token


def source_reissue(*, actor, source: SourceSystem) -> str:
    """Give a source system a new token (the old one stops working at once, and a revoked
    system is active again). Returns the new token, shown this once."""
    _require_city_administrator(actor)
    token = new_token()
    with transaction.atomic():
        locked = SourceSystem.objects.select_for_update().get(pk=source.pk)
        locked.token_digest = token_digest(token)
        locked.token_hint = token[-4:]
        locked.issued_at = timezone.now()
        locked.issued_by = actor
        locked.revoked_at = None
        locked.revoked_by = None
        locked.save()
        _audit(actor, locked, "token_reissued")
    return token


def source_revoke(*, actor, source: SourceSystem) -> SourceSystem:
    """Revoke a source system's token: from now on every request with it is refused (403).
    Its work orders and their callbacks stay."""
    _require_city_administrator(actor)
    with transaction.atomic():
        locked = SourceSystem.objects.select_for_update().get(pk=source.pk)
        if locked.revoked:
            raise ValidationError(_("This token is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        _audit(actor, locked, "token_revoked")
    return locked


def _audit(actor, source: SourceSystem, action: str, **detail) -> None:
    audit_record(
        kind=AuditKind.SETTING_CHANGED,
        actor=actor,
        target=f"source system {source.name}",
        detail={"setting": "open311_source", "action": action, "source": source.pk, **detail},
    )


# --- Work orders ----------------------------------------------------------------------------


def source_covers(source: SourceSystem, area: Area) -> bool:
    """Whether `area` lies in one of the areas `source` may send to."""
    return any(covers(scope, area) for scope in source.areas.all())


def work_order_receive(
    *,
    source: SourceSystem,
    source_number: str,
    service_code: str,
    area: Area,
    subject: str,
    description: str,
    place: str = "",
    requester_name: str = "",
    requester_phone: str = "",
    source_deadline=None,
) -> tuple[WorkOrder, str | None]:
    """Receive a work order from `source` as a matter of the desk. Returns the work order and
    the matter's query code; a work order the source already sent under the same number is
    returned as it is, with no code (the code is kept only as a digest).

    The area must lie within the source's scope; the caller (the API) refuses one outside
    exactly as an unknown one, and this checks again."""
    if not source_covers(source, area):
        raise ValidationError(_("Unknown area code."))
    with transaction.atomic():
        # One post at a time per source: a repeated post waits for the first and finds it.
        SourceSystem.objects.select_for_update().filter(pk=source.pk).first()
        existing = WorkOrder.objects.filter(source=source, source_number=source_number).first()
        if existing is not None:
            return existing, None
        matter, code = matter_receive(
            actor=None,
            channel=source.channel,
            area=area,
            subject=subject,
            description=description,
            place=place,
            requester_name=requester_name,
            requester_phone=requester_phone,
            due_at=source_deadline,
            return_by=timezone.now() + timedelta(hours=source.return_limit_hours),
        )
        try:
            with transaction.atomic():
                work_order = WorkOrder.objects.create(
                    matter=matter,
                    source=source,
                    source_number=source_number,
                    source_deadline=source_deadline,
                    service_code=service_code,
                    received_at=matter.received_at,
                )
        except IntegrityError:  # pragma: no cover - the row lock above makes this a backstop
            raise ValidationError(_("This work order is being received already.")) from None
    return work_order, code


# --- Callbacks ------------------------------------------------------------------------------


def callback_queue_for_event(event: MatterEvent) -> Callback | None:
    """Keep a callback for `event` and queue its delivery (called on commit of every matter
    event, `desk.events`)."""
    callback, created = _keep_callback(event)
    if created:
        from open311.tasks import deliver_callback

        enqueue(deliver_callback, callback.pk)
    return callback


def _keep_callback(event: MatterEvent) -> tuple[Callback | None, bool]:
    """The callback of `event`, kept if its matter is a work order of a source with a callback
    URL. The listener and the sweep (for an event whose callback was never kept: the process
    died in between) may both come here: the event's unique key makes them one row."""
    if event.kind not in REPORTED_EVENTS:
        return None, False
    work_order = (
        WorkOrder.objects.select_related("source").filter(matter_id=event.matter_id).first()
    )
    if work_order is None or not work_order.source.callback_url:
        return None, False
    return Callback.objects.get_or_create(event=event, defaults={"work_order": work_order})


def callbacks_missing(*, since) -> list[MatterEvent]:
    """Events since `since` that should have a callback and have none."""
    return list(
        MatterEvent.objects.filter(
            at__gte=since,
            kind__in=REPORTED_EVENTS,
            matter__work_order__isnull=False,
        )
        .exclude(matter__work_order__source__callback_url="")
        .exclude(pk__in=Callback.objects.values("event_id"))
        .order_by("pk")
    )


def callback_payload(callback: Callback) -> dict:
    """What the source is sent: which of its work orders, what happened, and the matter's
    state now as `GET requests/<id>.json` shows it. `event_id` is the same on every retry of
    one event, so that a source that was sent an event twice (a delivery interrupted between
    its answer and our record of it) can tell."""
    from open311.serializers import service_request

    event = callback.event
    return {
        "event_id": event.pk,
        "event": event.kind,
        "at": timezone.localtime(event.at).isoformat(),
        "note": event.note if event.kind == MatterEventKind.RETURNED else "",
        "source_number": callback.work_order.source_number,
        "service_request": service_request(callback.work_order),
    }


def callback_deliver(*, callback_pk: int, now=None) -> bool:
    """Post one callback to its source, unless it was delivered already or another delivery
    holds it. The row stays locked while posting, so two deliveries never send it twice;
    marked delivered in the same transaction. Returns whether it was delivered now."""
    now = now or timezone.now()
    with transaction.atomic():
        callback = (
            Callback.objects.select_for_update(skip_locked=True)
            .select_related("event", "work_order__source", "work_order__matter")
            .filter(pk=callback_pk, delivered_at__isnull=True)
            .first()
        )
        if callback is None:
            return False
        url = callback.work_order.source.callback_url
        body = json.dumps(callback_payload(callback), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=CALLBACK_TIMEOUT_SECONDS) as answer:
                answer.read(1024)
        except (urllib.error.URLError, OSError, ValueError) as error:
            callback.attempts += 1
            callback.last_error = f"{type(error).__name__}: {error}"[:2000]
            backoff = min(timedelta(minutes=2 ** min(callback.attempts - 1, 12)), MAX_BACKOFF)
            callback.next_attempt_at = now + backoff
            callback.save(update_fields=["attempts", "last_error", "next_attempt_at"])
            logger.warning("callback %s to %s failed: %s", callback.pk, url, callback.last_error)
            return False
        callback.delivered_at = timezone.now()
        callback.save(update_fields=["delivered_at"])
    return True


def callbacks_deliver_waiting(*, now=None, since_days: int = 30) -> tuple[int, int]:
    """The sweep (every minute, and `manage.py deliver_callbacks`): keep the callbacks of
    events that have none, then deliver every callback due. Returns (delivered, waiting)."""
    now = now or timezone.now()
    for event in callbacks_missing(since=now - timedelta(days=since_days)):
        _keep_callback(event)
    due = Callback.objects.filter(delivered_at__isnull=True, next_attempt_at__lte=now)
    delivered = sum(
        callback_deliver(callback_pk=pk, now=now) for pk in due.values_list("pk", flat=True)
    )
    waiting = Callback.objects.filter(delivered_at__isnull=True).count()
    return delivered, waiting
