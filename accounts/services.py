"""Sign-in bookkeeping: failures, lockout, and their audit trail."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit.choices import AuditKind
from audit.services import record_event


def register_login_failure(*, username: str) -> None:
    """Count a failed sign-in; lock the account after LOGIN_MAX_FAILURES in a row."""
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model.objects.select_for_update().filter(username=username).first()
        if user is None:
            record_event(action="auth.login_failed", kind=AuditKind.AUTH, actor_label=f"unknown:{username[:50]}")
            return
        user_model.objects.filter(pk=user.pk).update(failed_login_count=F("failed_login_count") + 1)
        user.refresh_from_db(fields=["failed_login_count"])
        details: dict[str, Any] = {"failures": user.failed_login_count}
        if user.failed_login_count >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = timezone.now() + timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
            user.save(update_fields=["locked_until"])
            details["locked_until"] = user.locked_until.isoformat()
        record_event(
            action="auth.login_failed", kind=AuditKind.AUTH, actor_label=user.username, target=user, details=details
        )


def register_login_success(*, user: Any) -> None:
    with transaction.atomic():
        type(user).objects.filter(pk=user.pk).update(failed_login_count=0, locked_until=None)
        record_event(action="auth.login", kind=AuditKind.AUTH, actor=user, target=user)


def register_logout(*, user: Any) -> None:
    record_event(action="auth.logout", kind=AuditKind.AUTH, actor=user, target=user)


def create_staff_user(
    *,
    username: str,
    password: str,
    role: str,
    organisation: Any = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    languages: str = "kk,ru",
    actor: Any = None,
) -> Any:
    """Create a member of staff; the password goes through the password rules."""
    from django.contrib.auth.password_validation import validate_password

    user_model = get_user_model()
    user = user_model(
        username=username,
        role=role,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        languages=languages,
        is_staff=(role == "admin"),
        is_superuser=(role == "admin"),
    )
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.full_clean(exclude=["password"])
        user.save()
        record_event(action="accounts.user_created", actor=actor, target=user, details={"role": role})
    return user
