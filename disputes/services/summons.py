"""街乡吹哨: summoning departments to a dispute, and their acknowledgement and report."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.workflow import TransitionNotAllowed
from disputes.models import Dispute, Summons
from disputes.services.common import _act, _required, _url
from governance.notifications import notify


def dispute_summon(*, actor, dispute, version=None, departments, due_on: date, note="") -> Dispute:
    """街乡吹哨: summon named departments, each to acknowledge and report by `due_on`."""
    departments = list(departments)
    if not departments:
        raise ValidationError(_("Name at least one department."))
    if due_on < timezone.localdate():
        raise ValidationError(_("The report date has passed."))

    def change(locked):
        already = set(locked.summons.values_list("department_id", flat=True))
        added = [d for d in departments if d.pk not in already]
        if not added:
            raise ValidationError(_("These departments were already summoned."))
        for department in added:
            Summons.objects.create(
                dispute=locked, department=department, due_on=due_on, summoned_by=actor
            )
            notify(
                recipients=department.liaisons.all(),
                kind="summons",
                text=_("Your department is summoned to dispute %(number)s; report by %(date)s.")
                % {"number": locked.number, "date": due_on.isoformat()},
                url=_url(locked),
            )
        return {"departments": [d.name for d in added], "due_on": due_on.isoformat()}

    return _act(
        actor=actor, dispute=dispute, version=version, action="summon", change=change, note=note
    )


def _my_pending_summons(locked: Dispute, actor) -> Summons:
    summons = (
        locked.summons.filter(reported_at__isnull=True, department__liaisons=actor)
        .select_related("department")
        .first()
    )
    if summons is None:
        raise TransitionNotAllowed(_("Your department has no open summons on this dispute."))
    return summons


def summons_acknowledge(*, actor, dispute, version=None) -> Dispute:
    def change(locked):
        summons = _my_pending_summons(locked, actor)
        if summons.acknowledged_at is None:
            summons.acknowledged_at = timezone.now()
            summons.save(update_fields=["acknowledged_at"])
        return {"department": summons.department.name}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="acknowledge_summons",
        change=change,
    )


def summons_report(*, actor, dispute, version=None, report: str) -> Dispute:
    _required(report, _("Write the report."))

    def change(locked):
        summons = _my_pending_summons(locked, actor)
        now = timezone.now()
        summons.acknowledged_at = summons.acknowledged_at or now
        summons.reported_at = now
        summons.report = report
        summons.save(update_fields=["acknowledged_at", "reported_at", "report"])
        notify(
            recipients=[summons.summoned_by],
            kind="summons_report",
            text=_("%(department)s reported on dispute %(number)s.")
            % {"department": summons.department.name, "number": locked.number},
            url=_url(locked),
        )
        return {"department": summons.department.name}

    return _act(
        actor=actor,
        dispute=dispute,
        version=version,
        action="report_summons",
        change=change,
        note=report,
    )
