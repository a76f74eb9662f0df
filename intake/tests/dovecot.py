"""A private Dovecot IMAP server for a test: its own config, users file, Maildir and sockets in a temporary folder.

    with Dovecot.start() as server:
        server.deliver(raw)                 # IMAP APPEND, as a mail server's delivery agent would
        poll_mailbox(...)                   # the code under test reads it over IMAP on server.port
        assert server.flags() == {1: {"$BailanysRegistered", "\\Seen"}}

Dovecot runs in the foreground (`dovecot -F -c CONFIG`) on 127.0.0.1 and a port of this xdist worker's own range,
with plaintext login allowed on loopback without TLS. Run as root (as in CI), its login processes run as
`dovenull` and the Maildir belongs to `nobody` (Dovecot refuses to serve mail as root); run as another user, all
of it runs as that user. The server is stopped, and its folder removed, when the context ends.
"""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

USER = "mailbox"
PASSWORD = "imap-test-secret-1414"
PORT_BASE = int(os.environ.get("INTAKE_TEST_IMAP_PORT_BASE", "14300"))
PORTS_PER_WORKER = 20


def dovecot_binary() -> str:
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/usr/local/sbin")
    if binary is None:
        raise RuntimeError("Dovecot is not installed (Debian package dovecot-imapd): run `make system-test-deps`")
    return binary


def doveadm_binary() -> str:
    binary = shutil.which("doveadm") or shutil.which("doveadm", path="/usr/bin:/usr/sbin:/usr/local/bin")
    if binary is None:
        raise RuntimeError("doveadm is not installed (Debian package dovecot-core): run `make system-test-deps`")
    return binary


def port_for_this_worker() -> int:
    """A free port in this xdist worker's range (base + 20 × worker index), so parallel workers never clash."""
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    first = PORT_BASE + PORTS_PER_WORKER * worker
    for port in range(first, first + PORTS_PER_WORKER):
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {first}-{first + PORTS_PER_WORKER - 1} for the test Dovecot")


def _accounts() -> tuple[str, str, pwd.struct_passwd]:
    """(internal user, login user, owner of the mail) that exist here and that Dovecot accepts."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid())
        return me.pw_name, me.pw_name, me
    for name in ("dovecot", "dovenull", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            raise RuntimeError(f"user {name!r} is missing: reinstall dovecot-core (`make system-test-deps`)") from None
    return "dovecot", "dovenull", pwd.getpwnam("nobody")


def _config(workdir: Path, port: int) -> str:
    internal, login, owner = _accounts()
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {workdir}/run
state_dir = {workdir}/state
instance_name = bailanys-test-{port}
log_path = {workdir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {_group(internal)}
default_login_user = {login}
first_valid_uid = {min(owner.pw_uid, 500)}
first_valid_gid = 0
mail_location = maildir:{workdir}/mail/%u
passdb {{
  driver = passwd-file
  args = {workdir}/users
}}
userdb {{
  driver = passwd-file
  args = {workdir}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


def _group(user: str) -> str:
    import grp

    return grp.getgrgid(pwd.getpwnam(user).pw_gid).gr_name


@dataclass
class Dovecot:
    process: subprocess.Popen[bytes]
    port: int
    workdir: Path
    user: str = USER
    password: str = PASSWORD
    _clients: list[imaplib.IMAP4] = field(default_factory=list)

    @classmethod
    @contextmanager
    def start(cls, *, port: int | None = None) -> Iterator[Dovecot]:
        binary = dovecot_binary()
        port = port or port_for_this_worker()
        # Not under pytest's tmp_path: its parents are private to root, and the mail belongs to another user.
        workdir = Path(tempfile.mkdtemp(prefix="bailanys-dovecot-"))
        workdir.chmod(0o755)
        owner = _accounts()[2]
        (workdir / "mail").mkdir()
        os.chown(workdir / "mail", owner.pw_uid, owner.pw_gid)
        (workdir / "users").write_text(
            f"{USER}:{{PLAIN}}{PASSWORD}:{owner.pw_uid}:{owner.pw_gid}::{workdir}/mail/{USER}::\n"
        )
        config = workdir / "dovecot.conf"
        config.write_text(_config(workdir, port))
        with (workdir / "stdout.log").open("wb") as out:
            process = subprocess.Popen(
                [binary, "-F", "-c", str(config)], stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = cls(process=process, port=port, workdir=workdir)
        try:
            server.wait_ready()
            yield server
        finally:
            server.stop()
            shutil.rmtree(workdir, ignore_errors=True)

    # --- The server ------------------------------------------------------------------------------------

    def log(self) -> str:
        parts = [
            path.read_text(errors="replace") for path in (self.workdir / "stdout.log", self.workdir / "dovecot.log")
        ]
        return "\n".join(part for part in parts if part)[-6000:]

    def wait_ready(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited with {self.process.returncode}:\n{self.log()}")
            try:
                self.client().logout()
                return
            except (OSError, imaplib.IMAP4.error) as error:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dovecot does not let the test user in ({error}):\n{self.log()}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        for client in self._clients:
            with suppress(Exception):
                client.shutdown()
        if self.process.poll() is None:
            with suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def drop_sessions(self) -> None:
        """Cut every open IMAP session, as a server restart or a network failure does."""
        subprocess.run(
            [doveadm_binary(), "-c", str(self.workdir / "dovecot.conf"), "kick", self.user],
            check=True,
            capture_output=True,
        )

    def mutf7(self, folder: str) -> str:
        """The folder's name as IMAP sends it (modified UTF-7), as Dovecot itself encodes it."""
        result = subprocess.run(
            [doveadm_binary(), "-c", str(self.workdir / "dovecot.conf"), "mailbox", "mutf7", folder],
            check=True,
            capture_output=True,
            text=True,
        )
        return result.stdout.strip()

    # --- A mail server's and a person's view of the mailbox ------------------------------------------------

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(self.user, self.password)
        self._clients.append(client)
        return client

    def create_folder(self, folder: str) -> None:
        client = self.client()
        status, data = client.create(_quoted(self.mutf7(folder)))
        client.logout()
        assert status == "OK", data

    def deliver(self, raw: bytes, *, folder: str = "INBOX") -> int:
        """Put a message into the folder by IMAP APPEND; returns its UID."""
        client = self.client()
        status, data = client.append(_quoted(self.mutf7(folder)), None, None, raw)
        client.logout()
        assert status == "OK", data
        # "[APPENDUID <uidvalidity> <uid>] Append completed."
        return int(data[0].split(b"]")[0].split()[-1])

    def flags(self, *, folder: str = "INBOX") -> dict[int, set[str]]:
        """UID → flags of every message in the folder."""
        client = self.client()
        client.select(_quoted(self.mutf7(folder)), readonly=True)
        status, data = client.uid("FETCH", "1:*", "(FLAGS)")
        client.logout()
        assert status == "OK", data
        result: dict[int, set[str]] = {}
        for line in data:
            if not isinstance(line, bytes):
                continue
            text = line.decode()
            uid = int(text.split("UID ")[1].split()[0].rstrip(")"))
            flags = text.split("FLAGS (")[1].split(")")[0]
            result[uid] = set(flags.split())
        return result

    def remove_flag(self, uid: int, flag: str, *, folder: str = "INBOX") -> None:
        client = self.client()
        client.select(_quoted(self.mutf7(folder)))
        status, data = client.uid("STORE", str(uid), "-FLAGS", f"({flag})")
        client.logout()
        assert status == "OK", data


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
