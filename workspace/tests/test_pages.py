"""The consultant's desk, the registry list and the appeal page: who may use them and what they do."""

import re

import pytest
from django.urls import reverse

from appeals.choices import AppealEventKind, AppealStatus, Channel
from appeals.models import Appeal
from appeals.services import answer_appeal, close_appeal, register_appeal
from audit.models import AuditEvent

HOSTILE = "<script>alert('x')</script>'; DROP TABLE appeals_appeal; --"
ANONYMOUS = "anonymous"


def _token(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'name="form_token" value="([^"]+)"', response.content.decode()).group(1)


def _desk_form(token: str, **overrides: str) -> dict[str, str]:
    return {
        "phone": "8 701 123 45 67",
        "language": "kk",
        "subject": "Жеке куәлік",
        "text": "",
        "service": "",
        "citizen_name": "",
        "form_token": token,
        **overrides,
    }


# --- Role matrix --------------------------------------------------------------------------------------------


def _assert_status(response, expected: int | str) -> None:  # type: ignore[no-untyped-def]
    if expected == "login":
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    else:
        assert response.status_code == expected


STAFF_ONLY = [
    ("consultant", 200),
    ("supervisor", 200),
    ("admin", 200),
    ("officer", 403),
    ("editor", 403),
    ("regulator", 403),
    ("integration", 403),
    (ANONYMOUS, "login"),
]
READERS = [
    ("consultant", 200),
    ("supervisor", 200),
    ("admin", 200),
    ("officer", 200),
    ("editor", 403),
    ("regulator", 403),
    ("integration", 403),
    (ANONYMOUS, "login"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "expected"), STAFF_ONLY)
def test_desk_role_matrix(clients, who, expected) -> None:  # type: ignore[no-untyped-def]
    _assert_status(clients[who].get(reverse("workspace:desk")), expected)


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "expected"), READERS)
def test_list_role_matrix(clients, appeal, who, expected) -> None:  # type: ignore[no-untyped-def]
    _assert_status(clients[who].get(reverse("workspace:appeal_list")), expected)


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "expected"), [*READERS[:3], ("officer", 200), ("outsider", 404), *READERS[4:]])
def test_detail_role_matrix(clients, organisation, who, expected) -> None:  # type: ignore[no-untyped-def]
    appeal = register_appeal(channel=Channel.PHONE, subject="S", organisation=organisation).appeal
    _assert_status(clients[who].get(reverse("workspace:appeal_detail", args=[appeal.pk])), expected)


@pytest.mark.django_db
def test_officer_gets_404_on_an_appeal_of_no_concern(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    response = clients["officer"].get(reverse("workspace:appeal_detail", args=[appeal.pk]))
    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["appeal_take", "appeal_answer", "appeal_refer", "appeal_close", "appeal_reopen"])
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("officer", 403),
        ("editor", 403),
        ("regulator", 403),
        ("integration", 403),
        (ANONYMOUS, "login"),
        ("consultant", 302),
    ],
)
def test_action_role_matrix(clients, organisation, action, who, expected) -> None:  # type: ignore[no-untyped-def]
    appeal = register_appeal(channel=Channel.PHONE, subject="S", organisation=organisation).appeal
    data = {"answer": "A", "organisation": organisation.pk}
    response = clients[who].post(reverse(f"workspace:{action}", args=[appeal.pk]), data)
    _assert_status(response, expected)


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "expected"), STAFF_ONLY)
def test_referral_contacts_role_matrix(clients, organisation, who, expected) -> None:  # type: ignore[no-untyped-def]
    url = reverse("workspace:referral_contacts")
    _assert_status(clients[who].get(url, {"organisation": organisation.pk}), expected)


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "expected"), STAFF_ONLY)
def test_attach_article_role_matrix(clients, appeal, article, who, expected) -> None:  # type: ignore[no-untyped-def]
    url = reverse("workspace:attach_article", args=[appeal.pk, article.pk])
    _assert_status(clients[who].post(url), expected)


