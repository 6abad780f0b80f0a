"""Output serializers of the partnership API, one per resource and use case, and the fields
the input serializers of the write endpoints (partnership.api.views) share.

The public registry has its own serializer holding no internal data (no obligations,
documents, who changed what, or counts of internal records).
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Membership, Notification, Role
from partnership.models import (
    Agreement,
    InformationRequest,
    JointActivity,
    Obligation,
    Organisation,
    PartnershipArea,
)
from prevention.api.serializers import EnumChoiceField

# --- Shared fields --------------------------------------------------------------------------
# Named enums: "kind", "status" and "state" mean other choices in other apps and models.


def organisation_kind_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=Organisation.Kind.choices, enum_name="OrganisationKindEnum", **kwargs
    )


def verification_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=Organisation.Verification.choices,
        enum_name="OrganisationVerificationEnum",
        **kwargs,
    )


def agreement_status_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=Agreement.Status.choices, enum_name="AgreementStatusEnum", **kwargs
    )


def obligation_party_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=Obligation.Party.choices, enum_name="ObligationPartyEnum", **kwargs
    )


def obligation_state_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=Obligation.State.choices, enum_name="ObligationStateEnum", **kwargs
    )


def activity_kind_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=JointActivity.Kind.choices, enum_name="JointActivityKindEnum", **kwargs
    )


def activity_status_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=JointActivity.Status.choices, enum_name="JointActivityStatusEnum", **kwargs
    )


def request_direction_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=InformationRequest.Direction.choices,
        enum_name="InformationRequestDirectionEnum",
        **kwargs,
    )


def request_state_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=InformationRequest.State.choices,
        enum_name="InformationRequestStateEnum",
        **kwargs,
    )


STAFF_ROLES = [(role.value, role.label) for role in (Role.NGO_STAFF, Role.NGO_ADMIN)]


def staff_role_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(choices=STAFF_ROLES, enum_name="StaffRoleEnum", **kwargs)


# --- Small nested pieces --------------------------------------------------------------------


class AreaOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))

    class Meta:
        model = PartnershipArea
        fields = ["id", "code", "name"]
        read_only_fields = fields


class OrganisationBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name"]
        read_only_fields = fields


class FileOutputSerializer(serializers.Serializer):
    """An uploaded file: where to download it (through the API, within the caller's scope),
    its checked content type and its size in bytes."""

    url_name = ""  # of the download endpoint, in config.api_urls
    parent_field = ""  # the id of the record the file belongs to

    id = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()
    content_type = serializers.CharField(read_only=True)
    size = serializers.IntegerField(read_only=True)

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, stored) -> str:
        return _absolute(
            self, f"api:{self.url_name}", getattr(stored, self.parent_field), stored.pk
        )


class EvidenceOutputSerializer(FileOutputSerializer):
    url_name, parent_field = "activity-evidence-file", "activity_id"


class AttachmentOutputSerializer(FileOutputSerializer):
    url_name, parent_field = "request-attachment-file", "request_id"


class DocumentOutputSerializer(FileOutputSerializer):
    url_name, parent_field = "agreement-document-file", "agreement_id"

    title = serializers.CharField(read_only=True)


def _absolute(serializer, url_name: str, *args) -> str:
    path = reverse(url_name, args=args)
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


# --- Organisations and staff ----------------------------------------------------------------


def _blank_or(format_: str) -> dict:
    """The schema of a value in the given string format, or blank: "" is no valid e-mail or
    URI, yet an organisation need not give one."""
    return {"oneOf": [{"type": "string", "format": format_}, {"type": "string", "maxLength": 0}]}


@extend_schema_field(_blank_or("email"))
class BlankOrEmailField(serializers.EmailField):
    pass


@extend_schema_field(_blank_or("uri"))
class BlankOrUrlField(serializers.URLField):
    pass


class OrganisationOutputSerializer(serializers.ModelSerializer):
    kind = organisation_kind_field(read_only=True)
    verification = verification_field(read_only=True)
    email = BlankOrEmailField(read_only=True)
    website = BlankOrUrlField(read_only=True)
    applicant_email = BlankOrEmailField(read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    areas = AreaOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "kind",
            "registration_number",
            "territory",
            "territory_name",
            "areas",
            "address",
            "phone",
            "email",
            "website",
            "verification",
            "verified_at",
            "applicant_name",
            "applicant_email",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrganisationApplicationOutputSerializer(serializers.ModelSerializer):
    """What an anonymous applicant gets back: the application is received, nothing more."""

    verification = verification_field(read_only=True)

    class Meta:
        model = Organisation
        fields = ["id", "name", "registration_number", "verification", "created_at"]
        read_only_fields = fields


class StaffMembershipOutputSerializer(serializers.ModelSerializer):
    role = staff_role_field(read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "username",
            "full_name",
            "email",
            "is_active",
            "role",
            "organisation",
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields


# --- Agreements and obligations -------------------------------------------------------------


class AgreementOutputSerializer(serializers.ModelSerializer):
    status = agreement_status_field(read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    organisations = OrganisationBriefSerializer(many=True, read_only=True)
    areas = AreaOutputSerializer(many=True, read_only=True)
    # Annotated by partnership.selectors.agreement_list.
    obligations_total = serializers.IntegerField(read_only=True)
    obligations_done = serializers.IntegerField(read_only=True)
    confirmed_activities = serializers.IntegerField(read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "title",
            "unit",
            "unit_name",
            "organisations",
            "areas",
            "signed_on",
            "valid_from",
            "valid_to",
            "status",
            "status_changed_at",
            "is_public",
            "obligations_total",
            "obligations_done",
            "confirmed_activities",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ObligationOutputSerializer(serializers.ModelSerializer):
    party = obligation_party_field(read_only=True)
    state = obligation_state_field(read_only=True)
    agreement_number = serializers.CharField(source="agreement.number", read_only=True)
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )
    evidence_file = serializers.SerializerMethodField(
        allow_null=True,
        help_text=_("Where to download the evidence file, if one was attached."),
    )

    class Meta:
        model = Obligation
        fields = [
            "id",
            "agreement",
            "agreement_number",
            "text",
            "party",
            "organisation",
            "organisation_name",
            "due_date",
            "state",
            "done_on",
            "evidence",
            "evidence_file",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_evidence_file(self, obligation: Obligation) -> str | None:
        if not obligation.evidence_file:
            return None
        return _absolute(self, "api:obligation-evidence-file", obligation.pk)


class AgreementDetailOutputSerializer(AgreementOutputSerializer):
    obligations = ObligationOutputSerializer(many=True, read_only=True)
    documents = DocumentOutputSerializer(many=True, read_only=True)

    class Meta(AgreementOutputSerializer.Meta):
        fields = [*AgreementOutputSerializer.Meta.fields, "obligations", "documents"]
        read_only_fields = fields


class RegistryAgreementOutputSerializer(serializers.ModelSerializer):
    """An entry of the public registry: the memorandum's parties, subject and dates only."""

    unit_name = serializers.CharField(source="unit.name", read_only=True)
    organisations = OrganisationBriefSerializer(many=True, read_only=True)
    areas = AreaOutputSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "title",
            "unit",
            "unit_name",
            "organisations",
            "areas",
            "signed_on",
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields


# --- Joint activities -----------------------------------------------------------------------


class ActivityOutputSerializer(serializers.ModelSerializer):
    kind = activity_kind_field(read_only=True)
    status = activity_status_field(read_only=True)
    agreement_number = serializers.CharField(
        source="agreement.number", read_only=True, default=None, allow_null=True
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    place_name = serializers.CharField(source="place.name", read_only=True)
    participants_total = serializers.IntegerField(read_only=True)
    reviewed_by_name = serializers.CharField(
        source="reviewed_by.get_full_name", read_only=True, default=None, allow_null=True
    )
    evidence = EvidenceOutputSerializer(many=True, read_only=True)

    class Meta:
        model = JointActivity
        fields = [
            "id",
            "agreement",
            "agreement_number",
            "organisation",
            "organisation_name",
            "unit",
            "unit_name",
            "place",
            "place_name",
            "kind",
            "date",
            "participants_youth",
            "participants_women",
            "participants_minors",
            "participants_others",
            "participants_total",
            "description",
            "outcome",
            "status",
            "dispute_reason",
            "reviewed_by",
            "reviewed_by_name",
            "reviewed_at",
            "evidence",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- Information requests -------------------------------------------------------------------


class InformationRequestOutputSerializer(serializers.ModelSerializer):
    direction = request_direction_field(read_only=True)
    state = request_state_field(read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    attachments = AttachmentOutputSerializer(many=True, read_only=True)

    class Meta:
        model = InformationRequest
        fields = [
            "id",
            "direction",
            "organisation",
            "organisation_name",
            "unit",
            "unit_name",
            "subject",
            "text",
            "due_date",
            "state",
            "answer",
            "answered_at",
            "attachments",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- Notifications --------------------------------------------------------------------------


class NotificationOutputSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True, help_text=_("In the request's language."))

    class Meta:
        model = Notification
        fields = ["id", "text", "url", "created_at", "read_at"]
        read_only_fields = fields
