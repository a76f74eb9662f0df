"""The demo search vocabulary: the issue's examples, common words of public services, and the short names of
the central state bodies from the real reference data (data_egov_kz_central_bodies.json: МВД = ІІМ)."""

from __future__ import annotations

import json
import re

from django.conf import settings

from directory.models import Organisation
from knowledge import services
from knowledge.models import SynonymGroup

# (Kazakh phrases, Russian phrases): abbreviations and official names, then the words citizens use for what
# official texts call otherwise (as a contact center's editors would keep them).
COMMON_GROUPS: list[tuple[list[str], list[str]]] = [
    (["ХҚКО", "халыққа қызмет көрсету орталығы"], ["ЦОН", "центр обслуживания населения"]),
    (["ЭЦҚ", "электрондық цифрлық қолтаңба"], ["ЭЦП", "электронная цифровая подпись"]),
    (["жеке куәлік"], ["удостоверение личности"]),
    (["ЖСН", "жеке сәйкестендіру нөмірі"], ["ИИН", "индивидуальный идентификационный номер"]),
    (["БСН", "бизнес-сәйкестендіру нөмірі"], ["БИН", "бизнес-идентификационный номер"]),
    (
        ["АХАЖ", "АХАТ", "азаматтық хал актілерін тіркеу", "азаматтық хал актілері"],
        ["ЗАГС", "РАГС", "регистрация актов гражданского состояния", "акты гражданского состояния"],
    ),
    (["жүргізуші куәлігі"], ["водительское удостоверение", "водительские права"]),
    (["тұруға ықтиярхат"], ["вид на жительство"]),
    (["тұрғылықты жері бойынша тіркеу"], ["прописка", "регистрация по месту жительства"]),
    (["балабақша", "мектепке дейінгі ұйым"], ["детский сад", "детсад", "садик", "дошкольная организация"]),
    (["зейнетақы"], ["пенсия"]),
    (["жәрдемақы"], ["пособие"]),
    (["ЖАО", "жергілікті атқарушы орган"], ["МИО", "местный исполнительный орган"]),
    (["анықтама"], ["справка"]),
    (["ҚҚС", "қосылған құн салығы"], ["НДС", "налог на добавленную стоимость"]),
    (["АӘК", "атаулы әлеуметтік көмек"], ["АСП", "адресная социальная помощь"]),
    (
        ["МӘМС", "міндетті әлеуметтік медициналық сақтандыру"],
        ["ОСМС", "обязательное социальное медицинское страхование"],
    ),
    (["ЖК", "жеке кәсіпкер"], ["ИП", "индивидуальный предприниматель"]),
    (["техпаспорт", "техникалық паспорт"], ["техпаспорт", "технический паспорт"]),
    (
        ["МТНБ", "көлік нөмірі", "мемлекеттік тіркеу нөмірлік белгісі"],
        ["ГРНЗ", "госномер", "номер машины", "государственный регистрационный номерной знак"],
    ),
    (["ажырасу", "некені бұзу"], ["развод", "расторжение брака"]),
    (["екпе", "вакцинация"], ["прививка", "вакцинация"]),
    (["жерлеу"], ["похороны", "погребение"]),
    (["декрет", "декреттік", "жүктілік және босану"], ["декрет", "декретные", "беременность и роды"]),
    (["жұмыссыз", "жұмыс іздеуші"], ["безработный", "ищущий работу"]),
    (["тұрғын үй көмегі"], ["жилищная помощь", "жилпомощь"]),
    (["көлік", "автокөлік", "көлік құралы"], ["машина", "автомобиль", "автотранспорт", "транспортное средство"]),
    (["әскер", "әскери қызмет"], ["армия", "воинская служба"]),
    (["апостиль", "апостильдеу"], ["апостиль", "апостилирование"]),
    (["түзету"], ["исправление", "исправить", "корректировка"]),
    (["шетелге шығуға тыйым", "шет елге шығуды шектеу"], ["запрет на выезд", "ограничение выезда"]),
]

_CYRILLIC = re.compile(r"^[А-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі]+$")


def _core_abbreviation(short_name: str, *, prefix: str = "", suffix: str = "") -> str | None:
    """ "ҚР ІІМ" → "ІІМ", "МВД РК" → "МВД"; None unless a Cyrillic abbreviation remains."""
    name = " ".join(short_name.split())
    name = name.removeprefix(prefix).removesuffix(suffix).strip() if prefix or suffix else name
    return name if _CYRILLIC.match(name) else None


def central_body_groups() -> list[tuple[list[str], list[str]]]:
    """Kazakh and Russian short names of the central bodies (and their full names when loaded), skipping
    abbreviations that name more than one body (ҚМ: defence and finance)."""
    rows = json.loads((settings.REFERENCE_DATA_DIR / "data_egov_kz_central_bodies.json").read_text(encoding="utf-8"))
    pairs = []
    for row in rows:
        kazakh = _core_abbreviation(row.get("nameKk", ""), prefix="ҚР ") or _core_abbreviation(
            row.get("nameEn", ""), prefix="ҚР "
        )
        russian = _core_abbreviation(row.get("nameRu", ""), suffix=" РК")
        if kazakh and russian:
            pairs.append((kazakh, russian, row.get("nameRu", "")))
    kazakh_counts = {kazakh: sum(1 for other, _, _ in pairs if other == kazakh) for kazakh, _, _ in pairs}
    groups = []
    for kazakh, russian, short_ru in pairs:
        if kazakh_counts[kazakh] > 1:
            continue
        organisation = Organisation.objects.filter(short_name_ru=short_ru).first()
        full_kk = [organisation.name_kk] if organisation and organisation.name_kk else []
        full_ru = [organisation.name_ru] if organisation and organisation.name_ru else []
        groups.append(([kazakh, *full_kk], [russian, *full_ru]))
    return groups


def seed_demo_vocabulary() -> int:
    """Add the demo groups that are not there yet (matched by their first phrases); returns how many."""
    existing = {
        (tuple(group.phrases("kk")[:1]), tuple(group.phrases("ru")[:1])) for group in SynonymGroup.objects.all()
    }
    added = 0
    for kazakh, russian in [*COMMON_GROUPS, *central_body_groups()]:
        if (tuple(kazakh[:1]), tuple(russian[:1])) in existing:
            continue
        services.create_synonym_group(terms_kk="\n".join(kazakh), terms_ru="\n".join(russian), actor=None)
        existing.add((tuple(kazakh[:1]), tuple(russian[:1])))
        added += 1
    return added
