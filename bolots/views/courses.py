"""The housing course (boendekurs): the unit's rounds, a round with its
sessions and participants, enrolment, the attendance grid, the course
certificate (kursintyg) and the tenants who have not completed the course.

Rounds belong to the unit (CourseRound.visible_to). Participants follow
client access (Enrolment.visible_to): a bolots sees the participants among
the clients of their orders; the others are only counted. Writes go through
bolots.services.courses, which logs them (one row per participant).

Reading a round's pages is not logged: like the client list, they list
participants rather than open one person's file, and a row without a client
could not be found by the log review anyway. The certificate, which is about
one client and leaves the system, is logged as an export.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Max, Min, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import fetch_visible, log_export, permission_required, require_perm
from audit.conflicts import form_after_conflict
from audit.context import AuditContext
from audit.versioning import ConcurrentEditError
from core.forms import add_rule_error
from core.pdf import pdf_response, render_pdf

from ..forms.courses import (
    AttendanceForm,
    EnrolForm,
    RoundCreateForm,
    RoundForm,
    SessionForm,
    attended_name,
    made_up_name,
)
from ..models import Attendance, CourseRound, CourseSession, Enrolment
from ..models.courses import SESSIONS_PER_ROUND
from ..services import courses as services

ROUNDS_PER_PAGE = 25
TENANTS_PER_PAGE = 50
CERTIFICATE_OBJECT_TYPE = "bolots.course_certificate"


# --- The unit's rounds ------------------------------------------------------------------------


@permission_required("bolots.view_courseround")
def course_list(request):
    rounds = (
        CourseRound.objects.visible_to(request.user)
        .annotate(
            # Counted over all participants: numbers are not personal data.
            enrolled=Count("enrolments", distinct=True),
            completed=Count("enrolments", filter=Q(enrolments__completed_on__isnull=False), distinct=True),
            first_session=Min("sessions__held_on"),
            last_session=Max("sessions__held_on"),
        )
        .prefetch_related("leaders")
        .order_by("-starts_on", "-pk")
    )
    page = Paginator(rounds, ROUNDS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "bolots/courses/course_list.html",
        {
            "page_obj": page,
            "can_add": request.user.has_perm("bolots.add_courseround"),
            "can_see_missing": request.user.has_perm("bolots.view_enrolment"),
        },
    )


@permission_required("bolots.add_courseround")
def course_create(request):
    user = request.user
    initial = {"leaders": [user.pk] if user.is_pilot else [], "capacity": 6}
    form = RoundCreateForm(request.POST or None, unit_id=user.unit_id, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            course_round = services.create_round(
                AuditContext.from_request(request), form.save(commit=False),
                leaders=list(form.cleaned_data["leaders"]), starts_at=form.cleaned_data["starts_at"],
            )
        except services.CourseError as error:
            add_rule_error(form, error)
        else:
            messages.success(request, _("The course round was created with its four sessions."))
            return redirect("bolots:course_detail", pk=course_round.pk)
    return render(
        request, "bolots/courses/course_form.html", {"form": form, "creating": True, "has_errors": bool(form.errors)}
    )


def _round_queryset(*, leaders=True):
    """A round with its sessions (and leaders), and the number enrolled
    counted over all participants (numbers are not personal data)."""
    enrolled = (
        Enrolment.objects.filter(round=OuterRef("pk")).order_by().values("round").annotate(n=Count("pk")).values("n")
    )
    lookups = [Prefetch("sessions", queryset=CourseSession.objects.order_by("number"))]
    if leaders:
        lookups.append("leaders")
    return (
        CourseRound.objects.select_related("unit")
        .annotate(enrolled=Coalesce(Subquery(enrolled), 0))
        .prefetch_related(*lookups)
    )


def _participants(user, course_round):
    """The round's participants `user` may see, with the sessions each has
    attended or made up."""
    if not user.has_perm("bolots.view_enrolment"):
        return []
    return list(
        Enrolment.objects.visible_to(user)
        .filter(round=course_round)
        .select_related("client")
        .annotate(sessions_counted=services.sessions_counted())
        .order_by("client__last_name", "client__first_name", "pk")
    )


@permission_required("bolots.view_courseround")
def course_detail(request, pk):
    course_round = fetch_visible(request, _round_queryset(), perm="bolots.view_courseround", log=False, pk=pk)
    participants = _participants(request.user, course_round)
    enrolled = course_round.enrolled
    user = request.user
    return render(
        request,
        "bolots/courses/course_detail.html",
        {
            "round": course_round,
            "sessions": _with_end_times(list(course_round.sessions.all())),
            "participants": participants,
            "completed": [enrolment for enrolment in participants if enrolment.completed_on],
            "enrolled": enrolled,
            "not_shown": enrolled - len(participants),
            "places_left": max(course_round.capacity - enrolled, 0),
            "sessions_per_round": SESSIONS_PER_ROUND,
            "can_change": user.has_perm("bolots.change_courseround"),
            "can_enrol": user.has_perm("bolots.add_enrolment"),
            "can_attend": user.has_perm("bolots.view_attendance") and user.has_perm("bolots.view_enrolment"),
            "can_see_participants": user.has_perm("bolots.view_enrolment"),
        },
    )


def _with_end_times(sessions):
    for session in sessions:
        start = datetime.combine(session.held_on, session.starts_at)
        session.ends_at = (start + timedelta(minutes=session.minutes)).time()
    return sessions


def _session_forms(data, sessions):
    return [SessionForm(data, instance=session, prefix=f"session-{session.number}") for session in sessions]


@permission_required("bolots.change_courseround")
def course_edit(request, pk):
    course_round = fetch_visible(request, _round_queryset(), perm="bolots.change_courseround", log=False, pk=pk)
    sessions = list(course_round.sessions.all())
    if request.method != "POST":
        form = RoundForm(instance=course_round, unit_id=course_round.unit_id)
        session_forms = _session_forms(None, sessions)
    else:
        form = RoundForm(request.POST, instance=course_round, unit_id=course_round.unit_id)
        session_forms = _session_forms(request.POST, sessions)
        if form.is_valid() and all(session_form.is_valid() for session_form in session_forms):
            try:
                services.update_round(
                    AuditContext.from_request(request), form.save(commit=False),
                    [session_form.save(commit=False) for session_form in session_forms],
                    leaders=list(form.cleaned_data["leaders"]), today=timezone.localdate(),
                    expected_version=form.expected_version(),
                )
            except services.CourseError as error:
                _session_error(form, session_forms, error)
            except ConcurrentEditError:
                form, session_forms = _round_conflict(request, pk)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("bolots:course_detail", pk=pk)
    return render(
        request,
        "bolots/courses/course_form.html",
        {
            "form": form,
            "session_forms": session_forms,
            "round": course_round,
            "creating": False,
            "has_errors": bool(form.errors) or any(session_form.errors for session_form in session_forms),
        },
    )


def _session_error(form, session_forms, error):
    """A refused edit: the message beside the session's date, or the round's field."""
    for session_form in session_forms:
        if error.field == session_form.prefix:
            session_form.add_error("held_on", error.messages[0])
            return
    add_rule_error(form, error)


def _round_conflict(request, pk):
    """The user's input again, against the round as now stored."""
    current = _round_queryset().get(pk=pk)
    sessions = list(current.sessions.all())
    form = form_after_conflict(request, RoundForm, current, _(
        "Someone else saved this round while you were editing. Your changes are not saved yet: they are "
        "still in the form below. Check the round as it is now and save again."
    ), instance=current, unit_id=current.unit_id)
    session_forms = _session_forms(form.data, sessions)
    for session_form in session_forms:
        session_form.is_valid()
    return form, session_forms


