from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required
from accounts.submissions import single_submission
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import history_of, log_access
from audit.versioning import ConcurrentEditError
from core.forms import AnnulForm, add_rule_error

from ..forms.decisions import (
    CloseForm,
    DecisionForm,
    DecisionIvoForm,
    DelayReasonForm,
    ExecuteForm,
    InterruptForm,
    OfferEditForm,
    OfferForm,
    ResumeForm,
)
from ..models import Client, Decision, Offer
from ..services import decisions as services

DECISIONS_PER_PAGE = 25
WAITING_PER_PAGE = 25
DETAIL_TEMPLATE = "referrals/decisions/decision_detail.html"


@permission_required("referrals.view_decision")
def client_decisions(request, pk):
    client = fetch_visible(request, Client.objects.all(), perm="referrals.view_decision", pk=pk)
    today = timezone.localdate()
    decisions = (
        client.decisions.with_status(today).select_related("legal_basis").order_by("-decided_on", "-id")
    )
    page = Paginator(decisions, DECISIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "referrals/decisions/client_decisions.html",
        {
            "client": client,
            "page_obj": page,
            "can_add": request.user.has_perm("referrals.add_decision"),
        },
    )


@permission_required("referrals.add_decision")
@single_submission
def decision_create(request, pk):
    # Opening the form shows the client (a view); saving is logged by the
    # service as a create.
    client = fetch_visible(
        request, Client.objects.all(), perm="referrals.add_decision", log=request.method == "GET", pk=pk
    )
    form = DecisionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        decision = form.save(commit=False)
        decision.client = client
        try:
            services.record_decision(
                AuditContext.from_request(request),
                decision,
                with_bolots_support=form.cleaned_data["with_bolots_support"],
                allow_duplicate=form.cleaned_data["save_anyway"],
            )
        except services.LikelyDuplicate as error:
            form.show_save_anyway(error, error.existing, reverse("referrals:decision_detail", args=[error.existing.pk]))
        except services.MissingBolotsSupport as error:
            form.add_error(None, error)
            form.offer_bolots_support = True
        except services.DecisionError as error:
            form.add_error(None, error)
        else:
            if decision.created_bolots_support is not None:
                messages.success(
                    request, _("The decision and a decision on bolots support for the same period were registered.")
                )
            else:
                messages.success(request, _("The decision was registered."))
            return redirect("referrals:decision_detail", pk=decision.pk)
    return render(
        request,
        "referrals/decisions/decision_form.html",
        {"form": form, "client": client, "creating": True},
    )


def _detail_queryset():
    return Decision.objects.select_related(
        "client", "client__responsible_officer", "legal_basis", "decided_by"
    ).prefetch_related("interruptions", "offers")


def _open_interruption(decision):
    return next((item for item in decision.interruptions.all() if item.ended_on is None), None)


def _action_forms(request, decision, bound):
    """The forms the decision's state allows, by name; `bound` replaces one
    with the user's invalid input."""
    if not request.user.has_perm("referrals.change_decision") or decision.is_annulled:
        return {}
    # A decision saved by mistake (twice, on the wrong client) is annulled;
    # an executed one has had effects and is closed instead.
    annul = {} if decision.executed_on else {
        "annul": bound.get("annul") or AnnulForm(prefix="annul", version=decision.version)
    }
    if not decision.is_granted or decision.closed_on:
        return annul
    today = timezone.localdate()
    forms = {}
    open_interruption = _open_interruption(decision)
    if not decision.executed_on:
        forms["execute"] = ExecuteForm(prefix="execute", initial={"executed_on": today})
    elif open_interruption is not None:
        forms["resume"] = ResumeForm(prefix="resume", initial={"ended_on": today})
    else:
        forms["interrupt"] = InterruptForm(prefix="interrupt", initial={"started_on": today})
    if not decision.executed_on or open_interruption is not None:
        forms["offer"] = OfferForm(prefix="offer", initial={"offered_on": today})
        # The reason for the delay is edited with the rest of what IVO asks
        # (decision_ivo_details); this quick form stays only for a refused
        # post to decision_delay_reason, shown with its message.
        if "delay" in bound:
            forms["delay"] = bound["delay"]
    forms["close"] = CloseForm(prefix="close", initial={"closed_on": today})
    forms.update({name: form for name, form in bound.items() if name in forms})
    forms.update(annul)
    return forms


