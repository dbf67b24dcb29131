"""The petitions' panel of the now board (`cases.board`): open repeat petitions (the same
petitioners again), newest first, in one query; subjects masked for those not handling them."""

from django.template.loader import render_to_string

from petitions.models import Petition
from petitions.selectors import PetitionMasks, with_petitioner_names

PANEL_LIMIT = 30


def board_panel(request, _case) -> str:
    petitions = list(
        with_petitioner_names(
            Petition.objects.visible_to(request.user).open_().filter(repeat_of__isnull=False)
        ).order_by("-registered_at", "-pk")[: PANEL_LIMIT + 1]
    )
    masks = PetitionMasks(request.user)
    for petition in petitions:
        petition.text_mask = masks(petition)
    return render_to_string(
        "petitions/partials/_board_repeats.html",
        {"petitions": petitions[:PANEL_LIMIT], "more": len(petitions) > PANEL_LIMIT},
        request=request,
    )