# --- Enrolment -----------------------------------------------------------------------------------


@permission_required("bolots.add_enrolment")
def course_enrol(request, pk):
    course_round = fetch_visible(request, _round_queryset(), perm="bolots.add_enrolment", log=False, pk=pk)
    today = timezone.localdate()
    enrolled = course_round.enrolled
    candidates = services.enrolment_candidates(request.user, course_round, today)
    form = EnrolForm(request.POST or None, candidates=candidates)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.enrol(AuditContext.from_request(request), course_round, form.cleaned_data["client"], today)
            except services.CourseError as error:
                add_rule_error(form, error)
            else:
                messages.success(request, _("The client was enrolled in the course round."))
                return redirect("bolots:course_detail", pk=pk)
    return render(
        request,
        "bolots/courses/course_enrol.html",
        {
            "round": course_round,
            "form": form,
            "enrolled": enrolled,
            "is_full": enrolled >= course_round.capacity,
            "has_candidates": candidates.exists(),
        },
    )


# --- Attendance ----------------------------------------------------------------------------------


def _grid_rows(form, participants, sessions):
    """Participants × sessions, each cell with its two bound fields."""
    rows = []
    for enrolment in participants:
        cells = []
        for session in sessions:
            attended = form[attended_name(enrolment, session)]
            made_up = form[made_up_name(enrolment, session)]
            for field in (attended, made_up):
                if field.errors:
                    field.field.widget.attrs.update(
                        {"aria-invalid": "true", "aria-describedby": f"{field.auto_id}_error"}
                    )
                    if field is made_up:
                        field.field.widget.attrs["class"] += " is-invalid"
            cells.append({"session": session, "attended": attended, "made_up": made_up})
        rows.append({"enrolment": enrolment, "cells": cells})
    return rows


