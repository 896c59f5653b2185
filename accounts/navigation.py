"""Main navigation: each app declares its entries on its AppConfig as plain
dicts, and each user sees the entries their permissions allow:

    navigation = [{"group": _("Housing"), "label": _("Apartments"),
                   "url_name": "tenancies:apartment_list",
                   "perm": "tenancies.view_apartment", "order": 60}]

An entry may say `"start_page": True`: the home page then sends the users
who may follow it straight there (a bolots starts the day on "Min dag").
Entries with the same group form one menu; a group the user has a single
entry in is shown as a plain link. Plain dicts keep apps below accounts
(audit) free of imports from it, and accounts free of imports from the apps
above it.
"""

from django.apps import apps
from django.urls import reverse
from django.utils.translation import get_language

from .permission_cache import user_values


def items_for(user, current_path=""):
    """Every entry the user may follow, in order: {label, url, group, active}."""
    if not user.is_authenticated:
        return []
    return [
        {**entry, "active": entry["url"] != "/" and current_path.startswith(entry["url"])}
        for entry in _allowed_entries(user)
    ]


def _allowed_entries(user):
    """The entries without `active`, kept per user and language in the cache
    (accounts.permission_cache: renewed when the user's permissions change)."""
    return user_values(user, f"nav:{get_language()}", lambda: _compute_entries(user))


def _compute_entries(user):
    entries = []
    for config in apps.get_app_configs():
        for item in getattr(config, "navigation", ()):
            perm = item.get("perm")
            if perm and not user.has_perm(perm):
                continue
            entries.append(
                {
                    # Translated now: the cache keeps plain strings.
                    "label": str(item["label"]),
                    "url": reverse(item["url_name"]),
                    "group": str(item.get("group") or item["label"]),
                    "order": item.get("order", 100),
                    "start_page": item.get("start_page", False),
                }
            )
    return sorted(entries, key=lambda entry: entry["order"])


def start_page_for(user):
    """The URL of the first start-page entry the user may follow, or None."""
    for entry in items_for(user):
        if entry["start_page"]:
            return entry["url"]
    return None


def header_search_for(user):
    """The search box in the page header, or None: the first entry an app
    declares as `header_search` on its AppConfig that the user may use
    (referrals: clients by name or personal identity number), as
    {url, label}. The box POSTs to `url_name`, so that what is searched
    for never appears in a URL."""
    if not user.is_authenticated:
        return None
    return user_values(user, f"search:{get_language()}", lambda: _compute_header_search(user))


def _compute_header_search(user):
    for config in apps.get_app_configs():
        entry = getattr(config, "header_search", None)
        if entry and (not entry.get("perm") or user.has_perm(entry["perm"])):
            return {"url": reverse(entry["url_name"]), "label": str(entry["label"]), "help": str(entry.get("help", ""))}
    return None


def menu_for(user, current_path=""):
    """The entries grouped for the menu bar: [{label, entries, active}], in
    the order of each group's first entry."""
    groups = {}
    for entry in items_for(user, current_path):
        group = groups.setdefault(str(entry["group"]), {"label": entry["group"], "entries": [], "active": False})
        group["entries"].append(entry)
        group["active"] = group["active"] or entry["active"]
    return list(groups.values())
