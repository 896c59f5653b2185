"""The manager's review of a month's drawn reads (docs/log-review.md).

Thin views over logreview.services. Access: the permission decides the role
(403 for everyone but managers), `months_visible_to` the unit (404 for a
manager of another unit, so months of other units cannot be probed). The
month page and an item's page show the clients as the log rows recorded them
(the snapshot, never the client record), and showing them is itself a read:
each shown client goes to the read recorder (audit.reads.saw_snapshot, as
the access-log page does) and the month or item view gets its own row.
Record ids and paths of the log rows are not shown: beside a protected
client's name they could say where the person lives.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.access import log_export, permission_required
from audit import labels, reads
from audit.conflicts import form_after_conflict, saved_values
from audit.context import AuditContext
from audit.models import AccessAction
from audit.services import log_access
from audit.versioning import ConcurrentEditError
from core.forms import add_rule_error
from core.pdf import pdf_response
from core.rules import RuleError

from .. import services
from ..forms.review import CloseInvestigationForm, JudgeForm, SignOffForm
from ..models import RiskRule, Verdict
from ..yearly import render_yearly_pdf

MONTHS_PER_PAGE = 24
ITEMS_PER_PAGE = 50

CONFLICT_MESSAGE = gettext_lazy(
    "Someone else judged this read while you were looking at it. Your verdict is not saved yet: it is still in "
    "the form below. Compare with the saved verdict and save again."
)


def _rule_label(code):
    try:
        return str(RiskRule(code).label)
    except ValueError:
        return code


def _describe(item, user):
    """What the page says about one drawn read, from its log row; the client
    shown is handed to the read recorder."""
    entry = item.entry
    reads.saw_snapshot(entry.client_id, entry.client_label, entry.client_number)
    item.what = labels.object_type_label(entry.object_type)
    item.action = labels.action_label(entry.action)
    item.rule_labels = [_rule_label(code) for code in item.rules or []]
    item.own = services.is_own_read(user, item)
    return item


def _month(request, pk, months=services.months_visible_to):
    return get_object_or_404(months(request.user).select_related("unit", "signed_off_by"), pk=pk)


def _item(request, pk):
    return get_object_or_404(
        services.items_visible_to(request.user).select_related(
            "review", "review__signed_off_by", "entry", "entry__user", "reader", "reviewed_by", "outcome_by"
        ),
        pk=pk,
    )


@permission_required(services.VIEW_PERM)
def month_list(request):
    months = services.with_counts(services.months_of_unit(request.user)).select_related("signed_off_by")
    page = Paginator(months.order_by("-month"), MONTHS_PER_PAGE).get_page(request.GET.get("page"))
    years = [day.year for day in services.months_of_unit(request.user).dates("month", "year", order="DESC")]
    return render(request, "logreview/month_list.html", {
        "page_obj": page, "years": years, "as_second_reviewer": services.months_as_second_reviewer(request.user),
    })


@permission_required(services.VIEW_PERM)
def month_detail(request, pk):
    month = _month(request, pk)
    counts = services.with_counts(services.months_visible_to(request.user)).get(pk=month.pk)
    # A second reviewer sees only the reads they may judge (items_visible_to).
    items = services.items_visible_to(request.user).filter(review=month).select_related("entry", "entry__user", "reader", "reviewed_by").order_by("entry__at", "pk")
    page = Paginator(items, ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    for item in page:
        _describe(item, request.user)
    services.log_month_view(AuditContext.from_request(request), month)
    can_review = request.user.has_perm(services.REVIEW_PERM)
    return render(request, "logreview/month_detail.html", {
        "month": month, "counts": counts, "page_obj": page, "can_review": can_review,
        "second_reviewer": services.is_second_reviewer(request.user, month),
        "may_sign_off": can_review and services.may_sign_off(request.user, month),
        "unreviewable": month.items.filter(no_other_reviewer=True).count() if month.signed_off_at else 0,
    })


def _after_failure(request, form_class, current, fields):
    """The user's input again after someone else saved the item, with the
    saved values beside it."""
    values = saved_values(current, fields)
    return form_after_conflict(request, form_class, None, CONFLICT_MESSAGE, version=current.version), values


@permission_required(services.VIEW_PERM)
def item_detail(request, pk):
    """One drawn read, and the verdict on it (POST: services.judge_item)."""
    item = _item(request, pk)
    conflict_values = None
    if request.method == "POST":
        services.require_review(request.user)
        form = JudgeForm(request.POST)
        if form.is_valid():
            try:
                services.judge_item(
                    AuditContext.from_request(request), item, verdict=form.cleaned_data["verdict"],
                    note=form.cleaned_data["note"], expected_version=form.expected_version(),
                )
            except ConcurrentEditError:
                item = _item(request, pk)
                form, conflict_values = _after_failure(request, JudgeForm, item, ("verdict", "note", "reviewed_by"))
            except RuleError as error:
                item = _item(request, pk)
                add_rule_error(form, error)
            else:
                messages.success(request, _("The verdict was saved."))
                return redirect("logreview:month_detail", pk=item.review_id)
    else:
        form = JudgeForm(initial={"verdict": item.verdict, "note": item.note}, version=item.version)
    _describe(item, request.user)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, item, note="log review")
    return render(request, "logreview/item_detail.html", {
        "item": item, "month": item.review, "form": form, "conflict_values": conflict_values,
        "may_judge": request.user.has_perm(services.REVIEW_PERM)
        and services.may_judge(request.user, item, item.review),
        "may_close": request.user.has_perm(services.REVIEW_PERM) and services.may_close(request.user, item),
    })


@permission_required(services.REVIEW_PERM)
def item_close(request, pk):
    """Close the investigation of a read with its outcome and the measures
    taken (services.close_investigation)."""
    item = _item(request, pk)
    if item.verdict != Verdict.INVESTIGATE:
        return redirect("logreview:item_detail", pk=item.pk)
    conflict_values = None
    if request.method == "POST":
        form = CloseInvestigationForm(request.POST)
        if form.is_valid():
            try:
                services.close_investigation(
                    AuditContext.from_request(request), item, outcome=form.cleaned_data["outcome"],
                    note=form.cleaned_data["outcome_note"], expected_version=form.expected_version(),
                )
            except ConcurrentEditError:
                item = _item(request, pk)
                form, conflict_values = _after_failure(
                    request, CloseInvestigationForm, item, ("outcome", "outcome_note", "outcome_by")
                )
            except RuleError as error:
                item = _item(request, pk)
                add_rule_error(form, error)
            else:
                messages.success(request, _("The investigation was closed."))
                return redirect("logreview:month_detail", pk=item.review_id)
    else:
        form = CloseInvestigationForm(version=item.version)
    _describe(item, request.user)
    log_access(AuditContext.from_request(request), AccessAction.VIEW, item, note="log review")
    return render(request, "logreview/item_close.html", {
        "item": item, "month": item.review, "form": form, "conflict_values": conflict_values,
        "may_close": services.may_close(request.user, item),
    })


@permission_required(services.REVIEW_PERM)
def month_sign_off(request, pk):
    # The unit's own managers only: a second reviewer does not sign off.
    month = _month(request, pk, services.months_of_unit)
    counts = services.with_counts(services.months_of_unit(request.user)).get(pk=month.pk)
    if request.method == "POST":
        form = SignOffForm(request.POST)
        if form.is_valid():
            try:
                services.sign_off(AuditContext.from_request(request), month, note=form.cleaned_data["note"])
            except RuleError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The month's review was signed off."))
                return redirect("logreview:month_detail", pk=month.pk)
    else:
        form = SignOffForm()
    if month.signed_off_at is None:
        blocking, unreviewable = services.unjudged(month, request.user)
    else:
        blocking, unreviewable = [], list(month.items.filter(no_other_reviewer=True).select_related("entry"))
    for item in unreviewable:
        _describe(item, request.user)
    return render(request, "logreview/sign_off.html", {
        "month": month, "counts": counts, "form": form, "blocking": len(blocking), "unreviewable": unreviewable,
    })


@permission_required(services.VIEW_PERM)
def yearly_pdf(request, year):
    """The unit's yearly summary as PDF; the download is logged."""
    months = services.months_of_unit(request.user)
    if not months.filter(month__year=year).exists():
        raise Http404
    rendered = render_yearly_pdf(request.user.unit, months, year)
    log_export(request, object_type="logreview.yearly", note=f"yearly summary {year}")
    return pdf_response(rendered)
