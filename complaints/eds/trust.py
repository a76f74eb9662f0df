"""What signatures are checked against: pinned NCA certificates and CRLs held locally.

`EDS_TRUST_DIR` holds the pinned roots and intermediates (`.cer`/`.crt`/`.der`/`.pem`; self-signed ones are roots,
the rest intermediates that a signature may omit — NCALayer's XML carries only the signer's certificate).
`EDS_CRL_DIR` holds the CRLs (full and delta; DER or PEM). Nothing is fetched while verifying: `refresh_crls`
downloads the CRLs named by `EDS_CRL_URLS` (a beat task calls it), checks each against its pinned issuer and
replaces the file atomically. The store is read again when a file in either folder changes.

A CRL whose nextUpdate has passed is stale: a signature whose chain depends on it is PENDING, never VALID.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import tempfile
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from django.conf import settings
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy

logger = logging.getLogger(__name__)

CERTIFICATE_SUFFIXES = {".cer", ".crt", ".der", ".pem"}
CRL_SUFFIXES = {".crl", ".pem"}
WEAK_HASHES = frozenset({"md2", "md5", "sha1"})


@dataclass(frozen=True)
class HeldCrl:
    name: str
    crl: asn1_crl.CertificateList
    der: bytes
    sha256: str

    @property
    def issuer(self) -> asn1_x509.Name:
        return self.crl.issuer

    @property
    def authority_key_id(self) -> bytes | None:
        value = self.crl.authority_key_identifier
        return bytes(value) if value is not None else None

    @property
    def number(self) -> int | None:
        value = self.crl.crl_number_value
        return int(value.native) if value is not None else None

    @property
    def this_update(self) -> dt.datetime:
        return self.crl["tbs_cert_list"]["this_update"].native

    @property
    def next_update(self) -> dt.datetime | None:
        return self.crl["tbs_cert_list"]["next_update"].native

    @property
    def is_delta(self) -> bool:
        return self.crl.delta_crl_indicator_value is not None

    def is_stale(self, at: dt.datetime) -> bool:
        return self.next_update is None or self.next_update < at


@dataclass(frozen=True)
class TrustStore:
    roots: tuple[asn1_x509.Certificate, ...]
    intermediates: tuple[asn1_x509.Certificate, ...]
    crls: tuple[HeldCrl, ...]
    _by_subject: dict[bytes, list[asn1_x509.Certificate]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for certificate in (*self.roots, *self.intermediates):
            self._by_subject.setdefault(certificate.subject.dump(), []).append(certificate)

    @property
    def configured(self) -> bool:
        return bool(self.roots)

    def issuer_of(self, certificate: asn1_x509.Certificate) -> asn1_x509.Certificate | None:
        """The pinned CA whose name and key identifier match the certificate's issuer (a rogue CA with the same name
        but another key does not match; its signatures fail in path validation anyway)."""
        key_id = certificate.authority_key_identifier
        for candidate in self._by_subject.get(certificate.issuer.dump(), []):
            if key_id is None or candidate.key_identifier is None or bytes(candidate.key_identifier) == bytes(key_id):
                return candidate
        return None

    def pinned_chain(self, certificate: asn1_x509.Certificate) -> list[asn1_x509.Certificate]:
        """The CAs above `certificate` in the store, nearest first, as far as names and key identifiers lead."""
        chain: list[asn1_x509.Certificate] = []
        current = certificate
        while len(chain) < 8 and current.self_signed == "no":
            issuer = self.issuer_of(current)
            if issuer is None or issuer in chain:
                break
            chain.append(issuer)
            current = issuer
        return chain

    def crls_of(self, issuer: asn1_x509.Certificate) -> list[HeldCrl]:
        """CRLs (full and delta) the given CA issued."""
        key_id = issuer.key_identifier
        return [
            held
            for held in self.crls
            if held.issuer == issuer.subject
            and (key_id is None or held.authority_key_id is None or held.authority_key_id == bytes(key_id))
        ]

    def validation_context(self, at: dt.datetime, extra_certificates: Iterable[asn1_x509.Certificate] = ()):  # type: ignore[no-untyped-def]
        """A certvalidator context anchored on the pinned roots only, with the local CRLs and no fetching.

        Revocation is required for every certificate of the path (certvalidator's "require" mode): "hard-fail" would
        skip a CA certificate that names no CRL distribution point, and the NCA intermediates are checked against the
        root's CRL. CRLs count retroactively (`at` in the past is judged by the CRLs held now: a later CRL that does
        not list a certificate says it was not revoked then either; one that lists it gives the revocation date).
        """
        return ValidationContext(
            trust_roots=list(self.roots),
            other_certs=[*self.intermediates, *extra_certificates],
            crls=[held.crl for held in self.crls],
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO, retroactive_revinfo=True),
            allow_fetching=False,
            moment=at,
            weak_hash_algos=WEAK_HASHES,
        )


def trust_store() -> TrustStore:
    """The store for the configured folders, read again only when one of their files changes."""
    trust_dir, crl_dir = Path(settings.EDS_TRUST_DIR), Path(settings.EDS_CRL_DIR)
    return _load_store(str(trust_dir), str(crl_dir), _folder_state(trust_dir) + _folder_state(crl_dir))


def _folder_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return ()
    return tuple(sorted((e.path, e.stat().st_mtime_ns, e.stat().st_size) for e in entries if e.is_file()))


@lru_cache(maxsize=4)
def _load_store(trust_dir: str, crl_dir: str, state: tuple[tuple[str, int, int], ...]) -> TrustStore:
    roots: list[asn1_x509.Certificate] = []
    intermediates: list[asn1_x509.Certificate] = []
    for path in _files(Path(trust_dir), CERTIFICATE_SUFFIXES):
        for der in _der_blocks(path.read_bytes()):
            try:
                certificate = asn1_x509.Certificate.load(der)
                _ = certificate.subject, certificate.self_signed
            except ValueError:
                logger.warning("EDS trust store: %s is not a certificate; ignored", path)
                continue
            (roots if certificate.self_signed == "maybe" else intermediates).append(certificate)
    crls = []
    for path in _files(Path(crl_dir), CRL_SUFFIXES):
        for der in _der_blocks(path.read_bytes()):
            try:
                crls.append(held_crl(path.name, der))
            except ValueError:
                logger.warning("EDS trust store: %s is not a CRL; ignored", path)
    if not roots:
        logger.warning("EDS trust store: no root certificates in %s", trust_dir)
    return TrustStore(roots=tuple(roots), intermediates=tuple(intermediates), crls=tuple(crls))


def held_crl(name: str, der: bytes) -> HeldCrl:
    crl = asn1_crl.CertificateList.load(der)
    _ = crl.issuer, crl["tbs_cert_list"]["this_update"].native  # parse now: a broken file fails here, not later
    return HeldCrl(name=name, crl=crl, der=der, sha256=hashlib.sha256(der).hexdigest())


def _files(folder: Path, suffixes: set[str]) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.is_file() and path.suffix.lower() in suffixes)


def _der_blocks(data: bytes) -> list[bytes]:
    if pem.detect(data):
        return [der for _, _, der in pem.unarmor(data, multiple=True)]
    return [data]


# --- refreshing CRLs (called by a beat task) ---------------------------------------------------------------------

Fetcher = Callable[[str], bytes]


@dataclass(frozen=True)
class RefreshResult:
    url: str
    ok: bool
    detail: str


def fetch_url(url: str) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"{url}: only http and https are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "Bailanys CRL refresh"})  # noqa: S310 (scheme checked)
    with urllib.request.urlopen(request, timeout=settings.EDS_CRL_FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
        return response.read()


def refresh_crls(*, urls: Iterable[str] | None = None, fetch: Fetcher = fetch_url) -> list[RefreshResult]:
    """Download each CRL, keep it only if a pinned CA signed it and it is not older than the one held, and replace
    the file in `EDS_CRL_DIR` atomically (named after the URL's last path segment). One failure does not stop the
    others; a CRL not refreshed goes stale at its nextUpdate and verifications turn PENDING, never VALID."""
    store = trust_store()
    crl_dir = Path(settings.EDS_CRL_DIR)
    crl_dir.mkdir(parents=True, exist_ok=True)
    results = []
    for url in settings.EDS_CRL_URLS if urls is None else urls:
        try:
            detail = _refresh_one(url, fetch, store, crl_dir)
            results.append(RefreshResult(url, True, detail))
        except Exception as exc:
            logger.warning("CRL refresh failed for %s: %s", url, exc)
            results.append(RefreshResult(url, False, str(exc)))
    return results


def _refresh_one(url: str, fetch: Fetcher, store: TrustStore, crl_dir: Path) -> str:
    name = Path(urlsplit(url).path).name or hashlib.sha256(url.encode()).hexdigest()[:16] + ".crl"
    if Path(name).suffix.lower() not in CRL_SUFFIXES:
        name += ".crl"
    blocks = _der_blocks(fetch(url))
    fresh = held_crl(name, blocks[0])
    issuer = _pinned_crl_issuer(store, fresh)
    if issuer is None:
        raise ValueError("no pinned CA signed this CRL")
    held = next((h for h in store.crls if h.name == name), None)
    if held is not None and held.number is not None and fresh.number is not None and fresh.number < held.number:
        raise ValueError(f"CRL number {fresh.number} is older than the held {held.number}")
    with tempfile.NamedTemporaryFile(dir=crl_dir, prefix=".incoming-", suffix=".crl", delete=False) as handle:
        handle.write(fresh.der)
    os.replace(handle.name, crl_dir / name)
    return f"{name}: number {fresh.number}, next update {fresh.next_update}"


# A CRL signature `cryptography` cannot check (GOST) is checked by the backend that registered for it: the check
# answers True or False for keys of its kind and None for others.
CrlSignatureCheck = Callable[[asn1_x509.Certificate, HeldCrl], bool | None]
_CRL_SIGNATURE_CHECKS: dict[str, CrlSignatureCheck] = {}


def register_crl_signature_check(name: str) -> Callable[[CrlSignatureCheck], CrlSignatureCheck]:
    def decorate(check: CrlSignatureCheck) -> CrlSignatureCheck:
        _CRL_SIGNATURE_CHECKS[name] = check
        return check

    return decorate


def _registered_crl_check(certificate: asn1_x509.Certificate, held: HeldCrl) -> bool | None:
    from complaints.eds import gost  # noqa: F401  (registers its check)

    for check in _CRL_SIGNATURE_CHECKS.values():
        answer = check(certificate, held)
        if answer is not None:
            return answer
    return None


def _pinned_crl_issuer(store: TrustStore, held: HeldCrl) -> asn1_x509.Certificate | None:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature

    crl = x509.load_der_x509_crl(held.der)
    for certificate in (*store.roots, *store.intermediates):
        if certificate.subject != held.issuer:
            continue
        registered = _registered_crl_check(certificate, held)
        if registered is not None:
            if registered:
                return certificate
            continue
        public_key = x509.load_der_x509_certificate(certificate.dump()).public_key()
        try:
            if crl.is_signature_valid(public_key):  # type: ignore[arg-type]
                return certificate
        except (InvalidSignature, TypeError, ValueError):
            continue
    return None
