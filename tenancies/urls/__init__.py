"""All tenancies URLs under one namespace; one module per area."""

from . import apartments, imports, lists, offers, tenancies, vacancies, waiting

app_name = "tenancies"

urlpatterns = (
    lists.urlpatterns + apartments.urlpatterns + tenancies.urlpatterns + imports.urlpatterns
    + vacancies.urlpatterns + waiting.urlpatterns + offers.urlpatterns
)
