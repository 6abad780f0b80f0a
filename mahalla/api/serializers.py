from rest_framework import serializers

from mahalla.models import Territory


class TerritoryOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Territory
        fields = [
            "id",
            "kind",
            "subtype",
            "code",
            "iso_code",
            "name",
            "name_uz",
            "name_uz_cyrl",
            "name_ru",
            "name_en",
            "population",
            "mahalla_count",
            "category",
            "is_generated",
            "parent",
            "parent_code",
            "path",
            "depth",
        ]
        read_only_fields = fields
