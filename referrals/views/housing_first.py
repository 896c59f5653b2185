"""Housing First pages (docs/housing-chain.md "Housing First"): the unit's
candidate list, a candidate with its history, the working group's
assessment, the steering group's decisions and the Housing First decision.

Who sees which candidate is services.housing_first.visible_candidates (404
for the rest). Names come through Client.objects.visible_to (a prefetch, so
every read is logged and a client the user may not open shows no name); an
outreach subject is shown by name or description, never by address, and no
page here shows an address of anyone.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, OuterRef, Prefetch, Subquery, Value, When
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import permission_required
from accounts.submissions import single_submission
from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from core.forms import add_rule_error

from ..forms.housing_first import (
    AssessmentForm,
    CandidateEditForm,
    CandidateForm,
    DecisionForm,
    FilterForm,
    SteeringForm,
    WithdrawForm,
)
from ..models import Client
from ..models.housing_first import (
    CandidateAssessment,
    CandidateStage,
    HousingFirstCandidate,
    SteeringDecision,
    SteeringPriority,
)
from ..services import housing_first as services

PER_PAGE = 25
VIEW = "referrals.view_housingfirstcandidate"
STEERING_VIEW = "referrals.view_steeringdecision"

# The list's order: the stages in the order of the work, then the place in
# the priority order in force, then the oldest proposal first.
STAGE_ORDER = [
    CandidateStage.PRIORITISED, CandidateStage.ASSESSED, CandidateStage.PROPOSED, CandidateStage.DECIDED,
    CandidateStage.NOT_PRIORITISED, CandidateStage.WITHDRAWN,
]


def _with_people(candidates, user):
    """Candidates with their clients read through the access rule (logged)
    and their outreach orders (the subject's name only is shown)."""
    return candidates.select_related("outreach_order").prefetch_related(
        Prefetch("client", queryset=Client.objects.visible_to(user))
    )


def person_label(candidate):
    """The name shown for a candidate: the client's when the user may open
    the client, otherwise the outreach order's name or description."""
    if candidate.client is not None:
        return candidate.client.full_name
    order = candidate.outreach_order
    if order is not None and order.subject_name:
        return order.subject_name
    if candidate.client_id:
        return _("Client not visible to you")
    return _("Unnamed person")


def _newest_steering(user):
    if not user.unit_id:
        return None
    return SteeringDecision.objects.filter(unit_id=user.unit_id).order_by("-decided_on", "-id").first()


def _label_all(candidates):
    for candidate in candidates:
        candidate.person = person_label(candidate)
    return candidates


@permission_required(VIEW)
def candidate_list(request):
    user = request.user
    filters = FilterForm(request.GET or None)
    stage = source = ""
    if filters.is_valid():
        stage, source = filters.cleaned_data["steg"], filters.cleaned_data["kalla"]
    candidates = services.visible_candidates(user)
    if stage == "":
        candidates = candidates.filter(stage__in=CandidateStage.active())
    elif stage != "alla":
        candidates = candidates.filter(stage=stage)
    if source:
        candidates = candidates.filter(source=source)
    newest = _newest_steering(user)
    latest = CandidateAssessment.objects.filter(candidate=OuterRef("pk")).order_by("-met_on", "-id")
    candidates = candidates.annotate(
        stage_rank=Case(*[When(stage=value, then=Value(rank)) for rank, value in enumerate(STAGE_ORDER)],
                        output_field=IntegerField()),
        latest_met_on=Subquery(latest.values("met_on")[:1]),
        latest_recommendation=Subquery(latest.values("recommendation")[:1]),
        place=Subquery(
            SteeringPriority.objects.filter(candidate=OuterRef("pk"), steering_decision_id=newest.pk if newest else 0)
            .values("position")[:1]
        ),
    ).order_by("stage_rank", "place", "proposed_on", "pk")
    page = Paginator(_with_people(candidates, user), PER_PAGE).get_page(request.GET.get("page"))
    _label_all(page.object_list)
    recommendations = dict(CandidateAssessment.Recommendation.choices)
    for candidate in page.object_list:
        candidate.latest_recommendation_label = recommendations.get(candidate.latest_recommendation, "")
    priorities = []
    if newest is not None and user.has_perm(STEERING_VIEW):
        priorities = _priorities_of(newest, user)
    query = "&".join(f"{key}={value}" for key, value in (("steg", stage), ("kalla", source)) if value)
    return render(
        request,
        "referrals/housing_first/candidate_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "page_query": f"&{query}" if query else "",
            "newest": newest if user.has_perm(STEERING_VIEW) else None,
            "priorities": priorities,
            "can_add": user.has_perm("referrals.add_housingfirstcandidate"),
        },
    )


def _priorities_of(steering, user):
    """The places of a steering decision, with the candidates the user may
    see (a bolots's list shows only their own)."""
    visible = services.visible_candidates(user)
    priorities = list(
        steering.priorities.filter(candidate__in=visible).select_related("candidate", "candidate__outreach_order")
        .prefetch_related(Prefetch("candidate__client", queryset=Client.objects.visible_to(user)))
        .order_by("position")
    )
    for priority in priorities:
        priority.candidate.person = person_label(priority.candidate)
    return priorities


