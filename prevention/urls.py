from prevention.views import records, register, residents

app_name = "prevention"

urlpatterns = [*records.urlpatterns, *register.urlpatterns, *residents.urlpatterns]
