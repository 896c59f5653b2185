"""The evaluation's own words: the five texts of a year, one text's edit
page and change history, and the manager's delegates
(reports.services.narrative; docs/housing-chain.md).

Who gets in: the unit's managers (reports.write_narrative) and the users a
manager delegated the year to; anyone else logged in gets 403, a year
outside 2000…this year 404, and a delegation of another unit 404. The texts
are always the user's own unit's: no unit is named in a URL. The pages show
no client data; the personal-data check reads the unit's client names to
compare (reports.narrative_check) and shows only where and what kind.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from audit.conflicts import save_edit
from audit.context import AuditContext
from audit.models import FieldChange
from audit.services import object_type_of

from ..models import NarrativeDelegate, NarrativeState, NarrativeText
from ..narrative_forms import DelegateForm, NarrativeTextForm
from ..services import narrative as services
from .runs import default_year

HISTORY_PER_PAGE = 20
CONFLICT_MESSAGE = gettext_lazy(
    "Someone else saved this text while you were editing. Your text is not saved yet: it is still in the form "
    "below. Compare with the saved text and save again."
)


def _unit(request, year):
    """The unit whose texts of `year` the user writes (403 otherwise)."""
    if not services.FIRST_YEAR <= year <= timezone.localdate().year:
        raise Http404
    unit = services.unit_for(request.user, year)
    if unit is None:
        raise PermissionDenied
    return unit


def _section(slug):
    section = services.section_by_slug(slug)
    if section is None:
        raise Http404
    return section


def _findings_by_section(unit, texts):
    found: dict[str, list[str]] = {}
    for section, message in services.check_personal_data(unit, texts):
        found.setdefault(section, []).append(message)
    return found


@login_required
def narrative(request, year=None):
    year = default_year() if year is None else year
    unit = _unit(request, year)
    texts = services.texts_for(unit, year)
    found = _findings_by_section(unit, texts)
    manager = services.is_manager(request.user, unit)
    rows = [
        {
            "text": text,
            "title": services.TITLES[text.section],
            "guide": services.GUIDES[text.section],
            "slug": services.slug_of(text.section),
            "state": services.STATE_LABELS[text.state],
            "is_final": text.state == NarrativeState.FINAL,
            "written": bool(text.text),
            "findings": found.get(text.section, []),
        }
        for text in texts
    ]
    this_year = timezone.localdate().year
    return render(request, "reports/narrative/overview.html", {
        "year": year,
        "unit": unit,
        "rows": rows,
        "is_manager": manager,
        "previous_year": year - 1 if year - 1 >= services.FIRST_YEAR and manager else None,
        "next_year": year + 1 if year + 1 <= this_year and manager else None,
        "delegates": list(services.delegates_of(unit, year).filter(revoked_at__isnull=True)) if manager else [],
        "finals": sum(1 for row in rows if row["is_final"] and row["written"]),
    })


@login_required
@require_http_methods(["GET", "POST"])
def narrative_edit(request, year, section):
    unit = _unit(request, year)
    section = _section(section)
    text = services.text_for(unit, year, section)
    manager = services.is_manager(request.user, unit)
    locked = text.state == NarrativeState.FINAL and not manager
    if locked and request.method == "POST":
        raise PermissionDenied
    ctx = AuditContext.from_request(request)
    edit = save_edit(
        request, NarrativeTextForm(request.POST or None, instance=text),
        lambda form: services.save_text(ctx, text, form.cleaned_data["text"], form.cleaned_data["state"],
                                        form.expected_version()),
        reread=lambda: services.text_for(unit, year, section),
        fields=services.TRACKED_FIELDS, message=CONFLICT_MESSAGE,
    )
    if edit.saved:
        messages.success(request, _("The text “%(section)s” was saved.") % {"section": services.TITLES[section]})
        return redirect("reports:narrative", year=year)
    findings = [] if request.method == "POST" else [
        message for _section, message in services.check_personal_data(unit, [text])
    ]
    return render(request, "reports/narrative/edit.html", {
        "year": year,
        "unit": unit,
        "text": text,
        "section": section,
        "slug": services.slug_of(section),
        "title": services.TITLES[section],
        "guide": services.GUIDES[section],
        "state": services.STATE_LABELS[text.state],
        "form": edit.form,
        "conflict_values": edit.conflict_values,
        "locked": locked,
        "findings": findings,
    })


@login_required
def narrative_history(request, year, section):
    unit = _unit(request, year)
    section = _section(section)
    text = NarrativeText.objects.filter(unit=unit, year=year, section=section).first()
    changes = FieldChange.objects.none()
    if text is not None:
        changes = (
            FieldChange.objects.filter(object_type=object_type_of(text), object_id=str(text.pk))
            .select_related("user").order_by("-at", "-id")
        )
    page = Paginator(changes, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reports/narrative/history.html", {
        "year": year,
        "unit": unit,
        "section": section,
        "slug": services.slug_of(section),
        "title": services.TITLES[section],
        "page_obj": page,
    })


@login_required
@require_http_methods(["GET", "POST"])
def narrative_delegates(request, year):
    unit = _unit(request, year)
    if not (services.is_manager(request.user, unit) and request.user.has_perm(services.DELEGATE_PERM)):
        # A delegate writes, but does not delegate further.
        raise PermissionDenied
    ctx = AuditContext.from_request(request)
    candidates = services.delegate_candidates(unit, year, request.user)
    form = DelegateForm(candidates=candidates)
    if request.method == "POST" and request.POST.get("action") == "revoke":
        delegate_id = request.POST.get("delegate", "")
        delegation = NarrativeDelegate.objects.filter(
            pk=int(delegate_id) if delegate_id.isdigit() and len(delegate_id) < 19 else 0, unit=unit, year=year,
        ).select_related("unit", "user").first()
        if delegation is None:
            raise Http404
        services.revoke(ctx, delegation)
        messages.success(request, _("%(user)s may no longer write the texts of %(year)s.") % {
            "user": delegation.user, "year": year})
        return redirect("reports:narrative_delegates", year=year)
    if request.method == "POST":
        form = DelegateForm(request.POST, candidates=candidates)
        if form.is_valid():
            try:
                services.delegate(ctx, unit, year, form.cleaned_data["user"])
            except services.NarrativeError as error:
                form.add_error("user" if error.field else None, error.messages[0])
            else:
                messages.success(request, _("%(user)s may now write the texts of %(year)s and has been told so.") % {
                    "user": form.cleaned_data["user"], "year": year})
                return redirect("reports:narrative_delegates", year=year)
    return render(request, "reports/narrative/delegates.html", {
        "year": year,
        "unit": unit,
        "form": form,
        "delegates": list(services.delegates_of(unit, year)),
    })

