from prevention.views import records, register, residents, structure

app_name = "prevention"

urlpatterns = [
    *records.urlpatterns,
    *register.urlpatterns,
    *structure.urlpatterns,
    *residents.urlpatterns,
]
