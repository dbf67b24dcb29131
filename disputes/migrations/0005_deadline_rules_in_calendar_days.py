"""Dispute deadlines in calendar days: the one period the rules give, people's mediation's
"一般在一个月内调结", is a month, not a count of working days. A rule set in working days
becomes the calendar days those working days spanned in an ordinary week (×7/5, rounded up),
so a county's deadlines stay as long as they were."""

import math

from django.db import migrations


def working_to_calendar_days(apps, schema_editor):
    DeadlineRule = apps.get_model("disputes", "DeadlineRule")
    for rule in DeadlineRule.objects.all():
        rule.days = min(365, math.ceil(rule.days * 7 / 5))
        rule.save(update_fields=["days"])


def calendar_to_working_days(apps, schema_editor):
    DeadlineRule = apps.get_model("disputes", "DeadlineRule")
    for rule in DeadlineRule.objects.all():
        rule.days = max(1, math.floor(rule.days * 5 / 7))
        rule.save(update_fields=["days"])


class Migration(migrations.Migration):
    dependencies = [
        ("disputes", "0004_digest_indexes_without_like"),
    ]

    operations = [
        migrations.RenameField(model_name="deadlinerule", old_name="working_days", new_name="days"),
        migrations.RunPython(working_to_calendar_days, calendar_to_working_days),
    ]
