from django.urls import path
from rest_framework.routers import DefaultRouter

from accountability.api.views import (
    IndicatorViewSet,
    PublicReportViewSet,
    ReportCsvFileApi,
    ReportPdfFileApi,
    ReportRunStartApi,
    ReportRunViewSet,
    RollUpViewSet,
)
from accounts.api.views import MeApi, TokenObtainApi, UserViewSet
from incentives.api.views import (
    AmountRuleViewSet,
    AwardRegisterViewSet,
    AwardViewSet,
    BcvViewSet,
    CommissionViewSet,
    FundViewSet,
    IncentiveGroundViewSet,
    IncentiveTypeViewSet,
    NominationCommentApi,
    NominationDecideApi,
    NominationEvidenceAddApi,
    NominationEvidenceFileApi,
    NominationPayApi,
    NominationReverseApi,
    NominationSubmitApi,
    NominationViewSet,
    SocialCaseDecideApi,
    SocialCaseOpenApi,
    SocialCasePayApi,
    SocialCaseViewSet,
)
from mahalla.api.views import TerritoryViewSet
from partnership.api.views import (
    ActivityConfirmApi,
    ActivityDisputeApi,
    ActivityEvidenceFileApi,
    ActivityLogApi,
    ActivityUpdateApi,
    ActivityViewSet,
    AgreementCreateApi,
    AgreementDocumentFileApi,
    AgreementTransitionApi,
    AgreementViewSet,
    InformationRequestViewSet,
    NotificationsMarkReadApi,
    NotificationViewSet,
    ObligationAddApi,
    ObligationCompleteApi,
    ObligationEvidenceFileApi,
    ObligationViewSet,
    OrganisationApplyApi,
    OrganisationVerifyApi,
    OrganisationViewSet,
    RegistryViewSet,
    RequestAnswerApi,
    RequestAttachmentFileApi,
    RequestCreateApi,
    StaffDeactivateApi,
    StaffInviteApi,
)
from prevention.api.periods import (
    PeriodAcceptApi,
    PeriodApprovalViewSet,
    PeriodApproveApi,
    PeriodReopenApi,
    PeriodReturnApi,
    PeriodSubmitApi,
)
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
router.register("periods", PeriodApprovalViewSet, basename="period")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("obligations", ObligationViewSet, basename="obligation")
router.register("activities", ActivityViewSet, basename="activity")
router.register("information-requests", InformationRequestViewSet, basename="information-request")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("registry", RegistryViewSet, basename="registry")
router.register("incentive-grounds", IncentiveGroundViewSet, basename="incentive-ground")
router.register("incentive-types", IncentiveTypeViewSet, basename="incentive-type")
router.register("amount-rules", AmountRuleViewSet, basename="amount-rule")
router.register("bcv", BcvViewSet, basename="bcv")
router.register("commissions", CommissionViewSet, basename="commission")
router.register("funds", FundViewSet, basename="fund")
router.register("nominations", NominationViewSet, basename="nomination")
router.register("awards", AwardViewSet, basename="award")
router.register("award-register", AwardRegisterViewSet, basename="award-register")
router.register("social-cases", SocialCaseViewSet, basename="social-case")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("rollups", RollUpViewSet, basename="rollup")
router.register("report-runs", ReportRunViewSet, basename="report-run")
router.register("reports", PublicReportViewSet, basename="report")

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
    # Period approval: one view per action (the reads and the summary are on the router).
    path("periods/submit/", PeriodSubmitApi.as_view(), name="period-submit"),
    path("periods/reopen/", PeriodReopenApi.as_view(), name="period-reopen"),
    path("periods/approve/", PeriodApproveApi.as_view(), name="period-approve"),
    path("periods/accept/", PeriodAcceptApi.as_view(), name="period-accept"),
    path("periods/return/", PeriodReturnApi.as_view(), name="period-return"),
    # Partnership writes, one view per operation (the reads are on the router below).
    path("organisations/apply/", OrganisationApplyApi.as_view(), name="organisation-apply"),
    path(
        "organisations/<int:pk>/verify/",
        OrganisationVerifyApi.as_view(),
        name="organisation-verify",
    ),
    path("organisations/<int:pk>/staff/invite/", StaffInviteApi.as_view(), name="staff-invite"),
    path("staff/<int:pk>/deactivate/", StaffDeactivateApi.as_view(), name="staff-deactivate"),
    path("agreements/create/", AgreementCreateApi.as_view(), name="agreement-create"),
    path(
        "agreements/<int:pk>/transition/",
        AgreementTransitionApi.as_view(),
        name="agreement-transition",
    ),
    path("agreements/<int:pk>/obligations/add/", ObligationAddApi.as_view(), name="obligation-add"),
    path(
        "obligations/<int:pk>/complete/",
        ObligationCompleteApi.as_view(),
        name="obligation-complete",
    ),
    path("activities/log/", ActivityLogApi.as_view(), name="activity-log"),
    path("activities/<int:pk>/update/", ActivityUpdateApi.as_view(), name="activity-update"),
    path("activities/<int:pk>/confirm/", ActivityConfirmApi.as_view(), name="activity-confirm"),
    path("activities/<int:pk>/dispute/", ActivityDisputeApi.as_view(), name="activity-dispute"),
    path("information-requests/create/", RequestCreateApi.as_view(), name="request-create"),
    path(
        "information-requests/<int:pk>/answer/", RequestAnswerApi.as_view(), name="request-answer"
    ),
    path(
        "notifications/mark-read/",
        NotificationsMarkReadApi.as_view(),
        name="notifications-mark-read",
    ),
    # Incentives writes, one view per operation (the reads are on the router below).
    path("nominations/submit/", NominationSubmitApi.as_view(), name="nomination-submit"),
    path(
        "nominations/<int:pk>/comment/", NominationCommentApi.as_view(), name="nomination-comment"
    ),
    path("nominations/<int:pk>/decide/", NominationDecideApi.as_view(), name="nomination-decide"),
    path("nominations/<int:pk>/pay/", NominationPayApi.as_view(), name="nomination-pay"),
    path(
        "nominations/<int:pk>/reverse/", NominationReverseApi.as_view(), name="nomination-reverse"
    ),
    path(
        "nominations/<int:pk>/evidence/add/",
        NominationEvidenceAddApi.as_view(),
        name="nomination-evidence-add",
    ),
    path("social-cases/open/", SocialCaseOpenApi.as_view(), name="social-case-open"),
    path("social-cases/<int:pk>/decide/", SocialCaseDecideApi.as_view(), name="social-case-decide"),
    path("social-cases/<int:pk>/pay/", SocialCasePayApi.as_view(), name="social-case-pay"),
    # Uploaded files, downloaded within the caller's scope.
    path(
        "activities/<int:pk>/evidence/<int:file_pk>/",
        ActivityEvidenceFileApi.as_view(),
        name="activity-evidence-file",
    ),
    path(
        "agreements/<int:pk>/documents/<int:file_pk>/",
        AgreementDocumentFileApi.as_view(),
        name="agreement-document-file",
    ),
    path(
        "obligations/<int:pk>/evidence/",
        ObligationEvidenceFileApi.as_view(),
        name="obligation-evidence-file",
    ),
    path(
        "information-requests/<int:pk>/attachments/<int:file_pk>/",
        RequestAttachmentFileApi.as_view(),
        name="request-attachment-file",
    ),
    path(
        "nominations/<int:pk>/evidence/<int:file_pk>/",
        NominationEvidenceFileApi.as_view(),
        name="nomination-evidence-file",
    ),
    path("report-runs/start/", ReportRunStartApi.as_view(), name="report-run-start"),
    path("reports/<int:pk>/pdf/", ReportPdfFileApi.as_view(), name="report-pdf-file"),
    path("reports/<int:pk>/csv/", ReportCsvFileApi.as_view(), name="report-csv-file"),
    *router.urls,
]
