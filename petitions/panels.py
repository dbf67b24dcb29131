from django.template.loader import render_to_string

from petitions.models import Petition
from petitions.selectors import PetitionMasks, with_petitioner_names


def linked_petitions_panel(request, dispute) -> str:
    """On a dispute's page: the petitions about it (a petition about a dispute is linked to
    it, not handled twice), each subject masked for someone who does not handle that petition
    (handling the dispute is not handling the petition)."""
    petitions = list(
        with_petitioner_names(Petition.objects.visible_to(request.user).filter(disputes=dispute))
    )
    if not petitions:
        return ""
    masks = PetitionMasks(request.user)
    for petition in petitions:
        petition.text_mask = masks(petition)
    return render_to_string(
        "petitions/partials/_linked_petitions.html", {"petitions": petitions}, request=request
    )
