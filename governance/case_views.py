"""The view side of `governance.cases`: taking one action from a case page, the same way for
every case type. On any refusal the page comes back with the person's input still in the
form and the reason above it; nothing they typed is lost."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from governance.cases import CaseType
from governance.workflow import CaseChangedUnderYou, TransitionNotAllowed


def error_text(error) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or _("Your role does not allow this.")


def act_on_case(
    request,
    *,
    case_type: CaseType,
    case,
    case_keyword: str,
    action: str,
    forms: dict,
    services: dict,
    reload: Callable[[], object],
    detail_context: Callable[..., dict],
    template: str,
    detail_url: str,
):
    """Validate the action's form, call its service, and answer with a redirect to the case
    page, or with the page itself (status 400) holding the refused form.

    `case_keyword` names the case in the forms' and services' keyword arguments (`dispute`,
    `petition`).

    A person who may see the case but whose role can never take this action on it (whatever
    its status) is refused with 403; an action merely not possible in the case's present status
    sends them back to the case page with the reason, since their page was only out of date."""
    if action not in services:
        raise Http404
    transition = case_type.workflow.get(action)
    if not transition.who & case_type.capabilities(user=request.user, case=case):
        raise PermissionDenied(
            _("You may not “%(action)s” on this case.") % {"action": transition.label}
        )
    form = forms[action](request.POST, user=request.user, **{case_keyword: case})
    if form.is_valid():
        arguments = dict(form.cleaned_data)
        version = arguments.pop("version")
        try:
            services[action](
                actor=request.user, version=version, **{case_keyword: case}, **arguments
            )
        except CaseChangedUnderYou as error:
            form.add_error(None, str(error))
            case = reload()
            # The fresh version, so that resubmitting the kept input acts on the new state.
            form.data = form.data.copy()
            form.data["version"] = case.version
        except (ValidationError, TransitionNotAllowed, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("Saved."))
            return redirect(detail_url)
    if form.errors.get("version"):
        # The version travels in a hidden field, whose errors the form would not show.
        form.add_error(None, _("This form is out of date: reload the page and try again."))
    context = detail_context(case, failed_action=action, failed_form=form)
    if not any(entry["transition"].action == action for entry in context["actions"]):
        messages.error(request, " ".join(form.non_field_errors()) or _("Not possible now."))
        return redirect(detail_url)
    return render(request, template, context, status=400)
