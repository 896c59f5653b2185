"""All referrals URLs under one namespace; one module per area."""

from . import clients, decisions, ivo, notices, orders, plans, risks, transfers

app_name = "referrals"

urlpatterns = (
    clients.urlpatterns
    + decisions.urlpatterns
    + plans.urlpatterns
    + ivo.urlpatterns
    + orders.urlpatterns
    + notices.urlpatterns
    + transfers.urlpatterns
    + risks.urlpatterns
)
