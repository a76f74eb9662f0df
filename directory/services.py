"""Every write to the directory: reference-data imports and the edits editors and officers make.

Imports are idempotent (a second run changes nothing), use bulk operations, and write one audit
record each with the summary counts. Edits are validated, audited, and never touch other fields.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.choices import Role
from audit.services import record_event
from directory import imports
from directory.choices import DataOrigin, OrganisationKind
from directory.models import Organisation, Service, ServiceCategory, Territory
from directory.search import organisation_search_key, service_search_key
from directory.validation import NOT_ALLOWED_MESSAGE, check_responsible_choice, clean_contacts

BATCH_SIZE = 500


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    notes: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Territories (KATO) ----------------------------------------------------------------------------
TERRITORY_FIELDS = ("level", "type_code", "name_kk", "name_ru")


def import_territories(*, rows: Sequence[dict[str, str]], actor: Any = None) -> ImportSummary:
    """Create or update KATO territories; every territory hangs from its nearest stored ancestor."""
    with transaction.atomic():
        existing = {territory.kato: territory for territory in Territory.objects.all()}
        to_create: list[Territory] = []
        renamed: list[Territory] = []
        for row in rows:
            values = imports.territory_values(row)
            current = existing.get(values["kato"])
            if current is None:
                existing[values["kato"]] = Territory(**values)
                to_create.append(existing[values["kato"]])
            elif _assign_changed(current, values, TERRITORY_FIELDS):
                renamed.append(current)
        moved = _assign_parents(existing)
        to_create.sort(key=lambda territory: (imports.LEVEL_ORDER[territory.level], territory.kato))
        Territory.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        Territory.objects.bulk_update(renamed, TERRITORY_FIELDS, batch_size=BATCH_SIZE)
        _save_parents(moved)
        updated = {territory.kato for territory in (*renamed, *moved)}
        summary = ImportSummary(created=len(to_create), updated=len(updated))
        summary.unchanged = len({row["kato"] for row in rows} - updated) - len(to_create)
        summary.notes = {"reparented": len(moved), "levels": dict(Counter(row["level"] for row in rows))}
        record_event(action="directory.territories_imported", actor=actor, details=summary.as_dict())
    return summary


def _assign_parents(territories: dict[str, Territory]) -> list[Territory]:
    """Set each territory's parent to its nearest known ancestor; return the stored ones that moved."""
    codes = set(territories)
    moved = []
    for kato, territory in territories.items():
        parent = imports.kato_parent(kato, codes)
        if territory.parent_id != parent:
            territory.parent_id = parent
            if not territory._state.adding:
                moved.append(territory)
    return moved


def _save_parents(moved: list[Territory]) -> None:
    """One UPDATE per new parent: far faster than a row-by-row bulk_update when a level is added."""
    by_parent: dict[str | None, list[str]] = {}
    for territory in moved:
        by_parent.setdefault(territory.parent_id, []).append(territory.kato)
    for parent, codes in by_parent.items():
        for start in range(0, len(codes), BATCH_SIZE):
            Territory.objects.filter(kato__in=codes[start : start + BATCH_SIZE]).update(parent_id=parent)


# --- Organisations -----------------------------------------------------------------------------------
ORGANISATION_SOURCE_FIELDS = (
    "kind",
    "name_kk",
    "name_ru",
    "short_name_kk",
    "short_name_ru",
    "external_id",
    "names_origin",
    "territory",
)


def import_central_bodies(*, rows: Sequence[dict[str, Any]], actor: Any = None) -> ImportSummary:
    """The 32 central state bodies of data.egov.kz; short names from the source, full names inferred."""
    prepared = [imports.central_body_values(row) for row in rows]
    summary = _upsert_organisations(prepared)
    summary.notes = {
        "kazakh_name_swapped_fixed": [values["code"] for values in prepared if values.pop("_swapped")],
        "latin_letters_fixed": [values["code"] for values in prepared if values.pop("_homoglyphs")],
        "names_inferred": sum(values["names_origin"] == DataOrigin.INFERRED for values in prepared),
    }
    record_event(action="directory.central_bodies_imported", actor=actor, details=summary.as_dict())
    return summary


