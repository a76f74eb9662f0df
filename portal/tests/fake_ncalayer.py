"""A stand-in for NCALayer in tests: a TLS websocket server on 127.0.0.1 answering the basics module's `sign`.

It speaks just enough RFC 6455 (the opening handshake, masked client frames, unmasked text frames, ping and close)
on asyncio, behind a self-signed certificate made on the fly (the browser is told to accept it), and answers as the
real application does: a greeting with its version on connect, then for `kz.gov.pki.knca.basics` / `sign`
`{"status": true, "body": {"result": [<base64 CMS>]}}`. What it signs with is the test PKI's key it is given (the
citizen's SIGN key, or the AUTH key to see the server refuse it); it can also act out the citizen cancelling
(an empty body) or an error (`status: false`).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import ipaddress
import json
import ssl
import struct
import tempfile
import threading
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from complaints.tests.pki import Holder, detached_cms

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
VERSION = "1.4"


def self_signed_tls(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 (what NCALayer itself presents is self-signed too) and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "ncalayer.crt", folder / "ncalayer.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class FakeNcaLayer:
    """Start with `start()`, read `url`, change `mode` / `signer` between tests, `stop()` at the end."""

    def __init__(self, signer: Holder, *, mode: str = "sign") -> None:
        self.signer = signer
        self.mode = mode  # "sign" | "cancel" | "error"
        self.requests: list[dict[str, Any]] = []
        self.port = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.base_events.Server | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._folder = tempfile.TemporaryDirectory(prefix="fake-ncalayer-")

    @property
    def url(self) -> str:
        return f"wss://127.0.0.1:{self.port}"

    def start(self) -> FakeNcaLayer:
        cert, key = self_signed_tls(Path(self._folder.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self._thread = threading.Thread(target=self._run, args=(context,), daemon=True, name="fake-ncalayer")
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake NCALayer did not start")
        return self

    def stop(self) -> None:
        if self._loop is not None and self._server is not None:
            self._loop.call_soon_threadsafe(self._server.close)
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        self._folder.cleanup()

    def _run(self, context: ssl.SSLContext) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._server = loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0, ssl=context))
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        loop.run_forever()
        loop.close()

    # --- the websocket protocol (server side) ------------------------------------------------------------------

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if not await _handshake(reader, writer):
                return
            await _send_text(writer, json.dumps({"result": {"version": VERSION}}))
            while True:
                opcode, payload = await _read_message(reader)
                if opcode == 0x8:  # close
                    writer.write(_frame(0x8, payload[:2]))
                    await writer.drain()
                    return
                if opcode == 0x9:  # ping
                    writer.write(_frame(0xA, payload))
                    await writer.drain()
                    continue
                if opcode == 0x1:
                    await _send_text(writer, json.dumps(self.answer(json.loads(payload.decode("utf-8")))))
        except (asyncio.IncompleteReadError, ConnectionError, ssl.SSLError):
            return
        finally:
            writer.close()

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """What NCALayer's basics module answers to `request`."""
        self.requests.append(request)
        if request.get("module") != "kz.gov.pki.knca.basics" or request.get("method") != "sign":
            return {"status": False, "code": "500", "message": "Unknown module or method"}
        if self.mode == "cancel":
            return {"status": True, "body": {}}
        if self.mode == "error":
            return {"status": False, "code": "500", "message": "Storage is not available"}
        args = request["args"]
        data = base64.b64decode(args["data"]) if args["signingParams"].get("decode") else args["data"].encode()
        signature = detached_cms(self.signer, data, attached=bool(args["signingParams"].get("encapsulate")))
        return {"status": True, "body": {"result": [base64.b64encode(signature).decode("ascii")]}}


async def _handshake(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    head = await reader.readuntil(b"\r\n\r\n")
    headers = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    key = headers.get("sec-websocket-key")
    if headers.get("upgrade", "").lower() != "websocket" or not key:
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        return False
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()  # RFC 6455 names SHA-1
    writer.write(
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Accept: {accept}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    return True


async def _read_frame(reader: asyncio.StreamReader) -> tuple[bool, int, bytes]:
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    if length == 126:
        (length,) = struct.unpack("!H", await reader.readexactly(2))
    elif length == 127:
        (length,) = struct.unpack("!Q", await reader.readexactly(8))
    mask = await reader.readexactly(4) if second & 0x80 else b"\x00\x00\x00\x00"
    data = await reader.readexactly(length)
    payload = bytes(byte ^ mask[index % 4] for index, byte in enumerate(data))
    return bool(first & 0x80), first & 0x0F, payload


async def _read_message(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One whole message (continuation frames joined); control frames come back on their own."""
    final, opcode, payload = await _read_frame(reader)
    while not final:
        final, _continuation, more = await _read_frame(reader)
        payload += more
    return opcode, payload


def _frame(opcode: int, payload: bytes) -> bytes:
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    return header + payload


async def _send_text(writer: asyncio.StreamWriter, text: str) -> None:
    writer.write(_frame(0x1, text.encode("utf-8")))
    await writer.drain()
