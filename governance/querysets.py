"""The queryset every case model reuses to stay inside a person's jurisdiction."""

from django.db import models
from mptt.querysets import TreeQuerySet


class JurisdictionQuerySet(models.QuerySet):
    """Subclass and set `area_field` to the path from the model to its `Area`.

    `Dispute.objects.visible_to(user)` then keeps the disputes whose area lies in one of the
    subtrees the user's memberships cover, and nothing for a person without memberships.
    """

    area_field = "area"

    def visible_to(self, user, *, roles=None):
        # Imported here: selectors import the models that use this queryset.
        from governance.selectors import jurisdiction_q

        return self.filter(jurisdiction_q(user=user, area_field=self.area_field, roles=roles))


class AreaQuerySet(TreeQuerySet, JurisdictionQuerySet):
    area_field = ""
