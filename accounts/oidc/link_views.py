"""The system administrators' page of link requests (issue 16 §3): people
who logged in at the municipality's provider with an identity linked to no
account. The administrator links one to the person's existing account or
rejects it; the account page removes a link. Thin views: the rules and the
account log are accounts.oidc.services'.

Who: holders of accounts.change_user (system administrators), the work of
`manage.py link_oidc_subject`; installation-wide, like the user
administration. No client data: the page shows staff identities only."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from audit.context import AuditContext

from ..access import permission_required
from ..models import OPEN_LINK_STATES, IdentityLinkRequest, IdentityLinkState, User
from . import services

ADMINISTER = "accounts.change_user"
PER_PAGE = 50


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.get_full_name() or obj.username
        parts = [f"{name} ({obj.username})"]
        if obj.unit_id:
            parts.append(str(obj.unit))
        if obj.oidc_subject:
            parts.append(_("already linked"))
        return " · ".join(parts)


class LinkForm(forms.Form):
    account = AccountChoiceField(
        label=gettext_lazy("Account to link"),
        queryset=User.objects.none(),
        empty_label=gettext_lazy("Choose an account"),
        help_text=gettext_lazy("The person's existing account. The link gives no role: roles and unit stay as "
                               "given in Bolots."),
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        accounts = User.objects.filter(is_active=True).select_related("unit").order_by(
            "last_name", "first_name", "username"
        )
        if not actor.is_superuser:
            accounts = accounts.exclude(is_superuser=True)
        self.fields["account"].queryset = accounts


def _suggested_account(link_request):
    """The one active account with the e-mail the provider gave, if any."""
    if not link_request.email:
        return None
    matches = list(User.objects.filter(is_active=True, email__iexact=link_request.email).values_list("pk", flat=True)[:2])
    return matches[0] if len(matches) == 1 else None


@permission_required(ADMINISTER)
def link_requests(request):
    open_requests = IdentityLinkRequest.objects.filter(state__in=OPEN_LINK_STATES).select_related(
        "account", "account__unit"
    )
    page = Paginator(open_requests, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/oidc/link_requests.html", {"page_obj": page})


@permission_required(ADMINISTER)
def link_request(request, pk):
    link = get_object_or_404(
        IdentityLinkRequest.objects.select_related("account", "account__unit"), pk=pk, state__in=OPEN_LINK_STATES
    )
    form = LinkForm(request.POST or None, actor=request.user, initial={"account": _suggested_account(link)})
    if request.method == "POST" and form.is_valid():
        account = form.cleaned_data["account"]
        try:
            waiting = services.link_to_account(AuditContext.from_request(request), link, account)
        except services.LinkRefused as refusal:
            form.add_error("account", str(refusal))
        else:
            if waiting is not None:
                messages.info(request, _("The link waits for a manager of %(unit)s to approve it.")
                              % {"unit": waiting.unit})
            else:
                messages.success(request, _("The identity was linked to %(account)s.") % {"account": account})
            return redirect("users:identity_links")
    return render(request, "accounts/oidc/link_request.html", {
        "link": link, "form": form, "pending": link.state == IdentityLinkState.PENDING,
    })


@require_POST
@permission_required(ADMINISTER)
def reject_link_request(request, pk):
    link = get_object_or_404(IdentityLinkRequest, pk=pk, state__in=OPEN_LINK_STATES)
    try:
        services.reject_link_request(AuditContext.from_request(request), link)
    except services.LinkRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The request was rejected."))
    return redirect("users:identity_links")


@require_POST
@permission_required(ADMINISTER)
def unlink_account(request, pk):
    account = get_object_or_404(User, pk=pk)
    try:
        services.unlink_account(AuditContext.from_request(request), account)
    except services.LinkRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The link to the municipality's login was removed."))
    return redirect("users:edit", pk=account.pk)
