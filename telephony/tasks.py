"""Background work of the phone line. Tasks take ids and call a service; safe to run twice."""

from celery import shared_task

from . import commands, services


@shared_task
def deliver_command(command_id: int) -> str:
    """Send a command to the edge that holds the call (retries inside, briefly: a call cannot wait long)."""
    return commands.deliver(command_id=command_id)


@shared_task
def dispatch_tick() -> int:
    """Ends expired wrap-ups and offers waiting calls; beat runs it every few seconds as a safety net."""
    services.release_stale_offers()
    return services.dispatch_waiting_calls()
