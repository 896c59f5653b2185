"""Pages of tenancies (andrahandskontrakt): the client's "Boende" tab, the
move-in form, the tenancy page with move-out, terms, home insurance and
income sources and the internal move. (The list of possible first-hand
takeovers is bolots.views.takeovers: it shows bolots' housing search.)

Records are fetched through accounts.access.fetch_visible (the access rule of
TenancyQuerySet.visible_to / ClientQuerySet.visible_to, and the access log);
writes go through tenancies.services.tenancies, which logs them.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, F, OuterRef, Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from audit.conflicts import form_after_conflict
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.versioning import ConcurrentEditError
from core.forms import add_rule_error
from referrals import protection
from referrals.models import Client

from ..forms.tenancies import (
    ApartmentMoveInForm,
    EndIncomeForm,
    IncomeForm,
    InsuranceForm,
    InternalMoveForm,
    LinkDecisionForm,
    MoveInForm,
    MoveOutForm,
    TermsForm,
    waiting_apartment_decisions,
)
from ..models import Apartment, ApartmentStatus, HomeInsurance, OfferState, Tenancy
from ..services import moves, terms
from ..services import offers as offer_services
from ..services import tenancies as services

TENANCIES_PER_PAGE = 25
DETAIL_TEMPLATE = "tenancies/tenancies/tenancy_detail.html"


CONFLICT_MESSAGE = gettext_lazy(
    "Someone else changed this tenancy while you were working on it. Nothing was saved: "
    "your input is still in the form. Check the tenancy as it is now and save again."
)


# --- The client's "Boende" tab and the move-in ------------------------------------


@permission_required("tenancies.view_tenancy", "referrals.view_client")
def client_tenancies(request, pk):
    current = Tenancy.objects.filter(client=OuterRef("pk"), end_date__isnull=True)
    client = fetch_visible(
        request,
        Client.objects.annotate(
            has_current_tenancy=Exists(current),
            has_waiting_decision=Exists(waiting_apartment_decisions(OuterRef("pk"))),
        ),
        perm="tenancies.view_tenancy",
        pk=pk,
    )
    tenancies = (
        Tenancy.objects.visible_to(request.user)
        .filter(client=client)
        .select_related("apartment", "decision")
        # The current tenancy first, then the latest ended.
        .order_by(F("end_date").desc(nulls_first=True), "-start_date", "-id")
    )
    page = Paginator(tenancies, TENANCIES_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    for tenancy in page.object_list:
        tenancy.client = client  # known already; spares a query per row
    return render(
        request,
        "tenancies/tenancies/client_tenancies.html",
        {
            "client": client,
            "page_obj": page,
            "can_move_in": request.user.has_perm("tenancies.add_tenancy"),
            "today": timezone.localdate(),
        },
    )


# The query parameter with which an accepted offer's page opens the move-in
# form prefilled (views.offers).
OFFER_PARAMETER = "erbjudande"


def accepted_offer(request, **match):
    """The accepted offer named by `?erbjudande=<id>`, when it is the user's
    unit's and of this client or apartment (`match`); None otherwise (an
    unknown, foreign or answered-otherwise offer just leaves the form
    empty). An offer to a person with protected personal data prefills
    nothing for a user without the permission: it would put the person
    beside the apartment. Only on opening the form: a posted form carries
    its own values."""
    value = request.GET.get(OFFER_PARAMETER, "")
    if request.method != "GET" or not value.isdigit():
        return None
    offer = (
        offer_services.offers().visible_to(request.user)
        .filter(pk=int(value), state=OfferState.ACCEPTED, **{
            "decision__client" if name == "client" else name: record for name, record in match.items()
        })
        .select_related("decision__client").first()
    )
    if offer is None or (protection.is_protected(offer.decision.client)
                         and not protection.sees_every_tenant(request.user)):
        return None
    return offer


@permission_required("tenancies.add_tenancy", "referrals.view_client")
def tenancy_move_in(request, pk):
    # Opening the form shows the client (a view); saving is logged by the
    # service as a create.
    client = fetch_visible(
        request, Client.objects.all(), perm="tenancies.add_tenancy", log=request.method == "GET", pk=pk
    )
    offer = accepted_offer(request, client=client)
    form = MoveInForm(request.POST or None, client=client, user=request.user, offer=offer)
    if request.method == "POST":
        if form.is_valid():
            tenancy = form.save()
            tenancy.client = client
            try:
                moves.move_in(AuditContext.from_request(request), tenancy)
            except services.TenancyError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The move-in was registered and the decision is executed."))
                return redirect("tenancies:tenancy_detail", pk=tenancy.pk)
        # The form is shown again with the client: a view.
        log_access(AuditContext.from_request(request), AccessAction.VIEW, client)
    return render(request, "tenancies/tenancies/move_in.html", {"client": client, "form": form})


@permission_required("tenancies.add_tenancy")
def apartment_move_in(request, pk):
    """The move-in from the apartment page (issue 12 §7: the housing
    administrator's). The decision is not chosen here: the tenancy waits for
    the client's case officer to link it. A user who may link decisions
    (a case officer) goes straight on to the link."""
    apartment = fetch_visible(
        request, Apartment.objects.all(), perm="tenancies.add_tenancy", log=request.method == "GET", pk=pk
    )
    if apartment.status != ApartmentStatus.VACANT:
        messages.error(request, _("Only a vacant apartment can be moved into."))
        return redirect("tenancies:apartment_detail", pk=pk)
    offer = accepted_offer(request, apartment=apartment)
    form = ApartmentMoveInForm(request.POST or None, apartment=apartment, user=request.user, offer=offer)
    if request.method == "POST":
        if form.is_valid():
            tenancy = form.save()
            tenancy.apartment = apartment
            try:
                moves.move_in(AuditContext.from_request(request), tenancy, decision_pending=True)
            except services.TenancyError as error:
                add_rule_error(form, error)
            else:
                if request.user.has_perm("tenancies.link_decision"):
                    messages.success(request, _("The move-in was registered. Link the decision it executes."))
                    return redirect("tenancies:tenancy_link_decision", pk=tenancy.pk)
                messages.success(
                    request, _("The move-in was registered. The client's case officer is asked to link the decision.")
                )
                return redirect("tenancies:tenancy_detail", pk=tenancy.pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, apartment)
    return render(request, "tenancies/tenancies/apartment_move_in.html", {"apartment": apartment, "form": form})


@permission_required("tenancies.link_decision", "referrals.view_client")
def tenancy_link_decision(request, pk):
    """The case officer links the decision a housing administrator's
    move-in executes (services.moves.link_decision)."""
    queryset = Tenancy.objects.select_related("apartment", "client")
    tenancy = fetch_visible(
        request, queryset, perm="tenancies.link_decision", log=request.method == "GET", pk=pk
    )
    # The tenancy's client must be one the officer may open (a bolots or an
    # officer of another unit never links): the client's access rule.
    if not Client.objects.visible_to(request.user).filter(pk=tenancy.client_id).exists():
        raise Http404
    if not tenancy.decision_pending:
        messages.info(request, _("The tenancy's decision is already linked."))
        return redirect("tenancies:tenancy_detail", pk=pk)
    form = LinkDecisionForm(request.POST or None, tenancy=tenancy)
    if request.method == "POST":
        if form.is_valid():
            try:
                moves.link_decision(AuditContext.from_request(request), tenancy, form.cleaned_data["decision"],
                                    expected_version=form.expected_version())
            except services.TenancyError as error:
                add_rule_error(form, error)
            except ConcurrentEditError:
                tenancy = queryset.get(pk=pk)
                if not tenancy.decision_pending:
                    messages.info(request, _("The tenancy's decision is already linked."))
                    return redirect("tenancies:tenancy_detail", pk=pk)
                form = LinkDecisionForm(tenancy=tenancy)
                form.add_error(None, CONFLICT_MESSAGE)
            else:
                messages.success(request, _("The decision is linked and executed from the move-in date."))
                return redirect("tenancies:tenancy_detail", pk=pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return render(
        request, "tenancies/tenancies/link_decision.html",
        {"tenancy": tenancy, "client": tenancy.client, "form": form},
    )


# --- The tenancy page ------------------------------------------------------------------


def _detail_queryset(today):
    return (
        Tenancy.objects.select_related("apartment", "client", "decision", "created_by")
        .prefetch_related(Prefetch("insurances", queryset=HomeInsurance.objects.order_by("-valid_until", "-id")))
        .with_self_supporting(today)
    )


def _render_detail(request, tenancy, *, move_out_form=None, insurance_form=None, income_form=None, status=200):
    today = timezone.localdate()
    can_change = request.user.has_perm("tenancies.change_tenancy")
    insurances = list(tenancy.insurances.all())
    incomes = terms.incomes_of_stay(tenancy).select_related("tenancy").order_by("-valid_from", "-id")
    if can_change and tenancy.is_active:
        move_out_form = move_out_form or MoveOutForm(
            prefix="move_out", initial={"end_date": today, "version": tenancy.version}
        )
    else:
        move_out_form = None
    return render(
        request,
        DETAIL_TEMPLATE,
        {
            "tenancy": tenancy,
            "client": tenancy.client,
            # Which half of a protected tenancy the page may show (the person
            # and dates, or the apartment): referrals.protection.
            "side": protection.tenancy_side(request.user, tenancy),
            "today": today,
            "held_today": tenancy.start_date <= today and (tenancy.end_date is None or tenancy.end_date >= today),
            "insurances": insurances,
            "insured_today": terms.is_insured_on(insurances, today),
            "incomes": incomes,
            "can_change": can_change,
            "move_out_form": move_out_form,
            "insurance_form": (insurance_form or InsuranceForm(prefix="insurance")) if can_change else None,
            "income_form": (income_form or IncomeForm(prefix="income")) if can_change else None,
        },
        status=status,
    )


@permission_required("tenancies.view_tenancy")
def tenancy_detail(request, pk):
    tenancy = fetch_visible(request, _detail_queryset(timezone.localdate()), perm="tenancies.view_tenancy", pk=pk)
    return _render_detail(request, tenancy)


def _fetch_for_change(request, pk, queryset=None):
    """The tenancy a write is about; the service logs the write."""
    queryset = queryset if queryset is not None else _detail_queryset(timezone.localdate())
    return fetch_visible(request, queryset, perm="tenancies.change_tenancy", log=False, pk=pk)


def _show_again(request, tenancy, **forms):
    """A refused write: the page again with the user's input; a view."""
    log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return _render_detail(request, tenancy, **forms)


@permission_required("tenancies.change_tenancy")
@require_POST
def tenancy_move_out(request, pk):
    tenancy = _fetch_for_change(request, pk)
    form = MoveOutForm(request.POST, prefix="move_out")
    if form.is_valid():
        data = form.cleaned_data
        try:
            moves.move_out(
                AuditContext.from_request(request), tenancy, data["end_date"], data["end_reason"], data["note"],
                expected_version=form.expected_version(),
            )
        except services.TenancyError as error:
            add_rule_error(form, error)
        except ConcurrentEditError:
            tenancy = _detail_queryset(timezone.localdate()).get(pk=pk)
            form = form_after_conflict(request, MoveOutForm, tenancy, CONFLICT_MESSAGE, prefix="move_out")
        else:
            messages.success(request, _("The move-out was registered."))
            return redirect("tenancies:tenancy_detail", pk=pk)
    if not tenancy.is_active:
        # Ended meanwhile: the form is gone from the page, so say why on top.
        for error in form.non_field_errors():
            messages.error(request, error)
    return _show_again(request, tenancy, move_out_form=form)


@permission_required("tenancies.change_tenancy")
def tenancy_internal_move(request, pk):
    tenancy = fetch_visible(
        request,
        Tenancy.objects.select_related("apartment", "client", "decision"),
        perm="tenancies.change_tenancy",
        log=request.method == "GET",
        pk=pk,
    )
    if not tenancy.is_active:
        messages.error(request, _("Only an active tenancy can be moved."))
        return redirect("tenancies:tenancy_detail", pk=pk)
    form = InternalMoveForm(
        request.POST or None, tenancy=tenancy, user=request.user, initial={"start_date": timezone.localdate()}
    )
    if request.method == "POST":
        if form.is_valid():
            new_tenancy = form.save()
            try:
                moves.internal_move(
                    AuditContext.from_request(request), tenancy, new_tenancy,
                    expected_version=form.expected_version(), decision_pending=not form.chooses_decision,
                    move_out_on=form.move_out_on(),
                )
            except services.TenancyError as error:
                add_rule_error(form, error)
            except ConcurrentEditError:
                tenancy = Tenancy.objects.select_related("apartment", "client", "decision").get(pk=pk)
                form = form_after_conflict(request, InternalMoveForm, tenancy, CONFLICT_MESSAGE, tenancy=tenancy,
                                           user=request.user)
            else:
                messages.success(request, _("The internal move was registered."))
                return redirect("tenancies:tenancy_detail", pk=new_tenancy.pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return render(
        request, "tenancies/tenancies/internal_move.html", {"tenancy": tenancy, "client": tenancy.client, "form": form}
    )


@permission_required("tenancies.change_tenancy")
def tenancy_terms(request, pk):
    tenancy = fetch_visible(
        request,
        Tenancy.objects.select_related("apartment", "client"),
        perm="tenancies.change_tenancy",
        log=request.method == "GET",
        pk=pk,
    )
    form = TermsForm(request.POST or None, instance=tenancy)
    if request.method == "POST":
        if form.is_valid():
            expected = form.expected_version()
            try:
                terms.update_terms(AuditContext.from_request(request), form.save(), expected_version=expected)
            except ConcurrentEditError:
                current = Tenancy.objects.select_related("apartment", "client").get(pk=pk)
                form = form_after_conflict(request, TermsForm, current, CONFLICT_MESSAGE, instance=current)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("tenancies:tenancy_detail", pk=pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return render(request, "tenancies/tenancies/terms.html", {"tenancy": tenancy, "client": tenancy.client, "form": form})


# --- Home insurance and income sources --------------------------------------------------


@permission_required("tenancies.change_tenancy")
@require_POST
def tenancy_insurance_add(request, pk):
    tenancy = _fetch_for_change(request, pk)
    form = InsuranceForm(request.POST, prefix="insurance")
    if form.is_valid():
        try:
            terms.add_insurance(AuditContext.from_request(request), tenancy, form.save(commit=False))
        except services.TenancyError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The home insurance was registered."))
            return redirect("tenancies:tenancy_detail", pk=pk)
    return _show_again(request, tenancy, insurance_form=form)


@permission_required("tenancies.change_tenancy")
def tenancy_insurance_edit(request, pk, insurance_pk):
    tenancy = fetch_visible(
        request, Tenancy.objects.select_related("apartment", "client"), perm="tenancies.change_tenancy",
        log=request.method == "GET", pk=pk,
    )
    insurance = get_object_or_404(tenancy.insurances.all(), pk=insurance_pk)
    form = InsuranceForm(request.POST or None, instance=insurance)
    if request.method == "POST":
        if form.is_valid():
            try:
                terms.update_insurance(AuditContext.from_request(request), form.save(commit=False))
            except services.TenancyError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("tenancies:tenancy_detail", pk=pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return render(
        request, "tenancies/tenancies/insurance_form.html",
        {"tenancy": tenancy, "client": tenancy.client, "form": form, "insurance": insurance},
    )


@permission_required("tenancies.change_tenancy")
@require_POST
def tenancy_income_add(request, pk):
    tenancy = _fetch_for_change(request, pk)
    form = IncomeForm(request.POST, prefix="income")
    if form.is_valid():
        try:
            terms.add_income(AuditContext.from_request(request), tenancy, form.save(commit=False))
        except services.TenancyError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The income source was registered."))
            return redirect("tenancies:tenancy_detail", pk=pk)
    return _show_again(request, tenancy, income_form=form)


def _fetch_income(request, pk, income_pk):
    tenancy = fetch_visible(
        request, Tenancy.objects.select_related("apartment", "client"), perm="tenancies.change_tenancy",
        log=request.method == "GET", pk=pk,
    )
    # Income sources follow the tenant through internal moves: those of the
    # whole stay can be edited from any of its tenancies.
    income = get_object_or_404(terms.incomes_of_stay(tenancy).select_related("tenancy__client"), pk=income_pk)
    return tenancy, income


def _render_income(request, tenancy, income, form, end_form):
    return render(
        request, "tenancies/tenancies/income_form.html",
        {
            "tenancy": tenancy, "client": tenancy.client, "income": income, "form": form,
            "end_form": end_form if income.valid_to is None else None,
        },
    )


@permission_required("tenancies.change_tenancy")
def tenancy_income_edit(request, pk, income_pk):
    tenancy, income = _fetch_income(request, pk, income_pk)
    form = IncomeForm(request.POST or None, instance=income)
    if request.method == "POST":
        if form.is_valid():
            try:
                terms.update_income(AuditContext.from_request(request), form.save(commit=False))
            except services.TenancyError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("tenancies:tenancy_detail", pk=pk)
        log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return _render_income(request, tenancy, income, form, EndIncomeForm(prefix="end", initial={"valid_to": timezone.localdate()}))


@permission_required("tenancies.change_tenancy")
@require_POST
def tenancy_income_end(request, pk, income_pk):
    tenancy, income = _fetch_income(request, pk, income_pk)
    end_form = EndIncomeForm(request.POST, prefix="end")
    if end_form.is_valid():
        try:
            terms.end_income(AuditContext.from_request(request), income, end_form.cleaned_data["valid_to"])
        except services.TenancyError as error:
            add_rule_error(end_form, error)
        else:
            messages.success(request, _("The income source was ended."))
            return redirect("tenancies:tenancy_detail", pk=pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, tenancy)
    return _render_income(request, tenancy, income, IncomeForm(instance=income), end_form)
