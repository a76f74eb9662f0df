"""The API keeps its contract: the committed OpenAPI document matches the code, and the API,
fuzzed from its own document, never answers with a server error."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
import yaml
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import translation
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiYamlRenderer
from hypothesis import HealthCheck, strategies
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

SCHEMA_FILE = Path(settings.BASE_DIR) / "openapi.yaml"


def generated_schema() -> dict:  # type: ignore[type-arg]
    with translation.override("en"):
        schema = SchemaGenerator().get_schema(request=None, public=True)
        return yaml.safe_load(OpenApiYamlRenderer().render(schema, renderer_context={}))


def test_committed_schema_matches_the_code() -> None:
    committed = yaml.safe_load(SCHEMA_FILE.read_text())
    assert committed == generated_schema(), "openapi.yaml is out of date: run `make schema` and commit it"


# Telephony edges upload recordings as raw WAV bodies; the fuzzer sends random bytes (refused unsigned, never a 500).
schemathesis.openapi.media_type("audio/wav", strategies.binary(max_size=4096))

api = schemathesis.openapi.from_wsgi("/api/v1/schema/?lang=en", get_wsgi_application())


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """The fuzzer calls the WSGI app directly; like Django's test client, keep the request cycle from
    closing the test transaction's connection (PostgreSQL would see it closed mid-test)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_token(administrator, real_services) -> str:  # type: ignore[no-untyped-def]
    """An administrator may call every operation; the real services give the fuzzer something to find."""
    return Token.objects.create(user=administrator).key


@pytest.mark.django_db
@api.parametrize()
@hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
def test_api_never_fails_with_a_server_error(case, api_token, _keep_test_connection) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(
        headers={"Authorization": f"Token {api_token}"},
        checks=[schemathesis.checks.not_a_server_error],
    )
