from django import template

from accounts.drafts import services

register = template.Library()


@register.simple_tag(takes_context=True)
def draft_for(context, form):
    """{% draft_for form as draft %}: the form's draft token and, on a form
    opened afresh, the restored draft (accounts.drafts.services.prepare_form).
    Must run before the form's fields are rendered: includes/draft.html goes
    at the top of the <form>."""
    request = context.get("request")
    if request is None or form is None:
        return None
    return services.prepare_form(request, form)
