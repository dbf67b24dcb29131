"""Masking of personal data for those who do not handle the case (DOMAIN.md: 隐私)."""


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


def person_as_seen(person, *, handling: bool) -> dict[str, str]:
    """A party's or petitioner's name, ID number and phone as a given reader may see them:
    whole for those handling the case, masked for everyone else."""
    if handling:
        return {"name": person.name, "id_number": person.id_number, "phone": person.phone}
    return {
        "name": mask_name(person.name),
        "id_number": mask_id_number(person.id_number),
        "phone": mask_phone(person.phone),
    }
