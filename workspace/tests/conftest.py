import pytest
from django.test import Client

from appeals.tests.fixtures import appeal, article, service
from conftest import client_for

__all__ = ["appeal", "article", "service"]

ANONYMOUS = "anonymous"


@pytest.fixture
def clients(consultant, supervisor, administrator, officer, outsider, editor, regulator, integration):  # type: ignore[no-untyped-def]
    """A signed-in client per fixed character (outsider: an officer of another organisation), and an anonymous one."""
    users = {
        "consultant": consultant,
        "supervisor": supervisor,
        "admin": administrator,
        "officer": officer,
        "outsider": outsider,
        "editor": editor,
        "regulator": regulator,
        "integration": integration,
    }
    clients = {name: client_for(user) for name, user in users.items()}
    clients[ANONYMOUS] = Client()
    return clients
