"""Forms of the split reassignment of a bolots's caseload (manager).

Step one chooses the leaving bolots; step two lists their open orders,
grouped by client, with a receiver per order, per client (a client with
several orders moves as one) and "move all to" for the rest. The more
specific choice wins: the order's own, then its client's, then "move all
to". Every order must end with a receiver or be left on purpose: nothing is
left behind by accident.

Receivers are plain ChoiceFields filled from one list of people, so that
validating forty orders costs no query per field.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role

from ..models import ReassignedOrder, Reassignment
from ..services.reassignment import PlannedMove, people_of_role, plan_problems
from .orders import PersonChoiceField

KEEP = "keep"
SAME_PLACE = ""


class ChoosePilotForm(forms.Form):
    from_user = PersonChoiceField(
        label=_("The bolots whose orders are moved"), queryset=None,
        help_text=_("Also people who have left (deactivated accounts)."),
    )

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        people = people_of_role(manager.unit_id, Role.PILOT, active_only=False)
        # The roles are only needed for the labels of the unbound choice.
        self.fields["from_user"].queryset = people if self.is_bound else people.prefetch_related("groups")


@dataclass
class OrderRow:
    order: object
    receiver: forms.BoundField
    place: forms.BoundField | None


@dataclass
class ClientGroup:
    label: str
    receiver: forms.BoundField | None
    rows: list[OrderRow] = field(default_factory=list)


def plan_key(plan: dict[int, PlannedMove]) -> str:
    """A fingerprint of a plan: the confirm step carries the one the manager
    previewed, so that choices changed after the preview are previewed again
    before anything moves."""
    text = ";".join(
        f"{pk}:{move.to_user.pk if move.to_user else KEEP}:{move.place}" for pk, move in sorted(plan.items())
    )
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class SplitForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the reassignment"), max_length=Reassignment._meta.get_field("reason").max_length,
        help_text=_("For example: has left the unit, long leave."),
    )
    all_to = forms.ChoiceField(
        label=_("Move all to"), required=False,
        help_text=_("For every order without a choice of its own or its client's."),
    )

    def __init__(self, *args, orders, receivers, leaving, **kwargs):
        super().__init__(*args, **kwargs)
        self.orders, self.receivers, self.leaving = orders, receivers, leaving
        self.by_pk = {person.pk: person for person in receivers}
        people = [(str(person.pk), self._person_label(person)) for person in receivers]
        keep = (KEEP, _("Leave with %(person)s") % {"person": leaving})
        self.fields["all_to"].choices = [("", _("No one: choose per client or order")), *people]
        places = [
            (SAME_PLACE, _("The same place as %(person)s") % {"person": leaving}),
            *ReassignedOrder.Place.choices,
        ]
        self.groups: list[ClientGroup] = []
        for key, group_orders in self._grouped():
            first = group_orders[0]
            label = first.person_name if first.client_id else str(first)
            group_field = None
            if len(group_orders) > 1:
                name = f"client_{key}"
                self.fields[name] = forms.ChoiceField(
                    label=_("The whole client to (%(client)s)") % {"client": label}, required=False,
                    choices=[("", _("As chosen under “Move all to”")), *people, keep],
                )
                group_field = name
            group = ClientGroup(label=label, receiver=None)
            for order in group_orders:
                name = f"order_{order.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=_("New bolots for %(order)s") % {"order": order}, required=False,
                    choices=[("", _("As chosen for the client or under “Move all to”")), *people, keep],
                )
                place_name = None
                if order.active_pilot_id and order.passive_pilot_id:
                    place_name = f"place_{order.pk}"
                    self.fields[place_name] = forms.ChoiceField(
                        label=_("Place on %(order)s") % {"order": order}, required=False, choices=places,
                    )
                group.rows.append(OrderRow(order, self[name], self[place_name] if place_name else None))
            group.receiver = self[group_field] if group_field else None
            self.groups.append(group)

    def _grouped(self):
        groups: dict[str, list] = {}
        for order in self.orders:
            key = str(order.client_id) if order.client_id else f"o{order.pk}"
            groups.setdefault(key, []).append(order)
        return list(groups.items())

    @staticmethod
    def _person_label(person):
        name = person.get_full_name() or person.username
        return _("%(person)s (%(count)s open orders now)") % {"person": name, "count": person.open_orders}

    def _choice(self, name):
        if self.is_bound and hasattr(self, "cleaned_data"):
            return self.cleaned_data.get(name) or ""
        return ""

    def resolved(self) -> tuple[dict[int, PlannedMove], set[int]]:
        """(plan of the orders with a receiver or left on purpose, ids of the
        orders without either)."""
        plan, missing = {}, set()
        everyone = self._choice("all_to")
        for key, group_orders in self._grouped():
            group_choice = self._choice(f"client_{key}")
            for order in group_orders:
                choice = self._choice(f"order_{order.pk}") or group_choice or everyone
                if not choice:
                    missing.add(order.pk)
                elif choice == KEEP:
                    plan[order.pk] = PlannedMove(None)
                else:
                    person = self.by_pk.get(int(choice))
                    plan[order.pk] = PlannedMove(person, self._choice(f"place_{order.pk}"))
        return plan, missing

    def clean(self):
        data = super().clean()
        plan, missing = self.resolved()
        for pk in missing:
            self.add_error(f"order_{pk}", _("Choose who takes over this order, or leave it on purpose."))
        problems = plan_problems(self.orders, self.leaving, plan, self.receivers)
        for pk, message in problems.items():
            if pk not in missing:
                self.add_error(f"order_{pk}", message)
        # What can be moved as chosen: the caseload figures count only these.
        self.plan = {pk: move for pk, move in plan.items() if pk not in problems}
        return data

    def add_refusal(self, refusal):
        """Put a refused plan's messages beside the orders' fields."""
        known = {f"order_{pk}" for pk in (order.pk for order in self.orders)}
        for pk, message in refusal.order_errors.items():
            name = f"order_{pk}"
            self.add_error(name if name in known else None, message)
        if not refusal.order_errors:
            self.add_error(None, str(refusal))
