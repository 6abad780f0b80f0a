from partnership.views import activities, agreements, organisations, public, requests

app_name = "partnership"

urlpatterns = [
    *organisations.urlpatterns,
    *agreements.urlpatterns,
    *activities.urlpatterns,
    *requests.urlpatterns,
    *public.urlpatterns,
]
