"""An NCA-shaped test PKI built on the fly, and signing helpers shaped like NCALayer's output.

Root → intermediate → a citizen's SIGN certificate (nonRepudiation, policy 1.2.398.3.3.2.3) and AUTH certificate
(digitalSignature + keyEncipherment, policy 1.2.398.3.3.2.4), both with extendedKeyUsage 1.2.398.3.3.4.1.1
(individual) and subject serialNumber `IIN` + 12 digits, CN in Cyrillic; an expired and a revoked SIGN certificate;
CRLs for root and intermediate; a rogue root and intermediate with exactly the same names, and a citizen certificate
they issued. RSA-2048 throughout (key generation is the slow part: build it once per test session).

`detached_cms` signs as NCALayer's `basicsSignCMS` / `createCAdESFromBase64(..., attach=false)` do: SignedData with
contentType, signingTime and messageDigest signed attributes and the signer's certificate only. `enveloped_xml` signs
as `basicsSignXML` does: an enveloped signature, inclusive C14N, only the signer's certificate in KeyInfo.

Used by complaints/tests and by the benchmark (bench/signatures).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from lxml import etree

CITIZEN_IIN = "870101300128"
OTHER_IIN = "900215400132"
INDIVIDUAL_EKU = x509.ObjectIdentifier("1.2.398.3.3.4.1.1")
SIGN_POLICY = x509.ObjectIdentifier("1.2.398.3.3.2.3")
AUTH_POLICY = x509.ObjectIdentifier("1.2.398.3.3.2.4")
ROOT_NAME = "ҚР ТҮБІРЛІК КУӘЛАНДЫРУШЫ ОРТАЛЫҒЫ (RSA) TEST"
INTERMEDIATE_NAME = "ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (RSA) TEST"
CRL_BASE_URL = "http://test.pki.gov.kz/crl"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Holder:
    """A key and its certificate."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass
class NcaTestPki:
    root: Holder
    intermediate: Holder
    sign: Holder
    auth: Holder
    expired: Holder
    revoked: Holder
    other_citizen: Holder
    rogue_root: Holder
    rogue_intermediate: Holder
    rogue_citizen: Holder
    root_crl: x509.CertificateRevocationList
    intermediate_crl: x509.CertificateRevocationList
    built_at: dt.datetime = field(default_factory=_now)

    def write_trust_dir(self, folder: Path) -> Path:
        """The pinned roots and intermediates, as an operator would lay them out (DER and PEM both accepted)."""
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root_rsa.cer").write_bytes(self.root.der)
        (folder / "nca_rsa.pem").write_bytes(self.intermediate.pem)
        return folder

    def write_crl_dir(self, folder: Path, *, intermediate_crl: x509.CertificateRevocationList | None = None) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "root_rsa.crl").write_bytes(self.root_crl.public_bytes(serialization.Encoding.DER))
        crl = intermediate_crl or self.intermediate_crl
        (folder / "nca_rsa.crl").write_bytes(crl.public_bytes(serialization.Encoding.DER))
        return folder

    def stale_intermediate_crl(self) -> x509.CertificateRevocationList:
        """The intermediate's CRL as it would be if the refresh had stopped two days ago."""
        this_update = self.built_at - dt.timedelta(days=3)
        return _crl(
            self.intermediate,
            [self.revoked.certificate],
            number=1,
            this_update=this_update,
            next_update=this_update + dt.timedelta(days=1),
        )


# --- building ----------------------------------------------------------------------------------------------------


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _ca_name(common_name: str) -> x509.Name:
    # Kazakh CA names pass 64 bytes in UTF-8 (as real NCA names do); `cryptography` refuses them unless told not to,
    # and warns whenever it reads them (build_pki silences that).
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name, _validate=False),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
        ]
    )


def _citizen_name(iin: str, surname: str, given: str, patronymic: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{surname} {given}"),
            x509.NameAttribute(NameOID.SURNAME, surname),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, f"IIN{iin}"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "KZ"),
            x509.NameAttribute(NameOID.GIVEN_NAME, patronymic),
        ]
    )


def _ca(
    common_name: str, key: rsa.RSAPrivateKey, issuer: Holder | None, now: dt.datetime, *, path_length: int | None
) -> Holder:
    subject = _ca_name(common_name)
    issuer_name, issuer_key = (issuer.certificate.subject, issuer.key) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=365))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    )
    return Holder(key, builder.sign(issuer_key, hashes.SHA256()))


def _key_usage(
    *,
    digital_signature: bool = False,
    content_commitment: bool = False,
    key_encipherment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=content_commitment,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _citizen(
    issuer: Holder,
    *,
    iin: str,
    purpose: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    name: tuple[str, str, str] = ("ТЕСТОВ", "ТЕСТ", "ТЕСТОВИЧ"),
) -> Holder:
    key = _key()
    signing = purpose == "sign"
    usage = (
        _key_usage(digital_signature=True, content_commitment=True)
        if signing
        else _key_usage(digital_signature=True, key_encipherment=True)
    )
    eku = [ExtendedKeyUsageOID.EMAIL_PROTECTION if signing else ExtendedKeyUsageOID.CLIENT_AUTH, INDIVIDUAL_EKU]
    policy = SIGN_POLICY if signing else AUTH_POLICY
    builder = (
        x509.CertificateBuilder()
        .subject_name(_citizen_name(iin, *name))
        .issuer_name(issuer.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(usage, critical=True)
        .add_extension(x509.ExtendedKeyUsage(eku), critical=False)
        .add_extension(x509.CertificatePolicies([x509.PolicyInformation(policy, None)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier(f"{CRL_BASE_URL}/nca_rsa.crl")], None, None, None
                    )
                ]
            ),
            critical=False,
        )
    )
    return Holder(key, builder.sign(issuer.key, hashes.SHA256()))


