"""The tabs of a client's file (templates/referrals/includes/client_header.html).

Each app declares the tabs it adds to a client's file on its AppConfig, as
plain dicts, the way the main menu does (accounts.navigation):

    client_tabs = [{"tab": "visits", "label": _("Visits"), "url_name": "bolots:client_visits",
                    "perm": "bolots.view_visit", "order": 80}]

`tab` is the key a page passes to the header to mark its own tab active;
`url_name` is reversed with the client's pk; a tab without `perm` is shown
to everyone who sees the file. referrals renders what is registered, so it
names nothing of the apps above it.
"""

from typing import TYPE_CHECKING

from django.apps import apps
from django.urls import reverse

if TYPE_CHECKING:
    from accounts.models import User
    from referrals.models import Client


def registered_tabs() -> list[dict]:
    """Every app's declared tabs, in their order."""
    tabs = [tab for config in apps.get_app_configs() for tab in getattr(config, "client_tabs", ())]
    return sorted(tabs, key=lambda tab: tab.get("order", 100))


def tabs_for(user: "User | None", client: "Client", current: str) -> list[dict]:
    """Each registered tab as {key, label, url, active}; `url` is None for a
    tab the user may not open, so that the header keeps one line per tab."""
    out = []
    for tab in registered_tabs():
        perm = tab.get("perm")
        visible = not perm or (user is not None and user.has_perm(perm))
        out.append(
            {
                "key": tab["tab"],
                "label": tab["label"],
                "url": reverse(tab["url_name"], args=[client.pk]) if visible else None,
                "active": tab["tab"] == current,
            }
        )
    return out
