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
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Subquery, Value, When
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


def _with_people(candidates, user, prefix=""):
    """Candidates (or rows reaching them through `prefix`) with their
    clients and outreach orders in the same query, and whether the user may
    open the client (Client.objects.visible_to): a name is shown only then.
    One query whatever the rows, so the pages keep their budget."""
    visible = Client.objects.visible_to(user).filter(pk=OuterRef(f"{prefix}client_id"))
    return candidates.select_related(f"{prefix}client", f"{prefix}outreach_order").annotate(
        client_visible=Exists(visible)
    )


def person_label(candidate, client_visible=None):
    """The name shown for a candidate: the client's when the user may open
    the client, otherwise the outreach order's name or description (never
    its address)."""
    visible = candidate.client_visible if client_visible is None else client_visible
    if candidate.client_id and visible:
        return candidate.client.full_name
    order = candidate.outreach_order
    if order is not None and order.subject_name:
        return order.subject_name
    if candidate.client_id:
        return _("Client not visible to you")
    return _("Unnamed person")


def _newest_id(unit_id):
    """The steering decision in force (the newest), as a subquery."""
    return Subquery(
        SteeringDecision.objects.filter(unit_id=unit_id).order_by("-decided_on", "-id").values("pk")[:1]
    )


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
    latest = CandidateAssessment.objects.filter(candidate=OuterRef("pk")).order_by("-met_on", "-id")
    newest = SteeringDecision.objects.filter(pk=_newest_id(user.unit_id or 0))
    # The priority order in force is the prioritised candidates by their
    # place in the newest steering decision (record_steering_decision moves
    # the others back to assessed): the top of this list, so the page needs
    # no query of its own for it. Every row carries the decision's id and
    # date (the same subquery) for the heading.
    candidates = candidates.annotate(
        stage_rank=Case(*[When(stage=value, then=Value(rank)) for rank, value in enumerate(STAGE_ORDER)],
                        output_field=IntegerField()),
        latest_met_on=Subquery(latest.values("met_on")[:1]),
        latest_recommendation=Subquery(latest.values("recommendation")[:1]),
        place=Subquery(
            SteeringPriority.objects.filter(candidate=OuterRef("pk"), steering_decision_id=_newest_id(user.unit_id or 0))
            .values("position")[:1]
        ),
        newest_id=Subquery(newest.values("pk")[:1]),
        newest_on=Subquery(newest.values("decided_on")[:1]),
    ).order_by("stage_rank", "place", "proposed_on", "pk")
    page = Paginator(_with_people(candidates, user), PER_PAGE).get_page(request.GET.get("page"))
    recommendations = dict(CandidateAssessment.Recommendation.choices)
    for candidate in page.object_list:
        candidate.person = person_label(candidate)
        candidate.latest_recommendation_label = recommendations.get(candidate.latest_recommendation, "")
    rows = list(page.object_list)
    newest_row = rows[0] if rows and rows[0].newest_id and user.has_perm(STEERING_VIEW) else None
    query = "&".join(f"{key}={value}" for key, value in (("steg", stage), ("kalla", source)) if value)
    return render(
        request,
        "referrals/housing_first/candidate_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "page_query": f"&{query}" if query else "",
            "newest": {"pk": newest_row.newest_id, "decided_on": newest_row.newest_on} if newest_row else None,
            "can_add": user.has_perm("referrals.add_housingfirstcandidate"),
        },
    )


def _priorities_of(steering, user):
    """The places of a steering decision, with the candidates the user may
    see (a bolots's list shows only their own), in one query."""
    visible = services.visible_candidates(user)
    priorities = list(
        _with_people(steering.priorities.filter(candidate__in=visible).select_related("candidate"), user,
                     prefix="candidate__")
        .order_by("position")
    )
    for priority in priorities:
        priority.candidate.person = person_label(priority.candidate, priority.client_visible)
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
    """The candidate if the user may see it (404 otherwise), with its person;
    logged as a view unless `log` is False."""
    user = request.user
    if not user.has_perm(perm):
        raise PermissionDenied
    candidate = (
        _with_people(services.visible_candidates(user), user)
        .select_related("proposed_by", "decision")
        .filter(pk=pk)
        .first()
    )
    if candidate is None:
        raise Http404
    candidate.person = person_label(candidate)
    candidate.visible_client = candidate.client if candidate.client_id and candidate.client_visible else None
    if log:
        log_access(AuditContext.from_request(request), AccessAction.VIEW, candidate)
    return candidate


