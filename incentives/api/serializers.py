"""Output serializers of the incentives API, one per resource and use case, and the enum fields
the input serializers of the write endpoints (incentives.api.views) share.

Personal data of a citizen nominee (name, date of birth, address, document, phone) is served
only where incentives.permissions allows it: the view puts a `personal_data` test in the
context and the keys are left out, not nulled, for everyone else. The public award register
has its own serializer holding nothing but what the register shows.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incentives.models import (
    AmountRule,
    BaseCalculationValue,
    Commission,
    Fund,
    Gravity,
    IncentiveGround,
    IncentiveType,
    Level,
    Nomination,
    NominationComment,
    SocialProtectionCase,
)
from incentives.permissions import can_decide_nomination, can_see_nomination_evidence
from incentives.selectors import award_public_name
from partnership.api.serializers import FileOutputSerializer, OrganisationBriefSerializer
from prevention.api.serializers import EnumChoiceField

# The nominee's personal data (DESIGN.md §1).
PERSONAL_FIELDS = ["full_name", "birth_date", "address", "document_number", "phone"]
PERSONAL_HELP = _(
    "Personal data: present only for a citizen nominee whose data you may read (your reads "
    "are logged); the key is absent otherwise."
)

# --- Shared fields --------------------------------------------------------------------------
# Named enums: "kind", "state" and "level" mean other choices in other apps and models.


def gravity_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(choices=Gravity.choices, enum_name="CrimeGravityEnum", **kwargs)


def level_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(choices=Level.choices, enum_name="CommissionLevelEnum", **kwargs)


def nomination_kind_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(choices=Nomination.Kind.choices, enum_name="NomineeKindEnum", **kwargs)


def nomination_state_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=Nomination.State.choices, enum_name="NominationStateEnum", **kwargs
    )


def social_case_state_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=SocialProtectionCase.State.choices, enum_name="SocialCaseStateEnum", **kwargs
    )


def support_field(**kwargs) -> EnumChoiceField:
    return EnumChoiceField(
        choices=SocialProtectionCase.Support.choices, enum_name="SocialSupportEnum", **kwargs
    )


# --- Reference data -------------------------------------------------------------------------


class ReferenceBriefSerializer(serializers.Serializer):
    """A reference list entry by its code and its name in the request's language."""

    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


_NAMES = ["name", "name_uz", "name_uz_cyrl", "name_ru", "name_en"]


class IncentiveGroundOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))

    class Meta:
        model = IncentiveGround
        fields = ["id", "code", *_NAMES, "has_gravity", "order", "is_active"]
        read_only_fields = fields


class IncentiveTypeOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text=_("Name in the request's language."))

    class Meta:
        model = IncentiveType
        fields = ["id", "code", *_NAMES, "is_cash", "order", "is_active"]
        read_only_fields = fields


class AmountRuleOutputSerializer(serializers.ModelSerializer):
    ground_code = serializers.CharField(source="ground.code", read_only=True)
    ground_name = serializers.CharField(source="ground.name", read_only=True)
    gravity = gravity_field(
        read_only=True,
        allow_blank=True,
        help_text=_("Empty for a ground that does not depend on gravity."),
    )
    level = level_field(read_only=True)
    # Annotated by incentives.selectors.amount_rule_list.
    cap = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The largest amount in so'm at today's base calculation value; null when none is "
            "in force."
        ),
    )

    class Meta:
        model = AmountRule
        fields = [
            "id",
            "ground",
            "ground_code",
            "ground_name",
            "gravity",
            "level",
            "max_bcv",
            "cap",
        ]
        read_only_fields = fields


class BcvOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaseCalculationValue
        fields = ["id", "valid_from", "amount"]
        read_only_fields = fields


# --- Commissions and funds ------------------------------------------------------------------


