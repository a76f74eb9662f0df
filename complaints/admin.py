from django.contrib import admin

from complaints.models import RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Clause 16 as administrators set it (the admin site admits administrators only). Changes are audited."""

    list_display = ["priority", "name", "is_active", "complaint_kind", "service", "organisation_kind", "kato_prefix"]
    list_display_links = ["name"]
    list_filter = ["is_active", "complaint_kind", "target"]
    list_editable = ["priority", "is_active"]
    raw_id_fields = ["service", "target_organisation"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from audit.services import record_event

        super().save_model(request, obj, form, change)
        record_event(
            action="complaints.routing_rule_changed" if change else "complaints.routing_rule_added",
            actor=request.user,
            target=obj,
            details={"changed": sorted(form.changed_data)},
        )

    def delete_model(self, request, obj):  # type: ignore[no-untyped-def]
        from audit.services import record_event

        record_event(
            action="complaints.routing_rule_deleted", actor=request.user, target=obj, details={"name": obj.name}
        )
        super().delete_model(request, obj)
