from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import MeApi, TokenObtainApi, UserViewSet
from mahalla.api.views import TerritoryViewSet
from prevention.api.views import (
    FeedbackModerateApi,
    FeedbackSubmitApi,
    FeedbackViewSet,
    InspectorViewSet,
    MeetingHeldApi,
    MeetingScheduleApi,
    MeetingViewSet,
    PreventionRecordViewSet,
    QuestionAddApi,
    QuestionUpdateApi,
    RecordCreateApi,
    RecordUpdateApi,
    RegisterEntryCreateApi,
    RegisterEntryUpdateApi,
    RegisterEntryViewSet,
    UnitViewSet,
)

app_name = "api"

router = DefaultRouter()
router.register("territories", TerritoryViewSet, basename="territory")
router.register("users", UserViewSet, basename="user")
router.register("units", UnitViewSet, basename="unit")
router.register("inspectors", InspectorViewSet, basename="inspector")
router.register("records", PreventionRecordViewSet, basename="record")
router.register("register-entries", RegisterEntryViewSet, basename="register-entry")
router.register("meetings", MeetingViewSet, basename="meeting")
router.register("feedback", FeedbackViewSet, basename="feedback")

urlpatterns = [
    path("auth/token/", TokenObtainApi.as_view(), name="auth-token"),
    path("me/", MeApi.as_view(), name="me"),
    # Prevention writes, one view per operation (the reads are on the router below).
    path("records/create/", RecordCreateApi.as_view(), name="record-create"),
    path("records/<int:pk>/update/", RecordUpdateApi.as_view(), name="record-update"),
    path(
        "register-entries/create/", RegisterEntryCreateApi.as_view(), name="register-entry-create"
    ),
    path(
        "register-entries/<int:pk>/update/",
        RegisterEntryUpdateApi.as_view(),
        name="register-entry-update",
    ),
    path("meetings/schedule/", MeetingScheduleApi.as_view(), name="meeting-schedule"),
    path("meetings/<int:pk>/held/", MeetingHeldApi.as_view(), name="meeting-held"),
    path("meetings/<int:pk>/questions/add/", QuestionAddApi.as_view(), name="question-add"),
    path("questions/<int:pk>/update/", QuestionUpdateApi.as_view(), name="question-update"),
    path("posts/<str:public_key>/feedback/", FeedbackSubmitApi.as_view(), name="feedback-submit"),
    path("feedback/<int:pk>/moderate/", FeedbackModerateApi.as_view(), name="feedback-moderate"),
    *router.urls,
]
