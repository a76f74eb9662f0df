import pytest

from knowledge import services
from knowledge.choices import ContentOrigin
from knowledge.diff import text_diff, version_diff, word_diff

pytestmark = pytest.mark.django_db


def test_word_diff_marks_only_the_changed_words():
    # when one word of a line changes
    html = word_diff("Мерзімі 5 жұмыс күні", "Мерзімі 3 жұмыс күні")
    # then only that word is marked removed and added
    assert html == 'Мерзімі <del class="diff_sub">5</del><ins class="diff_add">3</ins> жұмыс күні'


def test_text_diff_keeps_unchanged_lines_and_marks_added_lines():
    html = text_diff("Бірінші жол\nЕкінші жол", "Бірінші жол\nЕкінші жол\nҮшінші жол")
    assert '<div class="diff-line">Бірінші жол</div>' in html
    assert '<ins class="diff_add">Үшінші жол</ins>' in html
    assert "diff_sub" not in html


def test_text_diff_escapes_markup():
    # given texts with markup in them
    html = text_diff("<b>old</b>", "<script>alert(1)</script>")
    # then nothing of it is live HTML
    assert "<script" not in html and "<b>" not in html
    assert html.count("&lt;") == 2 and "alert(1)" in html


def test_very_long_lines_fall_back_to_whole_line_marking():
    old, new = "сөз " * 5000, "сөз " * 4999 + "жаңа"
    html = word_diff(old, new)
    assert html.startswith('<del class="diff_sub">') and '<ins class="diff_add">' in html


def test_version_is_compared_with_the_version_it_was_based_on(article, editor):
    # given the published Kazakh text and a draft changing one word
    published = article.translations.get(language="kk").published_version
    body = published.body.replace("барыңыз", "хабарласыңыз")
    version = services.save_draft(
        article=article,
        language="kk",
        title=published.title,
        body=body,
        content_origin=ContentOrigin.WRITTEN,
        actor=editor,
    )
    # when the diff is built
    diff = version_diff(version)
    # then it is against the published version and shows the changed word
    assert diff.base == published and diff.changed
    assert '<del class="diff_sub">барыңыз</del><ins class="diff_add">хабарласыңыз</ins>' in diff.body


def test_first_version_is_all_new(editor, organisation):
    article = services.create_article(slug="fresh", organisations=[organisation], actor=editor)
    version = services.save_draft(
        article=article, language="ru", title="Заголовок", body="Текст", content_origin="written", actor=editor
    )
    diff = version_diff(version)
    assert diff.base is None and '<ins class="diff_add">Текст</ins>' in diff.body
