"""Readers for the reference files in settings.REFERENCE_DATA_DIR (see data/reference/SOURCES.md).

They only read and shape rows; `directory.services` decides what to store.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from directory.choices import TerritoryLevel

KATO_FILE = "kato.csv"
CENTRAL_BODIES_FILE = "data_egov_kz_central_bodies.json"
REGIONAL_AKIMATS_FILE = "data_egov_kz_local_executive_bodies.json"
SERVICES_FILE = "egov_services_kk_ru.jsonl"


def data_dir(path: Path | str | None = None) -> Path:
    return Path(path) if path else Path(settings.REFERENCE_DATA_DIR)


def read_kato(*, directory: Path | None = None, levels: Iterable[str] | None = None) -> list[dict[str, str]]:
    """KATO rows as strings (codes keep their leading digits), optionally only some levels."""
    wanted = set(levels) if levels else set(TerritoryLevel.values)
    with open(data_dir(directory) / KATO_FILE, encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["level"] in wanted]


def read_central_bodies(*, directory: Path | None = None) -> list[dict[str, Any]]:
    return _read_json(data_dir(directory) / CENTRAL_BODIES_FILE)


def read_regional_akimats(*, directory: Path | None = None) -> list[dict[str, Any]]:
    return _read_json(data_dir(directory) / REGIONAL_AKIMATS_FILE)


def read_services(*, directory: Path | None = None) -> list[dict[str, Any]]:
    with open(data_dir(directory) / SERVICES_FILE, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def bilingual_services(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows published in both languages (258 in the current file)."""
    return [
        row for row in rows if row.get("has_ru") and row.get("has_kk") and row.get("name_ru") and row.get("name_kk")
    ]


def _read_json(path: Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, list):
        raise ValueError(f"{path}: expected a JSON list")
    return data