@permission_required("referrals.add_housingfirstcandidate")
@single_submission
def candidate_create(request):
    user = request.user
    form = CandidateForm(request.POST or None, user=user, initial={"proposed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            candidate = services.propose_candidate(
                AuditContext.from_request(request), user.unit, client=data.get("client"),
                outreach_order=data.get("outreach_order"), source=data["source"], situation=data["situation"],
                needs=data["needs"], assessment=data.get("assessment", ""), proposed_on=data["proposed_on"],
            )
        except services.HousingFirstError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The candidate was put on the Housing First list."))
            return redirect("referrals:hf_candidate", pk=candidate.pk)
    return render(request, "referrals/housing_first/candidate_form.html", {"form": form})


def _fetch(request, pk, *, perm=VIEW, log=True):
    """The candidate if the user may see it (404 otherwise), with its person
    and history; logged as a view unless `log` is False."""
    user = request.user
    if not user.has_perm(perm):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    candidate = (
        _with_people(services.visible_candidates(user), user)
        .select_related("proposed_by", "decision")
        .prefetch_related(
            Prefetch("assessments", queryset=CandidateAssessment.objects.select_related("recorded_by")),
            Prefetch("priorities", queryset=SteeringPriority.objects.select_related("steering_decision")),
        )
        .filter(pk=pk)
        .first()
    )
    if candidate is None:
        raise Http404
    candidate.person = person_label(candidate)
    if log:
        log_access(AuditContext.from_request(request), AccessAction.VIEW, candidate)
    return candidate


def _history(candidate):
    """The working group's assessments and the steering group's decisions
    on the candidate, oldest first."""
    events = [
        {"on": item.met_on, "kind": "assessment", "item": item, "order": (item.met_on, 0, item.pk)}
        for item in candidate.assessments.all()
    ] + [
        {"on": item.steering_decision.decided_on, "kind": "steering", "item": item,
         "order": (item.steering_decision.decided_on, 1, item.steering_decision_id)}
        for item in candidate.priorities.all()
    ]
    return sorted(events, key=lambda event: event["order"])


def _render_detail(request, candidate, conflict_values=None, **bound):
    user = request.user
    today = timezone.localdate()
    active = candidate.stage in CandidateStage.active()
    forms = {}
    if active and user.has_perm("referrals.change_housingfirstcandidate"):
        forms["edit"] = bound.get("edit") or CandidateEditForm(prefix="edit", instance=candidate)
        forms["withdraw"] = bound.get("withdraw") or WithdrawForm(prefix="withdraw")
    if candidate.stage in services.ASSESSABLE and user.has_perm("referrals.assess_housing_first"):
        forms["assessment"] = bound.get("assessment") or AssessmentForm(prefix="assessment", initial={"met_on": today})
    if candidate.stage == CandidateStage.PRIORITISED and user.has_perm("referrals.add_decision"):
        forms["decision"] = bound.get("decision") or DecisionForm(prefix="decision", initial={"decided_on": today})
    assessments = list(candidate.assessments.all())
    return render(
        request,
        "referrals/housing_first/candidate_detail.html",
        {
            "candidate": candidate,
            "latest_assessment": max(assessments, key=lambda item: (item.met_on, item.pk)) if assessments else None,
            "history": _history(candidate),
            "forms": forms,
            "can_see_steering": user.has_perm(STEERING_VIEW),
            "error_summary_forms": list(bound.values()),
            "conflict_values": conflict_values,
        },
    )


@permission_required(VIEW)
def candidate_detail(request, pk):
    return _render_detail(request, _fetch(request, pk))


def _act(request, pk, name, form, apply, success, perm):
    candidate = _fetch(request, pk, perm=perm, log=False)
    if form.is_valid():
        try:
            apply(AuditContext.from_request(request), candidate, form.cleaned_data)
        except services.HousingFirstError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, success)
            return redirect("referrals:hf_candidate", pk=pk)
    # The page is shown again with the message: a view of the candidate.
    candidate = _fetch(request, pk, perm=perm)
    return _render_detail(request, candidate, **{name: form})


@permission_required("referrals.change_housingfirstcandidate")
@require_POST
def candidate_edit(request, pk):
    candidate = _fetch(request, pk, perm="referrals.change_housingfirstcandidate", log=False)
    edit = save_edit(
        request, CandidateEditForm(request.POST, prefix="edit", instance=candidate),
        lambda form: services.update_candidate(AuditContext.from_request(request), form.save(commit=False),
                                               expected_version=form.expected_version()),
        reread=lambda: HousingFirstCandidate.objects.get(pk=pk),
        fields=services.TRACKED_FIELDS, message=CONFLICT_MESSAGE, prefix="edit",
    )
    if edit.saved:
        messages.success(request, _("The changes were saved."))
        return redirect("referrals:hf_candidate", pk=pk)
    # Shown again (re-read: the refused form set its values on the instance).
    candidate = _fetch(request, pk, perm="referrals.change_housingfirstcandidate")
    return _render_detail(request, candidate, conflict_values=edit.conflict_values, edit=edit.form)


CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this candidate while you were editing. Your changes are not saved yet: "
    "they are still in the form below. Compare with the saved values and save again."
)


@permission_required("referrals.assess_housing_first")
def assessment_create(request, pk):
    """The working group's assessment: a page of its own (linked from the
    list and the candidate) that posts back here."""
    if request.method != "POST":
        candidate = _fetch(request, pk, perm="referrals.assess_housing_first")
        return render(request, "referrals/housing_first/assessment_form.html", {
            "candidate": candidate,
            "form": AssessmentForm(prefix="assessment", initial={"met_on": timezone.localdate()}),
        })
    form = AssessmentForm(request.POST, prefix="assessment")
    candidate = _fetch(request, pk, perm="referrals.assess_housing_first", log=False)
    if form.is_valid():
        try:
            services.record_assessment(AuditContext.from_request(request), candidate, **form.cleaned_data)
        except services.HousingFirstError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The working group's assessment was recorded."))
            return redirect("referrals:hf_candidate", pk=pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, candidate)
    return render(request, "referrals/housing_first/assessment_form.html", {"candidate": candidate, "form": form})


@permission_required("referrals.add_decision", VIEW)
def make_decision(request, pk):
    if request.method != "POST":
        candidate = _fetch(request, pk)
        return render(request, "referrals/housing_first/decision_form.html", {
            "candidate": candidate,
            "form": DecisionForm(prefix="decision", initial={"decided_on": timezone.localdate()}),
        })
    form = DecisionForm(request.POST, prefix="decision")
    candidate = _fetch(request, pk, log=False)
    if form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.make_decision(
                AuditContext.from_request(request), candidate, decided_on=data["decided_on"],
                applied_on=data["applied_on"], reasoning=data["reasoning"],
            )
        except services.HousingFirstError as error:
            add_rule_error(form, error)
        except services.decision_services.DecisionError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The Housing First decision was made. It now waits for an apartment."))
            return redirect("referrals:decision_detail", pk=decision.pk)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, candidate)
    return render(request, "referrals/housing_first/decision_form.html", {"candidate": candidate, "form": form})


@permission_required("referrals.change_housingfirstcandidate")
@require_POST
def candidate_withdraw(request, pk):
    return _act(
        request, pk, "withdraw", WithdrawForm(request.POST, prefix="withdraw"),
        lambda ctx, candidate, data: services.withdraw(ctx, candidate, data["reason"]),
        _("The candidate was taken off the list."), "referrals.change_housingfirstcandidate",
    )


# --- The steering group --------------------------------------------------------


def _steering_form(request, newest):
    user = request.user
    candidates = list(
        _with_people(services.steerable_candidates(user.unit), user).order_by("proposed_on", "pk")
    )
    places = {}
    if newest is not None:
        places = dict(newest.priorities.values_list("candidate_id", "position"))
    labels = {}
    for candidate in candidates:
        candidate.current_place = places.get(candidate.pk)
        labels[candidate.pk] = _("Place for %(person)s (%(stage)s)") % {
            "person": person_label(candidate), "stage": candidate.get_stage_display()
        }
    candidates.sort(key=lambda c: (c.current_place is None, c.current_place or 0, c.proposed_on, c.pk))
    return SteeringForm(request.POST or None, candidates=candidates, labels=labels,
                        initial={"decided_on": timezone.localdate()})


@permission_required(STEERING_VIEW)
def steering_list(request):
    user = request.user
    decisions = SteeringDecision.objects.filter(unit_id=user.unit_id).select_related("decided_by").order_by(
        "-decided_on", "-id"
    ) if user.unit_id else SteeringDecision.objects.none()
    page = Paginator(decisions, PER_PAGE).get_page(request.GET.get("page"))
    form = None
    if user.has_perm("referrals.decide_housing_first") and user.unit_id:
        form = _steering_form(request, _newest_steering(user))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                steering = services.record_steering_decision(
                    AuditContext.from_request(request), user.unit, decided_on=data["decided_on"],
                    candidates=data["ordered"], notes=data["notes"],
                )
            except services.HousingFirstError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The steering group's decision was recorded."))
                return redirect("referrals:hf_steering_detail", pk=steering.pk)
    elif request.method == "POST":
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return render(request, "referrals/housing_first/steering_list.html", {"page_obj": page, "form": form})


@permission_required(STEERING_VIEW)
def steering_detail(request, pk):
    user = request.user
    steering = SteeringDecision.objects.filter(pk=pk, unit_id=user.unit_id).select_related("decided_by").first()
    if steering is None or not user.unit_id:
        raise Http404
    newest = _newest_steering(user)
    return render(request, "referrals/housing_first/steering_detail.html", {
        "steering": steering,
        "priorities": _priorities_of(steering, user),
        "in_force": newest is not None and newest.pk == steering.pk,
    })
