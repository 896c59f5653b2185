"""Culling pages: the runs of the manager's unit, a run's frozen list with
the approval, and the rules (docs/culling.md)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import fetch_visible, permission_required, require_perm
from audit.conflicts import save_edit
from audit.context import AuditContext
from core.tasks import enqueue_after_commit

from . import tasks
from .forms import RejectForm, RulesForm
from .models import CandidateStatus, CullingRun, RunStatus
from .registry import kind_labels
from .services.assessment import RESEARCH_DAY
from .services.rules import TRACKED_FIELDS, current_rules, save_rules
from .services.runs import NotApprovable, approve_run, make_run, reject_run


def _unit(request):
    # Culling lists are a unit's; a manager without a unit has none.
    if request.user.unit_id is None:
        raise PermissionDenied
    return request.user.unit


@permission_required("culling.view_cullingrun")
def run_list(request):
    runs = (CullingRun.objects.visible_to(request.user).select_related("approved_by", "made_by")
            .annotate(due=Count("candidates", filter=Q(candidates__status=CandidateStatus.DUE), distinct=True),
                      kept=Count("candidates", filter=Q(candidates__status=CandidateStatus.EXEMPT), distinct=True),
                      culled_count=Count("culled", distinct=True)))
    return render(request, "culling/run_list.html", {
        "runs": runs,
        "rules": current_rules(),
        "can_make": request.user.has_perm("culling.add_cullingrun"),
        "can_edit_rules": request.user.has_perm("culling.change_cullingrules"),
    })


@require_POST
@permission_required("culling.add_cullingrun")
def run_create(request):
    run = make_run(AuditContext.from_request(request), _unit(request))
    messages.success(request, _("Culling list #%(number)s was made. Nothing is culled until it is approved.")
                     % {"number": run.pk})
    return redirect("culling:run_detail", pk=run.pk)


def _reason_text(code, labels):
    if code == RESEARCH_DAY:
        return _("Born on a research day")
    kind, _sep, model = code.partition(":")
    name = labels.get(model, model)
    if kind == "open":
        return _("Open record: %(kind)s") % {"kind": name}
    return _("Record kind never culled: %(kind)s") % {"kind": name}


@permission_required("culling.view_cullingrun")
def run_detail(request, pk):
    run = fetch_visible(request, CullingRun.objects.select_related("approved_by", "made_by", "unit"),
                        perm="culling.view_cullingrun", pk=pk)
    return _detail(request, run)


def _detail(request, run, reject_form=None, status=200):
    labels = kind_labels()
    # select_related: the names are read from client instances, which the
    # read recorder logs (one access-log row per person shown).
    rows = []
    for candidate in run.candidates.select_related("client").order_by("status", "last_entry", "id"):
        rows.append({
            "candidate": candidate,
            "counts": [(labels.get(kind, kind), n) for kind, n in sorted(candidate.counts.items())],
            "reasons": [_reason_text(code, labels) for code in candidate.reasons],
        })
    return render(request, "culling/run_detail.html", {
        "run": run,
        "due": [row for row in rows if row["candidate"].status == CandidateStatus.DUE],
        "kept": [row for row in rows if row["candidate"].status == CandidateStatus.EXEMPT],
        "events": run.events.select_related("by"),
        "register": [(person, [(labels.get(kind, kind), n) for kind, n in sorted(person.counts.items())])
                     for person in run.culled.all()],
        "can_approve": run.status == RunStatus.LISTED and request.user.has_perm("culling.approve_cullingrun"),
        "reject_form": reject_form or RejectForm(),
    }, status=status)


@require_POST
@permission_required("culling.approve_cullingrun")
def run_approve(request, pk):
    run = fetch_visible(request, CullingRun.objects.all(), perm="culling.approve_cullingrun", pk=pk, log=False)
    try:
        run = approve_run(AuditContext.from_request(request), run)
    except NotApprovable as refused:
        messages.error(request, refused.messages[0])
    else:
        enqueue_after_commit(tasks.execute_approved_run, run.pk, request.user.pk)
        messages.success(request, _("Culling list #%(number)s was approved; the culling has started.")
                         % {"number": run.pk})
    return redirect("culling:run_detail", pk=run.pk)


@require_POST
@permission_required("culling.approve_cullingrun")
def run_reject(request, pk):
    """Reject a list waiting for approval, with the reason; a missing reason
    is shown beside the field and nothing changes."""
    run = fetch_visible(request, CullingRun.objects.select_related("approved_by", "made_by", "unit"),
                        perm="culling.approve_cullingrun", pk=pk, log=False)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _detail(request, run, reject_form=form, status=400)
    try:
        reject_run(AuditContext.from_request(request), run, form.cleaned_data["reason"])
    except NotApprovable as refused:
        messages.error(request, refused.messages[0])
    else:
        messages.success(request, _("Culling list #%(number)s was rejected; nothing on it is culled. Make a new "
                                    "list when what was wrong is put right: the persons due must still be "
                                    "culled in time.") % {"number": run.pk})
    return redirect("culling:run_detail", pk=run.pk)


@permission_required("culling.view_cullingrules")
def rules_edit(request):
    if request.method == "POST":
        require_perm(request.user, "culling.change_cullingrules")
    edit = save_edit(
        request, RulesForm(request.POST or None, instance=current_rules()),
        lambda form: save_rules(AuditContext.from_request(request), form.save(commit=False),
                                expected_version=form.expected_version()),
        reread=current_rules, fields=TRACKED_FIELDS,
        message=_("Someone else saved the culling rules while you were editing. Your input is below; "
                  "save again to replace theirs."),
    )
    if edit.saved:
        messages.success(request, _("The culling rules were saved."))
        return redirect("culling:run_list")
    return render(request, "culling/rules_form.html", {
        "form": edit.form, "conflict_values": edit.conflict_values,
        "can_change": request.user.has_perm("culling.change_cullingrules"),
    })
