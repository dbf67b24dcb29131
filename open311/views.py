"""The city administrator's page of source systems: issue a token (shown once), revoke one,
issue a new one in its place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from governance.selectors import administers_every_area
from infra.errors import error_text
from open311.forms import SourceIssueForm
from open311.models import SourceSystem
from open311.services import source_issue, source_reissue, source_revoke


def _require_city_administrator(user) -> None:
    if not administers_every_area(user=user):
        raise PermissionDenied(_("Only an administrator of the whole city can manage API tokens."))


def _source_or_404(pk) -> SourceSystem:
    try:
        return SourceSystem.objects.get(pk=pk)
    except SourceSystem.DoesNotExist:
        raise Http404 from None


# The session key holding a token just issued, between the post and the page that shows it.
ISSUED_TOKEN = "open311_issued_token"


def _show_token_once(request, source: SourceSystem, token: str):
    """Post, redirect, get: the token waits in the person's session (server-side) only until
    the list page shows it, which removes it in the same request."""
    request.session[ISSUED_TOKEN] = {"source": source.pk, "token": token}
    return redirect("open311:sources")


def _render_list(request, form, *, status=200):
    sources = SourceSystem.objects.prefetch_related("areas").order_by("name")
    issued = request.session.pop(ISSUED_TOKEN, None)
    return render(
        request,
        "open311/sources.html",
        {
            "sources": sources,
            "form": form,
            "issued": sources.filter(pk=issued["source"]).first() if issued else None,
            "token": issued["token"] if issued else "",
        },
        status=status,
    )


@login_required
def source_list(request):
    """The list, and the form that issues a token; the token is shown on the answer to the
    post, once, and never again (it is kept only as a digest)."""
    _require_city_administrator(request.user)
    if request.method != "POST":
        return _render_list(request, SourceIssueForm())
    form = SourceIssueForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            source, token = source_issue(
                actor=request.user,
                name=data["name"],
                channel=data["channel"],
                areas=data["area_codes"],
                callback_url=data["callback_url"],
                return_limit_hours=data["return_limit_hours"],
                requests_per_minute=data["requests_per_minute"],
            )
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            return _show_token_once(request, source, token)
    return _render_list(request, form, status=400)


@login_required
def source_revoke_view(request, pk):
    """Revoking asks first: only a post of the confirmation page's form revokes."""
    _require_city_administrator(request.user)
    source = _source_or_404(pk)
    if request.method == "POST":
        if not request.POST.get("confirm"):
            return redirect("open311:source_revoke", pk=source.pk)
        try:
            source_revoke(actor=request.user, source=source)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("The token was revoked: the system's requests are refused.")
            )
        return redirect("open311:sources")
    return render(request, "open311/source_revoke.html", {"source": source})


@login_required
def source_reissue_view(request, pk):
    """A new token in place of the old one (lost, leaked or revoked); asks first."""
    _require_city_administrator(request.user)
    source = _source_or_404(pk)
    if request.method == "POST":
        if not request.POST.get("confirm"):
            return redirect("open311:source_reissue", pk=source.pk)
        token = source_reissue(actor=request.user, source=source)
        return _show_token_once(request, source, token)
    return render(request, "open311/source_reissue.html", {"source": source})