class CommissionOutputSerializer(serializers.ModelSerializer):
    level = level_field(read_only=True)
    territory_code = serializers.CharField(source="territory.code", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)

    class Meta:
        model = Commission
        fields = ["id", "level", "territory", "territory_code", "territory_name"]
        read_only_fields = fields


class FundOutputSerializer(serializers.ModelSerializer):
    level = level_field(source="commission.level", read_only=True)
    territory = serializers.IntegerField(source="commission.territory_id", read_only=True)
    territory_name = serializers.CharField(source="commission.territory.name", read_only=True)
    # Annotated by incentives.selectors.fund_use.
    paid = serializers.IntegerField(
        read_only=True, help_text=_("Paid out of the fund, so'm (awards and social support).")
    )
    awards_count = serializers.IntegerField(
        read_only=True, help_text=_("Awards approved or paid from the fund.")
    )
    remaining = serializers.IntegerField(
        read_only=True, help_text=_("Budget not yet committed, so'm.")
    )

    class Meta:
        model = Fund
        fields = [
            "id",
            "commission",
            "level",
            "territory",
            "territory_name",
            "year",
            "budget",
            "committed",
            "paid",
            "remaining",
            "awards_count",
        ]
        read_only_fields = fields


# --- Nominations ----------------------------------------------------------------------------


class NominationEvidenceOutputSerializer(FileOutputSerializer):
    url_name, parent_field = "nomination-evidence-file", "nomination_id"


class NominationCommentOutputSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.get_full_name", read_only=True)

    class Meta:
        model = NominationComment
        fields = ["id", "author", "author_name", "text", "created_at"]
        read_only_fields = fields


