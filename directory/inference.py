"""What the directory infers rather than reads: texts we wrote and guesses we made.

Everything here is marked DataOrigin.INFERRED where it is stored and shown as "inferred, not confirmed"
until an editor or the organisation confirms it. Keep each table small and explain each entry.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- Central bodies --------------------------------------------------------------------------------
# The data.egov.kz list has short names only ("МВД РК"). Codes are our identifiers (stable slugs);
# the full names are our expansion of the Russian short name, hence INFERRED.
# short name (ru, without " РК") -> (code, full name kk, full name ru)
CENTRAL_BODIES: dict[str, tuple[str, str, str]] = {
    "АСПР": (
        "aspr",
        "Қазақстан Республикасының Стратегиялық жоспарлау және реформалар жөніндегі агенттігі",
        "Агентство по стратегическому планированию и реформам Республики Казахстан",
    ),
    "АПК": (
        "apk",
        "Қазақстан Республикасының Сыбайлас жемқорлыққа қарсы іс-қимыл агенттігі",
        "Агентство Республики Казахстан по противодействию коррупции",
    ),
    "АРКРРФР": (
        "arrfr",
        "Қазақстан Республикасының Қаржы нарығын реттеу және дамыту агенттігі",
        "Агентство Республики Казахстан по регулированию и развитию финансового рынка",
    ),
    "АФМ": (
        "afm",
        "Қазақстан Республикасының Қаржылық мониторинг агенттігі",
        "Агентство Республики Казахстан по финансовому мониторингу",
    ),
    "АДГС": (
        "adgs",
        "Қазақстан Республикасының Мемлекеттік қызмет істері агенттігі",
        "Агентство Республики Казахстан по делам государственной службы",
    ),
    "АЗРК": (
        "azrk",
        "Қазақстан Республикасының Бәсекелестікті қорғау және дамыту агенттігі",
        "Агентство по защите и развитию конкуренции Республики Казахстан",
    ),
    "ВАП": (
        "vap",
        "Қазақстан Республикасының Жоғары аудиторлық палатасы",
        "Высшая аудиторская палата Республики Казахстан",
    ),
    "ГП": ("gp", "Қазақстан Республикасының Бас прокуратурасы", "Генеральная прокуратура Республики Казахстан"),
    "МВД": (
        "mvd",
        "Қазақстан Республикасының Ішкі істер министрлігі",
        "Министерство внутренних дел Республики Казахстан",
    ),
    "МВРИ": (
        "mvri",
        "Қазақстан Республикасының Су ресурстары және ирригация министрлігі",
        "Министерство водных ресурсов и ирригации Республики Казахстан",
    ),
    "МЗ": (
        "mz",
        "Қазақстан Республикасының Денсаулық сақтау министрлігі",
        "Министерство здравоохранения Республики Казахстан",
    ),
    "МИД": (
        "mid",
        "Қазақстан Республикасының Сыртқы істер министрлігі",
        "Министерство иностранных дел Республики Казахстан",
    ),
    "МКИ": (
        "mki",
        "Қазақстан Республикасының Мәдениет және ақпарат министрлігі",
        "Министерство культуры и информации Республики Казахстан",
    ),
    "МНВО": (
        "mnvo",
        "Қазақстан Республикасының Ғылым және жоғары білім министрлігі",
        "Министерство науки и высшего образования Республики Казахстан",
    ),
    "МНЭ": (
        "mne",
        "Қазақстан Республикасының Ұлттық экономика министрлігі",
        "Министерство национальной экономики Республики Казахстан",
    ),
    "МО": ("mo", "Қазақстан Республикасының Қорғаныс министрлігі", "Министерство обороны Республики Казахстан"),
    "МЧС": (
        "mchs",
        "Қазақстан Республикасының Төтенше жағдайлар министрлігі",
        "Министерство по чрезвычайным ситуациям Республики Казахстан",
    ),
    "МПС": (
        "mps",
        "Қазақстан Республикасының Өнеркәсіп және құрылыс министрлігі",
        "Министерство промышленности и строительства Республики Казахстан",
    ),
    "МП": ("mp", "Қазақстан Республикасының Оқу-ағарту министрлігі", "Министерство просвещения Республики Казахстан"),
    "МСХ": (
        "msh",
        "Қазақстан Республикасының Ауыл шаруашылығы министрлігі",
        "Министерство сельского хозяйства Республики Казахстан",
    ),
    "МТИ": (
        "mti",
        "Қазақстан Республикасының Сауда және интеграция министрлігі",
        "Министерство торговли и интеграции Республики Казахстан",
    ),
    "МТ": ("mt", "Қазақстан Республикасының Көлік министрлігі", "Министерство транспорта Республики Казахстан"),
    "МТСЗН": (
        "mtszn",
        "Қазақстан Республикасының Еңбек және халықты әлеуметтік қорғау министрлігі",
        "Министерство труда и социальной защиты населения Республики Казахстан",
    ),
    "МТС": (
        "mts",
        "Қазақстан Республикасының Туризм және спорт министрлігі",
        "Министерство туризма и спорта Республики Казахстан",
    ),
    "МФ": ("mf", "Қазақстан Республикасының Қаржы министрлігі", "Министерство финансов Республики Казахстан"),
    "МЦРИАП": (
        "mcriap",
        "Қазақстан Республикасының Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі",
        "Министерство цифрового развития, инноваций и аэрокосмической промышленности Республики Казахстан",
    ),
    "МЭПР": (
        "mepr",
        "Қазақстан Республикасының Экология және табиғи ресурстар министрлігі",
        "Министерство экологии и природных ресурсов Республики Казахстан",
    ),
    "МЭ": ("me", "Қазақстан Республикасының Энергетика министрлігі", "Министерство энергетики Республики Казахстан"),
    "МЮ": ("mju", "Қазақстан Республикасының Әділет министрлігі", "Министерство юстиции Республики Казахстан"),
    "НБ": ("nb", "Қазақстан Республикасының Ұлттық Банкі", "Национальный Банк Республики Казахстан"),
    "СА": ("sa", "Қазақстан Республикасының Сот әкімшілігі", "Судебная администрация Республики Казахстан"),
    "ЦИК": (
        "cik",
        "Қазақстан Республикасының Орталық сайлау комиссиясы",
        "Центральная избирательная комиссия Республики Казахстан",
    ),
}


def central_body_key(short_name_ru: str) -> str:
    """'МВД РК' -> 'МВД' (the key of CENTRAL_BODIES)."""
    return re.sub(r"\s+РК$", "", short_name_ru.strip())


# --- Regional akimats ------------------------------------------------------------------------------
# Russian full names need the genitive, which the KATO names do not give: written here (INFERRED).
# The Kazakh full name is built from the KATO name ("Абай облысы" -> "Абай облысының әкімдігі").
AKIMAT_NAMES_RU: dict[str, str] = {
    "100000000": "Акимат области Абай",
    "110000000": "Акимат Акмолинской области",
    "150000000": "Акимат Актюбинской области",
    "190000000": "Акимат Алматинской области",
    "230000000": "Акимат Атырауской области",
    "270000000": "Акимат Западно-Казахстанской области",
    "310000000": "Акимат Жамбылской области",
    "330000000": "Акимат области Жетісу",
    "350000000": "Акимат Карагандинской области",
    "390000000": "Акимат Костанайской области",
    "430000000": "Акимат Кызылординской области",
    "470000000": "Акимат Мангистауской области",
    "550000000": "Акимат Павлодарской области",
    "590000000": "Акимат Северо-Казахстанской области",
    "610000000": "Акимат Туркестанской области",
    "620000000": "Акимат области Ұлытау",
    "630000000": "Акимат Восточно-Казахстанской области",
    "710000000": "Акимат города Астаны",
    "750000000": "Акимат города Алматы",
    "790000000": "Акимат города Шымкента",
}


def akimat_name_kk(territory_name_kk: str) -> str:
    """'Абай облысы' -> 'Абай облысының әкімдігі'; 'Астана қ.' -> 'Астана қаласының әкімдігі'."""
    name = territory_name_kk.strip()
    if name.endswith(" облысы"):
        return name + "ның әкімдігі"
    if name.endswith(" қ."):
        return name[: -len(" қ.")] + " қаласының әкімдігі"
    return name + " әкімдігі"


# --- Responsible body of a service, from the egov.kz slug suffix ------------------------------------
@dataclass(frozen=True)
class ResponsibleGuess:
    short_name: str  # key of CENTRAL_BODIES
    basis: str


# Suffixes we are reasonably sure of. Digits around the suffix are ignored ("130mz" -> "mz").
SUFFIX_TO_BODY: dict[str, str] = {
    "mtszn": "МТСЗН",
    "mtczn": "МТСЗН",  # misspelt mtszn; its one service is help for job seekers
    "mvd": "МВД",
    "mz": "МЗ",
    "mf": "МФ",
    "minfin": "МФ",
    "mo": "МО",
    "md": "МО",  # "Ministry of Defence"; both its services are military
    "mid": "МИД",
    "msh": "МСХ",
    "mu": "МЮ",  # justice (e.g. pass017_mu, divorce registration)
    "mnvo": "МНВО",
    "mki": "МКИ",
    "gp": "ГП",
    "mp": "МП",
    "mps": "МПС",
    "adgs": "АДГС",
    "mdgs": "АДГС",  # civil-service vacancies and testing
    "adsfk": "МТС",  # the former sports agency: its services are sports titles and payments; sport is now МТС
    "mks": "МТС",  # the former culture and sports ministry: its services here are all sports ones
    "mtk": "МТ",  # the former transport and communications ministry: its services are transport ones
}
# The former ministry of education and science ("mon") is split in 2026: schools, pre-school and child
# protection went to МП (Просвещения), higher education and science to МНВО.
HIGHER_EDUCATION_MARKERS = ("высш", "послевуз", "болашак", "научн", "академической мобильности", "за рубеж", "студент")
# Suffixes of split ministries where the category decides.
SUFFIX_BY_CATEGORY: dict[tuple[str, str], str] = {
    ("mzsr", "Здравоохранение"): "МЗ",  # the former health and social development ministry
    ("miir", "Транспорт и коммуникации"): "МТ",  # the former industry and infrastructure ministry
}
_SUFFIX_CORE = re.compile(r"^\d*([a-z]+?)\d*$")


def normalised_suffix(slug_suffix: str | None) -> str:
    match = _SUFFIX_CORE.match((slug_suffix or "").lower())
    return match.group(1) if match else ""


def infer_responsible_body(
    *, slug_suffix: str | None, name_ru: str, category_ru: str, slug: str = ""
) -> ResponsibleGuess | None:
    """Guess from the slug suffix; when the suffix is only a number ("msh_02201021"), from the slug's
    other parts, last first."""
    guess = _guess_from_code(slug_suffix or "", name_ru, category_ru, "slug suffix")
    if guess is None and (slug_suffix or "").isdigit():
        for token in reversed(re.split(r"[_\-]", slug)[:-1]):
            guess = _guess_from_code(token, name_ru, category_ru, "slug part")
            if guess is not None:
                break
    return guess


def _guess_from_code(code: str, name_ru: str, category_ru: str, where: str) -> ResponsibleGuess | None:
    suffix = normalised_suffix(code)
    if not suffix:
        return None
    basis = f"{where} '{code}'"
    if suffix == "mon":
        higher = any(marker in name_ru.lower() for marker in HIGHER_EDUCATION_MARKERS)
        area = "higher education and science" if higher else "schools, pre-school and child protection"
        return ResponsibleGuess("МНВО" if higher else "МП", f"{basis} (former МОН; {area})")
    if suffix in SUFFIX_TO_BODY:
        return ResponsibleGuess(SUFFIX_TO_BODY[suffix], basis)
    body = SUFFIX_BY_CATEGORY.get((suffix, category_ru))
    return ResponsibleGuess(body, f"{basis} in category '{category_ru}'") if body else None


# --- Service categories -----------------------------------------------------------------------------
CATEGORY_CODES: dict[str, str] = {
    "Семья": "family",
    "Таможня и налоги": "customs-and-taxes",
    "Образование": "education",
    "Социальное обеспечение": "social-security",
    "Недвижимость": "real-estate",
    "Транспорт и коммуникации": "transport-and-communications",
    "Трудоустройство и занятость": "employment",
    "Гражданство, миграция и иммиграция": "citizenship-and-migration",
    "Здравоохранение": "health",
    "Правовая помощь": "legal-aid",
    "Воинский учет и безопасность": "military-registration",
    "Консульские услуги": "consular-services",
}
