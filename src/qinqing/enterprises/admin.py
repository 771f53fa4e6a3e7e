from django.contrib import admin

from qinqing.enterprises.models import Contact, Enterprise


class ContactInline(admin.TabularInline):
    """Contacts are personal data: the system administrator sees them masked and cannot edit them (they are kept
    by the enterprise and the office in the product's own pages)."""

    model = Contact
    extra = 0
    can_delete = False
    fields = ("name", "title", "masked", "is_primary")
    readonly_fields = fields

    @admin.display(description="联系电话")
    def masked(self, obj: Contact) -> str:
        return obj.masked_mobile

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Enterprise)
class EnterpriseAdmin(admin.ModelAdmin):
    list_display = ["name", "uscc", "industry", "scale", "region", "is_key"]
    list_filter = ["industry", "scale", "is_key", "region"]
    search_fields = ["name", "uscc"]
    inlines = [ContactInline]
