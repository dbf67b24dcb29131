from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def whole_minutes(duration: timedelta | None) -> int:
    """A duration in whole minutes, rounded up, so a wait is never understated."""
    if not duration:
        return 0
    return -(-int(duration.total_seconds()) // 60)


@register.filter
def seen_through(text: str, mask) -> str:
    """`{{ case.description|seen_through:text_mask|linebreaksbr }}`: the text as the person may
    read it (infra.masking.TextMask), or whole where there is no mask."""
    return mask(text) if mask else text


@register.filter
def labelled(cells, labels):
    """`{% for label, cell in row|labelled:header %}`: each cell with its column's name, for a
    list drawn as cards on a phone (the `case-cards` pattern of portal.css), where a cell
    carries its own label."""
    return zip(labels, cells, strict=False)
