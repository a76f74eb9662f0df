"""The kk/ru analysis: every way citizens type a word meets the official text's word."""

import time

import pytest

from knowledge.analysis import MAX_QUERY_TERMS, AnalyzedQuery, analyze, analyze_query, analyze_word, russian
from knowledge.analysis.kazakh import stem


def kazakh_stem(word: str) -> str:
    return analyze(word, "kk")[0]


# --- Kazakh stemmer -----------------------------------------------------------------------------------------

INFLECTED_KAZAKH = {
    "құжат": ["құжаттарды", "құжатты", "құжаттың", "құжатпен", "құжаттан", "құжатыңыз", "құжаттарыңызды", "құжатым"],
    "анықтама": ["анықтамасын", "анықтаманы", "анықтамалар", "анықтамасы", "анықтамаға", "анықтамасына"],
    "тіркеу": ["тіркеуге", "тіркеуден", "тіркеуді"],
    "жәрдемақы": ["жәрдемақыны", "жәрдемақысы", "жәрдемақыға"],
    "мекенжай": ["мекенжайы", "мекенжайды", "мекенжайға", "мекенжайын"],
    "куәлік": ["куәлікті", "куәлігін", "куәліктің", "куәлігі"],
    "алу": ["алуға", "алған", "алып", "аламын", "алсам"],
    "ауыстыру": ["ауыстырамын", "ауыстыруға"],
    "бала": ["балаға", "балалар", "баланың", "баласы", "балаларға"],
    "зейнетақы": ["зейнетақыны", "зейнетақысы"],
    "өтініш": ["өтінішті", "өтініштер", "өтінішін"],
    "қызмет": ["қызметті", "қызметтер", "қызметін", "қызметтерді"],
    "неке": ["некені", "некеге", "некесін"],
    "карта": ["картаны", "картада"],
}


@pytest.mark.parametrize(("base", "forms"), INFLECTED_KAZAKH.items())
def test_inflected_kazakh_forms_share_the_stem_of_their_base_word(base, forms):
    # given a Kazakh word and its inflected forms
    # when each is analysed
    # then every form gives the base word's stem
    assert {kazakh_stem(form) for form in forms} == {kazakh_stem(base)}


def test_different_kazakh_words_keep_different_stems():
    # given words that must not be confused
    words = ["құжат", "анықтама", "тіркеу", "жәрдемақы", "мекенжай", "куәлік", "бала", "неке", "карта", "қызмет"]
    # when they are stemmed
    stems = [kazakh_stem(word) for word in words]
    # then no two meet
    assert len(set(stems)) == len(words)


def test_a_suffix_is_only_stripped_after_a_sound_it_may_follow():
    # given "карта", whose -та would be a locative only after a voiceless consonant
    # when it is stemmed
    # then the stem keeps its consonants (only the final vowel goes)
    assert stem("карта") == "карт"


def test_stems_never_get_shorter_than_the_minimum():
    # given short words that look like they end in suffixes
    # when they are stemmed
    # then at least three letters stay (two after a leading vowel)
    assert stem("заңы") == "зан"
    assert stem("алу") == "ал"


# --- Every spelling of a Kazakh word -----------------------------------------------------------------------

SPELLINGS = {
    "құжаттарды": ["кужаттарды", "qūjattardy", "qujattardy", "kujattardy", "re;fnnfhls"],
    "анықтамасын": ["аныктамасын", "anyqtamasyn", "anıqtamasın", "aniktamasin"],
    "тіркеуге": ["тиркеуге", "tirkeuge", "tіркеуге"],
    "жәрдемақыны": ["жардемакыны", "järdemaqyny", "jardemaqyny", "zhardemakyny", "ja'rdemaqyny"],
    "мекенжайы": ["мекенжайы", "mekenjaiy", "mekenzhaiy", "mekenjayı"],
    "куәлігін": ["куалигин", "kuäligin", "kualigin", "ky'a'ligin"],
    "шағым": ["шагым", "şağım", "shagym", "s'ag'ym"],
    "теңге": ["тенге", "teñge", "tenge", "ten'ge"],
}


@pytest.mark.parametrize(("official", "typed"), SPELLINGS.items())
def test_every_spelling_of_a_kazakh_word_meets_the_official_text(official, typed):
    # given the word as it stands in an official Kazakh text
    document_token = analyze(official, "kk")
    # when citizens type it without special letters, in Latin or in the wrong layout
    for spelling in typed:
        query = analyze_query(spelling)
        # then the query's Kazakh terms contain the document's token
        assert query.terms_kk == document_token, spelling


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("qūjattardy", "құжаттарды"),
        ("jeke kuälikti qalai auystyramyn", "жеке куәлікті қалай ауыстырамын"),
        ("a'ke", "әке"),
        ("gfcgjhn", "паспорт"),
        ("cghfdrf j ytcelbvjcnb", "справка о несудимости"),
        ("0e;fn", "қужат"),
        # б and ю sit on the Latin layout's comma and full stop: kept inside and at the edges of a word...
        ("gjkexbnm gtycb.", "получить пенсию"),
        ("cghfdrf j htubcnhfwbb ,hfrf", "справка о регистрации брака"),
        # ...unless the edge reading is implausible (a full stop or comma after the word)
        ("gfcgjhn.", "паспорт"),
        ("gfcgjhn,", "паспорт"),
    ],
)
def test_a_repaired_query_is_shown_as_understood(typed, shown):
    # given a query in Latin Kazakh or typed in the wrong layout
    # when it is analysed
    # then the repaired text reads as the citizen meant it
    assert analyze_query(typed).repaired == shown


