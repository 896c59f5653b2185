"""Main navigation: each app declares its entries on its AppConfig as plain
dicts, and each user sees the entries their permissions allow:

    navigation = [{"label": _("Clients"), "url_name": "referrals:client_list",
                   "perm": "referrals.view_client", "order": 10}]

Plain dicts keep apps below accounts (audit) free of imports from it, and
accounts free of imports from the apps above it.
"""

from django.apps import apps
from django.urls import reverse


def items_for(user, current_path=""):
    if not user.is_authenticated:
        return []
    entries = []
    for config in apps.get_app_configs():
        for item in getattr(config, "navigation", ()):
            perm = item.get("perm")
            if perm and not user.has_perm(perm):
                continue
            url = reverse(item["url_name"])
            entries.append(
                {
                    "label": item["label"],
                    "url": url,
                    "order": item.get("order", 100),
                    "active": url != "/" and current_path.startswith(url),
                }
            )
    return sorted(entries, key=lambda entry: entry["order"])
