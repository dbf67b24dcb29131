"""Sign-ins, sign-outs, failed sign-ins and lockouts, from Django's and django-axes' signals.

django-axes is installed before this app, so its receivers run first: by the time ours run,
it has counted the failure and, if the limit was reached, sent `user_locked_out`.
"""

from axes.helpers import get_failure_limit
from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from governance.audit.models import AuditKind
from governance.audit.services import audit_record

USERNAME_LENGTH = 150


def _person_named(username: str):
    """The account a sign-in name belongs to, so a failure shows to that person's
    administrators; None for a name nobody has."""
    if not username:
        return None
    user_model = get_user_model()
    return (
        user_model.objects.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username})
        .order_by("pk")
        .first()
    )


def _refused_by_lockout(request, credentials) -> bool:
    """Whether axes refused this attempt because the name was already locked at this address
    (no password was checked). Depending on AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT,
    axes either counts nothing, or counts the attempt beyond the limit."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return bool(getattr(request, "axes_locked_out", False))
    return failures > get_failure_limit(request, credentials)


@receiver(user_logged_in, dispatch_uid="audit_sign_in")
def record_sign_in(sender, request, user, **kwargs):
    audit_record(kind=AuditKind.SIGN_IN, actor=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_sign_out")
def record_sign_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(kind=AuditKind.SIGN_OUT, actor=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def record_sign_in_failed(sender, credentials, request=None, **kwargs):
    if request is not None and _refused_by_lockout(request, credentials):
        return  # recorded once, as a lockout, by `record_lockout`
    username = str(credentials.get("username") or "")[:USERNAME_LENGTH]
    audit_record(
        kind=AuditKind.SIGN_IN_FAILED,
        actor=_person_named(username),
        request=request,
        target=username,
        detail={"username": username},
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def record_lockout(sender, request, username, ip_address=None, **kwargs):
    username = str(username or "")[:USERNAME_LENGTH]
    failures = getattr(request, "axes_failures_since_start", None)
    credentials = getattr(request, "axes_credentials", None) or {"username": username}
    audit_record(
        kind=AuditKind.LOCKED_OUT,
        actor=_person_named(username),
        request=request,
        target=username,
        detail={
            "username": username,
            # The attempt that reached the limit, or one refused while locked.
            "failures": failures,
            "refused_while_locked": _refused_by_lockout(request, credentials),
        },
    )
