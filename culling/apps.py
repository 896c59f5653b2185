from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class CullingConfig(AppConfig):
    """Culling (gallring) of persons' files (docs/culling.md).

    The highest app layer below the project shell: it reads and deletes
    every app's records through what each app declares on its AppConfig
    (`culling_sources`, collected by culling.registry), and tells the apps
    below through core.signals, never by importing them for that.
    """

    name = "culling"
    verbose_name = _("Culling")
    # Managers: the rules decide what is destroyed and the approval is
    # theirs by law; a system administrator sees no case data and does not
    # decide what is destroyed.
    role_permissions = {
        Role.MANAGER: [
            "culling.view_cullingrun", "culling.add_cullingrun", "culling.approve_cullingrun",
            "culling.view_cullingrules", "culling.change_cullingrules",
        ],
    }
    navigation = [
        {"group": _("Follow-up"), "label": _("Culling"), "url_name": "culling:run_list",
         "perm": "culling.view_cullingrun", "order": 97},
    ]
    # The list of the unit waiting for approval (culling.todo), for those
    # who may approve it; the reminders (culling.reminders) say the same by
    # e-mail until it is approved.
    todo_sections = [
        {"key": "culling", "title": _("Culling lists awaiting approval"), "perm": "culling.approve_cullingrun",
         "order": 85, "items": "culling.todo.lists_awaiting", "more_url_name": "culling:run_list"},
    ]
    # The list shows persons the rules chose: a duty read (audit.reads), not flagged by the log review.
    duty_pages = {"culling:run_detail": "culling"}
    access_log_labels = {
        "object_types": {},
        "notes": {
            "culling list made": _("Culling list made"),
            "culling approved": _("Culling list approved"),
            "culling executed: ": _("Culling executed"),
            "culling list": _("Culling list"),
        },
    }