@pytest.mark.django_db
def test_unknown_appeal_or_article_is_a_404(clients, appeal, article) -> None:  # type: ignore[no-untyped-def]
    client = clients["consultant"]
    assert client.get(reverse("workspace:appeal_detail", args=[10**9])).status_code == 404
    assert client.post(reverse("workspace:attach_article", args=[10**9, article.pk])).status_code == 404
    assert client.post(reverse("workspace:attach_article", args=[appeal.pk, 10**9])).status_code == 404


# --- Desk ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_desk_registers_a_phone_appeal_and_opens_it(clients, consultant, service) -> None:  # type: ignore[no-untyped-def]
    # given
    client = clients["consultant"]
    page = client.get(reverse("workspace:desk"))
    html = page.content.decode()
    assert "autofocus" in html.split('name="phone"')[1].split(">")[0]
    assert service.name_kk in html and 'class="side-panel"' in html
    # when
    response = client.post(reverse("workspace:desk"), _desk_form(_token(page), service=str(service.pk)))
    # then
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workspace:appeal_detail", args=[appeal.pk])
    assert (appeal.channel, appeal.phone, appeal.service) == (Channel.PHONE, "+77011234567", service)
    assert (appeal.status, appeal.assigned_to) == (AppealStatus.IN_WORK, consultant)
    assert appeal.number in client.get(reverse("workspace:desk")).content.decode()  # "my open appeals"


@pytest.mark.django_db
def test_a_double_submitted_desk_form_gives_one_appeal(clients) -> None:  # type: ignore[no-untyped-def]
    # given
    client = clients["consultant"]
    form = _desk_form(_token(client.get(reverse("workspace:desk"))))
    # when
    first = client.post(reverse("workspace:desk"), form)
    second = client.post(reverse("workspace:desk"), form)
    # then
    assert Appeal.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert Appeal.objects.get().events.filter(kind=AppealEventKind.TAKEN).count() == 1


@pytest.mark.django_db
def test_two_desk_forms_give_two_appeals(clients) -> None:  # type: ignore[no-untyped-def]
    client = clients["consultant"]
    for _ in range(2):
        client.post(reverse("workspace:desk"), _desk_form(_token(client.get(reverse("workspace:desk")))))
    assert Appeal.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"phone": "12345"}, "phone"),
        ({"subject": ""}, "subject"),
        ({"text": "x" * 100_000}, "text"),
        ({"form_token": "x"}, "form_token"),
        ({"language": "en"}, "language"),
    ],
)
def test_desk_shows_errors_and_registers_nothing(clients, overrides, field_message) -> None:  # type: ignore[no-untyped-def]
    client = clients["consultant"]
    response = client.post(reverse("workspace:desk"), _desk_form("A" * 24, **overrides))
    assert response.status_code == 400
    assert field_message in response.context["form"].errors
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_hostile_input_is_stored_and_rendered_escaped(clients) -> None:  # type: ignore[no-untyped-def]
    # given
    client = clients["consultant"]
    form = _desk_form("B" * 24, subject=HOSTILE, text=HOSTILE, citizen_name=HOSTILE)
    # when
    client.post(reverse("workspace:desk"), form)
    appeal = Appeal.objects.get()
    detail = client.get(reverse("workspace:appeal_detail", args=[appeal.pk])).content.decode()
    listing = client.get(reverse("workspace:appeal_list")).content.decode()
    # then
    assert appeal.subject == HOSTILE and appeal.text == HOSTILE and appeal.citizen_name == HOSTILE
    for html in (detail, listing):
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html


# --- Registry list ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_masks_contacts(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    html = clients["consultant"].get(reverse("workspace:appeal_list")).content.decode()
    assert appeal.number in html
    assert "+7701*****67" in html and "a***@example.kz" in html
    assert "+77011234567" not in html and "aigul@example.kz" not in html and "Айгүл Серікова" not in html


