"""Output serializers of the prevention API, one per resource, and the fields the input
serializers of the write endpoints (prevention.api.views) share.

Personal data of the register (name, birth date, address, document) appears only in
RegisterEntryOutputSerializer; every other serializer refers to an entry by its id.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent, build_choice_field
from rest_framework import serializers

from mahalla.models import Territory
from prevention.models import (
    AccountabilityMeeting,
    Inspector,
    MeetingQuestion,
    PreventionRecord,
    RegisterEntry,
    ResidentFeedback,
    Unit,
)
from prevention.permissions import mahallas_in_scope, record_is_locked

# The partner organisation lives in a higher app (partnership); reached through the foreign
# key so that prevention never imports it (DESIGN.md §7).
Organisation = PreventionRecord._meta.get_field("partner_organisation").related_model


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id looked up only among the objects the requesting user may see, so that an id out
    of scope is refused exactly like an unknown one and its existence does not leak."""

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scope(self.context["request"].user)


def mahalla_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        scope=mahallas_in_scope,
        queryset=Territory.objects.filter(kind=Territory.Kind.MAHALLA),
        error_messages={
            "does_not_exist": _("There is no mahalla with id {pk_value} in your territory."),
            "incorrect_type": _("A mahalla is given by its numeric id."),
        },
        help_text=_("Id of a mahalla in your territory."),
        **kwargs,
    )


def organisation_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        error_messages={
            "does_not_exist": _("There is no organisation with id {pk_value}."),
            "incorrect_type": _("An organisation is given by its numeric id."),
        },
        **kwargs,
    )


