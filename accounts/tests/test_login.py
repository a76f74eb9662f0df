from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.urls import reverse
from django.utils import timezone, translation

from accounts.choices import Role
from accounts.middleware import LAST_SEEN_KEY
from accounts.services import create_staff_user
from audit.models import AuditEvent
from conftest import PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")


def _login(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password})


@pytest.mark.parametrize(
    ("fixture", "home"),
    [
        ("consultant", "workspace:desk"),
        ("supervisor", "workspace:appeal_list"),
        ("editor", "knowledge:article_list"),
        ("officer", "workspace:appeal_list"),
        ("regulator", "recordings:request_list"),
        ("administrator", "workspace:appeal_list"),
    ],
)
def test_each_role_signs_in_and_lands_on_its_start_page(client, request, fixture, home) -> None:  # type: ignore[no-untyped-def]
    user = request.getfixturevalue(fixture)
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"]).url == reverse(home)
    assert AuditEvent.objects.filter(action="auth.login", actor=user).exists()


def test_wrong_password_gives_a_translated_message(client, consultant) -> None:  # type: ignore[no-untyped-def]
    client.cookies["bailanys_language"] = "ru"
    response = _login(client, consultant.username, "wrong")
    assert response.status_code == 200
    assert "Пожалуйста, введите правильные" in response.content.decode()


def test_account_locks_after_repeated_failures(client, consultant, settings) -> None:  # type: ignore[no-untyped-def]
    # given
    settings.LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        _login(client, consultant.username, "wrong-password")
    # when: even the right password is refused while locked
    response = _login(client, consultant.username, PASSWORD)
    # then
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    consultant.refresh_from_db()
    assert consultant.is_locked
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 3


def test_lock_expires_and_success_resets_the_counter(client, consultant) -> None:  # type: ignore[no-untyped-def]
    get_user_model().objects.filter(pk=consultant.pk).update(
        failed_login_count=7, locked_until=timezone.now() - timedelta(seconds=1)
    )
    assert _login(client, consultant.username, PASSWORD).status_code == 302
    consultant.refresh_from_db()
    assert consultant.failed_login_count == 0


def test_unknown_user_failure_is_audited(client) -> None:  # type: ignore[no-untyped-def]
    response = _login(client, "nobody", "x")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="auth.login_failed", actor_label="unknown:nobody").exists()


def test_nul_bytes_in_the_username_get_a_clear_error(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies["bailanys_language"] = "ru"
    response = _login(client, "nobody\x00", "x")
    assert response.status_code == 200
    with translation.override("ru"):
        expected = str(ProhibitNullCharactersValidator.message)
    assert expected in response.content.decode()


def test_idle_session_expires(consultant_client, settings) -> None:  # type: ignore[no-untyped-def]
    # given: the last request was longer ago than the idle timeout
    session = consultant_client.session
    session[LAST_SEEN_KEY] = timezone.now().timestamp() - settings.SESSION_IDLE_TIMEOUT_SECONDS - 5
    session.save()
    # when
    response = consultant_client.get(reverse("accounts:home"))
    # then
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_logout_is_a_post_and_is_audited(consultant_client, consultant) -> None:  # type: ignore[no-untyped-def]
    response = consultant_client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=consultant).exists()
    assert consultant_client.get(reverse("accounts:home")).status_code == 302


@pytest.mark.parametrize("password", ["short1", "onlylettersherexx", "123456789012345", "password1234"])
def test_password_rules(password) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        create_staff_user(username="newbie", password=password, role=Role.CONSULTANT)


def test_officer_must_belong_to_an_organisation() -> None:
    with pytest.raises(ValidationError):
        create_staff_user(username="orphan", password=PASSWORD, role=Role.ORG_OFFICER)
