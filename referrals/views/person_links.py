"""One person, one record: a client's linked records, undoing a link, and
linking an outreach subject later identified to a client
(docs/housing-chain.md "One person, one record").

Reading needs referrals.view_personlink, writing referrals.link_person; the
client or order comes through its `visible_to(user)` (fetch_visible), so an
outsider gets 404 and every read is logged. The writes are
services.person_matching's.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import fetch_visible, permission_required, require_perm
from audit import reads
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access

from ..forms.person_links import LinkActionForm, OrderClientSearchForm, OrderLinkForm, UnlinkForm
from ..models import Client, Order
from ..models.links import PersonLink, PersonLinkKind
from ..services import person_matching as services

READ_PERMISSION = "referrals.view_personlink"
WRITE_PERMISSION = services.LINK_PERMISSION
# Search results on the order's link page: a choice, not a register.
SEARCH_LIMIT = 20


def _links_of(client_id):
    return (
        PersonLink.objects.filter(Q(client_id=client_id) | Q(other_client_id=client_id))
        .select_related("client", "other_client", "order", "linked_by", "unlinked_by")
        .order_by("unlinked_at", "-linked_at", "-pk")
    )


def _proposals(user, client):
    """Other files of the unit that may be this client: by number, or by
    name and date of birth. (An outreach order's subject is matched from
    the order's side, person_link_order, which proposes clients.)"""
    return services.possible_matches_for_client(
        client.unit, client.first_name, client.last_name, client.birth_date, client.personal_number,
        user=user, exclude_client=client,
    ).found


# The page shows either the links or, on request (?traffar=1, no personal
# data), the possible matches: each within the query budget of 12.
PROPOSALS_PARAM = "traffar"


@permission_required(READ_PERMISSION)
def person_links(request, pk):
    client = fetch_visible(request, Client.objects.select_related("unit"), perm=READ_PERMISSION, pk=pk)
    can_link = request.user.has_perm(WRITE_PERMISSION)
    if request.method == "POST":
        require_perm(request.user, WRITE_PERMISSION)
        form = LinkActionForm(request.POST)
        if form.is_valid():
            _act_on_proposal(request, client, form)
        else:
            messages.error(request, _("Choose a record from the list."))
        return redirect("referrals:person_links", pk=client.pk)
    show_proposals = can_link and request.GET.get(PROPOSALS_PARAM) == "1"
    return render(request, "referrals/person_links/client_links.html", {
        "client": client,
        "links": None if show_proposals else _links_of(client.pk),
        "proposals": _proposals(request.user, client) if show_proposals else None,
        "can_link": can_link,
    })


def _act_on_proposal(request, client, form):
    kind, target_pk = form.target_kind_and_pk()
    target = {}
    if kind == "c":
        target["other_client"] = Client.objects.visible_to(request.user).filter(pk=target_pk).first()
    else:
        target["order"] = Order.objects.visible_to(request.user).filter(pk=target_pk).first()
    if not any(target.values()):
        messages.error(request, _("Choose a record from the list."))
        return
    ctx = AuditContext.from_request(request)
    reason = form.cleaned_data["reason"]
    try:
        if form.cleaned_data["action"] == LinkActionForm.LINK:
            services.link_same_person(ctx, client, reason=reason, **target)
            messages.success(request, _("The records were linked as the same person."))
        else:
            services.confirm_different(ctx, client, reason=reason, **target)
            messages.success(request, _("Recorded as different people: the pair is not proposed again."))
    except services.LinkRefused as refusal:
        messages.error(request, str(refusal))


@permission_required(WRITE_PERMISSION)
def person_link_undo(request, pk):
    visible = Client.objects.visible_to(request.user)
    link = (
        PersonLink.objects.select_related("client", "other_client", "order", "linked_by")
        .filter(pk=pk, client__in=visible).first()
    )
    if link is None:
        raise Http404
    # The page names the client: the read is logged (Client.from_db).
    form = UnlinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unlink(AuditContext.from_request(request), link, form.cleaned_data["reason"])
        except services.LinkRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            messages.success(request, _("The link was undone."))
            return redirect("referrals:person_links", pk=link.client_id)
    return render(request, "referrals/person_links/undo.html", {
        "link": link,
        "form": form,
        "blockers": services.unlink_blockers(link) if link.is_active else [],
    })


@permission_required(WRITE_PERMISSION)
def person_link_order(request, pk):
    order = fetch_visible(
        request, Order.objects.select_related("unit", "client"), perm=WRITE_PERMISSION, log=False, pk=pk,
    )
    if not order.details_visible_to(request.user):
        raise Http404
    if order.client_id is not None:
        messages.info(request, _("The order already belongs to a client."))
        return redirect("referrals:order_detail", pk=order.pk)
    ctx = AuditContext.from_request(request)
    unit_clients = Client.objects.visible_to(request.user).filter(unit_id=order.unit_id)
    search_form = OrderClientSearchForm(request.POST if "search" in request.POST else None)
    results = None
    if request.method == "POST" and "search" not in request.POST:
        link_form = OrderLinkForm(request.POST, clients=unit_clients)
        if link_form.is_valid():
            done = _act_on_order(request, ctx, order, link_form)
            if done:
                return redirect("referrals:order_detail", pk=order.pk)
        else:
            messages.error(request, _("Choose a client from the list."))
    elif search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"].strip():
        term = search_form.cleaned_data["q"].strip()
        results = list(unit_clients.search(term).order_by("last_name", "first_name", "pk")[:SEARCH_LIMIT])
        reads.log_search(ctx, term, what="clients", matched=len(results))
    # The order's subject is shown: a read of the person's data.
    log_access(ctx, AccessAction.VIEW, order)
    proposals = services.possible_matches_for_subject(
        order.unit, order.subject_name, order.subject_address, user=request.user, exclude_order=order,
        include_orders=False,
    )
    return render(request, "referrals/person_links/order_link.html", {
        "order": order,
        "proposals": [match for match in proposals.found if match.client is not None],
        "search_form": search_form,
        "results": results,
    })


def _act_on_order(request, ctx, order, form):
    client, reason = form.cleaned_data["client"], form.cleaned_data["reason"]
    try:
        if form.cleaned_data["action"] == OrderLinkForm.LINK:
            services.link_same_person(ctx, client, order=order, reason=reason)
            messages.success(request, _("The order was linked to the client's file, with its visits."))
            return True
        services.confirm_different(ctx, client, order=order, reason=reason)
        messages.success(request, _("Recorded as different people: the pair is not proposed again."))
    except services.LinkRefused as refusal:
        messages.error(request, str(refusal))
    return False


def summary_lines(user, client, now):
    """The overview's box (referrals.client_summaries): the links in force
    that say "the same person", one query."""
    from ..client_summaries import SummaryLine

    links = _links_of(client.pk).filter(unlinked_at__isnull=True, kind=PersonLinkKind.SAME_PERSON)[:4]
    lines = []
    for link in links:
        if link.order_id is not None:
            lines.append(SummaryLine(_("Outreach order #%(number)s") % {"number": link.order_id}))
        else:
            other = link.other_client if link.client_id == client.pk else link.client
            lines.append(SummaryLine(_("Also registered as %(name)s") % {"name": other.full_name}))
    return lines
