"""The IMAP poller against a real Dovecot: messages become appeals, flagged on the server only after commit."""

from __future__ import annotations

import hashlib
import imaplib
import re
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from appeals.choices import Channel
from appeals.models import Appeal
from intake.email.imap import DONE_FLAG, poll_all, poll_mailbox
from intake.mailboxes import Mailbox, mailbox_for
from intake.models import InboundMessage, InboundSource, InboundStatus
from intake.tests.conftest import plain_mail
from intake.tests.dovecot import Dovecot

PASSWORD_ENV = "INTAKE_TEST_IMAP_PASSWORD"


@pytest.fixture
def imap_mailbox(dovecot: Dovecot, settings, monkeypatch, tmp_path: Path) -> Callable[..., Mailbox]:  # type: ignore[no-untyped-def]
    """Configures egov@nitec.kz in POLICY to be read from the test Dovecot (the other mailboxes stay SMTP-only)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv(PASSWORD_ENV, dovecot.password)

    def configure(*, folder: str = "INBOX", port: int | None = None) -> Mailbox:
        imap = {
            "host": "127.0.0.1",
            "port": port or dovecot.port,
            "user": dovecot.user,
            "password_env": PASSWORD_ENV,
            "folder": folder,
            "ssl": False,
        }
        settings.POLICY = {
            **settings.POLICY,
            "INTAKE_MAILBOXES": [
                {"address": "egov@nitec.kz", "topic": "egov", "queue": "egov", "imap": imap},
                {"address": "sd@nitec.kz", "topic": "service-desk", "queue": "service-desk"},
            ],
        }
        box = mailbox_for("egov@nitec.kz")
        assert box is not None
        return box

    return configure


def _letters(count: int) -> list[bytes]:
    return [
        plain_mail(
            subject=f"Жеке куәлік №{index}",
            sender=f"citizen{index}@example.kz",
            message_id=f"<imap-{index}-{count}@example.kz>",
        )
        for index in range(1, count + 1)
    ]


def _flagged(server: Dovecot, folder: str = "INBOX") -> dict[int, bool]:
    return {uid: DONE_FLAG in flags for uid, flags in server.flags(folder=folder).items()}


def _acknowledged(inbox, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(str(message["To"]) for message in inbox.wait_for(count))


@pytest.mark.django_db(transaction=True)
def test_each_message_becomes_an_appeal_and_is_flagged_on_the_server(
    dovecot: Dovecot, imap_mailbox, smtp_inbox
) -> None:  # type: ignore[no-untyped-def]
    # given
    imap_mailbox()
    first, second = (dovecot.deliver(raw) for raw in _letters(2))
    # when
    taken = poll_all()
    # then
    assert taken == 2
    messages = InboundMessage.objects.order_by("key")
    assert [(m.key, m.source, m.status, m.mailbox) for m in messages] == [
        ("imap-1-2@example.kz", InboundSource.IMAP, InboundStatus.REGISTERED, "egov@nitec.kz"),
        ("imap-2-2@example.kz", InboundSource.IMAP, InboundStatus.REGISTERED, "egov@nitec.kz"),
    ]
    assert sorted(Appeal.objects.values_list("email", "channel")) == [
        ("citizen1@example.kz", Channel.EMAIL),
        ("citizen2@example.kz", Channel.EMAIL),
    ]
    assert _flagged(dovecot) == {first: True, second: True}
    assert all("\\Seen" in flags for flags in dovecot.flags().values())
    assert _acknowledged(smtp_inbox, 2) == ["citizen1@example.kz", "citizen2@example.kz"]
    # and a second poll finds nothing new
    assert poll_all() == 0
    assert Appeal.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_message_fetched_twice_makes_one_appeal(dovecot: Dovecot, imap_mailbox, smtp_inbox) -> None:  # type: ignore[no-untyped-def]
    # given: polled once, then someone removes our flag by hand in a mail client
    box = imap_mailbox()
    (uid,) = (dovecot.deliver(raw) for raw in _letters(1))
    poll_mailbox(box)
    dovecot.remove_flag(uid, DONE_FLAG)
    assert _flagged(dovecot) == {uid: False}
    # when
    poll_mailbox(box)
    # then
    assert Appeal.objects.count() == 1
    assert InboundMessage.objects.get().status == InboundStatus.REGISTERED
    assert _flagged(dovecot) == {uid: True}
    assert _acknowledged(smtp_inbox, 1) == ["citizen1@example.kz"]
    assert len(smtp_inbox.wait_for(2, timeout=1)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_poll_takes_at_most_the_batch(dovecot: Dovecot, imap_mailbox, settings) -> None:  # type: ignore[no-untyped-def]
    # given
    settings.INTAKE_IMAP_BATCH = 2
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    imap_mailbox()
    uids = [dovecot.deliver(raw) for raw in _letters(3)]
    # when
    first_poll = poll_all()
    # then: the oldest two are taken, the third waits for the next poll
    assert first_poll == 2
    assert _flagged(dovecot) == {uids[0]: True, uids[1]: True, uids[2]: False}
    assert Appeal.objects.count() == 2
    # when
    second_poll = poll_all()
    # then
    assert second_poll == 1
    assert Appeal.objects.count() == 3
    assert all(_flagged(dovecot).values())


@pytest.mark.django_db(transaction=True)
def test_a_folder_with_a_cyrillic_name_and_spaces(dovecot: Dovecot, imap_mailbox, settings) -> None:  # type: ignore[no-untyped-def]
    # given
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    folder = "Обращения & жалобы 2025"
    dovecot.create_folder(folder)
    box = imap_mailbox(folder=folder)
    uid = dovecot.deliver(_letters(1)[0], folder=folder)
    inbox_uid = dovecot.deliver(plain_mail(message_id="<not-this-folder@example.kz>"))
    # when
    taken = poll_mailbox(box)
    # then
    assert taken == 1
    assert InboundMessage.objects.get().key == "imap-1-1@example.kz"
    assert _flagged(dovecot, folder) == {uid: True}
    assert _flagged(dovecot) == {inbox_uid: False}


@pytest.mark.django_db(transaction=True)
def test_a_message_that_cannot_be_stored_stays_unflagged_and_the_next_poll_takes_it_once(
    dovecot: Dovecot, imap_mailbox, settings, smtp_inbox
) -> None:  # type: ignore[no-untyped-def]
    # given: the second message's raw file cannot be written (its folder is taken by a stray file)
    box = imap_mailbox()
    letters = _distinct_raw_folders(_letters(3))
    uids = [dovecot.deliver(raw) for raw in letters]
    obstacle = Path(settings.MEDIA_ROOT) / "intake" / "raw" / _raw_folder(letters[1])
    obstacle.parent.mkdir(parents=True)
    obstacle.write_bytes(b"not a folder")
    # when: the poll stops at the second message
    with pytest.raises(OSError):
        poll_mailbox(box)
    # then: the first is registered and flagged; the second and third are untouched on the server
    assert _flagged(dovecot) == {uids[0]: True, uids[1]: False, uids[2]: False}
    assert list(InboundMessage.objects.values_list("key", flat=True)) == ["imap-1-3@example.kz"]
    # when: the disk is fine again
    obstacle.unlink()
    taken = poll_mailbox(box)
    # then: each message exactly once
    assert taken == 2
    assert all(_flagged(dovecot).values())
    assert sorted(InboundMessage.objects.values_list("key", "status")) == [
        (f"imap-{index}-3@example.kz", InboundStatus.REGISTERED) for index in (1, 2, 3)
    ]
    assert Appeal.objects.count() == 3
    assert _acknowledged(smtp_inbox, 3) == [f"citizen{index}@example.kz" for index in (1, 2, 3)]
    assert len(smtp_inbox.wait_for(4, timeout=1)) == 3


@pytest.mark.django_db(transaction=True)
def test_a_connection_dropped_between_commit_and_flag_makes_no_second_appeal(
    dovecot: Dovecot, imap_mailbox, smtp_inbox
) -> None:  # type: ignore[no-untyped-def]
    # given: the network between the poller and Dovecot fails as the second message is being flagged
    uids = [dovecot.deliver(raw) for raw in _letters(3)]
    with CuttingProxy(dovecot.port, cut_at_store=2) as proxy:
        box = imap_mailbox(port=proxy.port)
        # when
        with pytest.raises(imaplib.IMAP4.abort):
            poll_mailbox(box)
    # then: the second appeal is committed, but the server never heard that it was
    assert _flagged(dovecot) == {uids[0]: True, uids[1]: False, uids[2]: False}
    assert Appeal.objects.count() == 2
    # when: the next poll goes through
    box = imap_mailbox()
    taken = poll_mailbox(box)
    # then: the second is only flagged now, the third registered; one appeal and one acknowledgement each
    assert taken == 2
    assert all(_flagged(dovecot).values())
    assert InboundMessage.objects.filter(status=InboundStatus.REGISTERED).count() == 3
    assert sorted(Appeal.objects.values_list("email", flat=True)) == [
        f"citizen{index}@example.kz" for index in (1, 2, 3)
    ]
    assert _acknowledged(smtp_inbox, 3) == [f"citizen{index}@example.kz" for index in (1, 2, 3)]
    assert len(smtp_inbox.wait_for(4, timeout=1)) == 3


@pytest.mark.django_db(transaction=True)
def test_a_wrong_password_takes_nothing_and_flags_nothing(dovecot: Dovecot, imap_mailbox, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # given
    box = imap_mailbox()
    uid = dovecot.deliver(_letters(1)[0])
    monkeypatch.setenv(PASSWORD_ENV, "not-the-password")
    box = imap_mailbox()
    # when / then
    with pytest.raises(imaplib.IMAP4.error):
        poll_mailbox(box)
    assert not InboundMessage.objects.exists()
    assert _flagged(dovecot) == {uid: False}


# --- Helpers ---------------------------------------------------------------------------------------------


def _raw_folder(raw: bytes) -> str:
    """The folder under intake/raw/ the poller keeps this message in (IMAP hands it back with CRLF endings)."""
    fetched = re.sub(rb"\r\n|\r|\n", b"\r\n", raw)
    return hashlib.sha256(fetched).hexdigest()[:2]


def _distinct_raw_folders(letters: list[bytes]) -> list[bytes]:
    """The same letters, with the second one's raw folder shared by no other (so only it fails)."""
    while _raw_folder(letters[1]) in {_raw_folder(letters[0]), _raw_folder(letters[2])}:
        letters[1] = letters[1].replace(b"Subject:", b"X-Retry: 1\nSubject:", 1)
    return letters


class CuttingProxy:
    """A TCP relay between the poller and Dovecot that cuts the connection instead of passing the Nth STORE."""

    def __init__(self, target_port: int, *, cut_at_store: int) -> None:
        self.target_port = target_port
        self.cut_at_store = cut_at_store
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.sockets: list[socket.socket] = [self.listener]

    def __enter__(self) -> CuttingProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for sock in self.sockets:
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()
            threading.Thread(target=self._commands, args=(client, upstream), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        for chunk in _chunks(source):
            target.sendall(chunk)

    def _commands(self, client: socket.socket, upstream: socket.socket) -> None:
        stores = 0
        for chunk in _chunks(client):
            stores += chunk.count(b" STORE ")
            if stores >= self.cut_at_store:
                for sock in (client, upstream):
                    sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
                return
            upstream.sendall(chunk)


def _chunks(sock: socket.socket) -> Iterator[bytes]:
    while True:
        try:
            chunk = sock.recv(65536)
        except OSError:
            return
        if not chunk:
            return
        yield chunk
