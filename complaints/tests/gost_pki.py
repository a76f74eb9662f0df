"""An NCA-shaped GOST 34.10-2015 (256-bit) test PKI built on the fly with gostcrypto + asn1crypto.

Root → intermediate → the citizen's SIGN (nonRepudiation) and AUTH (keyEncipherment) certificates with
serialNumber `IIN870101300128`, an expired and a revoked SIGN certificate, a SIGN certificate encoded in gostcrypto's
native byte order (big-endian key, r || s, digest read big-endian); CRLs for root and intermediate; a rogue root and
intermediate with exactly the same names and a citizen certificate they issued (without an authority key identifier,
so only the signature check can tell it apart). Keys and signatures use the RFC 4491 encoding by default (key x || y
little-endian in an OCTET STRING, signature s || r, digest read little-endian).

Pure Python: building it takes about 1.5 s (a key or a signature is ~0.07 s); build it once per test session.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import algos, cms, core, keys
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509

from complaints.eds import gost_keys

CITIZEN_IIN = "870101300128"
SIGNATURE_ALGORITHM = "1.2.398.3.10.1.1.2.3.1"  # NCA: GOST 34.10-2015 256-bit with Streebog-256
KEY_ALGORITHM = "1.2.643.7.1.1.1.1"  # GOST R 34.10-2012 256-bit public key
PARAM_SET = "1.2.643.7.1.2.1.1.2"  # id-tc26-gost-3410-2012-256-paramSetB
DIGEST_ALGORITHM = "1.2.643.7.1.1.2.2"  # Streebog-256
ROOT_NAME = "ҚР ТҮБІРЛІК КУӘЛАНДЫРУШЫ ОРТАЛЫҒЫ (GOST) TEST"
INTERMEDIATE_NAME = "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (GOST) TEST"
SIGN_POLICY = "1.2.398.3.3.2.3"
AUTH_POLICY = "1.2.398.3.3.2.4"
INDIVIDUAL_EKU = "1.2.398.3.3.4.1.1"

_CURVE = gost_keys.curve(PARAM_SET, 32)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class GostKey:
    private: bytes = field(repr=False)
    public: bytes  # x || y, big-endian (gostcrypto's form)
    native: bool = False  # encode key and signatures in gostcrypto's byte order instead of RFC 4491's

    @classmethod
    def generate(cls, *, native: bool = False) -> GostKey:
        q = _CURVE._q
        private = (secrets.randbelow(q - 1) + 1).to_bytes(32, "big")
        return cls(private, bytes(_CURVE.public_key_generate(bytearray(private))), native)

    def spki(self) -> keys.PublicKeyInfo:
        x, y = self.public[:32], self.public[32:]
        bits = x + y if self.native else core.OctetString(x[::-1] + y[::-1]).dump()
        info = gost_keys.RawPublicKeyInfo(
            {
                "algorithm": {
                    "algorithm": KEY_ALGORITHM,
                    "parameters": gost_keys.KeyParameters({"public_key_param_set": PARAM_SET}),
                },
                "public_key": core.BitString.load(b"\x03" + bytes([len(bits) + 1]) + b"\x00" + bits),
            }
        )
        return keys.PublicKeyInfo.load(info.dump())

    @property
    def key_id(self) -> bytes:
        return hashlib.sha1(self.public).digest()  # a key identifier, not a security function

    def sign(self, data: bytes) -> bytes:
        digest = gost_keys.streebog(data, 32)
        if self.native:
            return bytes(_CURVE.sign(bytearray(self.private), bytearray(digest)))
        r_s = bytes(_CURVE.sign(bytearray(self.private), bytearray(digest[::-1])))
        return r_s[32:] + r_s[:32]


@dataclass(frozen=True)
class GostHolder:
    key: GostKey
    certificate: asn1_x509.Certificate

    @property
    def der(self) -> bytes:
        return self.certificate.dump()


@dataclass
class GostTestPki:
    root: GostHolder
    intermediate: GostHolder
    sign: GostHolder
    auth: GostHolder
    expired: GostHolder
    revoked: GostHolder
    native_sign: GostHolder
    rogue_root: GostHolder
    rogue_intermediate: GostHolder
    rogue_citizen: GostHolder
    root_crl: bytes
    intermediate_crl: bytes
    built_at: dt.datetime = field(default_factory=_now)

    def write_trust_dir(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root_gost.cer").write_bytes(self.root.der)
        (folder / "nca_gost.cer").write_bytes(self.intermediate.der)
        return folder

    def write_crl_dir(self, folder: Path, *, intermediate_crl: bytes | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root_gost.crl").write_bytes(self.root_crl)
        (folder / "nca_gost.crl").write_bytes(intermediate_crl or self.intermediate_crl)
        return folder

    def stale_intermediate_crl(self) -> bytes:
        this_update = self.built_at - dt.timedelta(days=3)
        return _crl(self.intermediate, [self.revoked], number=1, this_update=this_update, days=1)


# --- building ----------------------------------------------------------------------------------------------------


def _time(moment: dt.datetime) -> asn1_x509.Time:
    return asn1_x509.Time({"utc_time": moment})


def _signed_algorithm() -> algos.SignedDigestAlgorithm:
    return algos.SignedDigestAlgorithm({"algorithm": SIGNATURE_ALGORITHM})


def _certificate(
    *,
    subject: asn1_x509.Name,
    key: GostKey,
    issuer: GostHolder | None,
    not_before: dt.datetime,
    not_after: dt.datetime,
    extensions: list[dict[str, object]],
    authority_key_id: bool = True,
) -> GostHolder:
    issuer_name = issuer.certificate.subject if issuer else subject
    issuer_key = issuer.key if issuer else key
    extensions = [*extensions, {"extn_id": "key_identifier", "critical": False, "extn_value": key.key_id}]
    if authority_key_id:
        extensions.append(
            {
                "extn_id": "authority_key_identifier",
                "critical": False,
                "extn_value": {"key_identifier": issuer_key.key_id},
            }
        )
    tbs = asn1_x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": secrets.randbits(63) + 1,
            "signature": _signed_algorithm(),
            "issuer": issuer_name,
            "validity": {"not_before": _time(not_before), "not_after": _time(not_after)},
            "subject": subject,
            "subject_public_key_info": key.spki(),
            "extensions": extensions,
        }
    )
    certificate = asn1_x509.Certificate(
        {
            "tbs_certificate": tbs,
            "signature_algorithm": _signed_algorithm(),
            "signature_value": issuer_key.sign(tbs.dump()),
        }
    )
    return GostHolder(key, asn1_x509.Certificate.load(certificate.dump()))


def _ca(common_name: str, issuer: GostHolder | None, now: dt.datetime) -> GostHolder:
    return _certificate(
        subject=asn1_x509.Name.build({"common_name": common_name, "country_name": "KZ"}),
        key=GostKey.generate(),
        issuer=issuer,
        not_before=now - dt.timedelta(days=365),
        not_after=now + dt.timedelta(days=3650),
        extensions=[
            {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": True}},
            {"extn_id": "key_usage", "critical": True, "extn_value": {"key_cert_sign", "crl_sign"}},
        ],
    )


def _citizen(
    issuer: GostHolder,
    *,
    purpose: str = "sign",
    not_before: dt.datetime,
    not_after: dt.datetime,
    native: bool = False,
    authority_key_id: bool = True,
) -> GostHolder:
    signing = purpose == "sign"
    subject = asn1_x509.Name.build(
        {
            "common_name": "ТЕСТОВ ТЕСТ",
            "surname": "ТЕСТОВ",
            "serial_number": f"IIN{CITIZEN_IIN}",
            "country_name": "KZ",
            "given_name": "ТЕСТОВИЧ",
        }
    )
    usage = {"digital_signature", "non_repudiation"} if signing else {"digital_signature", "key_encipherment"}
    return _certificate(
        subject=subject,
        key=GostKey.generate(native=native),
        issuer=issuer,
        not_before=not_before,
        not_after=not_after,
        authority_key_id=authority_key_id,
        extensions=[
            {"extn_id": "key_usage", "critical": True, "extn_value": usage},
            {
                "extn_id": "extended_key_usage",
                "critical": False,
                "extn_value": ["email_protection" if signing else "client_auth", INDIVIDUAL_EKU],
            },
            {
                "extn_id": "certificate_policies",
                "critical": False,
                "extn_value": [{"policy_identifier": SIGN_POLICY if signing else AUTH_POLICY}],
            },
        ],
    )


def _crl(issuer: GostHolder, revoked: list[GostHolder], *, number: int, this_update: dt.datetime, days: int) -> bytes:
    tbs = asn1_crl.TbsCertList(
        {
            "version": "v2",
            "signature": _signed_algorithm(),
            "issuer": issuer.certificate.subject,
            "this_update": _time(this_update),
            "next_update": _time(this_update + dt.timedelta(days=days)),
            "revoked_certificates": [
                {
                    "user_certificate": holder.certificate.serial_number,
                    "revocation_date": _time(this_update - dt.timedelta(hours=1)),
                }
                for holder in revoked
            ],
            "crl_extensions": [
                {"extn_id": "crl_number", "critical": False, "extn_value": number},
                {
                    "extn_id": "authority_key_identifier",
                    "critical": False,
                    "extn_value": {"key_identifier": issuer.key.key_id},
                },
            ],
        }
    )
    crl = asn1_crl.CertificateList(
        {"tbs_cert_list": tbs, "signature_algorithm": _signed_algorithm(), "signature": issuer.key.sign(tbs.dump())}
    )
    return crl.dump()


def build_gost_pki() -> GostTestPki:
    now = _now()
    root = _ca(ROOT_NAME, None, now)
    intermediate = _ca(INTERMEDIATE_NAME, root, now)
    current = {"not_before": now - dt.timedelta(days=30), "not_after": now + dt.timedelta(days=365)}
    revoked = _citizen(intermediate, **current)
    rogue_root = _ca(ROOT_NAME, None, now)
    rogue_intermediate = _ca(INTERMEDIATE_NAME, rogue_root, now)
    this_update = now - dt.timedelta(hours=2)
    return GostTestPki(
        root=root,
        intermediate=intermediate,
        sign=_citizen(intermediate, **current),
        auth=_citizen(intermediate, purpose="auth", **current),
        expired=_citizen(intermediate, not_before=now - dt.timedelta(days=400), not_after=now - dt.timedelta(days=35)),
        revoked=revoked,
        native_sign=_citizen(intermediate, native=True, **current),
        rogue_root=rogue_root,
        rogue_intermediate=rogue_intermediate,
        rogue_citizen=_citizen(rogue_intermediate, authority_key_id=False, **current),
        root_crl=_crl(root, [], number=7, this_update=this_update, days=7),
        intermediate_crl=_crl(intermediate, [revoked], number=42, this_update=this_update, days=1),
        built_at=now,
    )


# --- signing like NCALayer ---------------------------------------------------------------------------------------


def gost_cms(
    signer: GostHolder,
    document: bytes,
    *,
    signing_time: dt.datetime | None = None,
    attached: bool = False,
) -> bytes:
    """DER ContentInfo(SignedData) over `document` with a GOST 34.10-2015 signature, as NCALayer's basicsSignCMS
    returns it (detached by default; contentType, signingTime and messageDigest signed; the signer's certificate)."""
    signed_attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time or _now()})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [gost_keys.streebog(document, 32)]}),
        ]
    )
    certificate = signer.certificate
    digest_algorithm = algos.DigestAlgorithm({"algorithm": DIGEST_ALGORITHM})
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                        {"issuer": certificate.issuer, "serial_number": certificate.serial_number}
                    )
                }
            ),
            "digest_algorithm": digest_algorithm,
            "signed_attrs": signed_attrs,
            "signature_algorithm": _signed_algorithm(),
            "signature": signer.key.sign(signed_attrs.dump()),
        }
    )
    content: dict[str, object] = {"content_type": "data"}
    if attached:
        content["content"] = core.OctetString(document)
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [digest_algorithm],
            "encap_content_info": content,
            "certificates": [certificate],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
