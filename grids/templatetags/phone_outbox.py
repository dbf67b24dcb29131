"""`{% outbox_script %}`: the phone's outbox (static/js/outbox.js), told how long a try at
sending may take (settings.OUTBOX_SEND_SECONDS and OUTBOX_SLOW_BYTES_PER_SECOND), after the
JavaScript catalogue its messages come from (governance.jsi18n)."""

from django import template
from django.conf import settings

from governance.jsi18n import catalogue_url

register = template.Library()


@register.inclusion_tag("grids/_outbox_script.html")
def outbox_script():
    return {
        "catalogue_url": catalogue_url(),
        "send_seconds": settings.OUTBOX_SEND_SECONDS,
        "slow_bytes_per_second": settings.OUTBOX_SLOW_BYTES_PER_SECOND,
    }
