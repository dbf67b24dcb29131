"""In-app notifications: the bell with a count and a list.

Services call `notify` inside their transaction; the rows are written when it commits, so a
refused or rolled-back change notifies nobody.

The bell is on every page, so its count is kept in the cache per person and only read from
the database when the cache has none: writing a person's notifications and marking them read
both drop that person's cached count. The cached value also expires after a while, which
bounds the one race left (a count read from the database just before new rows commit, and
stored just after they dropped it).
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from governance.models import Notification

UNREAD_COUNT_SECONDS = 10 * 60


def _unread_key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def forget_unread_counts(user_ids: Iterable[int]) -> None:
    cache.delete_many([_unread_key(pk) for pk in user_ids])


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
        forget_unread_counts(people)

    transaction.on_commit(write)


def unread_count(*, user) -> int:
    """How many of `user`'s notifications are unread: from the cache when it has the number."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_COUNT_SECONDS)
    return count


def notifications_mark_read(*, user, notifications: Iterable[Notification]) -> int:
    """Mark those of `notifications` that are `user`'s own and unread as read now; returns
    how many were. The objects passed keep their old `read_at`, so the page that shows them
    can still tell which were new."""
    ids = [n.pk for n in notifications if n.read_at is None and n.recipient_id == user.pk]
    if not ids:
        return 0
    marked = Notification.objects.filter(pk__in=ids, recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    forget_unread_counts([user.pk])
    return marked
