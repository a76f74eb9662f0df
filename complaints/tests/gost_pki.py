"""NCA-shaped GOST test PKIs built on the fly with gostcrypto + asn1crypto.

`build_gost_pki`: GOST 34.10-2015 (256-bit) keys labelled with TC26 OIDs (the NCA's signature OID on them):

Root → intermediate → the citizen's SIGN (nonRepudiation) and AUTH (keyEncipherment) certificates with
serialNumber `IIN870101300128`, an expired and a revoked SIGN certificate, a SIGN certificate encoded in gostcrypto's
native byte order (big-endian key, r || s, digest read big-endian); CRLs for root and intermediate; a rogue root and
intermediate with exactly the same names and a citizen certificate they issued (without an authority key identifier,
so only the signature check can tell it apart). Keys and signatures use the RFC 4491 encoding by default (key x || y
little-endian in an OCTET STRING, signature s || r, digest read little-endian).

`build_nca_gost_pki`: keys and signatures with the NCA's own OIDs, encoded as Kalkan encodes them (key x || y
little-endian in an OCTET STRING, signature r || s little-endian, digest read little-endian): a GOST 34.10-2015
256-bit root; under it a GOST 34.310-2004 intermediate (signing with GOST 34.311-95) and a GOST 34.10-2015 512-bit
one; a citizen's SIGN certificate of each kind (2004 under the 2004 CA, 2015 256- and 512-bit under the 512-bit CA),
one whose key names a curve nobody knows, and their CRLs.

`gost_cms` signs CMS as NCALayer's basicsSignCMS does, `gost_enveloped_xml` XML-DSig as its basicsSignXML does with a
GOST key (NCA's URIs by default).

Pure Python: building the first takes about 1.5 s (a 256-bit key or signature is ~0.07 s), the second about 0.5 s;
build each once per test session.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from asn1crypto import algos, cms, core, keys
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from gostcrypto import gosthash, gostsignature

from complaints.eds import gost_keys
from complaints.eds.gost34311 import gost34311

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


def _streebog_256(data: bytes) -> bytes:
    return bytes(gosthash.new("streebog256", data=data).digest())


def _streebog_512(data: bytes) -> bytes:
    return bytes(gosthash.new("streebog512", data=data).digest())


@lru_cache(maxsize=8)
def _group(curve: str, size: int) -> gostsignature.GOST34102012:
    mode = gostsignature.MODE_256 if size == 32 else gostsignature.MODE_512
    return gostsignature.new(mode, gostsignature.CURVES_R_1323565_1_024_2019[curve])


@dataclass(frozen=True)
class GostProfile:
    """What a key is labelled with in its certificate, how its key and signatures are encoded, and what it signs
    with. The curve and the hash are named here, apart from `gost_keys`' OID tables, so that a wrong mapping there
    fails the tests instead of agreeing with itself."""

    key_algorithm: str
    param_set: str  # as written in the certificate
    signature_algorithm: str
    digest_algorithm: str
    size: int  # bytes per coordinate
    convention: str  # "rfc", "native" or "nca" (see gost_keys)
    curve: str  # gostcrypto's name of the curve the arithmetic is done on
    hash: Callable[[bytes], bytes]

    @property
    def group(self) -> gostsignature.GOST34102012:
        return _group(self.curve, self.size)


TC26_256 = GostProfile(
    KEY_ALGORITHM,
    PARAM_SET,
    SIGNATURE_ALGORITHM,
    DIGEST_ALGORITHM,
    32,
    "rfc",
    "id-tc26-gost-3410-2012-256-paramSetB",
    _streebog_256,
)
NATIVE_256 = replace(TC26_256, convention="native")
NCA_2015_256 = GostProfile(
    "1.2.398.3.10.1.1.2.1",
    "1.2.398.3.10.1.1.2.1.1",
    "1.2.398.3.10.1.1.2.3.1",
    "1.2.398.3.10.1.3.2",
    32,
    "nca",
    "id-tc26-gost-3410-2012-256-paramSetA",
    _streebog_256,
)
NCA_2015_512 = GostProfile(
    "1.2.398.3.10.1.1.2.2",
    "1.2.398.3.10.1.1.2.2.1",
    "1.2.398.3.10.1.1.2.3.2",
    "1.2.398.3.10.1.3.3",
    64,
    "nca",
    "id-tc26-gost-3410-12-512-paramSetA",
    _streebog_512,
)
NCA_2004 = GostProfile(
    "1.2.398.3.10.1.1.1.1",
    "1.2.398.3.10.1.1.1.1.1",  # GostR3410-2001-CryptoPro-A
    "1.2.398.3.10.1.1.1.2",
    "1.2.398.3.10.1.3.1",
    32,
    "nca",
    "id-tc26-gost-3410-2012-256-paramSetB",
    gost34311,
)
UNKNOWN_CURVE = "1.2.398.3.10.1.1.2.1.99"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class GostKey:
    private: bytes = field(repr=False)
    public: bytes  # x || y, big-endian (gostcrypto's form)
    profile: GostProfile = TC26_256

    @classmethod
    def generate(cls, profile: GostProfile = TC26_256) -> GostKey:
        group = profile.group
        private = (secrets.randbelow(group._q - 1) + 1).to_bytes(profile.size, "big")
        return cls(private, bytes(group.public_key_generate(bytearray(private))), profile)

    def spki(self) -> keys.PublicKeyInfo:
        size = self.profile.size
        x, y = self.public[:size], self.public[size:]
        bits = x + y if self.profile.convention == "native" else core.OctetString(x[::-1] + y[::-1]).dump()
        info = gost_keys.RawPublicKeyInfo(
            {
                "algorithm": {
                    "algorithm": self.profile.key_algorithm,
                    "parameters": gost_keys.KeyParameters({"public_key_param_set": self.profile.param_set}),
                },
                "public_key": core.BitString.load(core.OctetBitString(bits).dump()),
            }
        )
        return keys.PublicKeyInfo.load(info.dump())

    @property
    def key_id(self) -> bytes:
        return hashlib.sha1(self.public).digest()  # a key identifier, not a security function

    def sign(self, data: bytes) -> bytes:
        profile, size = self.profile, self.profile.size
        digest = profile.hash(data)
        if profile.convention == "native":
            return bytes(profile.group.sign(bytearray(self.private), bytearray(digest)))
        r_s = bytes(profile.group.sign(bytearray(self.private), bytearray(digest[::-1])))
        if profile.convention == "nca":
            return r_s[:size][::-1] + r_s[size:][::-1]
        return r_s[size:] + r_s[:size]


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


@dataclass
class NcaGostPki:
    """Keys, signatures and OIDs as Kalkan makes them: GOST 34.10-2015 (256 and 512 bits) and GOST 34.310-2004."""

    root: GostHolder
    ca_2004: GostHolder
    ca_2015: GostHolder
    sign_2004: GostHolder
    sign_256: GostHolder
    sign_512: GostHolder
    unknown_curve: GostHolder
    crls: dict[str, bytes]

    def write_trust_dir(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, holder in (("root", self.root), ("nca_2004", self.ca_2004), ("nca_2015", self.ca_2015)):
            (folder / f"{name}_kalkan.cer").write_bytes(holder.der)
        return folder

    def write_crl_dir(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for name, der in self.crls.items():
            (folder / f"{name}_kalkan.crl").write_bytes(der)
        return folder


# --- building ----------------------------------------------------------------------------------------------------


def _time(moment: dt.datetime) -> asn1_x509.Time:
    return asn1_x509.Time({"utc_time": moment})


def _signed_algorithm(key: GostKey) -> algos.SignedDigestAlgorithm:
    return algos.SignedDigestAlgorithm({"algorithm": key.profile.signature_algorithm})


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
            "signature": _signed_algorithm(issuer_key),
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
            "signature_algorithm": _signed_algorithm(issuer_key),
            "signature_value": issuer_key.sign(tbs.dump()),
        }
    )
    return GostHolder(key, asn1_x509.Certificate.load(certificate.dump()))


def _ca(common_name: str, issuer: GostHolder | None, now: dt.datetime, profile: GostProfile = TC26_256) -> GostHolder:
    return _certificate(
        subject=asn1_x509.Name.build({"common_name": common_name, "country_name": "KZ"}),
        key=GostKey.generate(profile),
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
    profile: GostProfile = TC26_256,
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
        key=GostKey.generate(profile),
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
            "signature": _signed_algorithm(issuer.key),
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
        {
            "tbs_cert_list": tbs,
            "signature_algorithm": _signed_algorithm(issuer.key),
            "signature": issuer.key.sign(tbs.dump()),
        }
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
        native_sign=_citizen(intermediate, profile=NATIVE_256, **current),
        rogue_root=rogue_root,
        rogue_intermediate=rogue_intermediate,
        rogue_citizen=_citizen(rogue_intermediate, authority_key_id=False, **current),
        root_crl=_crl(root, [], number=7, this_update=this_update, days=7),
        intermediate_crl=_crl(intermediate, [revoked], number=42, this_update=this_update, days=1),
        built_at=now,
    )


def build_nca_gost_pki() -> NcaGostPki:
    now = _now()
    root = _ca("ҚР ТҮБІРЛІК КУӘЛАНДЫРУШЫ ОРТАЛЫҒЫ (KALKAN) TEST", None, now, NCA_2015_256)
    ca_2004 = _ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (ГОСТ 2004) TEST", root, now, NCA_2004)
    ca_2015 = _ca("ҰЛТТЫҚ КУӘЛАНДЫРУШЫ ОРТАЛЫҚ (ГОСТ 2015) TEST", root, now, NCA_2015_512)
    current = {"not_before": now - dt.timedelta(days=30), "not_after": now + dt.timedelta(days=365)}
    this_update = now - dt.timedelta(hours=2)
    unknown = replace(NCA_2015_256, param_set=UNKNOWN_CURVE)
    return NcaGostPki(
        root=root,
        ca_2004=ca_2004,
        ca_2015=ca_2015,
        sign_2004=_citizen(ca_2004, profile=NCA_2004, **current),
        sign_256=_citizen(ca_2015, profile=NCA_2015_256, **current),
        sign_512=_citizen(ca_2015, profile=NCA_2015_512, **current),
        unknown_curve=_citizen(ca_2004, profile=unknown, **current),
        crls={
            holder_name: _crl(holder, [], number=1, this_update=this_update, days=1)
            for holder_name, holder in (("root", root), ("nca_2004", ca_2004), ("nca_2015", ca_2015))
        },
    )


# --- signing like NCALayer ---------------------------------------------------------------------------------------


def gost_cms(
    signer: GostHolder,
    document: bytes,
    *,
    signing_time: dt.datetime | None = None,
    attached: bool = False,
) -> bytes:
    """DER ContentInfo(SignedData) over `document` with the signer's GOST signature, as NCALayer's basicsSignCMS
    returns it (detached by default; contentType, signingTime and messageDigest signed; the signer's certificate)."""
    profile = signer.key.profile
    signed_attrs = cms.CMSAttributes(
        [
            cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
            cms.CMSAttribute({"type": "signing_time", "values": [cms.Time({"utc_time": signing_time or _now()})]}),
            cms.CMSAttribute({"type": "message_digest", "values": [profile.hash(document)]}),
        ]
    )
    certificate = signer.certificate
    digest_algorithm = algos.DigestAlgorithm({"algorithm": profile.digest_algorithm})
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
            "signature_algorithm": _signed_algorithm(signer.key),
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


DS = "http://www.w3.org/2000/09/xmldsig#"
C14N_WITH_COMMENTS = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments"
ENVELOPED_SIGNATURE = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_PKIGOVKZ = "urn:ietf:params:xml:ns:pkigovkz:xmlsec:algorithms:"
# The URIs NCALayer writes for each kind of NCA key: (SignatureMethod, DigestMethod). Written out here, apart from
# `gost_xml`'s tables, so that a wrong mapping there fails the tests.
NCA_XML_METHODS = {
    NCA_2015_256.signature_algorithm: (_PKIGOVKZ + "gostr34102015-gostr34112015-256", _PKIGOVKZ + "gostr34112015-256"),
    NCA_2015_512.signature_algorithm: (_PKIGOVKZ + "gostr34102015-gostr34112015-512", _PKIGOVKZ + "gostr34112015-512"),
    NCA_2004.signature_algorithm: (
        "http://www.w3.org/2001/04/xmldsig-more#gostr34102001-gostr3411",
        "http://www.w3.org/2001/04/xmldsig-more#gostr3411",
    ),
}


def gost_enveloped_xml(
    signer: GostHolder,
    document: bytes,
    *,
    methods: tuple[str, str] | None = None,
    canonicalization: str = C14N_WITH_COMMENTS,
    reference_uri: str = "",
    digest_value: bytes | None = None,
) -> bytes:
    """`document` with an enveloped XML-DSig as NCALayer's basicsSignXML makes it with a GOST key: one Reference to
    the document (enveloped-signature, then `canonicalization`), SignedInfo canonicalized the same way and signed
    in the key's convention, the signer's certificate alone in KeyInfo. `methods` (signature and digest URIs) default
    to the NCA's for the key; `digest_value` replaces the reference's true digest (the signature still made over it).
    """
    from lxml import etree

    exclusive = "exc-c14n" in canonicalization
    root = etree.fromstring(document)
    # the reference's octets before the signature is added (as after the enveloped transform); comments never count
    # in a same-document reference
    node: etree._Element | etree._ElementTree = root.getroottree()
    if reference_uri.startswith("#") and "(" not in reference_uri:
        node = root.xpath("//*[@Id=$id]", id=reference_uri[1:])[0]
    octets = etree.tostring(node, method="c14n", exclusive=exclusive, with_comments=False)
    signature_method, digest_method = methods or NCA_XML_METHODS[signer.key.profile.signature_algorithm]

    def ds(parent: etree._Element, tag: str, text: str | None = None, **attributes: str) -> etree._Element:
        element = etree.SubElement(parent, f"{{{DS}}}{tag}", attributes)
        element.text = text
        return element

    signature = etree.SubElement(root, f"{{{DS}}}Signature", nsmap={"ds": DS})
    signed_info = ds(signature, "SignedInfo")
    ds(signed_info, "CanonicalizationMethod", Algorithm=canonicalization)
    ds(signed_info, "SignatureMethod", Algorithm=signature_method)
    reference = ds(signed_info, "Reference", URI=reference_uri)
    transforms = ds(reference, "Transforms")
    ds(transforms, "Transform", Algorithm=ENVELOPED_SIGNATURE)
    ds(transforms, "Transform", Algorithm=canonicalization)
    ds(reference, "DigestMethod", Algorithm=digest_method)
    digest = signer.key.profile.hash(octets) if digest_value is None else digest_value
    ds(reference, "DigestValue", base64.b64encode(digest).decode())
    signed = etree.tostring(
        signed_info, method="c14n", exclusive=exclusive, with_comments="WithComments" in canonicalization
    )
    ds(signature, "SignatureValue", base64.b64encode(signer.key.sign(signed)).decode())
    ds(ds(ds(signature, "KeyInfo"), "X509Data"), "X509Certificate", base64.b64encode(signer.der).decode())
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def with_signer_info(cms_der: bytes, /, **changes: object) -> bytes:
    """The CMS with its first SignerInfo's fields replaced (a forger's edits)."""
    content_info = cms.ContentInfo.load(cms_der)
    signer = content_info["content"]["signer_infos"][0]
    for name, value in changes.items():
        signer[name] = value
    return content_info.dump(force=True)
