from rest_framework import serializers

from accounts.models import Membership, User


class MembershipOutputSerializer(serializers.ModelSerializer):
    territory_code = serializers.CharField(
        source="territory.code", read_only=True, default=None, allow_null=True
    )
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "role",
            "territory",
            "territory_code",
            "organisation",
            "organisation_name",
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields


class UserOutputSerializer(serializers.ModelSerializer):
    memberships = MembershipOutputSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "is_active", "memberships"]
        read_only_fields = fields
