from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from governance.forms import MembershipForm, MembershipRevokeForm, PersonCreateForm
from governance.models import Notification, Role
from governance.navigation import ROLE_HOMES, home_panels_for, home_role
from governance.notifications import notifications_mark_read
from governance.selectors import (
    area_breadcrumbs,
    area_children_with_counts,
    area_get_for_user_or_404,
    jurisdiction_roots,
    membership_get_managed_by_or_404,
    memberships_managed_by,
    people_for_administrator,
    person_get_for_administrator_or_404,
    user_roles,
)
from governance.services import membership_grant, membership_revoke, person_create


@login_required
def home(request):
    roles = user_roles(user=request.user)
    role = home_role(roles)
    if role in ROLE_HOMES:
        return redirect(ROLE_HOMES[role])
    return render(
        request,
        "governance/home.html",
        {
            "home_role": role,
            "home_role_label": Role(role).label if role else "",
            "home_partial": f"governance/home/_{role}.html" if role else None,
            "jurisdiction": jurisdiction_roots(user=request.user),
            # The person's work: the lists each app registered for the roles they hold.
            "panels": [html for panel in home_panels_for(roles) if (html := panel.render(request))],
        },
    )


@login_required
def area_root(request):
    roots = jurisdiction_roots(user=request.user)
    if len(roots) == 1:
        return redirect("area_detail", code=roots[0].code)
    return render(request, "governance/area_roots.html", {"roots": roots})


@login_required
def area_detail(request, code):
    area = area_get_for_user_or_404(user=request.user, code=code)
    return render(
        request,
        "governance/area_detail.html",
        {
            "area": area,
            "breadcrumbs": area_breadcrumbs(user=request.user, area=area),
            "children": area_children_with_counts(area=area),
        },
    )


def _require_administrator(user) -> None:
    if Role.ADMINISTRATOR not in user_roles(user=user):
        raise PermissionDenied


@login_required
def people_list(request):
    _require_administrator(request.user)
    people = people_for_administrator(user=request.user).prefetch_related("memberships__area")
    return render(request, "governance/people_list.html", {"people": people})


@login_required
def person_create_view(request):
    _require_administrator(request.user)
    form = PersonCreateForm(request.POST or None, administrator=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = person_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password"],
                area=form.cleaned_data["area"],
                role=form.cleaned_data["role"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": person.first_name})
            return redirect("person_detail", pk=person.pk)
    return render(request, "governance/person_form.html", {"form": form})


@login_required
def person_detail(request, pk):
    _require_administrator(request.user)
    person = person_get_for_administrator_or_404(user=request.user, pk=pk)
    form = MembershipForm(request.POST or None, administrator=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            membership_grant(
                actor=request.user,
                user=person,
                area=form.cleaned_data["area"],
                role=form.cleaned_data["role"],
                is_head=form.cleaned_data["is_head"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The role was granted."))
            return redirect("person_detail", pk=person.pk)
    return render(
        request,
        "governance/person_detail.html",
        {
            "person": person,
            "memberships": memberships_managed_by(user=request.user, person=person),
            "form": form,
        },
    )


@login_required
def membership_revoke_view(request, pk):
    """Revoking a role asks first: the page says who loses which role where and asks why; only
    a post of that page's form (with `confirm` and a reason) revokes. Any other post comes
    back to the page and changes nothing."""
    _require_administrator(request.user)
    membership = membership_get_managed_by_or_404(user=request.user, pk=pk)
    form = MembershipRevokeForm()
    if request.method == "POST":
        if not request.POST.get("confirm"):
            return redirect("membership_revoke", pk=membership.pk)
        form = MembershipRevokeForm(request.POST)
        if form.is_valid():
            try:
                membership_revoke(
                    actor=request.user,
                    membership=membership,
                    reason=form.cleaned_data["reason"],
                )
            except ValidationError as error:
                form.add_error("reason", error)
            except PermissionDenied as error:
                messages.error(request, str(error))
                return redirect("person_detail", pk=membership.user_id)
            else:
                messages.success(request, _("The role was revoked."))
                if (
                    not people_for_administrator(user=request.user)
                    .filter(pk=membership.user_id)
                    .exists()
                ):
                    return redirect("people_list")
                return redirect("person_detail", pk=membership.user_id)
    return render(
        request,
        "governance/membership_revoke.html",
        {"membership": membership, "person": membership.user, "form": form},
    )


NOTIFICATIONS_PER_PAGE = 30


@login_required
def notification_list(request):
    """The signed-in person's notifications, newest first. Those on the page are marked read
    by looking at it; they are still shown as new this once."""
    paginator = Paginator(
        Notification.objects.filter(recipient=request.user), NOTIFICATIONS_PER_PAGE
    )
    page = paginator.get_page(request.GET.get("page"))
    notifications = list(page.object_list)
    for notification in notifications:
        notification.unread = notification.read_at is None
        # Links are written by the portal's own services; anything else is not followed.
        notification.safe_url = (
            notification.url
            if url_has_allowed_host_and_scheme(
                notification.url, allowed_hosts={request.get_host()}, require_https=False
            )
            else ""
        )
    notifications_mark_read(user=request.user, notifications=notifications)
    return render(
        request,
        "governance/notifications.html",
        {"notifications": notifications, "page": page},
    )
