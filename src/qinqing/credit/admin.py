from django.contrib import admin

from qinqing.credit.models import CreditList, FinancialProduct


@admin.register(CreditList)
class CreditListAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "code", "authority", "authority_name", "active")
    list_filter = ("kind", "active")


@admin.register(FinancialProduct)
class FinancialProductAdmin(admin.ModelAdmin):
    list_display = ("bank", "name", "amount_min", "amount_max", "rate", "region", "active")
    list_filter = ("bank", "active")


# Entries, batches, requests and loans are case data: they change only through the imports and the services
# (each with its event), never by editing rows in the admin.
