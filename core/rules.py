"""The one base class of a refused rule.

A service that refuses an operation raises a RuleError (or its app's
subclass) before its first write: the message is Swedish and for the user,
`field` names the form field it belongs beside (None: the form as a whole).
Views put it there with core.forms.add_rule_error, whichever app raised it,
so a higher app calling a lower app's service need not re-check the lower
app's rules just to place the message."""

from django.core.exceptions import ValidationError


class RuleError(ValidationError):
    def __init__(self, message, code: str = "invalid", field: str | None = None):
        super().__init__(message, code=code)
        self.field = field
