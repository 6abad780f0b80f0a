"""The organisation registry's import and export format (django-import-export): one row per
organisation, the territory by its SOATO code, areas by their codes."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from mahalla.models import Territory
from partnership.models import Organisation, PartnershipArea


class OrganisationResource(resources.ModelResource):
    territory = fields.Field(
        attribute="territory",
        column_name="territory_code",
        widget=widgets.ForeignKeyWidget(Territory, field="code"),
    )
    areas = fields.Field(
        attribute="areas",
        column_name="areas",
        widget=widgets.ManyToManyWidget(PartnershipArea, field="code", separator=";"),
    )

    class Meta:
        model = Organisation
        # Rows are matched on the registration number: importing again updates, never
        # duplicates.
        import_id_fields = ["registration_number"]
        fields = [
            "registration_number",
            "name",
            "kind",
            "territory",
            "areas",
            "address",
            "phone",
            "email",
            "website",
            "verification",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        use_transactions = True
        clean_model_instances = True

    def before_import_row(self, row, **kwargs):
        kind = (row.get("kind") or "").strip()
        if kind and kind not in Organisation.Kind.values:
            raise ValueError(
                _("Unknown type “%(kind)s”; use one of: %(kinds)s.")
                % {"kind": kind, "kinds": ", ".join(Organisation.Kind.values)}
            )
