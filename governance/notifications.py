"""In-app notifications: the bell with a count and a list.

Services call `notify` inside their transaction; the rows are written when it commits, so a
refused or rolled-back change notifies nobody.
"""

from collections.abc import Iterable

from django.db import transaction

from governance.models import Notification


def notify(*, recipients: Iterable, kind: str, text: str, url: str = "", exclude=None) -> None:
    people = {person.pk for person in recipients if person is not None}
    if exclude is not None:
        people.discard(exclude.pk)
    if not people:
        return

    def write():
        Notification.objects.bulk_create(
            Notification(recipient_id=pk, kind=kind, text=str(text)[:300], url=url)
            for pk in sorted(people)
        )

    transaction.on_commit(write)


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