def _crl(
    issuer: Holder,
    revoked: list[x509.Certificate],
    *,
    number: int,
    this_update: dt.datetime,
    next_update: dt.datetime,
) -> x509.CertificateRevocationList:
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.certificate.subject)
        .last_update(this_update)
        .next_update(next_update)
        .add_extension(x509.CRLNumber(number), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
    )
    for certificate in revoked:
        entry = (
            x509.RevokedCertificateBuilder()
            .serial_number(certificate.serial_number)
            .revocation_date(this_update - dt.timedelta(hours=1))
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), critical=False)
            .build()
        )
        builder = builder.add_revoked_certificate(entry)
    return builder.sign(issuer.key, hashes.SHA256())


LONG_NAME_WARNING = "Attribute's length must be"


def build_pki() -> NcaTestPki:
    """The whole hierarchy; about a second (ten RSA-2048 keys)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", LONG_NAME_WARNING, UserWarning)
        return _build_pki()


def _build_pki() -> NcaTestPki:
    now = _now()
    root = _ca(ROOT_NAME, _key(), None, now, path_length=1)
    intermediate = _ca(INTERMEDIATE_NAME, _key(), root, now, path_length=0)
    current = {"not_before": now - dt.timedelta(days=30), "not_after": now + dt.timedelta(days=365)}
    sign = _citizen(intermediate, iin=CITIZEN_IIN, purpose="sign", **current)
    auth = _citizen(intermediate, iin=CITIZEN_IIN, purpose="auth", **current)
    expired = _citizen(
        intermediate,
        iin=CITIZEN_IIN,
        purpose="sign",
        not_before=now - dt.timedelta(days=400),
        not_after=now - dt.timedelta(days=35),
    )
    revoked = _citizen(intermediate, iin=CITIZEN_IIN, purpose="sign", **current)
    other = _citizen(intermediate, iin=OTHER_IIN, purpose="sign", name=("АЛИЕВА", "ӘСЕЛ", "ҚАНАТҚЫЗЫ"), **current)
    rogue_root = _ca(ROOT_NAME, _key(), None, now, path_length=1)
    rogue_intermediate = _ca(INTERMEDIATE_NAME, _key(), rogue_root, now, path_length=0)
    rogue_citizen = _citizen(rogue_intermediate, iin=CITIZEN_IIN, purpose="sign", **current)
    this_update = now - dt.timedelta(hours=2)
    return NcaTestPki(
        root=root,
        intermediate=intermediate,
        sign=sign,
        auth=auth,
        expired=expired,
        revoked=revoked,
        other_citizen=other,
        rogue_root=rogue_root,
        rogue_intermediate=rogue_intermediate,
        rogue_citizen=rogue_citizen,
        root_crl=_crl(root, [], number=7, this_update=this_update, next_update=this_update + dt.timedelta(days=7)),
        intermediate_crl=_crl(
            intermediate,
            [revoked.certificate],
            number=42,
            this_update=this_update,
            next_update=this_update + dt.timedelta(days=1),
        ),
        built_at=now,
    )


# --- signing like NCALayer ---------------------------------------------------------------------------------------

_HASHES = {"sha256": hashes.SHA256, "sha1": hashes.SHA1, "sha512": hashes.SHA512}


def detached_cms(
    signer: Holder,
    document: bytes,
    *,
    digest: str = "sha256",
    signing_time: dt.datetime | None = None,
    attached: bool = False,
    extra_certificates: tuple[x509.Certificate, ...] = (),
) -> bytes:
    """DER ContentInfo(SignedData) over `document`, as NCALayer's basicsSignCMS returns it (detached by default)."""
    hash_class = _HASHES[digest]
    hasher = hashes.Hash(hash_class())
    hasher.update(document)
    signed_attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time or _now()})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [hasher.finalize()]}),
        ]
    )
    signature = signer.key.sign(signed_attrs.dump(), padding.PKCS1v15(), hash_class())
    certificate = asn1_x509.Certificate.load(signer.der)
    digest_algorithm = algos.DigestAlgorithm({"algorithm": digest})
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
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": f"{digest}_rsa"}),
            "signature": signature,
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
            "certificates": [certificate]
            + [asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER)) for c in extra_certificates],
            "signer_infos": [signer_info],
        }
    )
    return cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()


def complaint_xml(text: str = "Мемлекеттік қызмет уақытында көрсетілмеді.", *, iin: str = CITIZEN_IIN) -> bytes:
    """The XML the portal asks a citizen to sign: the complaint's fields."""
    root = etree.Element("complaint")
    etree.SubElement(root, "iin").text = iin
    etree.SubElement(root, "text").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def enveloped_xml(
    signer: Holder, document: bytes, *, reference_uri: str | None = None, digest: str = "sha256"
) -> bytes:
    """`document` with an enveloped XML-DSig as NCALayer's basicsSignXML makes it (only the signer's certificate)."""
    from signxml import XMLSigner
    from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod

    class Signer(XMLSigner):
        def check_deprecated_methods(self) -> None:  # SHA-1 allowed here: tests need such signatures to refuse them
            pass

    root = etree.fromstring(document)
    signer_obj = Signer(
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
        signature_algorithm=SignatureMethod.RSA_SHA1 if digest == "sha1" else SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA1 if digest == "sha1" else DigestAlgorithm.SHA256,
    )
    signed = signer_obj.sign(
        root,
        key=signer.key,
        cert=[signer.certificate.public_bytes(serialization.Encoding.PEM).decode()],
        reference_uri=reference_uri,
        always_add_key_value=False,
    )
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def fingerprint(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
