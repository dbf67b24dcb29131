"""The message a person is shown when a service refuses."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def error_text(error: ValidationError | PermissionDenied) -> str:
    """A refusal in words: a validation error's messages, or a permission refusal's reason."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Your role does not allow this.")
