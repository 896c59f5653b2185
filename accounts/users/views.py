"""User administration pages (Swedish, role-based) and the managers' page
of access requests. Thin views: accounts.users.services decides and logs.

Who: holders of accounts.change_user (system administrators) administer
every account except their own; holders of accounts.decide_accessrequest
(managers) decide the pending grants of their own unit. Django's admin is
closed to non-superusers for users, groups and permissions (accounts.admin).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.context import AuditContext
from audit.models import AccountEvent
from audit.tracked import write_fields

from ..access import permission_required
from ..models import AccessRequest, AccessRequestKind, AccessRequestState, User
from . import services
from .forms import AccountAccessForm, DecisionForm, HomeAddressForm, NewAccountForm, UserFilterForm, roles_of

ROWS_PER_PAGE = 50
ADMINISTER = "accounts.change_user"
DECIDE = "accounts.decide_accessrequest"


def _report(request, result: services.ChangeResult) -> None:
    if result.applied:
        messages.success(request, _("The account was changed."))
    if result.requested:
        messages.info(
            request,
            _("Waiting for a manager's approval: %(what)s.")
            % {"what": ", ".join(str(item) for item in result.requested)},
        )
    if not result.applied and not result.requested:
        messages.info(request, _("Nothing was changed."))


@permission_required(ADMINISTER)
def user_list(request):
    form = UserFilterForm(request.GET or None)
    users = User.objects.select_related("unit").prefetch_related("groups").annotate(
        pending_requests=Count("access_requests", filter=Q(access_requests__state=AccessRequestState.PENDING))
    ).order_by("last_name", "first_name", "username")
    show_inactive = False
    if form.is_valid():
        data = form.cleaned_data
        for word in data["q"].split():
            users = users.filter(
                Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
            )
        if data["unit"]:
            users = users.filter(unit=data["unit"])
        show_inactive = data["inactive"]
    if not show_inactive:
        users = users.filter(is_active=True)
    page = Paginator(users, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "accounts/users/list.html",
        {"form": form, "page_obj": page, "page_query": f"&{query.urlencode()}" if query else ""},
    )


@permission_required(ADMINISTER)
def user_create(request):
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, result = services.create_user(
                AuditContext.from_request(request),
                username=data["username"], first_name=data["first_name"], last_name=data["last_name"],
                email=data["email"], unit=data["unit"], roles=set(data["roles"]), protected=data["protected"],
            )
        except services.AccountChangeRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The account was created."))
            _report(request, result)
            return redirect("users:edit", pk=user.pk)
    return render(request, "accounts/users/create.html", {"form": form})


@permission_required(ADMINISTER)
def user_edit(request, pk):
    subject = get_object_or_404(User.objects.select_related("unit").prefetch_related("groups"), pk=pk)
    own = subject.pk == request.user.pk
    pending = list(
        AccessRequest.objects.filter(subject=subject, state=AccessRequestState.PENDING)
        .select_related("unit", "requested_by")
    )
    # The form starts from the wanted state (granted plus waiting), so that
    # saving another change does not withdraw what is waiting for approval.
    initial = {
        "unit": next((r.unit_id for r in pending if r.kind == AccessRequestKind.UNIT), subject.unit_id),
        "roles": roles_of(subject) + [r.value for r in pending if r.kind == AccessRequestKind.ROLE],
        "protected": any(r.kind == AccessRequestKind.PERMISSION for r in pending)
        or services.holds_protected_permission(subject),
    }
    form = AccountAccessForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.change_access(
                AuditContext.from_request(request), subject,
                unit=data["unit"], roles=set(data["roles"]), protected=data["protected"],
            )
        except services.AccountChangeRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            _report(request, result)
            return redirect("users:edit", pk=subject.pk)
    return render(
        request,
        "accounts/users/edit.html",
        {
            "subject": subject,
            "own": own,
            "form": form,
            "pending": pending,
            "address_form": HomeAddressForm(instance=subject),
            "events": AccountEvent.objects.filter(subject=subject).select_related("actor")[:50],
        },
    )


@require_POST
@permission_required(ADMINISTER)
def user_set_active(request, pk):
    subject = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.set_active(AuditContext.from_request(request), subject, active)
    except services.AccountChangeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The account was activated.") if active else _("The account was deactivated."))
    return redirect("users:edit", pk=subject.pk)


@require_POST
@permission_required(ADMINISTER)
def user_home_address(request, pk):
    """Save the account holder's home address (for the log review's
    "shares an address" rule). Not one's own: nobody sets the address the
    review compares their own reads with."""
    subject = get_object_or_404(User, pk=pk)
    if subject.pk == request.user.pk:
        raise PermissionDenied
    form = HomeAddressForm(request.POST, instance=User.objects.get(pk=pk))
    if form.is_valid():
        with transaction.atomic():
            write_fields(AuditContext.from_request(request), subject, **{
                name: form.cleaned_data[name] for name in HomeAddressForm.Meta.fields
            })
        messages.success(request, _("The home address was saved."))
    else:
        messages.error(request, _("The home address was not saved: %(errors)s") % {
            "errors": " ".join(str(error) for errors in form.errors.values() for error in errors),
        })
    return redirect("users:edit", pk=subject.pk)


@permission_required(DECIDE)
def access_requests(request):
    pending = services.pending_for(request.user).prefetch_related(
        Prefetch("subject__groups")
    )
    return render(
        request, "accounts/users/access_requests.html", {"requests": list(pending), "form": DecisionForm()}
    )


@require_POST
@permission_required(DECIDE)
def access_request_decide(request, pk):
    # Requests of other units, the manager's own and those they filed are
    # not found (404), like every record outside one's reach.
    access_request = get_object_or_404(services.pending_for(request.user), pk=pk)
    form = DecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    try:
        services.decide(AuditContext.from_request(request), access_request, approve=approve, note=note)
    except services.AccountChangeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The request was approved.") if approve else _("The request was rejected."))
    return redirect("users:access_requests")
