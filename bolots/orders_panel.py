"""Context of the bolots panels on the order page (referrals.order_panels)."""

from .services import visits as visit_services


def visit_panel_context(request, order) -> dict:
    """Whether the user may register a visit on this order now: one of its
    two bolotsar, the order under way (the same rule as the visit form).
    Without it, the bolots who has just accepted and started an order had to
    go back to Min dag to find the visit button (issue 12, journey 2)."""
    user = request.user if request is not None else None
    may_log = bool(user) and visit_services.may_log_visit(user, order) and visit_services.is_loggable(order)
    return {"may_log_visit": may_log}
