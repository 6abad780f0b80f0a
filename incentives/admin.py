from django.contrib import admin

from core.admin import HistoryAdmin
from incentives.models import (
    AmountRule,
    BaseCalculationValue,
    Commission,
    Fund,
    IncentiveGround,
    IncentiveType,
)


@admin.register(BaseCalculationValue)
class BaseCalculationValueAdmin(HistoryAdmin):
    list_display = ["valid_from", "amount"]


@admin.register(IncentiveGround, IncentiveType)
class IncentiveReferenceAdmin(HistoryAdmin):
    list_display = ["code", "name_uz", "name_ru", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(AmountRule)
class AmountRuleAdmin(HistoryAdmin):
    list_display = ["ground", "gravity", "level", "max_bcv"]
    list_filter = ["level", "ground"]
    list_editable = ["max_bcv"]


@admin.register(Commission)
class CommissionAdmin(HistoryAdmin):
    list_display = ["territory", "level"]
    list_filter = ["level"]
    raw_id_fields = ["territory"]


@admin.register(Fund)
class FundAdmin(HistoryAdmin):
    # `committed` moves only through decisions (a row lock keeps it within the budget).
    list_display = ["commission", "year", "budget", "committed"]
    list_filter = ["year"]
    readonly_fields = ["committed"]
