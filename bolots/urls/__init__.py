"""All bolots URLs under one namespace; one module per area."""

from . import courses, search, takeovers, visits, worklist

app_name = "bolots"

urlpatterns = (
    worklist.urlpatterns + visits.urlpatterns + search.urlpatterns + courses.urlpatterns
    + takeovers.urlpatterns
)
