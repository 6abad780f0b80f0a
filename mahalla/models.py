from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.i18n import localized
from core.models import BaseModel


class Territory(BaseModel):
    """A node of the one territory tree: country → first-level unit → district → mahalla.

    `path` is a materialised path of the codes from the root ("17/1726/1726262/"), so
    everything under a node is one indexed prefix query (`path__startswith`).
    """

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        REGION = "region", _("Region")
        DISTRICT = "district", _("District")
        MAHALLA = "mahalla", _("Mahalla")

    class Subtype(models.TextChoices):
        COUNTRY = "country", _("Republic of Uzbekistan")
        VILOYAT = "viloyat", _("Region (viloyat)")
        AUTONOMOUS_REPUBLIC = "autonomous_republic", _("Republic of Karakalpakstan")
        CAPITAL = "capital", _("City of Tashkent")
        TUMAN = "tuman", _("District (tuman)")
        CITY = "city", _("City of regional subordination")
        MAHALLA = "mahalla", _("Mahalla citizens' assembly")

    class Category(models.TextChoices):
        RED = "red", _("Red")
        YELLOW = "yellow", _("Yellow")
        GREEN = "green", _("Green")

    DEPTHS = {Kind.COUNTRY: 0, Kind.REGION: 1, Kind.DISTRICT: 2, Kind.MAHALLA: 3}

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    subtype = models.CharField(_("type"), max_length=24, choices=Subtype.choices)
    code = models.CharField(
        _("code"), max_length=20, unique=True, help_text=_("SOATO code where one exists.")
    )
    iso_code = models.CharField(_("ISO 3166-2 code"), max_length=6, blank=True)
    name_uz = models.CharField(_("name (Uzbek, Latin)"), max_length=200)
    name_uz_cyrl = models.CharField(_("name (Uzbek, Cyrillic)"), max_length=200)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    # All four names in search form (core.text.search_key), so one column answers a search in
    # any language.
    search_text = models.TextField(editable=False, default="")
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    # Number of mahallas in the subtree, refreshed after every load (mahalla.services).
    mahalla_count = models.PositiveIntegerField(_("mahallas"), default=0, editable=False)
    category = models.CharField(
        _("crime-situation category"),
        max_length=8,
        choices=Category.choices,
        blank=True,
        help_text=_("Current category; its dated history is kept in category changes."),
    )
    is_generated = models.BooleanField(
        _("generated"), default=False, help_text=_("Made up by the demo data generator.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["kind", "path"], name="territory_kind_path"),
            models.Index(fields=["parent", "name_uz"], name="territory_parent_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="country", depth=0, parent__isnull=True)
                    | Q(kind="region", depth=1, parent__isnull=False)
                    | Q(kind="district", depth=2, parent__isnull=False)
                    | Q(kind="mahalla", depth=3, parent__isnull=False)
                ),
                name="territory_kind_matches_depth",
            ),
            models.CheckConstraint(
                condition=Q(category="") | Q(kind="mahalla"),
                name="territory_category_only_for_mahallas",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="territory_valid_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self, "name")

    @property
    def closed_on(self) -> date | None:
        """The first day the node is no longer in force (the day after `valid_to`)."""
        return self.valid_to + timedelta(days=1) if self.valid_to else None

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors, root first, read from the path without a query."""
        return self.path.strip("/").split("/")[:-1]


class MahallaCategoryChange(BaseModel):
    """A dated change of a mahalla's crime-situation category (red / yellow / green)."""

    mahalla = models.ForeignKey(
        Territory,
        verbose_name=_("mahalla"),
        on_delete=models.CASCADE,
        related_name="category_changes",
        limit_choices_to={"kind": Territory.Kind.MAHALLA},
    )
    category = models.CharField(_("category"), max_length=8, choices=Territory.Category.choices)
    effective_from = models.DateField(_("effective from"))
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("category change")
        verbose_name_plural = _("category changes")
        ordering = ["mahalla", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["mahalla", "effective_from"], name="category_change_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mahalla_id}: {self.category} from {self.effective_from}"


class MahallaPlacement(BaseModel):
    """Where a moved mahalla was before a move: until `valid_to` it was at `path`, under
    `district` (since `valid_from`, or since ever when empty).

    The tree in force on a day differs from the current one only by these rows: a mahalla's
    path on a day is that of its placement covering the day, else its current path.
    """

    mahalla = models.ForeignKey(
        Territory,
        verbose_name=_("mahalla"),
        on_delete=models.CASCADE,
        related_name="placements",
        limit_choices_to={"kind": Territory.Kind.MAHALLA},
    )
    district = models.ForeignKey(
        Territory,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="former_placements",
        limit_choices_to={"kind": Territory.Kind.DISTRICT},
    )
    path = models.CharField(_("path"), max_length=255)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"))

    class Meta:
        verbose_name = _("former placement of a mahalla")
        verbose_name_plural = _("former placements of mahallas")
        ordering = ["mahalla", "-valid_to"]
        indexes = [
            models.Index(fields=["valid_to", "valid_from"], name="placement_dates"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["mahalla", "valid_to"], name="placement_one_end_per_day"
            ),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="placement_valid_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mahalla_id}: {self.path} until {self.valid_to}"


class BoundaryChange(BaseModel):
    """A change of the tree made by a legal act: a mahalla moved to another district, two or
    more mahallas merged into one, or a mahalla split. Its parts name the nodes."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Move to another district")
        MERGE = "merge", _("Merge")
        SPLIT = "split", _("Split")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    effective_on = models.DateField(_("effective on"))
    act_number = models.CharField(_("number of the legal act"), max_length=50)
    act_date = models.DateField(_("date of the legal act"))
    act_title = models.CharField(_("title of the legal act"), max_length=300, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("boundary change")
        verbose_name_plural = _("boundary changes")
        ordering = ["-effective_on", "-pk"]
        indexes = [models.Index(fields=["effective_on"], name="boundary_change_effective")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["move", "merge", "split"]),
                name="boundary_change_kind_known",
            ),
            models.CheckConstraint(
                condition=~Q(act_number=""), name="boundary_change_act_number_given"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.effective_on} · No. {self.act_number}"


class BoundaryChangePart(models.Model):
    """A node taking part in a boundary change, as it was (source) or as it came out (result),
    with the districts it left and joined.

    A move has one source part (the mahalla, from one district to the other); a merge has the
    closed mahallas as sources and the continuing one as result; a split has the mahalla split
    as source and the new mahallas as results.
    """

    class Role(models.TextChoices):
        SOURCE = "source", _("source")
        RESULT = "result", _("result")

    change = models.ForeignKey(
        BoundaryChange, verbose_name=_("change"), on_delete=models.CASCADE, related_name="parts"
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="boundary_parts",
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    from_district = models.ForeignKey(
        Territory,
        verbose_name=_("from district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    to_district = models.ForeignKey(
        Territory,
        verbose_name=_("to district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("part of a boundary change")
        verbose_name_plural = _("parts of boundary changes")
        ordering = ["change", "-role", "pk"]  # sources first
        constraints = [
            models.UniqueConstraint(
                fields=["change", "territory"], name="boundary_part_once_per_change"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["source", "result"]), name="boundary_part_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.territory_id} ({self.role})"


class PopulationFigure(BaseModel):
    """A node's population from `valid_from` until the next figure: figures for a past
    period stay as they were when later changes of the tree move residents."""

    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        on_delete=models.CASCADE,
        related_name="population_figures",
    )
    valid_from = models.DateField(_("valid from"))
    population = models.PositiveIntegerField(_("population"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("population figure")
        verbose_name_plural = _("population figures")
        ordering = ["territory", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "valid_from"], name="population_figure_one_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.territory_id}: {self.population} from {self.valid_from}"
