"""The center's signing key: export manifests are signed with it as detached CMS (RFC 5652, SHA-256).

Production sets `RECORDINGS_SIGNING_KEY_FILE` and `RECORDINGS_SIGNING_CERT_FILE` (PEM; the certificate is the
one the authorized bodies pin). With neither set and `DEBUG=True` (make run, tests), a self-signed demo key is
created once under `var/center-signing/`; without DEBUG a missing key is an error, never a silent demo key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEMO_KEY_DIR = "center-signing"


@dataclass(frozen=True)
class CenterKey:
    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    def sign_detached(self, data: bytes) -> bytes:
        """A DER-encoded detached CMS SignedData over `data`, carrying the center's certificate."""
        return (
            pkcs7.PKCS7SignatureBuilder()
            .set_data(data)
            .add_signer(self.certificate, self.key, hashes.SHA256())
            .sign(serialization.Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
        )

    @property
    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


def center_key() -> CenterKey:
    key_file, cert_file = settings.RECORDINGS_SIGNING_KEY_FILE, settings.RECORDINGS_SIGNING_CERT_FILE
    if key_file and cert_file:
        return _load(Path(key_file), Path(cert_file))
    if key_file or cert_file:
        raise ImproperlyConfigured("Set both RECORDINGS_SIGNING_KEY_FILE and RECORDINGS_SIGNING_CERT_FILE, or neither")
    if not settings.DEBUG:
        raise ImproperlyConfigured(
            "RECORDINGS_SIGNING_KEY_FILE and RECORDINGS_SIGNING_CERT_FILE must be set when DEBUG is False"
        )
    folder = Path(settings.BASE_DIR) / "var" / DEMO_KEY_DIR
    key_path, cert_path = folder / "center-key.pem", folder / "center-certificate.pem"
    if not (key_path.exists() and cert_path.exists()):
        write_self_signed(key_path, cert_path, common_name="Bailanys demo contact center (not for production)")
    return _load(key_path, cert_path)


@lru_cache(maxsize=4)
def _load_cached(key_path: str, cert_path: str, mtime: float) -> CenterKey:
    key = serialization.load_pem_private_key(Path(key_path).read_bytes(), password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{key_path}: the center's signing key must be an RSA key")
    certificate = x509.load_pem_x509_certificate(Path(cert_path).read_bytes())
    return CenterKey(key=key, certificate=certificate)


def _load(key_path: Path, cert_path: Path) -> CenterKey:
    try:
        mtime = max(key_path.stat().st_mtime, cert_path.stat().st_mtime)
    except OSError as exc:
        raise ImproperlyConfigured(f"The center's signing key cannot be read: {exc}") from exc
    return _load_cached(str(key_path), str(cert_path), mtime)


def write_self_signed(key_path: Path, cert_path: Path, *, common_name: str, days: int = 3650) -> None:
    """A new RSA-2048 key and a self-signed certificate for it (demo installs and tests)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Bailanys"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