def _render_detail(request, decision, **bound):
    today = timezone.localdate()
    action_forms = _action_forms(request, decision, bound)
    # A refused step whose form the decision's state no longer offers (say,
    # executing an already executed decision): its message goes on top.
    refused = [
        error
        for name, form in bound.items()
        if action_forms.get(name) is not form
        for error in form.non_field_errors()
    ]
    return render(
        request,
        DETAIL_TEMPLATE,
        {
            "decision": decision,
            "client": decision.client,
            "status": decision.status_on(today),
            "partly_executed": decision.is_partly_executed_on(today),
            "open_interruption": _open_interruption(decision),
            "action_forms": action_forms,
            "refused": refused,
            "can_edit": request.user.has_perm("referrals.change_decision"),
            "can_edit_ivo": request.user.has_perm("referrals.change_decision") and decision.is_granted
            and not decision.is_annulled,
        },
    )


@permission_required("referrals.view_decision")
def decision_detail(request, pk):
    decision = fetch_visible(request, _detail_queryset(), perm="referrals.view_decision", pk=pk)
    return _render_detail(request, decision)


@permission_required("referrals.view_decision")
def decision_history(request, pk):
    # A page of its own: on the detail page it would take the query budget
    # past 12 (the detail page already reads interruptions and offers).
    decision = fetch_visible(
        request, Decision.objects.select_related("client"), perm="referrals.view_decision", pk=pk
    )
    return render(
        request,
        "referrals/decisions/decision_history.html",
        {"decision": decision, "client": decision.client, "history": history_of(decision)[:200]},
    )


def _act(request, pk, name, form_class, apply, success):
    """Run one state change from the detail page: validate the form named
    `name`, call the service, and go back to the decision; on refusal show
    the page again with the message beside the form."""
    decision = fetch_visible(request, _detail_queryset(), perm="referrals.change_decision", log=False, pk=pk)
    form = form_class(request.POST, prefix=name)
    if form.is_valid():
        try:
            apply(AuditContext.from_request(request), decision, form.cleaned_data)
        except services.DecisionError as error:
            form.add_error(None, error)
        else:
            messages.success(request, success)
            return redirect("referrals:decision_detail", pk=decision.pk)
    # The page is shown again: that is a view of the decision.
    log_access(AuditContext.from_request(request), AccessAction.VIEW, decision)
    return _render_detail(request, decision, **{name: form})


@permission_required("referrals.change_decision")
@require_POST
def decision_execute(request, pk):
    return _act(
        request, pk, "execute", ExecuteForm,
        lambda ctx, decision, data: services.execute_decision(ctx, decision, data["executed_on"], data["note"]),
        _("The decision is marked as executed."),
    )


@permission_required("referrals.change_decision")
@require_POST
def decision_interrupt(request, pk):
    return _act(
        request, pk, "interrupt", InterruptForm,
        lambda ctx, decision, data: services.interrupt_decision(ctx, decision, data["started_on"], data["reason"]),
        _("The interruption was registered."),
    )


@permission_required("referrals.change_decision")
@require_POST
def decision_resume(request, pk, interruption_pk):
    def apply(ctx, decision, data):
        interruption = get_object_or_404(decision.interruptions.all(), pk=interruption_pk)
        services.resume_decision(ctx, interruption, data["ended_on"])

    return _act(request, pk, "resume", ResumeForm, apply, _("The decision is marked as resumed."))


@permission_required("referrals.change_decision")
@require_POST
def decision_close(request, pk):
    return _act(
        request, pk, "close", CloseForm,
        lambda ctx, decision, data: services.close_decision(ctx, decision, data["closed_on"], data["reason"]),
        _("The decision was closed."),
    )


@permission_required("referrals.change_decision")
@require_POST
def decision_offer_add(request, pk):
    return _act(
        request, pk, "offer", OfferForm,
        lambda ctx, decision, data: services.record_offer(
            ctx, decision, data["offered_on"], data["description"], data["answer"], data["note"]
        ),
        _("The offer was registered."),
    )


@permission_required("referrals.change_decision")
@require_POST
def decision_delay_reason(request, pk):
    return _act(
        request, pk, "delay", DelayReasonForm,
        lambda ctx, decision, data: services.set_delay_reason(ctx, decision, data["delay_reason"]),
        _("The reason for the delay was saved."),
    )


@permission_required("referrals.change_decision")
@require_POST
def decision_annul(request, pk):
    """Makulera: the one who may edit the decision (its unit's case
    officers) annuls it with a reason (services.decisions.annul_decision)."""
    decision = fetch_visible(request, _detail_queryset(), perm="referrals.change_decision", log=False, pk=pk)
    form = AnnulForm(request.POST, prefix="annul")
    if form.is_valid():
        try:
            services.annul_decision(AuditContext.from_request(request), decision, form.cleaned_data["reason"],
                                    expected_version=form.expected_version())
        except ConcurrentEditError:
            form.add_error(None, _("Someone else changed the decision meanwhile. Look at it again before annulling."))
        except services.DecisionError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The decision is annulled. It stays in the history, marked annulled."))
            return redirect("referrals:decision_detail", pk=decision.pk)
    # Shown again with the message: that is a view of the decision, re-read
    # because a refused annulment may have set fields on the instance.
    decision = _detail_queryset().get(pk=pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, decision)
    return _render_detail(request, decision, annul=form)


CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this decision while you were editing. Your changes are not saved yet: "
    "they are still in the form below. Compare with the saved values and save again."
)


@permission_required("referrals.change_decision")
def decision_edit(request, pk):
    decision = fetch_visible(
        request,
        Decision.objects.select_related("client", "legal_basis", "decided_by"),
        perm="referrals.change_decision",
        log=request.method == "GET",
        pk=pk,
    )
    client = decision.client
    # The decision's rules refuse with a message for the form as a whole.
    edit = save_edit(
        request, DecisionForm(request.POST or None, instance=decision, user=request.user),
        lambda form: services.update_decision(AuditContext.from_request(request), form.save(commit=False),
                                              expected_version=form.expected_version()),
        reread=lambda: Decision.objects.select_related("legal_basis", "decided_by").get(pk=pk),
        fields=services.TRACKED_FIELDS, message=CONFLICT_MESSAGE, user=request.user,
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect("referrals:decision_detail", pk=pk)
    return render(
        request,
        "referrals/decisions/decision_form.html",
        {"form": edit.form, "client": client, "decision": decision, "creating": False,
         "conflict_values": edit.conflict_values},
    )


@permission_required("referrals.change_decision")
def decision_ivo_details(request, pk):
    """What IVO's report asks beside the dates: reason for the delay,
    consequences, interim support, partial execution
    (services.decisions.update_ivo_details)."""
    decision = fetch_visible(
        request, Decision.objects.select_related("client"), perm="referrals.change_decision",
        log=request.method == "GET", pk=pk,
    )
    if not decision.is_granted or decision.is_annulled:
        # Only a granted decision in effect is reported; the page is not offered otherwise.
        messages.error(request, _("Only a granted decision that is not annulled is reported to IVO."))
        return redirect("referrals:decision_detail", pk=pk)
    edit = save_edit(
        request, DecisionIvoForm(request.POST or None, instance=decision),
        lambda form: services.update_ivo_details(AuditContext.from_request(request), form.save(commit=False),
                                                 expected_version=form.expected_version()),
        reread=lambda: Decision.objects.select_related("client").get(pk=pk),
        fields=services.IVO_FIELDS, message=CONFLICT_MESSAGE,
    )
    if edit.saved:
        messages.success(request, _("The information for IVO was saved."))
        return redirect("referrals:decision_detail", pk=pk)
    return render(
        request, "referrals/decisions/ivo_details_form.html",
        {"form": edit.form, "client": decision.client, "decision": decision,
         "conflict_values": edit.conflict_values},
    )


OFFER_CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this offer while you were editing. Your changes are not saved yet: "
    "they are still in the form below. Compare with the saved values and save again."
)


@permission_required("referrals.change_decision")
def decision_offer_edit(request, pk, offer_pk):
    """Edit an offer, typically its answer (services.decisions.update_offer)."""
    decision = fetch_visible(
        request, Decision.objects.select_related("client"), perm="referrals.change_decision",
        log=request.method == "GET", pk=pk,
    )
    offer = get_object_or_404(Offer.objects.filter(decision=decision), pk=offer_pk)
    offer.decision = decision
    if decision.is_annulled:
        messages.error(request, _("The decision is annulled and cannot be changed."))
        return redirect("referrals:decision_detail", pk=pk)

    def reread():
        current = Offer.objects.get(pk=offer_pk)
        current.decision = decision
        return current

    edit = save_edit(
        request, OfferEditForm(request.POST or None, instance=offer),
        lambda form: services.update_offer(AuditContext.from_request(request), form.save(commit=False),
                                           expected_version=form.expected_version()),
        reread=reread, fields=services.OFFER_FIELDS, message=OFFER_CONFLICT_MESSAGE,
    )
    if edit.saved:
        messages.success(request, _("The offer was saved."))
        return redirect("referrals:decision_detail", pk=pk)
    return render(
        request, "referrals/decisions/offer_form.html",
        {"form": edit.form, "client": decision.client, "decision": decision, "offer": offer,
         "conflict_values": edit.conflict_values},
    )


@permission_required("referrals.view_decision")
def decision_waiting_list(request):
    today = timezone.localdate()
    page = Paginator(services.waiting_for_execution(request.user, today), WAITING_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    for decision in page.object_list:
        decision.days_waiting_now = (today - decision.waiting_since).days
        decision.needs_warning = decision.days_waiting_now >= services.WAITING_WARNING_DAYS
        decision.is_reportable = today > decision.report_after
    return render(
        request,
        "referrals/decisions/waiting_list.html",
        {"page_obj": page, "today": today, "warning_days": services.WAITING_WARNING_DAYS},
    )