@pytest.mark.parametrize("typed", ["құжаттарды алу", "как получить справку", "egov", "1414", ""])
def test_a_query_needing_no_repair_has_none(typed):
    assert analyze_query(typed).repaired is None


@pytest.mark.parametrize("word", ["qujattardy", "anyqtama", "spravka", "pasport", "zheke", "egov", "kualik"])
def test_latin_words_are_not_mistaken_for_a_wrong_layout(word):
    # given Latin Kazakh, transliterated Russian or a Latin word of the texts
    # when analysed
    repaired = analyze_query(word).repaired
    # then it is not read through the keyboard (which would give consonant soup)
    assert repaired is None or repaired[0] in "қкаспжеә", repaired


# --- Russian ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("official", "typed"),
    [
        ("справки", ["справку", "справка", "cghfdre", "spravka"]),
        ("удостоверения", ["удостоверение", "eljcnjdthtybt", "udostoverenie"]),
        ("несудимости", ["несудимость", "ytcelbvjcnb", "nesudimosti"]),
        ("пособие", ["пособия", "gjcj,bt", "posobie"]),
        ("ребёнка", ["ребенка", "ребёнку", "ht,tyrf", "ht,`yrf"]),
    ],
)
def test_every_spelling_of_a_russian_word_meets_the_official_text(official, typed):
    document_token = analyze(official, "ru")
    for spelling in typed:
        assert analyze_query(spelling).terms_ru == document_token, spelling


def test_russian_documents_lose_stop_words_and_keep_word_order():
    # given a Russian sentence
    # when analysed as a document
    tokens = analyze("Выдача справки о наличии либо отсутствии судимости", "ru")
    # then function words are gone and the stems come in order
    assert tokens == ["выдач", "справк", "налич", "отсутств", "судим"]


def test_kazakh_documents_keep_duplicates_and_latin_words():
    # given a Kazakh text with a repeated word and a Latin site name
    tokens = analyze("Құжаттарды eGov.kz порталында тапсырыңыз. Құжат дайын және тегін.", "kk")
    # then every occurrence is kept, in order; Latin words stay as written; "және" is a stop word
    assert tokens.count("кужат") == 2
    assert tokens.index("egov") < tokens.index("kz") < tokens.index("портал")
    assert "жане" not in tokens


def test_a_query_is_analysed_as_both_languages():
    # given a Russian question
    query = analyze_query("Как получить справку о несудимости?")
    # then both analyses are there, stop words gone, and `terms` is their union without duplicates
    assert query.terms_ru == ["получ", "справк", "несудим"]
    assert query.terms_kk and "как" not in query.terms_kk
    assert query.terms == list(dict.fromkeys(query.terms_kk + query.terms_ru))


def test_analyze_word_matches_the_document_tokens():
    assert analyze_word("Құжаттарыңызды", "kk") == analyze("құжат", "kk")[0]
    assert analyze_word("и", "ru") is None


# --- Russian derivation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "related",
    [
        ["регистрировать", "регистрация", "регистрации"],
        ["восстановить", "восстановление", "восстановления"],
        ["оформить", "оформление", "оформления"],
        ["получить", "получение", "получения"],
        ["исправить", "исправление", "исправлений"],
        ["проверить", "проверка", "проверку"],
        ["записать", "запись", "записи", "записей"],
        ["выписать", "выписка", "выписку"],
        ["прописаться", "прописка", "прописки"],
        ["нарколога", "наркологических", "нарколог"],
        ["корректировать", "корректировка", "корректировки"],
        ["декларацию", "декларирование", "декларации"],
        ["инвалидность", "инвалидов", "инвалидности"],
    ],
)
def test_related_russian_words_share_a_derivational_root(related):
    # given a verb and the nouns and adjectives made from it, as citizens and official texts write them
    roots = {russian.root_of(analyze_word(word, "ru") or "") for word in related}
    # then they meet at one root
    assert len(roots) == 1, roots


@pytest.mark.parametrize(
    ("word", "other"),
    [
        ("справка", "исправить"),
        ("восстановить", "становиться"),
        ("основание", "осень"),
        ("налог", "наличие"),
        ("движимое", "недвижимость"),
    ],
)
def test_unrelated_russian_words_keep_different_roots(word, other):
    root = russian.root_of(analyze_word(word, "ru") or "")
    assert root != russian.root_of(analyze_word(other, "ru") or "")
    assert root not in russian.prefixless_roots(russian.root_of(analyze_word(other, "ru") or ""))


