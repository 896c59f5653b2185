from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from accounts.submissions import single_submission
from audit import reads
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.services import history_of

from ..client_summaries import summaries_for
from ..forms.clients import ClientForm, ClientSearchForm, PersonalNumberField
from ..forms.person_links import DECISION_NEW, MATCH_DECISION, MATCH_SEEN, all_seen, seen_value
from ..models import Client
from ..services import clients as services
from ..services import person_matching
from ..services.transfers import log_number_lookup
from .transfers import TransferRequestForm

CLIENTS_PER_PAGE = 25
# The search term is kept in the session, not the URL: identity numbers must
# not end up in query strings, server logs or browser history.
SEARCH_SESSION_KEY = "referrals.client_search"


@permission_required("referrals.view_client")
def client_list(request):
    if request.method == "POST":
        form = ClientSearchForm(request.POST)
        if "clear" in request.POST or not form.is_valid():
            request.session.pop(SEARCH_SESSION_KEY, None)
        else:
            request.session[SEARCH_SESSION_KEY] = form.cleaned_data["q"]
        return redirect("referrals:client_list")

    term = request.session.get(SEARCH_SESSION_KEY, "")
    clients = Client.objects.visible_to(request.user).search(term).for_list()
    page = Paginator(clients, CLIENTS_PER_PAGE).get_page(request.GET.get("page"))
    if term:
        reads.log_search(AuditContext.from_request(request), term, what="clients", matched=page.paginator.count)
    return render(
        request,
        "referrals/client_list.html",
        {
            "page_obj": page,
            "search_form": ClientSearchForm(initial={"q": term}),
            "term": term,
            "can_add": request.user.has_perm("referrals.add_client"),
        },
    )


@require_POST
@permission_required("referrals.view_client")
def client_search(request):
    """The header's search box (templates/base.html, registered as
    ReferralsConfig.header_search). POST only, so that the name or number
    never reaches a URL, a server log or the browser history: the term goes
    into the session the client list reads. One match opens the client's
    file at once (one page load less); otherwise the client list shows the
    matches, through the same access rule and search log."""
    form = ClientSearchForm(request.POST)
    term = form.cleaned_data["q"].strip() if form.is_valid() else ""
    if not term:
        return redirect("referrals:client_list")
    request.session[SEARCH_SESSION_KEY] = term
    # pks only: no client is built (and logged as read) for the count; the
    # file opened is logged by client_detail, the list's rows by the list.
    matches = list(Client.objects.visible_to(request.user).search(term).values_list("pk", flat=True)[:2])
    if len(matches) == 1:
        reads.log_search(AuditContext.from_request(request), term, what="clients", matched=1)
        return redirect("referrals:client_detail", pk=matches[0])
    return redirect("referrals:client_list")


@permission_required("referrals.add_client")
@single_submission
def client_create(request):
    form = ClientForm(request.POST or None, user=request.user)
    matches = None
    if request.method == "POST" and form.is_valid():
        # One person, one record: the possible matches are shown before
        # anything is saved (services.person_matching); the form's data
        # travels in the re-posted form, never in a URL.
        new_client = form.save(commit=False)
        matches = person_matching.matches_for_new_client(request.user, new_client)
        decided = request.POST.get(MATCH_DECISION) == DECISION_NEW and all_seen(request.POST.get(MATCH_SEEN), matches)
        if not matches.found or decided:
            client = person_matching.register_as_someone_else(
                AuditContext.from_request(request), new_client,
                target_groups=form.cleaned_data["target_groups"], different_from=matches.clients,
            )
            messages.success(request, _("The client was registered."))
            return redirect("referrals:client_detail", pk=client.pk)
    return render(request, "referrals/client_form.html",
                  {"form": form, "creating": True, "transfer_form": _transfer_offer(request, form),
                   "matches": matches.found if matches else [],
                   "match_seen": seen_value(matches) if matches else ""})


def _transfer_offer(request, form):
    """When the number is held by a unit the user cannot see: log the
    attempt (keyed hash, no number) and offer a transfer request."""
    if not form.held_elsewhere:
        return None
    digits = PersonalNumberField().clean(form.data.get("personal_number", ""))
    log_number_lookup(AuditContext.from_request(request), digits)
    return TransferRequestForm(initial={"personal_number": digits})


@permission_required("referrals.view_client")
def client_detail(request, pk):
    client = fetch_visible(
        request,
        Client.objects.select_related("responsible_officer", "unit").prefetch_related("target_groups"),
        perm="referrals.view_client",
        pk=pk,
    )
    show_contact = client.contact_visible_to(request.user)
    history = history_of(client)
    if not show_contact:
        history = history.filter(is_protected=False)
    return render(
        request,
        "referrals/client_detail.html",
        {
            "client": client,
            "show_contact": show_contact,
            # The picture from every tab in one place (client_summaries).
            "summaries": summaries_for(request.user, client),
            "history": history[:50],
            "can_edit": request.user.has_perm("referrals.change_client"),
            "can_review_log": request.user.has_perm("audit.view_accesslogentry"),
        },
    )


CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this client while you were editing. Your changes are "
    "not saved yet: they are still in the form below. Compare with the saved "
    "values and save again."
)


@permission_required("referrals.change_client")
def client_edit(request, pk):
    # Opening the form shows the data (logged as a view); saving is logged by
    # the service as an update.
    client = fetch_visible(
        request,
        Client.objects.prefetch_related("target_groups"),
        perm="referrals.change_client",
        log=request.method == "GET",
        pk=pk,
    )
    edit = save_edit(
        request, ClientForm(request.POST or None, instance=client, user=request.user),
        lambda form: services.update_client(AuditContext.from_request(request), form.save(commit=False),
                                            expected_version=form.expected_version(),
                                            target_groups=form.cleaned_data["target_groups"]),
        reread=lambda: Client.objects.prefetch_related("target_groups").get(pk=pk),
        fields=services.TRACKED_FIELDS, message=CONFLICT_MESSAGE, user=request.user,
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect("referrals:client_detail", pk=pk)
    form, conflict_values = edit.form, edit.conflict_values
    if request.method == "POST" and form.held_elsewhere:
        log_number_lookup(AuditContext.from_request(request), PersonalNumberField().clean(request.POST["personal_number"]))
    return render(
        request,
        "referrals/client_form.html",
        {
            "form": form,
            "client": client,
            "creating": False,
            "conflict_values": conflict_values,
        },
    )
