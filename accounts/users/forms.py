from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Unit, User
from ..roles import Role


def _role_choices():
    return [(role, role) for role in Role.ALL]


class AccountAccessForm(forms.Form):
    """Unit, roles and the protected-data permission of one account. What a
    grant needs (a manager's approval) is decided by the service, not here."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=_role_choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    protected = forms.BooleanField(
        label=_("May see protected personal data"),
        required=False,
        help_text=_("Giving this, or a role that sees case data, takes effect when a manager of the unit approves."),
    )


class NewAccountForm(AccountAccessForm):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The new user sets a password through the link sent to this address.")
    )

    field_order = ["username", "first_name", "last_name", "email", "unit", "roles", "protected"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        validator = User.username_validator
        try:
            validator(username)
        except forms.ValidationError:
            raise forms.ValidationError(
                _("Use letters, digits and @ . + - _ only."), code="invalid"
            ) from None
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("That username is taken."), code="duplicate")
        return username


class HomeAddressForm(forms.ModelForm):
    """The account holder's home address, optional: the monthly log review
    flags reads of clients living there (logreview.rules)."""

    class Meta:
        model = User
        fields = ["home_street_address", "home_postal_code"]
        help_texts = {
            "home_street_address": _("Used only by the monthly log review, to flag reads of clients "
                                     "who live at the user's address."),
        }


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Search by name or username"), max_length=100, required=False)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.all(), required=False)
    inactive = forms.BooleanField(label=_("Show deactivated accounts"), required=False)


def roles_of(user: User) -> list[str]:
    return [group.name for group in user.groups.all() if group.name in Role.ALL]

