"""The phone line on other apps' pages: the consultant's phone bar, the transfer panel; time formats."""

from typing import Any

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.inclusion_tag("telephony/_phone_bar.html", takes_context=True)
def phone_bar(context: template.Context) -> dict[str, Any]:
    """The consultant's line state and buttons; nothing for anyone without a line."""
    from telephony.views import phone_bar_context

    user = context.get("user")
    return {**phone_bar_context(user), "csrf_token": context.get("csrf_token"), "request": context.get("request")}


@register.inclusion_tag("telephony/_transfer_panel.html", takes_context=True)
def transfer_panel(context: template.Context, appeal: Any) -> dict[str, Any]:
    """On the appeal page: the transfer form while the consultant talks on this appeal's call."""
    from telephony.views import transfer_panel_context

    user = context.get("user")
    if getattr(user, "role", None) is None:
        return {"for_consultant": False}
    return {**transfer_panel_context(user, appeal), "csrf_token": context.get("csrf_token")}


@register.filter
def seconds(value: float | None) -> str:
    """12.4 → "12 s"; nothing measured → "—"."""
    if value is None:
        return "—"
    return gettext("%(seconds)d s") % {"seconds": round(value)}


@register.filter
def clock(value: float | None) -> str:
    """Seconds as m:ss (or h:mm:ss) for times in a state."""
    if value is None:
        return "—"
    total = max(0, int(value))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{round(value * 100)} %"
