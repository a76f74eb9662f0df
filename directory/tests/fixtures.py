"""Reusable fixtures for any app's tests: real reference data, loaded quickly through the services.

Use in an app's tests/conftest.py:

    from directory.tests.fixtures import real_services, reference_territories  # noqa: F401
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest

from directory import reference
from directory.models import Organisation, Service, Territory
from directory.services import import_central_bodies, import_regional_akimats, import_services, import_territories

SERVICES_PER_CATEGORY = 3


@lru_cache(maxsize=1)
def _service_rows() -> tuple[dict[str, Any], ...]:
    return tuple(reference.read_services())


@lru_cache(maxsize=1)
def _territory_rows() -> tuple[dict[str, str], ...]:
    return tuple(reference.read_kato(levels=["oblast", "district"]))


def sample_service_rows(per_category: int = SERVICES_PER_CATEGORY) -> list[dict[str, Any]]:
    """Up to `per_category` bilingual services from each of the 12 categories (36 rows), in file order."""
    taken: dict[str, int] = {}
    sample = []
    for row in reference.bilingual_services(_service_rows()):
        if taken.get(row["category_ru"], 0) < per_category:
            taken[row["category_ru"]] = taken.get(row["category_ru"], 0) + 1
            sample.append(row)
    return sample


@pytest.fixture
def real_services(organisation: Organisation, other_organisation: Organisation) -> list[Service]:
    """The 32 central bodies, the 12 service categories and 36 real services (3 per category), with the
    responsible bodies inferred as the loader does (some have none). Returns the services by slug.

    It asks for the project conftest's `organisation` (code "mvd") and `other_organisation` ("mz") first,
    so the loader adopts them as the МВД and the МЗ (same rows, contacts kept): the МВД's services then
    belong to the conftest `officer`, and the МЗ's to the `outsider`.
    """
    import_central_bodies(rows=reference.read_central_bodies())
    rows = sample_service_rows()
    import_services(rows=rows)
    return list(
        Service.objects.filter(slug__in=[row["slug"] for row in rows])
        .select_related("category", "responsible_organisation")
        .order_by("slug")
    )


@pytest.fixture
def reference_territories(db: None) -> list[Territory]:
    """KATO oblast and district levels (229 rows) and the 20 regional akimats linked to their oblasts."""
    import_territories(rows=_territory_rows())
    import_regional_akimats(rows=reference.read_regional_akimats())
    return list(Territory.objects.filter(level="oblast"))
