from django.contrib import admin

from intake.models import InboundMessage


@admin.register(InboundMessage)
class InboundMessageAdmin(admin.ModelAdmin):
    """Operators see what arrived and what could not be registered; the raw mail (personal data) is not shown."""

    list_display = ["received_at", "mailbox", "source", "status", "acknowledgement", "appeal", "attempts"]
    list_filter = ["status", "source", "mailbox", "acknowledgement"]
    readonly_fields = [field.name for field in InboundMessage._meta.fields if field.name != "raw"]
    exclude = ["raw", "sender_digest"]
    search_fields = ["key", "appeal__number"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
