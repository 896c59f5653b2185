"""All tenancies URLs under one namespace; one module per area."""

from . import apartments, imports, lists, tenancies

app_name = "tenancies"

urlpatterns = lists.urlpatterns + apartments.urlpatterns + tenancies.urlpatterns + imports.urlpatterns