def test_a_verb_prefix_comes_off_only_on_request_and_leaves_a_long_root():
    # given "зарегистрировать" and "перерегистрация"
    # then without their prefix they meet "регистрация"; short remainders are not roots ("исправ" is not "прав")
    assert russian.prefixless_roots("зарегистр") == ["регистр"]
    assert "регистр" in russian.prefixless_roots("перерегистр")
    assert russian.prefixless_roots("исправ") == []


def test_snowball_does_not_cut_the_noun_zapis_as_a_reflexive_verb():
    # Snowball alone reads запись as зап-ись (a reflexive ending) and записи as запис-и
    assert analyze("запись записи подпись подписи", "ru") == ["запис", "запис", "подпис", "подпис"]


# --- Wrong layout, word by word ------------------------------------------------------------------------------


def _known(*words):  # type: ignore[no-untyped-def]
    known = set(words)
    return lambda text: all(part in known for part in text.split("-") if part)


def test_a_short_abbreviation_in_the_wrong_layout_is_repaired_when_the_knowledge_base_knows_it():
    # given ЕНПФ typed on a Latin layout, which reads as unpronounceable Latin or a Cyrillic consonant cluster
    typed = "gjkexbnm gtycb. bp tyga"
    # when letter statistics alone decide, it stays Latin; when the knowledge base knows "енпф", it is repaired
    assert analyze_query(typed).repaired == "получить пенсию из тыга"
    assert analyze_query(typed, known=_known("получить", "пенсию", "из", "енпф")).repaired == "получить пенсию из енпф"


def test_a_known_abbreviation_alone_in_the_wrong_layout_is_repaired():
    assert analyze_query("tyga", known=_known("енпф")).repaired == "енпф"
    # but a Latin word the knowledge base knows is left as it is
    assert analyze_query("qujat", known=_known("құжат", "йгоые")).repaired != "йгоые"


def test_a_word_next_to_wrong_layout_words_follows_them_when_it_reads_better_through_the_keyboard():
    # given "взять" typed in the wrong layout between repaired words: its keys read as Latin are no word at all
    assert analyze_query("ult dpznm cghfdre j hfpdjlt").repaired == "где взять справку о разводе"


def test_a_hyphen_in_the_wrong_layout_stays_a_hyphen_when_that_gives_known_words():
    known = _known("проверить", "запрет", "на", "выезд", "из", "за", "долгов")
    assert analyze_query("ghjdthbnm pfghtn yf dstpl bp-pf ljkujd", known=known).repaired == (
        "проверить запрет на выезд из-за долгов"
    )


# --- Bad input ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\x00\x00",
        "%",
        "_",
        "*",
        "'\"",
        "title:x AND (y OR z)~2^3",
        "\u202eқұжат\u202c",
        "\u200fсправка\u200e",
        "🙂🙂 құжат 🙂",
        "x " * 5000,
        "а" * 10_000,
        "құжат " * 2000,
        "<script>alert(1)</script>",
        "'; DROP TABLE knowledge_article; --",
    ],
)
def test_bad_input_never_raises_and_stays_small(text):
    # when anything is analysed
    query = analyze_query(text)
    # then it is a query with a bounded number of short terms
    assert isinstance(query, AnalyzedQuery)
    assert len(query.terms_kk) <= MAX_QUERY_TERMS and len(query.terms_ru) <= MAX_QUERY_TERMS
    assert all(0 < len(term) <= 48 and "\x00" not in term for term in query.terms)
    assert isinstance(analyze(text, "kk"), list) and isinstance(analyze(text, "xx"), list)


def test_invisible_marks_do_not_change_the_terms():
    assert analyze_query("\u202eқұжат\u200f").terms == analyze_query("құжат").terms


def test_query_analysis_is_fast():
    # given typical queries in every spelling
    queries = [
        "жеке куәлікті қалай ауыстырамын",
        "как получить справку о несудимости",
        "cghfdrf j ytcelbvjcnb",
        "qujattardy qalai tapsyramyn",
        "kujattardy kaida tapsyru kerek",
        "пособие на рождение ребенка",
    ]
    # when each is analysed many times (with fresh words so caches do not hide the cost)
    started = time.perf_counter()
    for number in range(300):
        for query in queries:
            analyze_query(f"{query} {number}")
    per_query_ms = (time.perf_counter() - started) * 1000 / (300 * len(queries))
    # then the average stays well under a millisecond
    assert per_query_ms < 1.0


def test_each_query_word_keeps_its_kazakh_and_russian_reading():
    # given a query with a stop word in the middle
    query = analyze_query("справка о несудимости")
    # then each remaining word has one reading per language, in order (stop words dropped)
    assert [russian for _kazakh, russian in query.word_terms] == ["справк", "несудим"]
    assert all(kazakh for kazakh, _russian in query.word_terms)
    assert query.terms_ru == ["справк", "несудим"]
