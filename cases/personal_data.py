"""Who sees a case's people whole: those handling the case, and every such look is logged;
everyone else sees them through the one mask (`infra.masking`)."""

from governance.audit.services import audit_record
from infra.masking import mask_id_number, mask_name, mask_phone

# What a person looking at a case is shown of its parties or petitioners, and which of those
# count as personal data whose unmasked display is logged.
PERSON_FIELDS = ("name", "id_number", "phone")
LOGGED_FIELDS = ("id_number", "phone")
MASKS = {"name": mask_name, "id_number": mask_id_number, "phone": mask_phone}


def people_as_seen(
    request, *, case, area, people, handling: bool, fields: tuple[str, ...] = PERSON_FIELDS
) -> list[dict[str, str]]:
    """The parties or petitioners of one case as the person behind `request` may see them:
    whole for those handling the case, masked for everyone else. `fields` are the ones the
    page shows.

    The one place where personal data is unmasked for display, so it is also where that is
    logged: one audit entry per case and request (who, which case, which fields, when),
    written only when an ID number or phone was actually shown whole.
    """
    people = list(people)
    if not handling:
        return [{f: MASKS[f](getattr(p, f)) for f in fields} for p in people]
    shown = [f for f in LOGGED_FIELDS if f in fields and any(getattr(p, f) for p in people)]
    if shown:
        record_personal_data(
            request, kind="personal_data_shown", case=case, area=area, fields=shown
        )
    return [{f: getattr(p, f) for f in fields} for p in people]


def record_personal_data(request, *, kind: str, case, area, fields: list[str]) -> None:
    """Log that `fields` of `case`'s people left unmasked (`kind`: shown or exported); once
    per request and case, however many times a page draws them."""
    target = str(case)
    logged = request.__dict__.setdefault("_personal_data_logged", set())
    if (kind, target) in logged:
        return
    logged.add((kind, target))
    audit_record(
        kind=kind,
        actor=request.user,
        request=request,
        area=area,
        target=target,
        detail={"fields": fields, "case": case._meta.label_lower, "case_id": case.pk},
    )
