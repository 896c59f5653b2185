"""All tenancies URLs under one namespace; one module per area."""

from . import apartments, imports, tenancies

app_name = "tenancies"

urlpatterns = apartments.urlpatterns + tenancies.urlpatterns + imports.urlpatterns
