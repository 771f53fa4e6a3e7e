from django import forms
from django.contrib import admin

from qinqing.core.errors import InvalidInput
from qinqing.policies import amounts, conditions, services, tasks
from qinqing.policies.models import Condition, GateRule, PolicyDocument, PolicyItem


class ConditionForm(forms.ModelForm):
    """The admin refuses a condition that does not parse with the same Chinese message as the page and API."""

    attribute = forms.ChoiceField(label="属性", choices=conditions.attribute_choices)
    operator = forms.ChoiceField(label="判断", choices=list(conditions.OPERATORS.items()))

    class Meta:
        model = Condition
        fields = ["attribute", "operator", "value", "clause", "position"]

    def clean(self):
        data = super().clean()
        if data.get("attribute") and data.get("operator"):
            try:
                services.check_condition(data["attribute"], data["operator"], data.get("value") or "")
            except InvalidInput as exc:
                for field, messages in exc.errors.items():
                    self.add_error(field if field in self.fields else None, messages)
        return data


class ConditionInline(admin.TabularInline):
    model = Condition
    form = ConditionForm
    extra = 1


class GateInline(admin.TabularInline):
    model = GateRule
    extra = 0


class ItemForm(forms.ModelForm):
    class Meta:
        model = PolicyItem
        fields = "__all__"  # noqa: DJ007 - the admin edits every field of an item

    def clean_amount_rule(self):
        text = self.cleaned_data.get("amount_rule", "")
        try:
            amounts.parse(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
        return text


@admin.register(PolicyItem)
class PolicyItemAdmin(admin.ModelAdmin):
    form = ItemForm
    list_display = ["name", "kind", "mode", "department", "document", "active"]
    list_filter = ["kind", "mode", "active"]
    search_fields = ["name"]
    inlines = [ConditionInline, GateInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        tasks.rematch_items.enqueue([form.instance.pk])  # the same incremental re-match as the page and API


@admin.register(PolicyDocument)
class PolicyDocumentAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "issuer", "level", "published_on"]
    search_fields = ["number", "title"]
