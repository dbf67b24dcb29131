"""Writing the audit log. `audit_record` is the one writer; `audit_purge` the one deleter.

Recording must never break what it records: a failed insert is logged and swallowed, and
inside a transaction it runs in a savepoint so the caller's transaction stays usable.

Refusals (a failed sign-in, a lockout, an access denial) are usually followed by an
exception that rolls back the transaction around them, and the refusal must survive that. So
inside a transaction they are not inserted there and then: they wait, and are written as soon
as the outermost transaction is over, whether it committed (an on-commit hook) or rolled back
(the end of the request, `AuditMiddleware`, or the end of a Celery task). Other events (a
sign-in, an export, a role granted) are written inside the transaction, so that a grant
rolled back leaves no trace of a grant that never happened.
"""

import logging
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance.audit.clients import client_ip, client_user_agent
from governance.audit.models import (
    REFUSAL_KINDS,
    AuditEntry,
    AuditKind,
)
from governance.audit.retention import DEFAULT_RETENTION_DAYS, checked_retention_days

logger = logging.getLogger(__name__)

TARGET_LENGTH = 200

# The request being served, set by `AuditMiddleware`, so that code without the request at hand
# (a selector refusing an object) still records the address and browser.
current_request: ContextVar = ContextVar("audit_current_request", default=None)
# Refusals recorded inside a transaction, waiting for it to end.
_pending: ContextVar[list | None] = ContextVar("audit_pending", default=None)


def _in_transaction() -> bool:
    """Whether a real transaction is open. The ones a test case wraps around each test do not
    count (Django's own test for `atomic(durable=True)` makes the same distinction), so that a
    test sees what production does."""
    connection = transaction.get_connection()
    blocks = getattr(connection, "atomic_blocks", None)
    if blocks is None:
        return connection.in_atomic_block
    return any(not getattr(block, "_from_testcase", False) for block in blocks)


def actor_display_name(user) -> str:
    if user is None:
        return ""
    full_name = user.get_full_name() if hasattr(user, "get_full_name") else ""
    username = user.get_username()
    return f"{full_name} ({username})" if full_name and full_name != username else username


def _home_area(user):
    """The top of a person's jurisdiction (the first, if they hold several)."""
    from governance.selectors import jurisdiction_roots

    roots = jurisdiction_roots(user=user)
    return roots[0] if roots else None


def _insert(entry: AuditEntry) -> None:
    try:
        if _in_transaction():
            with transaction.atomic():
                entry.save(force_insert=True)
        else:
            entry.save(force_insert=True)
    except Exception:
        logger.exception("Could not write an audit entry (%s, %s).", entry.kind, entry.actor_name)


def audit_flush_pending() -> None:
    """Write the refusals kept back while a transaction was open. A no-op while one still is."""
    pending = _pending.get()
    if not pending or _in_transaction():
        return
    _pending.set(None)
    for entry in pending:
        _insert(entry)


def audit_record(
    *, kind, actor=None, request=None, area=None, target="", detail=None
) -> AuditEntry:
    """Record that `actor` did (or was refused) `kind` to `target` in `area`.

    `request` gives the address and browser (the request being served, if not given) and
    the actor (its signed-in user, if not given). `area` is the jurisdiction the entry
    belongs to, for scoping who may read it; if not given it is the top of the actor's own
    jurisdiction. `detail` is any JSON-serialisable dict. Returns the entry; a refusal
    recorded inside a transaction is returned before it is saved (see the module's
    docstring), and an entry that could not be written is logged, never raised.
    """
    entry = AuditEntry(kind=kind)
    try:
        if request is None:
            request = current_request.get()
        if actor is None and request is not None:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                actor = user
        if actor is not None and not actor.is_authenticated:
            actor = None
        if area is None and actor is not None:
            area = _home_area(actor)
        entry.actor = actor
        # Without an account (a failed sign-in under an unknown name), the name that was tried.
        entry.actor_name = (actor_display_name(actor) or str((detail or {}).get("username", "")))[
            :200
        ]
        entry.area = area
        entry.target = str(target or "")[:TARGET_LENGTH]
        entry.detail = dict(detail or {})
        if request is not None:
            entry.ip_address = client_ip(request)
            entry.user_agent = client_user_agent(request)
            if kind == AuditKind.ACCESS_DENIED:
                # One refusal, one entry: AuditMiddleware does not record the 403 again.
                request._audit_denied = True
    except Exception:
        logger.exception("Could not prepare an audit entry (%s).", kind)
        return entry

    if kind in REFUSAL_KINDS and _in_transaction():
        pending = _pending.get()
        if pending is None:
            pending = []
            _pending.set(pending)
        pending.append(entry)
        transaction.on_commit(audit_flush_pending)
    else:
        audit_flush_pending()
        _insert(entry)
    return entry


def retention_days() -> int:
    """The configured retention, refused if below the legal minimum."""
    return checked_retention_days(getattr(settings, "AUDIT_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def audit_purge(*, now: datetime | None = None) -> int:
    """Delete the entries older than the retention; returns how many. The purge itself is
    recorded."""
    days = retention_days()
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        deleted, _by_model = AuditEntry.objects.filter(at__lt=cutoff).delete()
        if deleted:
            audit_record(
                kind=AuditKind.PURGED,
                target=f"< {cutoff.isoformat()}",
                detail={"deleted": deleted, "retention_days": days},
            )
    return deleted


def audit_refused_lookup(*, user, model, lookup: dict, area_field: str = "") -> None:
    """Called by a `*_get_for_user_or_404` helper that found nothing the user may see: if the
    object exists all the same, the user was refused one outside their jurisdiction, and that
    is recorded (with the user's own area, and the object's in the details). The user still
    gets the 404 a missing object gets. Costs one query, on this path only."""
    fields = ["pk"] + ([f"{area_field}__code"] if area_field else [])
    try:
        with transaction.atomic():  # a savepoint: a failed look-up leaves the caller's alone
            row = model._default_manager.filter(**lookup).values_list(*fields).first()
    except Exception:  # a malformed key: nothing there to refuse
        return
    if row is None:
        return
    detail = {"object": model._meta.label_lower, "pk": row[0]}
    if area_field:
        detail["object_area"] = row[1]
    audit_record(
        kind=AuditKind.ACCESS_DENIED,
        actor=user,
        target=f"{model._meta.model_name} {' '.join(str(v) for v in lookup.values())}",
        detail=detail,
    )
