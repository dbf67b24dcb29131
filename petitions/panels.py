from django.template.loader import render_to_string

from petitions.selectors import petitions_visible_to


def linked_petitions_panel(request, dispute) -> str:
    """On a dispute's page: the petitions about it (a petition about a dispute is linked to
    it, not handled twice)."""
    petitions = list(petitions_visible_to(request.user).filter(disputes=dispute))
    if not petitions:
        return ""
    return render_to_string(
        "petitions/partials/_linked_petitions.html", {"petitions": petitions}, request=request
    )
