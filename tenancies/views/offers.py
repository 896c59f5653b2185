"""Pages of matching and offers (docs/housing-chain.md, "Matching and
offers"): a vacant apartment's fitting candidates, the offer form, the
offer's page with the answer and the withdrawal, and the unit's open
offers.

Case officers make and answer offers (tenancies.add/change_apartmentoffer);
housing administrators and managers read them. Offers are fetched through
accounts.access.fetch_visible with services.offers.OfferQuerySet (the
apartment's unit); candidates' clients through Client.objects.visible_to.

Protected personal data (referrals.protection): an offer shows a person and
an apartment together, so a person with protected personal data is never
shown on these pages to a user without referrals.view_protected_client.
Such candidates and offers are left out of the lists (the pages say how
many), and the offer's own page is refused. The protection level is read
as a value before any client is loaded, so no read of a person not shown is
logged.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, Case, CharField, Count, F, OuterRef, Q, Subquery, Value, When
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import fetch_visible, permission_required
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.versioning import ConcurrentEditError
from core.forms import add_rule_error
from referrals import protection
from referrals.models import Decision, ProtectionLevel

from ..forms.offers import AnswerForm, OfferForm, WithdrawForm
from ..models import Apartment, ApartmentKind, ApartmentStatus, OfferState, Vacancy
from ..services import matching, vacancies
from ..services import offers as services
from .tenancies import OFFER_PARAMETER

OFFERS_PER_PAGE = 25

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this offer while you were working on it. Nothing was saved. "
    "Check the offer as it is now and try again."
)


def _refuse_protected(request):
    """The page would show a person with protected personal data beside an
    apartment: refused for a user without the permission (403, with why)."""
    return render(request, "tenancies/offers/protected.html", status=403)


def _with_protection(queryset):
    return queryset.annotate(client_protection=F("decision__client__protection_level"))


def _is_protected(offer) -> bool:
    return offer.client_protection != ProtectionLevel.NONE


# --- Matching -----------------------------------------------------------------------


def decision_kind_of_apartment():
    """SQL for ApartmentKind.decision_kind."""
    return Case(
        *[When(kind=kind.value, then=Value(kind.decision_kind.value)) for kind in ApartmentKind],
        output_field=CharField(),
    )


def _match_queryset(user):
    """The apartment with what the matching page shows beside it, in one
    query: the open vacancy's dates (and whether its first day must be
    hidden from `user`), the open offer (if any) and how many waiting
    decisions of its kind are for persons with protected personal data."""
    vacancy = vacancies.with_start_hidden(Vacancy.objects.open().filter(apartment=OuterRef("pk")), user)
    offer = services.offers().open().filter(apartment=OuterRef("pk"))
    return (
        Apartment.objects.select_related("area")
        .annotate(
            needs_decision=decision_kind_of_apartment(),
            vacant_from=Subquery(vacancy.values("vacant_from")[:1]),
            ready_from=Subquery(vacancy.values("ready_from")[:1]),
            ready_note=Subquery(vacancy.values("ready_note")[:1]),
            start_hidden=Subquery(vacancy.values("start_hidden")[:1], output_field=BooleanField()),
            open_offer_id=Subquery(offer.values("pk")[:1]),
            open_offer_state=Subquery(offer.values("state")[:1]),
            open_offer_answer_by=Subquery(offer.values("answer_by")[:1]),
            open_offer_protection=Subquery(offer.values("decision__client__protection_level")[:1]),
        )
        .annotate(protected_waiting=matching.protected_waiting_count(OuterRef("needs_decision")))
    )


@permission_required("tenancies.view_apartmentoffer", "tenancies.view_housingneeds")
def vacancy_match(request, pk):
    """A vacant apartment's facts and the waiting decisions that fit it.
    Two queries of its own whatever the number of candidates: the apartment
    (with its vacancy and open offer) and the candidates with their clients."""
    apartment = fetch_visible(request, _match_queryset(request.user), perm="tenancies.view_apartment", pk=pk)
    today = timezone.localdate()
    sees_protected = protection.sees_every_tenant(request.user)
    candidates = matching.candidates_for(apartment, today, user=request.user, sees_protected=sees_protected)
    has_offer = apartment.open_offer_id is not None
    can_offer = (
        request.user.has_perm("tenancies.add_apartmentoffer")
        and not has_offer
        and apartment.status != ApartmentStatus.LEFT_PROGRAMME
    )
    vacancy = None
    if apartment.vacant_from is not None:
        vacancy = Vacancy(vacant_from=apartment.vacant_from, ready_from=apartment.ready_from,
                          ready_note=apartment.ready_note or "")
    return render(
        request,
        "tenancies/offers/match.html",
        {
            "apartment": apartment,
            "vacancy": vacancy,
            # The first empty day follows a protected tenant's move-out:
            # not shown beside the address (services.vacancies).
            "start_hidden": bool(apartment.start_hidden),
            "has_offer": has_offer,
            "open_offer_hidden": (
                has_offer and apartment.open_offer_protection != ProtectionLevel.NONE and not sees_protected
            ),
            "open_offer_state": OfferState(apartment.open_offer_state).label if has_offer else "",
            "candidates": candidates,
            "hidden": 0 if sees_protected else apartment.protected_waiting,
            "can_offer": can_offer,
            "today": today,
        },
    )


# --- Making an offer -------------------------------------------------------------------


@permission_required("tenancies.add_apartmentoffer", "referrals.view_decision")
def offer_create(request, pk, decision_pk):
    log = request.method == "GET"
    # The open vacancy's ready-from day in the apartment's own query: the
    # form page keeps the budget of 12 queries.
    ready_from = Vacancy.objects.open().filter(apartment=OuterRef("pk")).values("ready_from")[:1]
    apartment = fetch_visible(
        request, Apartment.objects.select_related("area").annotate(ready_from=Subquery(ready_from)),
        perm="tenancies.add_apartmentoffer", log=False, pk=pk,
    )
    # Read without logging first: a protected person's decision is refused
    # to a user without the permission before anything of it is shown.
    decision = fetch_visible(
        request, Decision.objects.select_related("client"), perm="referrals.view_decision", log=False, pk=decision_pk,
    )
    if decision.client.protection_level != ProtectionLevel.NONE and not protection.sees_every_tenant(request.user):
        return _refuse_protected(request)
    if log:
        ctx = AuditContext.from_request(request)
        log_access(ctx, AccessAction.VIEW, decision)
        log_access(ctx, AccessAction.VIEW, apartment)
    today = timezone.localdate()
    move_in = max(today, apartment.ready_from) if apartment.ready_from else today
    form = OfferForm(
        request.POST or None,
        initial={"offered_on": today, "move_in_on": move_in, "answer_by": today + timedelta(days=services.ANSWER_DAYS)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            offer = services.make_offer(
                AuditContext.from_request(request), apartment, decision, data["offered_on"], data["move_in_on"],
                data["answer_by"], data["note"],
            )
        except services.OfferError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The offer was registered. It is in the IVO offers log of the decision."))
            return redirect("tenancies:offer_detail", pk=offer.pk)
    if request.method == "POST":
        log_access(AuditContext.from_request(request), AccessAction.VIEW, decision)
    return render(
        request,
        "tenancies/offers/offer_form.html",
        {
            "apartment": apartment,
            "decision": decision,
            "client": decision.client,
            "form": form,
            "today": today,
        },
    )


# --- The offer's page ----------------------------------------------------------------------


def _detail_queryset(user):
    """The offer with its apartment, decision and vacancy, and whether the
    vacancy's first empty day must be hidden from `user` (it may follow a
    protected previous tenant's move-out: services.vacancies), in one query."""
    vacancy = vacancies.with_start_hidden(Vacancy.objects.filter(pk=OuterRef("vacancy_id")), user)
    return _with_protection(
        services.offers().select_related("apartment__area", "decision", "made_by", "vacancy")
        .annotate(start_hidden=Subquery(vacancy.values("start_hidden")[:1], output_field=BooleanField()))
    )


