urlpatterns = []