class EnumChoiceField(serializers.ChoiceField):
    """A choice field documented as one named enum in the schema, shared by the input and
    output serializers: left to drf-spectacular, a field name like "kind", which other apps
    use for other choices, gets a hashed name and a warning."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField

    def map_serializer_field(self, auto_schema, direction):
        choice = build_choice_field(self.target)
        schema = {
            "type": choice.get("type", "string"),
            "enum": [value for value in choice["enum"] if value not in ("", None)],
        }
        if "description" in choice:
            schema["description"] = choice["description"]
        component = ResolvedComponent(
            name=self.target.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=self.target.enum_name,
            schema=schema,
        )
        auto_schema.registry.register_on_missing(component)
        # A field that may be blank or null (from a model field with blank=True) answers those
        # values too: they are alternatives, named like drf-spectacular's own.
        alternatives = [component.ref]
        if getattr(self.target, "allow_blank", False):
            alternatives.append(self._alternative(auto_schema, "BlankEnum", ""))
        if self.target.allow_null:
            alternatives.append(self._alternative(auto_schema, "NullEnum", None))
        return component.ref if len(alternatives) == 1 else {"oneOf": alternatives}

    @staticmethod
    def _alternative(auto_schema, name: str, value) -> dict:
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema={"enum": [value]}
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


def record_kind_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=PreventionRecord.Kind.choices, enum_name="PreventionRecordKindEnum", **kwargs
    )


def record_measure_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=PreventionRecord.Measure.choices, enum_name="PreventionMeasureEnum", **kwargs
    )


def question_state_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=MeetingQuestion.State.choices, enum_name="MeetingQuestionStateEnum", **kwargs
    )


# --- Outputs --------------------------------------------------------------------------------


class UnitOutputSerializer(serializers.ModelSerializer):
    kind = EnumChoiceField(choices=Unit.Kind.choices, enum_name="UnitKindEnum", read_only=True)
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
    territory_code = serializers.CharField(source="territory.code", read_only=True)

    class Meta:
        model = Unit
        # No public_key: it is handed out on the post's QR code, not listed.
        fields = [
            "id",
            "kind",
            "code",
            "name",
            "name_uz",
            "name_uz_cyrl",
            "name_ru",
            "name_en",
            "parent",
            "parent_code",
            "territory",
            "territory_code",
            "mahallas",
        ]
        read_only_fields = fields


class InspectorOutputSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="user.get_full_name", read_only=True)
    grade_name = serializers.CharField(source="grade.name", read_only=True)
    post_name = serializers.CharField(source="post.name", read_only=True)

    class Meta:
        model = Inspector
        fields = [
            "id",
            "user",
            "full_name",
            "grade",
            "grade_name",
            "post",
            "post_name",
            "is_active",
        ]
        read_only_fields = fields


class PreventionRecordOutputSerializer(serializers.ModelSerializer):
    kind = record_kind_field(read_only=True)
    measure = record_measure_field(read_only=True)
    mahalla_name = serializers.CharField(source="mahalla.name", read_only=True)
    district = serializers.IntegerField(source="mahalla.parent_id", read_only=True)
    district_name = serializers.CharField(source="mahalla.parent.name", read_only=True)
    inspector_name = serializers.CharField(source="inspector.user.get_full_name", read_only=True)
    partner_organisation_name = serializers.CharField(
        source="partner_organisation.name", read_only=True, default=None, allow_null=True
    )
    locked = serializers.SerializerMethodField(
        help_text=_("Past the edit window: only a unit officer above can correct it.")
    )

    class Meta:
        model = PreventionRecord
        # The register entry only as an id: its personal data is served by register-entries.
        fields = [
            "id",
            "kind",
            "measure",
            "mahalla",
            "mahalla_name",
            "district",
            "district_name",
            "date",
            "inspector",
            "inspector_name",
            "summary",
            "people_reached",
            "partner_organisation",
            "partner_organisation_name",
            "register_entry",
            "locked",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_locked(self, record: PreventionRecord) -> bool:
        return record_is_locked(record)


class RegisterEntryOutputSerializer(serializers.ModelSerializer):
    """Personal data: only for the register-entries endpoints, whose reads are logged."""

    mahalla_name = serializers.CharField(source="mahalla.name", read_only=True)
    inspector_name = serializers.CharField(source="inspector.user.get_full_name", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    rehabilitation_partner_name = serializers.CharField(
        source="rehabilitation_partner.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = RegisterEntry
        fields = [
            "id",
            "mahalla",
            "mahalla_name",
            "inspector",
            "inspector_name",
            "full_name",
            "birth_date",
            "address",
            "document_number",
            "category",
            "category_name",
            "grounds",
            "registered_on",
            "removed_on",
            "removal_reason",
            "rehabilitation_support",
            "rehabilitation_partner",
            "rehabilitation_partner_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class MeetingQuestionOutputSerializer(serializers.ModelSerializer):
    state = question_state_field(read_only=True)

    class Meta:
        model = MeetingQuestion
        fields = ["id", "meeting", "text", "follow_up", "due_date", "state", "done_on"]
        read_only_fields = fields


class MeetingOutputSerializer(serializers.ModelSerializer):
    status = EnumChoiceField(
        choices=AccountabilityMeeting.Status.choices,
        enum_name="MeetingStatusEnum",
        read_only=True,
    )
    mahalla_name = serializers.CharField(source="mahalla.name", read_only=True)
    inspector_name = serializers.CharField(source="inspector.user.get_full_name", read_only=True)
    # Annotated by prevention.selectors.meeting_list.
    question_count = serializers.IntegerField(read_only=True)
    open_question_count = serializers.IntegerField(read_only=True)
    questions = MeetingQuestionOutputSerializer(many=True, read_only=True)

    class Meta:
        model = AccountabilityMeeting
        fields = [
            "id",
            "inspector",
            "inspector_name",
            "mahalla",
            "mahalla_name",
            "date",
            "status",
            "attendance",
            "topics",
            "question_count",
            "open_question_count",
            "questions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class FeedbackOutputSerializer(serializers.ModelSerializer):
    moderation = EnumChoiceField(
        choices=ResidentFeedback.Moderation.choices,
        enum_name="FeedbackModerationEnum",
        read_only=True,
    )

    class Meta:
        model = ResidentFeedback
        fields = ["id", "post", "mahalla", "rating", "comment", "moderation", "created_at"]
        read_only_fields = fields