@pytest.mark.django_db
def test_list_filters_and_htmx_partial(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    # given
    other = register_appeal(channel=Channel.PHONE, subject="Басқа", phone="87770000000").appeal
    client = clients["consultant"]
    # when
    full = client.get(reverse("workspace:appeal_list"), {"phone": "8 777 000 00 00"})
    partial = client.get(reverse("workspace:appeal_list"), {"channel": "web"}, HTTP_HX_REQUEST="true")
    # then
    assert other.number in full.content.decode() and appeal.number not in full.content.decode()
    assert next(t.name for t in partial.templates) == "workspace/_appeal_table.html"
    assert appeal.number in partial.content.decode() and other.number not in partial.content.decode()
    assert "<html" not in partial.content.decode()


@pytest.mark.django_db
def test_list_with_a_bad_filter_shows_the_error(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    response = clients["consultant"].get(reverse("workspace:appeal_list"), {"phone": "abc", "page": "x"})
    assert response.status_code == 200 and "phone" in response.context["form"].errors
    assert appeal.number not in response.content.decode()


@pytest.mark.django_db
def test_list_is_paginated(clients) -> None:  # type: ignore[no-untyped-def]
    for index in range(30):
        register_appeal(channel=Channel.PHONE, subject=f"S{index}")
    first = clients["consultant"].get(reverse("workspace:appeal_list"))
    second = clients["consultant"].get(reverse("workspace:appeal_list"), {"page": 2})
    assert len(first.context["appeals"]) == 25 and len(second.context["appeals"]) == 5


@pytest.mark.django_db
def test_officer_list_shows_only_their_organisation(clients, appeal, organisation) -> None:  # type: ignore[no-untyped-def]
    ours = register_appeal(channel=Channel.PHONE, subject="Ours", organisation=organisation).appeal
    html = clients["officer"].get(reverse("workspace:appeal_list")).content.decode()
    assert ours.number in html and appeal.number not in html
    assert ours.number not in clients["outsider"].get(reverse("workspace:appeal_list")).content.decode()


# --- Appeal page ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_shows_contacts_in_clear_and_audits_the_read(clients, appeal, consultant) -> None:  # type: ignore[no-untyped-def]
    # when
    html = clients["consultant"].get(reverse("workspace:appeal_detail", args=[appeal.pk])).content.decode()
    # then
    assert "+77011234567" in html and "aigul@example.kz" in html and "870101300128" in html
    read = AuditEvent.objects.get(kind="read", object_id=str(appeal.pk))
    assert read.actor == consultant
    assert read.details["fields"] == ["citizen_name", "email", "iin", "phone"]


@pytest.mark.django_db
def test_detail_screen_pop_lists_earlier_appeals_from_the_same_contact(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    later = register_appeal(channel=Channel.PHONE, subject="Қайта қоңырау", phone="+7 701 123 45 67").appeal
    response = clients["consultant"].get(reverse("workspace:appeal_detail", args=[later.pk]))
    assert response.context["history"] == [appeal]
    assert appeal.number in response.content.decode()


@pytest.mark.django_db
def test_detail_has_the_knowledge_panel_for_this_appeal(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    html = clients["consultant"].get(reverse("workspace:appeal_detail", args=[appeal.pk])).content.decode()
    assert f'name="appeal" value="{appeal.pk}"' in html
    assert reverse("knowledge:search_panel") in html and 'hx-trigger="input changed delay:300ms' in html


@pytest.mark.django_db
def test_officer_reads_without_action_forms(clients, organisation) -> None:  # type: ignore[no-untyped-def]
    appeal = register_appeal(channel=Channel.PHONE, subject="S", organisation=organisation).appeal
    response = clients["officer"].get(reverse("workspace:appeal_detail", args=[appeal.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("workspace:appeal_answer", args=[appeal.pk]) not in html
    assert reverse("workspace:appeal_refer", args=[appeal.pk]) not in html


@pytest.mark.django_db
def test_take_answer_close_through_the_page(clients, appeal, consultant) -> None:  # type: ignore[no-untyped-def]
    client = clients["consultant"]
    client.post(reverse("workspace:appeal_take", args=[appeal.pk]))
    client.post(reverse("workspace:appeal_answer", args=[appeal.pk]), {"answer": "ХҚКО-ға барыңыз."})
    client.post(reverse("workspace:appeal_close", args=[appeal.pk]))
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED and appeal.answer == "ХҚКО-ға барыңыз."
    html = client.get(reverse("workspace:appeal_detail", args=[appeal.pk])).content.decode()
    assert "ХҚКО-ға барыңыз." in html


@pytest.mark.django_db
def test_an_empty_answer_shows_the_error(clients, appeal) -> None:  # type: ignore[no-untyped-def]
    response = clients["consultant"].post(reverse("workspace:appeal_answer", args=[appeal.pk]), {"answer": "  "})
    assert response.status_code == 400 and response.context["answer_form"].errors
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REGISTERED


@pytest.mark.django_db
def test_a_refused_move_comes_back_as_a_message(clients, appeal, consultant) -> None:  # type: ignore[no-untyped-def]
    answer_appeal(appeal=appeal, answer="A", actor=consultant)
    close_appeal(appeal=appeal, actor=consultant)
    response = clients["consultant"].post(reverse("workspace:appeal_reopen", args=[appeal.pk]), follow=True)
    assert response.status_code == 200 and list(response.context["messages"])


@pytest.mark.django_db
def test_refer_through_the_page_stores_the_prefilled_contacts(clients, appeal, organisation) -> None:  # type: ignore[no-untyped-def]
    # given
    client = clients["consultant"]
    partial = client.get(reverse("workspace:referral_contacts"), {"organisation": organisation.pk}).content.decode()
    assert "kense@mvd.gov.kz" in partial and 'name="contacts"' in partial
    # when
    contacts = re.search(r"<textarea[^>]*>(.*)</textarea>", partial, re.S).group(1)
    client.post(
        reverse("workspace:appeal_refer", args=[appeal.pk]),
        {"organisation": organisation.pk, "contacts": contacts, "note": ""},
    )
    # then
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REFERRED and appeal.referral_organisation == organisation
    assert "kense@mvd.gov.kz" in appeal.referral_contacts


@pytest.mark.django_db
def test_referral_contacts_for_nothing_is_empty(clients) -> None:  # type: ignore[no-untyped-def]
    response = clients["consultant"].get(reverse("workspace:referral_contacts"), {"organisation": "abc"})
    assert response.status_code == 200 and response.context["contacts"] == ""


@pytest.mark.django_db
def test_attach_article_returns_the_updated_list(clients, appeal, article) -> None:  # type: ignore[no-untyped-def]
    # when
    url = reverse("workspace:attach_article", args=[appeal.pk, article.pk])
    first = clients["consultant"].post(url, HTTP_HX_REQUEST="true")
    second = clients["consultant"].post(url, HTTP_HX_REQUEST="true")
    # then
    assert first.status_code == 200 and first["HX-Retarget"] == "#articles-used"
    assert "Жеке куәлікті ауыстыру" in first.content.decode()
    assert second.content.decode().count(f'data-article-id="{article.pk}"') == 1
    assert list(appeal.articles.all()) == [article]


@pytest.mark.django_db
def test_attach_to_a_closed_appeal_is_refused_in_the_partial(clients, appeal, article, consultant) -> None:  # type: ignore[no-untyped-def]
    answer_appeal(appeal=appeal, answer="A", actor=consultant)
    close_appeal(appeal=appeal, actor=consultant)
    response = clients["consultant"].post(reverse("workspace:attach_article", args=[appeal.pk, article.pk]))
    assert response.context["attach_error"] and not appeal.articles.exists()


@pytest.mark.django_db
def test_attach_needs_post(clients, appeal, article) -> None:  # type: ignore[no-untyped-def]
    response = clients["consultant"].get(reverse("workspace:attach_article", args=[appeal.pk, article.pk]))
    assert response.status_code == 405
