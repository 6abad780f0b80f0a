from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from incentives.models import (
    AmountRule,
    BaseCalculationValue,
    Commission,
    Fund,
    IncentiveGround,
    IncentiveType,
)


@admin.register(BaseCalculationValue)
class BaseCalculationValueAdmin(SimpleHistoryAdmin):
    list_display = ["valid_from", "amount"]


@admin.register(IncentiveGround, IncentiveType)
class IncentiveReferenceAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name_uz", "name_ru", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(AmountRule)
class AmountRuleAdmin(SimpleHistoryAdmin):
    list_display = ["ground", "gravity", "level", "max_bcv"]
    list_filter = ["level", "ground"]
    list_editable = ["max_bcv"]


@admin.register(Commission)
class CommissionAdmin(SimpleHistoryAdmin):
    list_display = ["territory", "level"]
    list_filter = ["level"]
    raw_id_fields = ["territory"]


@admin.register(Fund)
class FundAdmin(SimpleHistoryAdmin):
    # `committed` moves only through decisions (a row lock keeps it within the budget).
    list_display = ["commission", "year", "budget", "committed"]
    list_filter = ["year"]
    readonly_fields = ["committed"]
