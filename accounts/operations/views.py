"""/drift/ and /drift/jobb/: thin views over core.scheduled. System-wide
operational facts, no case data: the permission decides, not the unit."""

from django.shortcuts import render
from django.utils import timezone

from core import scheduled

from ..access import permission_required

PERM = "core.view_scheduledjobrun"


@permission_required(PERM)
def index(request):
    return render(request, "operations/index.html", {})


@permission_required(PERM)
def jobs(request):
    states = scheduled.job_states(timezone.now())
    return render(request, "operations/jobs.html", {
        "jobs": states, "late_count": sum(state.late for state in states),
    })
