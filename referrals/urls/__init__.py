"""All referrals URLs under one namespace; one module per area."""

from . import clients, decisions, housing_first, ivo, notices, orders, person_links, plans, risks, transfers

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
    + housing_first.urlpatterns
    + person_links.urlpatterns
)
