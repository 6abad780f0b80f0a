from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from mahalla.models import Territory
from mahalla.selectors import TerritoryEventKind, TerritoryEventRole, territory_history


class TerritoryOutputSerializer(serializers.ModelSerializer):
    name = serializers.CharField(read_only=True, help_text="Name in the request's language.")
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, default=None, allow_null=True
    )
    # Declared for its blank value (every territory but a mahalla), which a read-only model
    # field would leave out of the schema.
    category = serializers.ChoiceField(
        choices=Territory.Category.choices, allow_blank=True, read_only=True
    )

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
            "valid_from",
            "valid_to",
        ]
        read_only_fields = fields


class TerritoryEventNodeOutputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=TerritoryEventRole.choices, read_only=True)
    code = serializers.CharField(source="node.code", read_only=True)
    name = serializers.CharField(source="node.name", read_only=True)


class TerritoryEventOutputSerializer(serializers.Serializer):
    date = serializers.DateField(source="day", read_only=True)
    kind = serializers.ChoiceField(choices=TerritoryEventKind.choices, read_only=True)
    act_number = serializers.CharField(
        source="change.act_number", read_only=True, default=None, allow_null=True
    )
    act_date = serializers.DateField(
        source="change.act_date", read_only=True, default=None, allow_null=True
    )
    act_title = serializers.CharField(
        source="change.act_title", read_only=True, default=None, allow_null=True
    )
    others = TerritoryEventNodeOutputSerializer(
        many=True, read_only=True, help_text="The other nodes the event names."
    )


class TerritoryDetailOutputSerializer(TerritoryOutputSerializer):
    history = serializers.SerializerMethodField(
        help_text="The node's history, newest first: moves, merges, splits, its own dates."
    )

    class Meta(TerritoryOutputSerializer.Meta):
        fields = [*TerritoryOutputSerializer.Meta.fields, "history"]
        read_only_fields = fields

    @extend_schema_field(TerritoryEventOutputSerializer(many=True))
    def get_history(self, territory: Territory) -> list:
        return TerritoryEventOutputSerializer(territory_history(node=territory), many=True).data