def import_regional_akimats(*, rows: Sequence[dict[str, Any]], actor: Any = None) -> ImportSummary:
    """The 20 regional akimats, each linked to its oblast-level KATO territory by name."""
    oblasts = list(Territory.objects.filter(level="oblast"))
    prepared, unmatched = [], []
    for row in rows:
        territory = imports.match_oblast(row, oblasts)
        if territory is None:
            unmatched.append(row.get("nameRu", ""))
        prepared.append(imports.regional_akimat_values(row, territory))
    summary = _upsert_organisations(prepared)
    summary.notes = {"unmatched_territory": unmatched, "linked": len(rows) - len(unmatched)}
    record_event(action="directory.regional_akimats_imported", actor=actor, details=summary.as_dict())
    return summary


def _upsert_organisations(prepared: list[dict[str, Any]]) -> ImportSummary:
    """Match on the source identifier, then on our code; never touch contacts editors maintain."""
    summary = ImportSummary()
    with transaction.atomic():
        by_external = {o.external_id: o for o in Organisation.objects.exclude(external_id="")}
        by_code = {o.code: o for o in Organisation.objects.all()}
        to_create, to_update = [], []
        for values in prepared:
            source = {name: value for name, value in values.items() if not name.startswith("_")}
            current = by_external.get(source["external_id"]) or by_code.get(source["code"])
            if current is None:
                to_create.append(Organisation(**source))
            elif _assign_changed(current, source, ORGANISATION_SOURCE_FIELDS):
                to_update.append(current)
        for organisation in (*to_create, *to_update):
            organisation.search_key = organisation_search_key(organisation)
        Organisation.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
        Organisation.objects.bulk_update(to_update, [*ORGANISATION_SOURCE_FIELDS, "search_key"])
    summary.created, summary.updated = len(to_create), len(to_update)
    summary.unchanged = len(prepared) - summary.created - summary.updated
    return summary


# --- Services ----------------------------------------------------------------------------------------
SERVICE_SOURCE_FIELDS = (
    "name_kk",
    "name_ru",
    "category",
    "url_kk",
    "url_ru",
    "source_result_ru",
    "source_description_kk",
    "source_instructions_kk",
    "source_keywords_kk",
    "is_active",
)
RESPONSIBLE_FIELDS = ("responsible_organisation", "responsible_origin", "responsible_basis")


def import_services(*, rows: Sequence[dict[str, Any]], actor: Any = None, limit: int | None = None) -> ImportSummary:
    """Services published in both languages become active services of the register.

    Rows in one language only are skipped (counted). The responsible body is inferred from the slug
    suffix unless someone has confirmed it; an inference is never written over a confirmation.
    """
    bilingual = imports.bilingual_rows(rows)
    selected = bilingual[:limit] if limit is not None else bilingual
    with transaction.atomic():
        categories = _upsert_categories(bilingual)
        bodies = imports.central_bodies_by_short_name(Organisation.objects.filter(kind=OrganisationKind.CENTRAL_BODY))
        summary = _upsert_services(selected, categories, bodies)
        summary.skipped = len(rows) - len(bilingual)
        summary.notes = {
            "categories": len(categories),
            "responsible_inferred": Service.objects.filter(
                slug__in=[row["slug"] for row in selected],
                responsible_origin=DataOrigin.INFERRED,
                responsible_organisation__isnull=False,
            ).count(),
            "one_language_rows_not_loaded": sorted({row["slug"] for row in rows} - {row["slug"] for row in bilingual}),
        }
        record_event(action="directory.services_imported", actor=actor, details=summary.as_dict())
    return summary


def _upsert_categories(rows: Iterable[dict[str, Any]]) -> dict[str, ServiceCategory]:
    existing = {category.code: category for category in ServiceCategory.objects.all()}
    result = {}
    for values in imports.category_values(rows):
        current = existing.get(values["code"])
        if current is None:
            current = ServiceCategory.objects.create(**values)
        elif _assign_changed(current, values, ("name_kk", "name_ru")):
            current.save(update_fields=["name_kk", "name_ru"])
        result[values["name_ru"]] = current
    return result


