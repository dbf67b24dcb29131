"""The view side of `cases.actions`: a case page's action forms, and taking one action from
it, the same way for every case type (a `CaseType` names the model, the registry of actions,
the look-up, the capabilities and the page). On any refusal the page comes back with the
person's input still in the form and the reason above it; nothing they typed is lost."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.actions import CaseType
from cases.workflow import CaseChangedUnderYou, TransitionNotAllowed
from infra.errors import error_text


def case_actions(
    request, case_type: CaseType, case, *, capabilities, failed_action=None, failed_form=None
) -> list[dict]:
    """The entries of the page's actions panel (partials/_case_actions.html): each action the
    person may take now, with its form; the one just refused keeps its form, open."""
    entries = []
    for transition in case_type.workflow.available(case=case, capabilities=capabilities):
        if transition.action == failed_action:
            form = failed_form
        else:
            form = transition.form(user=request.user, **{case_type.keyword: case})
        entries.append(
            {"transition": transition, "form": form, "open": transition.action == failed_action}
        )
    return entries


def act_on_case(
    request, case_type: CaseType, *, pk, action: str, page_context: Callable[..., dict]
):
    """Validate the action's form, call its service, and answer with a redirect to the case
    page, or with the page itself (status 400) holding the refused form.

    `page_context(case, failed_action=..., failed_form=...)` is the case page's context, whose
    `actions` come from `case_actions`.

    A person who may see the case but whose role can never take this action on it (whatever
    its status) is refused with 403; an action merely not possible in the case's present status
    sends them back to the case page with the reason, since their page was only out of date."""
    case = case_type.get_for_user_or_404(user=request.user, pk=pk)
    try:
        transition = case_type.workflow.get(action)
    except TransitionNotAllowed:
        raise Http404 from None
    if not transition.who & case_type.capabilities(user=request.user, case=case):
        raise PermissionDenied(
            _("You may not “%(action)s” on this case.") % {"action": transition.label}
        )
    detail_url = reverse(case_type.detail_url, args=[case.pk])
    form = transition.form(
        request.POST, request.FILES, user=request.user, **{case_type.keyword: case}
    )
    if form.is_valid():
        arguments = dict(form.cleaned_data)
        version = arguments.pop("version")
        try:
            transition.service(
                actor=request.user, version=version, **{case_type.keyword: case}, **arguments
            )
        except CaseChangedUnderYou as error:
            form.add_error(None, str(error))
            case = case_type.get_for_user_or_404(user=request.user, pk=pk)
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
    context = page_context(case, failed_action=action, failed_form=form)
    if not any(entry["transition"].action == action for entry in context["actions"]):
        messages.error(request, " ".join(form.non_field_errors()) or _("Not possible now."))
        return redirect(detail_url)
    return render(request, case_type.template, context, status=400)
