"""Masking of personal data for those who do not handle the case (DOMAIN.md: 隐私)."""

import re


def mask_id_number(value: str) -> str:
    """A resident ID number with only its first 3 and last 4 characters visible:
    `140406199001011234` → `140***********1234`."""
    value = (value or "").strip()
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """A phone number with its middle four digits hidden: `13912345678` → `139****5678`."""
    value = (value or "").strip()
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """A person's name with all but the family name hidden: `张三丰` → `张**`."""
    value = (value or "").strip()
    return value[:1] + "*" * (len(value) - 1) if value else ""


# An ID number, a mobile number or a landline with its area code, standing on its own in a
# text (not part of a longer run of digits such as a case number or an area code).
NUMBERS_IN_TEXT = re.compile(
    r"(?<![0-9A-Za-z])(?P<id>\d{17}[\dXx])(?![0-9A-Za-z])"
    r"|(?<![\d-])(?P<phone>1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?![\d-])"
)


def mask_numbers_in_text(text: str) -> str:
    """`text` with every ID number and phone number in it masked: for free text that may
    quote one (a petition's subject) on its way out of the portal."""

    def mask(match: re.Match) -> str:
        if match.group("id"):
            return mask_id_number(match.group("id"))
        return mask_phone(match.group("phone"))

    return NUMBERS_IN_TEXT.sub(mask, text)


class TextMask:
    """The free text of one case (its description, notes, agreement, the participants of a
    session) as someone who does not handle it may read it: the names of the case's people
    and every ID or phone number in it masked. Those handling the case get no mask (None) and
    read the text whole. Names of one character are left alone: they would mask every
    occurrence of a common character rather than a person."""

    # Handed to templates as a filter's argument, not a value to call.
    do_not_call_in_templates = True

    def __init__(self, names):
        # Longest first, so that 张三丰 is masked whole before 张三 could match inside it.
        names = sorted({n.strip() for n in names if len((n or "").strip()) >= 2}, key=len)
        self.pattern = re.compile("|".join(map(re.escape, reversed(names)))) if names else None

    def __call__(self, text: str) -> str:
        text = mask_numbers_in_text(text or "")
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda match: mask_name(match.group()), text)


def text_mask(*, people, handling: bool) -> TextMask | None:
    return None if handling else TextMask(person.name for person in people)


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
    from governance.audit.services import audit_record

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