def _upsert_services(
    rows: Sequence[dict[str, Any]], categories: dict[str, ServiceCategory], bodies: dict[str, Organisation]
) -> ImportSummary:
    existing = {service.slug: service for service in Service.objects.filter(slug__in=[row["slug"] for row in rows])}
    to_create, to_update = [], []
    for row in rows:
        values = imports.service_values(row, categories[row["category_ru"]])
        values.update(imports.responsible_values(row, bodies))
        current = existing.get(row["slug"])
        if current is None:
            to_create.append(Service(slug=row["slug"], **values))
            continue
        fields = (
            SERVICE_SOURCE_FIELDS
            if current.responsible_origin == DataOrigin.CONFIRMED
            else (*SERVICE_SOURCE_FIELDS, *RESPONSIBLE_FIELDS)
        )
        if _assign_changed(current, values, fields):
            to_update.append(current)
    for service in (*to_create, *to_update):
        service.search_key = service_search_key(service)
    Service.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Service.objects.bulk_update(to_update, [*SERVICE_SOURCE_FIELDS, *RESPONSIBLE_FIELDS, "search_key"])
    return ImportSummary(
        created=len(to_create), updated=len(to_update), unchanged=len(rows) - len(to_create) - len(to_update)
    )


def _assign_changed(instance: Any, values: dict[str, Any], fields: Iterable[str]) -> bool:
    """Set `fields` from `values` on `instance`; True when anything differed."""
    changed = False
    for name in fields:
        attribute = f"{name}_id" if name in ("territory", "category", "responsible_organisation", "parent") else name
        new = values[name].pk if attribute != name and values[name] is not None else values[name]
        if getattr(instance, attribute) != new:
            setattr(instance, attribute, new)
            changed = True
    return changed


# --- Edits by editors and organisation officers -----------------------------------------------------
CONTACT_FIELDS = ("phone", "email", "website", "address_kk", "address_ru")


def may_edit_organisation(*, user: Any, organisation: Organisation) -> bool:
    if user.has_role(Role.EDITOR, Role.ADMIN):
        return True
    return user.has_role(Role.ORG_OFFICER) and user.organisation_id == organisation.pk


def may_edit_service(*, user: Any, service: Service) -> bool:
    if user.has_role(Role.EDITOR, Role.ADMIN):
        return True
    return bool(
        user.has_role(Role.ORG_OFFICER)
        and user.organisation_id is not None
        and service.responsible_organisation_id == user.organisation_id
    )


def update_organisation_contacts(
    *, organisation: Organisation, actor: Any, phone: str, email: str, website: str, address_kk: str, address_ru: str
) -> Organisation:
    """Editors: any organisation; an organisation officer: their own. Raises ValidationError per field."""
    if not may_edit_organisation(user=actor, organisation=organisation):
        raise ValidationError({"__all__": NOT_ALLOWED_MESSAGE})
    cleaned = clean_contacts(phone=phone, email=email, website=website, address_kk=address_kk, address_ru=address_ru)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        changed = [name for name in CONTACT_FIELDS if getattr(locked, name) != cleaned[name]]
        for name in changed:
            setattr(locked, name, cleaned[name])
        if changed:
            locked.save(update_fields=[*changed, "updated_at"])
            record_event(
                action="directory.organisation_contacts_updated",
                actor=actor,
                target=locked,
                details={"changed": changed},
            )
    return locked


def set_service_responsible_body(*, service: Service, organisation: Organisation | None, actor: Any) -> Service:
    """Set (and so confirm) the body responsible for a service; None means "not known".

    Editors may choose any active organisation. An organisation officer may act only on services that
    point at their organisation: confirm it, or say it is not theirs (None).
    """
    if not may_edit_service(user=actor, service=service):
        raise ValidationError({"__all__": NOT_ALLOWED_MESSAGE})
    check_responsible_choice(actor=actor, organisation=organisation)
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        before = {"organisation": locked.responsible_organisation_id, "origin": locked.responsible_origin}
        locked.responsible_organisation = organisation
        locked.responsible_origin = DataOrigin.CONFIRMED if organisation else DataOrigin.INFERRED
        locked.responsible_basis = ""
        locked.save(update_fields=[*RESPONSIBLE_FIELDS, "updated_at"])
        record_event(
            action="directory.service_responsible_body_set",
            actor=actor,
            target=locked,
            details={
                "before": before,
                "after": {
                    "organisation": organisation.pk if organisation else None,
                    "origin": locked.responsible_origin,
                },
            },
        )
    return locked