def move_in_url(user, offer) -> str | None:
    """Where an accepted offer is carried on: the move-in form, prefilled
    with the apartment, the client and the planned day (views.tenancies,
    `?erbjudande=`). The case officer's form is the client's (it executes
    the decision); a housing administrator's the apartment's (the case
    officer links the decision after). None for an offer not accepted or a
    user who registers no move-ins."""
    if offer.state != OfferState.ACCEPTED or not user.has_perm("tenancies.add_tenancy"):
        return None
    if user.has_perm("referrals.view_client"):
        url = reverse("tenancies:tenancy_move_in", args=[offer.decision.client_id])
    else:
        url = reverse("tenancies:apartment_move_in", args=[offer.apartment_id])
    return f"{url}?{OFFER_PARAMETER}={offer.pk}"


def _render_detail(request, offer, *, answer_form=None, withdraw_form=None, status=200):
    can_change = request.user.has_perm("tenancies.change_apartmentoffer")
    if can_change and offer.state == OfferState.PENDING:
        answer_form = answer_form or AnswerForm(
            prefix="answer", initial={"answered_on": timezone.localdate()}, version=offer.version
        )
    else:
        answer_form = None
    if can_change and offer.state in OfferState.open_states():
        withdraw_form = withdraw_form or WithdrawForm(prefix="withdraw", version=offer.version)
    else:
        withdraw_form = None
    return render(
        request,
        "tenancies/offers/offer_detail.html",
        {
            "offer": offer,
            "apartment": offer.apartment,
            "decision": offer.decision,
            "client": offer.decision.client,
            "start_hidden": bool(offer.start_hidden),
            "move_in_url": move_in_url(request.user, offer),
            "today": timezone.localdate(),
            "answer_form": answer_form,
            "withdraw_form": withdraw_form,
            "error_summary_forms": [form for form in (answer_form, withdraw_form) if form is not None],
        },
        status=status,
    )


