"""Forms of one person, one record (views.person_links, services.person_matching)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Client
from .clients import ClientSearchForm

# The value of the registration forms' decision buttons (the "Möjliga
# träffar" step): register as someone else. The ids of the proposals the
# user saw travel in MATCH_SEEN, so that a proposal that appeared since is
# shown before anything is saved.
MATCH_DECISION = "match_decision"
MATCH_SEEN = "match_seen"
DECISION_NEW = "new"
DECISION_LINK_PREFIX = "client:"


def seen_key(match) -> str:
    """The id of a proposal in the hidden field: ids only, no personal data."""
    return f"c{match.client.pk}" if match.client is not None else f"o{match.order.pk}"


def seen_value(matches) -> str:
    return ",".join(seen_key(match) for match in matches.found)


def all_seen(posted: str, matches) -> bool:
    seen = set(filter(None, (posted or "").split(",")))
    return {seen_key(match) for match in matches.found} <= seen


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 300)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "off"}))
        super().__init__(**kwargs)


class UnlinkForm(forms.Form):
    reason = ReasonField(label=_("Why is the link undone?"), required=True)


class LinkActionForm(forms.Form):
    """One proposal on a client's links page: link or confirm different."""

    LINK, DIFFERENT = "link", "different"

    action = forms.ChoiceField(choices=[(LINK, LINK), (DIFFERENT, DIFFERENT)], widget=forms.HiddenInput)
    target = forms.RegexField(regex=r"^[co][0-9]{1,18}$", widget=forms.HiddenInput)
    reason = ReasonField(label=_("Comment"), required=False)

    def target_kind_and_pk(self):
        target = self.cleaned_data["target"]
        return target[0], int(target[1:])


class OrderClientSearchForm(ClientSearchForm):
    """Search the unit's clients for an outreach subject (POST only: a name
    or number never reaches a URL)."""


class OrderLinkForm(forms.Form):
    LINK, DIFFERENT = "link", "different"

    action = forms.ChoiceField(choices=[(LINK, LINK), (DIFFERENT, DIFFERENT)], widget=forms.HiddenInput)
    client = forms.ModelChoiceField(queryset=Client.objects.none(), widget=forms.HiddenInput)
    reason = ReasonField(label=_("Comment"), required=False)

    def __init__(self, *args, clients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = clients
