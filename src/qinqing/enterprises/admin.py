from django.contrib import admin

from qinqing.enterprises.models import Contact, Enterprise


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "industry", "scale", "region", "is_key"]
    list_filter = ["industry", "scale", "is_key", "region"]
    search_fields = ["name", "uscc"]
    inlines = [ContactInline]