@permission_required("tenancies.view_apartmentoffer")
def offer_detail(request, pk):
    offer = fetch_visible(request, _detail_queryset(request.user), perm="tenancies.view_apartmentoffer", log=False, pk=pk)
    if _is_protected(offer) and not protection.sees_every_tenant(request.user):
        return _refuse_protected(request)
    ctx = AuditContext.from_request(request)
    if request.method != "POST":
        log_access(ctx, AccessAction.VIEW, offer)
        return _render_detail(request, offer)
    if not request.user.has_perm("tenancies.change_apartmentoffer"):
        raise PermissionDenied
    action = request.POST.get("action")
    if action == "withdraw":
        form = WithdrawForm(request.POST, prefix="withdraw")
        if form.is_valid():
            try:
                services.withdraw_offer(ctx, offer, form.cleaned_data["reason"], version=form.expected_version())
            except services.OfferError as error:
                add_rule_error(form, error)
            except ConcurrentEditError:
                form.add_error(None, CONFLICT_MESSAGE)
            else:
                messages.success(request, _("The offer was withdrawn. The apartment can be offered again."))
                return redirect("tenancies:offer_detail", pk=pk)
        offer = _detail_queryset(request.user).get(pk=pk)
        log_access(ctx, AccessAction.VIEW, offer)
        return _render_detail(request, offer, withdraw_form=form)
    form = AnswerForm(request.POST, prefix="answer")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.answer_offer(
                ctx, offer, form.accepted, data["answered_on"], data["decline_reason"], data["note"],
                version=form.expected_version(),
            )
        except services.OfferError as error:
            add_rule_error(form, error)
        except ConcurrentEditError:
            form.add_error(None, CONFLICT_MESSAGE)
        else:
            if form.accepted:
                messages.success(request, _("The offer was accepted. The move-in is planned."))
            else:
                messages.success(
                    request, _("The offer was declined. The reason is in the IVO offers log; the decision still waits.")
                )
            return redirect("tenancies:offer_detail", pk=pk)
    offer = _detail_queryset(request.user).get(pk=pk)
    log_access(ctx, AccessAction.VIEW, offer)
    return _render_detail(request, offer, answer_form=form)


# --- The unit's open offers ----------------------------------------------------------------


@permission_required("tenancies.view_apartmentoffer")
def offer_list(request):
    """Open offers (waiting for an answer, or accepted with the move-in
    planned) of the unit, the earliest answer day first; answers overdue
    are marked. Two queries of its own for any length: the counts (shown
    and left out) in one aggregate, and the page's rows."""
    today = timezone.localdate()
    sees_protected = protection.sees_every_tenant(request.user)
    base = _with_protection(services.offers().visible_to(request.user).open())
    protected = ~Q(client_protection=ProtectionLevel.NONE)
    if sees_protected:
        shown_rule = Q()
    else:
        shown_rule = Q(client_protection=ProtectionLevel.NONE)
    counts = base.aggregate(shown=Count("pk", filter=shown_rule), hidden=Count("pk", filter=protected))
    rows = base.filter(shown_rule).select_related("apartment__area", "decision__client").order_by("answer_by", "pk")
    paginator = Paginator(rows, OFFERS_PER_PAGE)
    # Known already: spares the paginator its own COUNT.
    paginator.count = counts["shown"]
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return render(
        request,
        "tenancies/offers/offer_list.html",
        {
            "page_obj": page,
            "hidden": 0 if sees_protected else counts["hidden"],
            "today": today,
            "can_match": request.user.has_perm("tenancies.add_apartmentoffer"),
        },
    )
