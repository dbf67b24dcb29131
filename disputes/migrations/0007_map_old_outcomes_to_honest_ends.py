"""The disputes recorded before outcomes were made honest, mapped to the two ends:

- "Not resolved" (status `not_resolved`, outcome `failed`) is a mediation terminated without
  agreement: status `terminated`, outcome `not_agreed`, ended when its `fail` event says.
- "Resolved" by withdrawal or referral was never a resolution: such a dispute, still
  `resolved`, becomes `terminated`; one already revisited or closed keeps that status. Either
  way its end moves from `resolved_at` to `terminated_at`. The receiving body and its case
  number of an old referral were never recorded and stay empty.
- Revisits recorded so far were by the handlers themselves (the old action let only the level's
  staff and the assignees record one): kept, marked not independent, and so not counted in
  the assessment.

The events are never edited: the rollups read each old event's outcome from its details.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def forwards(apps, schema_editor):
    Dispute = apps.get_model("disputes", "Dispute")
    DisputeEvent = apps.get_model("disputes", "DisputeEvent")
    Revisit = apps.get_model("disputes", "Revisit")
    failed_at = Subquery(
        DisputeEvent.objects.filter(dispute=OuterRef("pk"), kind="fail")
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    Dispute.objects.filter(status="not_resolved").update(status="terminated")
    Dispute.objects.filter(outcome="failed").update(
        outcome="not_agreed", terminated_at=failed_at, resolved_level=F("level")
    )
    # A not-resolved dispute recorded without an outcome.
    Dispute.objects.filter(status="terminated", outcome="").update(
        outcome="not_agreed", terminated_at=failed_at, resolved_level=F("level")
    )
    ended_otherwise = Dispute.objects.filter(outcome__in=["withdrawn", "referred"])
    ended_otherwise.filter(status="resolved").update(status="terminated")
    ended_otherwise.update(terminated_at=F("resolved_at"), resolved_at=None)
    Revisit.objects.update(independent=False)


def backwards(apps, schema_editor):
    Dispute = apps.get_model("disputes", "Dispute")
    Revisit = apps.get_model("disputes", "Revisit")
    Dispute.objects.filter(outcome__in=["withdrawn", "referred"]).update(
        resolved_at=F("terminated_at")
    )
    Dispute.objects.filter(status="terminated", outcome__in=["withdrawn", "referred"]).update(
        status="resolved"
    )
    Dispute.objects.filter(status="terminated").update(status="not_resolved")
    Dispute.objects.filter(outcome="not_agreed").update(outcome="failed")
    Dispute.objects.filter(outcome="oral_agreement").update(outcome="agreement")
    Revisit.objects.update(independent=True)


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0006_honest_outcomes_revisits_court_referrals"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
