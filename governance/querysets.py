"""The queryset every case model builds its jurisdiction on."""

from django.db import models
from mptt.querysets import TreeQuerySet


class JurisdictionQuerySet(models.QuerySet):
    """Subclass and set `area_field` to the path from the model to its `Area`.

    `in_jurisdiction_q(user, roles=...)` is the area part of a rule: the rows whose area lies
    in one of the subtrees the user's memberships (of `roles`) cover, nothing for a person
    without memberships. Each case model's QuerySet writes its whole rule, once, as
    `visible_to(user)` (`Dispute.objects.visible_to(user)`): who sees which object kind is
    there and nowhere else. This base has no `visible_to`, so a model cannot inherit a plain
    area filter that disagrees with its app's rule.
    """

    area_field = "area"

    def in_jurisdiction_q(self, user, *, roles=None):
        # Imported here: selectors import the models that use this queryset.
        from governance.selectors import jurisdiction_q

        return jurisdiction_q(user=user, area_field=self.area_field, roles=roles)


class AreaQuerySet(TreeQuerySet, JurisdictionQuerySet):
    area_field = ""

    def visible_to(self, user, *, roles=None):
        """The areas in the union of the subtrees `user`'s memberships (of `roles`) cover."""
        return self.filter(self.in_jurisdiction_q(user, roles=roles))
