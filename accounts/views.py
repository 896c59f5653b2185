from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone

from .navigation import items_for, start_page_for
from .roles import Role
from .todo import sections_for


@login_required
def home(request):
    # Roles with a start page of their own (a bolots: "Min dag") go there;
    # ?oversikt=1 still shows the overview with every entry.
    start = start_page_for(request.user)
    if start and "oversikt" not in request.GET:
        return redirect(start)
    roles = [role for role in Role.ALL if request.user.has_role(role)]
    return render(
        request,
        "accounts/home.html",
        {
            "roles": [(role, Role.DESCRIPTIONS[role]) for role in roles],
            "sections": items_for(request.user),
            # "Att göra": what the user must act on, from the apps that own it.
            "todo": sections_for(request.user, timezone.now()),
        },
    )


@login_required
def notifications(request):
    """The user's notifications, newest first; opening the page marks them read."""
    items = list(request.user.notifications.all()[:100])
    if request.method == "POST":
        request.user.notifications.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("accounts:notifications")
    return render(request, "accounts/notifications.html", {"items": items})
