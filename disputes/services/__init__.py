"""The only writers of disputes (see `disputes.services.handling`)."""

from disputes.services.handling import *  # noqa: F403