class NominationOutputSerializer(serializers.ModelSerializer):
    """A nomination as a list row. The context's `personal_data(nomination)` says whether the
    personal fields are included."""

    kind = nomination_kind_field(read_only=True)
    state = nomination_state_field(read_only=True)
    gravity = gravity_field(read_only=True, allow_blank=True)
    # Not read-only only so that the schema marks them optional: they may be absent.
    full_name = serializers.CharField(required=False, help_text=PERSONAL_HELP)
    birth_date = serializers.DateField(required=False, allow_null=True, help_text=PERSONAL_HELP)
    address = serializers.CharField(required=False, help_text=PERSONAL_HELP)
    document_number = serializers.CharField(required=False, help_text=PERSONAL_HELP)
    phone = serializers.CharField(required=False, help_text=PERSONAL_HELP)
    organisation = OrganisationBriefSerializer(
        read_only=True, allow_null=True, help_text=_("The organisation nominated, if one is.")
    )
    ground_code = serializers.CharField(source="ground.code", read_only=True)
    ground_name = serializers.CharField(source="ground.name", read_only=True)
    mahalla_name = serializers.CharField(source="mahalla.name", read_only=True)
    district = serializers.IntegerField(source="mahalla.parent_id", read_only=True)
    district_name = serializers.CharField(source="mahalla.parent.name", read_only=True)
    region = serializers.IntegerField(source="mahalla.parent.parent_id", read_only=True)
    region_name = serializers.CharField(source="mahalla.parent.parent.name", read_only=True)
    commission_level = level_field(source="commission.level", read_only=True)
    commission_name = serializers.CharField(source="commission.territory.name", read_only=True)
    nominated_by_name = serializers.CharField(source="nominated_by.get_full_name", read_only=True)
    incentive_type_code = serializers.CharField(
        source="incentive_type.code", read_only=True, default=None, allow_null=True
    )
    incentive_type_name = serializers.CharField(
        source="incentive_type.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Nomination
        fields = [
            "id",
            "kind",
            *PERSONAL_FIELDS,
            "organisation",
            "ground",
            "ground_code",
            "ground_name",
            "gravity",
            "facts",
            "event_date",
            "mahalla",
            "mahalla_name",
            "district",
            "district_name",
            "region",
            "region_name",
            "proposed_amount",
            "commission",
            "commission_level",
            "commission_name",
            "state",
            "consent_to_publish",
            "nominated_by",
            "nominated_by_name",
            "incentive_type",
            "incentive_type_code",
            "incentive_type_name",
            "amount",
            "fund",
            "decision_number",
            "decision_date",
            "decision_reason",
            "paid_on",
            "payment_reference",
            "reversal_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [field for field in fields if field not in PERSONAL_FIELDS]

    def to_representation(self, nomination: Nomination) -> dict:
        data = super().to_representation(nomination)
        if not self.context["personal_data"](nomination):
            for field in PERSONAL_FIELDS:
                del data[field]
        return data


class NominationDetailOutputSerializer(NominationOutputSerializer):
    """The list row, plus the evidence files, the review's comments and whether you decide."""

    evidence = NominationEvidenceOutputSerializer(many=True, read_only=True)
    comments = NominationCommentOutputSerializer(many=True, read_only=True)
    can_decide = serializers.SerializerMethodField(
        help_text=_(
            "You are a member of the commission (or of one above it): you decide the "
            "nomination, record its payment and reverse it."
        )
    )

    class Meta(NominationOutputSerializer.Meta):
        fields = [*NominationOutputSerializer.Meta.fields, "evidence", "comments", "can_decide"]
        read_only_fields = [field for field in fields if field not in PERSONAL_FIELDS]

    def to_representation(self, nomination: Nomination) -> dict:
        data = super().to_representation(nomination)
        if not can_see_nomination_evidence(self.context["request"].user, nomination):
            data["evidence"] = []
        return data

    def get_can_decide(self, nomination: Nomination) -> bool:
        return can_decide_nomination(self.context["request"].user, nomination)


class AwardRegisterOutputSerializer(serializers.ModelSerializer):
    """An entry of the public award register: who (a name only with consent), for what, what
    and when (the month), and where (the region). Never an amount or any other detail."""

    name = serializers.SerializerMethodField(
        help_text=_(
            "The organisation's name; a citizen's full name only with their consent to "
            "publication, otherwise “a resident of” their mahalla."
        )
    )
    ground = ReferenceBriefSerializer(read_only=True)
    incentive_type = ReferenceBriefSerializer(read_only=True)
    month = serializers.SerializerMethodField(help_text=_("Month of the decision, YYYY-MM."))
    region = serializers.CharField(source="mahalla.parent.parent.name", read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "name", "ground", "incentive_type", "month", "region"]
        read_only_fields = fields

    def get_name(self, nomination: Nomination) -> str:
        return award_public_name(nomination)

    def get_month(self, nomination: Nomination) -> str:
        return nomination.decision_date.strftime("%Y-%m")


# --- Social protection ----------------------------------------------------------------------


class SocialCaseOutputSerializer(serializers.ModelSerializer):
    """Personal data throughout: served only by the social-cases endpoints, whose reads are
    logged."""

    state = social_case_state_field(read_only=True)
    support = support_field(read_only=True, allow_blank=True)
    mahalla_name = serializers.CharField(source="mahalla.name", read_only=True)
    district = serializers.IntegerField(source="mahalla.parent_id", read_only=True)
    district_name = serializers.CharField(source="mahalla.parent.name", read_only=True)
    commission_level = level_field(source="commission.level", read_only=True)
    commission_name = serializers.CharField(source="commission.territory.name", read_only=True)
    opened_by_name = serializers.CharField(source="opened_by.get_full_name", read_only=True)

    class Meta:
        model = SocialProtectionCase
        fields = [
            "id",
            *PERSONAL_FIELDS,
            "mahalla",
            "mahalla_name",
            "district",
            "district_name",
            "event_date",
            "harm",
            "nomination",
            "commission",
            "commission_level",
            "commission_name",
            "state",
            "opened_by",
            "opened_by_name",
            "support",
            "support_details",
            "amount",
            "fund",
            "decision_number",
            "decision_date",
            "decision_reason",
            "paid_on",
            "payment_reference",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