@permission_required("bolots.view_attendance", "bolots.view_enrolment")
def course_attendance(request, pk):
    if request.method == "POST":
        require_perm(request.user, "bolots.change_attendance")
    course_round = fetch_visible(
        request, _round_queryset(leaders=False), perm="bolots.view_attendance", log=False, pk=pk
    )
    today = timezone.localdate()
    sessions = list(course_round.sessions.all())
    participants = _participants(request.user, course_round)
    rows = list(Attendance.objects.filter(enrolment__in=[enrolment.pk for enrolment in participants]))
    stored = {(row.enrolment_id, row.session_id): row for row in rows}
    kwargs = {"enrolments": participants, "sessions": sessions, "stored": stored, "today": today}
    if request.method != "POST":
        form = AttendanceForm(**kwargs)
    else:
        form = AttendanceForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.record_attendance(
                    AuditContext.from_request(request), course_round, form.changed_marks(), today=today,
                    expected_versions=form.expected_versions(),
                    shown=[enrolment.pk for enrolment in participants],
                )
            except services.CourseError as error:
                add_rule_error(form, error)
            except ConcurrentEditError:
                form = _attendance_conflict(request, participants, sessions, today)
            else:
                messages.success(request, _("The attendance was saved."))
                return redirect("bolots:course_attendance", pk=pk)
    return render(
        request,
        "bolots/courses/course_attendance.html",
        {
            "round": course_round,
            "sessions": sessions,
            "form": form,
            "rows": _grid_rows(form, participants, sessions),
            "not_shown": course_round.enrolled - len(participants),
            "can_change": request.user.has_perm("bolots.change_attendance"),
            "sessions_per_round": SESSIONS_PER_ROUND,
        },
    )


def _attendance_conflict(request, participants, sessions, today):
    """The user's marks again, against the attendance and versions now stored."""
    versions = dict(Enrolment.objects.filter(pk__in=[e.pk for e in participants]).values_list("pk", "version"))
    for enrolment in participants:
        enrolment.version = versions.get(enrolment.pk, enrolment.version)
    rows = list(Attendance.objects.filter(enrolment__in=[enrolment.pk for enrolment in participants]))
    stored = {(row.enrolment_id, row.session_id): row for row in rows}
    return form_after_conflict(request, AttendanceForm, None, _(
        "Someone else saved attendance for this round while you were working. Nothing was saved: your "
        "marks are still in the form. Check them and save again."
    ), extra={"versions": services.grid_versions(participants)},
        enrolments=participants, sessions=sessions, stored=stored, today=today)


# --- The certificate -----------------------------------------------------------------------------


@permission_required("bolots.view_enrolment")
def course_certificate(request, enrolment_id):
    enrolment = fetch_visible(
        request,
        Enrolment.objects.select_related("client", "round", "round__unit").prefetch_related(
            "round__leaders", Prefetch("round__sessions", queryset=CourseSession.objects.order_by("number"))
        ),
        perm="bolots.view_enrolment",
        log=False,
        pk=enrolment_id,
    )
    if enrolment.completed_on is None:
        messages.error(request, _("A course certificate is given only when all four sessions are attended."))
        return redirect("bolots:course_detail", pk=enrolment.round_id)
    course_round = enrolment.round
    sessions = list(course_round.sessions.all())
    context = {
        "enrolment": enrolment,
        "client": enrolment.client,
        "round": course_round,
        "sessions": sessions,
        "leaders": list(course_round.leaders.all()),
        "first_day": sessions[0].held_on if sessions else course_round.starts_on,
        "last_day": sessions[-1].held_on if sessions else course_round.starts_on,
        "unit_name": settings.BOLOTS_UNIT_NAME,
        "unit": course_round.unit,
        "issued_on": timezone.localdate(),
    }
    rendered = render_pdf("bolots/courses/certificate_pdf.html", context, f"kursintyg-{enrolment.pk}.pdf")
    log_export(request, object_type=CERTIFICATE_OBJECT_TYPE, client=enrolment.client, note=f"PDF {enrolment.pk}")
    return pdf_response(rendered)


# --- Tenants without the course --------------------------------------------------------------------


@permission_required("bolots.view_enrolment", "referrals.view_client")
def course_missing(request):
    today = timezone.localdate()
    page = Paginator(services.tenants_without_course(request.user), TENANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    for tenancy in page.object_list:
        tenancy.days_since = (today - tenancy.start_date).days
    return render(
        request,
        "bolots/courses/course_missing.html",
        {"page_obj": page, "today": today, "sessions_per_round": SESSIONS_PER_ROUND},
    )