def _history(candidate):
    """The working group's assessments and the steering group's places of
    the candidate, oldest first, read in one query (a union)."""
    fields = ["on", "kind", "notes", "recommendation", "first_name", "last_name", "username", "position",
              "steering_id", "pk"]
    assessments = CandidateAssessment.objects.filter(candidate=candidate).order_by().annotate(
        on=F("met_on"), kind=Value("assessment"), first_name=F("recorded_by__first_name"),
        last_name=F("recorded_by__last_name"), username=F("recorded_by__username"),
        position=Value(0), steering_id=Value(0),
    ).values_list(*fields)
    places = SteeringPriority.objects.filter(candidate=candidate).order_by().annotate(
        on=F("steering_decision__decided_on"), kind=Value("steering"), notes=Value(""), recommendation=Value(""),
        first_name=Value(""), last_name=Value(""), username=Value(""), steering_id=F("steering_decision_id"),
    ).values_list(*fields)
    recommendations = dict(CandidateAssessment.Recommendation.choices)
    events = []
    for row in assessments.union(places, all=True):
        event = dict(zip(fields, row, strict=True))
        event["by"] = f"{event['first_name']} {event['last_name']}".strip() or event["username"]
        event["recommendation_label"] = recommendations.get(event["recommendation"], "")
        events.append(event)
    # Same day: the working group meets before the steering group decides.
    return sorted(events, key=lambda e: (e["on"], e["kind"] != "assessment", e["steering_id"], e["pk"]))


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
    history = _history(candidate)
    assessments = [event for event in history if event["kind"] == "assessment"]
    return render(
        request,
        "referrals/housing_first/candidate_detail.html",
        {
            "candidate": candidate,
            "latest_assessment": max(assessments, key=lambda e: (e["on"], e["pk"])) if assessments else None,
            "history": history,
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


def _steering_form(request):
    """The candidates the steering group may order (assessed or prioritised),
    with their place in the order in force, in one query."""
    user = request.user
    candidates = list(
        _with_people(services.steerable_candidates(user.unit_id), user).annotate(
            current_place=Subquery(
                SteeringPriority.objects.filter(candidate=OuterRef("pk"), steering_decision_id=_newest_id(user.unit_id))
                .values("position")[:1]
            )
        )
    )
    labels = {}
    for candidate in candidates:
        labels[candidate.pk] = _("Place for %(person)s (%(stage)s)") % {
            "person": person_label(candidate), "stage": candidate.get_stage_display()
        }
    candidates.sort(key=lambda c: (c.current_place is None, c.current_place or 0, c.proposed_on, c.pk))
    return SteeringForm(request.POST or None, candidates=candidates, labels=labels,
                        initial={"decided_on": timezone.localdate()})


# The steering group meets a few times a year: the newest decisions are
# shown without paging (one query; the page's budget).
STEERING_SHOWN = 100


@permission_required(STEERING_VIEW)
def steering_list(request):
    user = request.user
    decisions = list(
        SteeringDecision.objects.filter(unit_id=user.unit_id).select_related("decided_by")
        .order_by("-decided_on", "-id")[:STEERING_SHOWN]
    ) if user.unit_id else []
    form = None
    if user.has_perm("referrals.decide_housing_first") and user.unit_id:
        form = _steering_form(request)
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
        raise PermissionDenied
    return render(request, "referrals/housing_first/steering_list.html", {"decisions": decisions, "form": form})


@permission_required(STEERING_VIEW)
def steering_detail(request, pk):
    user = request.user
    if not user.unit_id:
        raise Http404
    steering = (
        SteeringDecision.objects.filter(pk=pk, unit_id=user.unit_id).select_related("decided_by")
        .annotate(in_force=Exists(SteeringDecision.objects.filter(pk=_newest_id(user.unit_id), id=OuterRef("pk"))))
        .first()
    )
    if steering is None:
        raise Http404
    return render(request, "referrals/housing_first/steering_detail.html", {
        "steering": steering,
        "priorities": _priorities_of(steering, user),
        "in_force": steering.in_force,
    })
