"""GOST keys, signatures and digests: GOST 34.10-2015 through the pure-Python `gostcrypto`, GOST 34.310-2004 through
the same curve arithmetic with the GOST 34.311-95 hash of `gost34311`.

asn1crypto reads certificates, CRLs and CMS around a GOST key, but not the key itself (it knows no GOST algorithm):
`public_key` reads the SubjectPublicKeyInfo at the structure level — the curve parameter set OID (the parameters'
first element) and the raw key bytes.

The NCA's (Kalkan's) object identifiers are mapped as Kalkan publishes them and as the open-source Kazakh verifiers
built on Kalkan / BouncyCastle use them:

- keys: 1.2.398.3.10.1.1.1.1 (GOST 34.310-2004), 1.2.398.3.10.1.1.2.1 and .2.2 (GOST 34.10-2015, 256 and 512 bits);
- curves: 1.2.398.3.10.1.1.1.1.1 = GostR3410-2001-CryptoPro-A (TC26 256 paramSetB), 1.2.398.3.10.1.1.2.1.1 = TC26
  256 paramSetA, 1.2.398.3.10.1.1.2.2.1 = TC26 512 paramSetA;
- signatures: 1.2.398.3.10.1.1.2.3.1 and .3.2 (GOST 34.10-2015 with Streebog-256 / -512), 1.2.398.3.10.1.1.1.2 and
  the older 1.3.6.1.4.1.6801.1.2.2 (GOST 34.310-2004 with GOST 34.311-95); the key OIDs stand for the same when a
  CMS SignerInfo names the key's algorithm as its signature algorithm (as BouncyCastle-family CMS does);
- digests: 1.2.398.3.10.1.3.1 (GOST 34.311-95), .3.2 and .3.3 (Streebog-256 / -512).

The TC26 and CryptoPro OIDs of the same curves and algorithms are mapped too. Byte orders differ between GOST
encodings, so verification knows three conventions:

- `NCA` (Kalkan): the key is x || y, each little-endian, in an OCTET STRING inside the BIT STRING; the signature is
  r || s, each little-endian (the RFC's s || r big-endian buffer reversed); the digest is read as a little-endian
  integer (BouncyCastle's ECGOST3410Signer reverses the hash);
- `RFC`: the key as NCA's (RFC 4491 / RFC 9215); the signature s || r, each big-endian; the digest read little-endian
  (OpenSSL's gost engine, CryptoPro — and what `tests/gost_pki.py` signs with by default);
- `NATIVE`: gostcrypto's own — key x || y and signature r || s big-endian, the digest read big-endian.

The key's order is decided by which reading is a point on the curve; the signature is then checked under each
convention — NCA, RFC, NATIVE for a key with an NCA algorithm OID, RFC then NATIVE for any other. Each is a complete
GOST verification, so trying three changes a forger's odds by a factor of three. A parameter set, signature or
digest algorithm not listed here is `GostUnsupportedError`: PENDING, never INVALID.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from asn1crypto import core
from gostcrypto import gosthash, gostsignature

from complaints.eds.gost34311 import gost34311

STREEBOG_256 = "streebog256"
STREEBOG_512 = "streebog512"
GOST_34311 = "gost34311"  # GOST 34.311-95: GOST R 34.11-94 with the test S-box


@dataclass(frozen=True)
class SignatureAlgorithm:
    size: int  # bytes per coordinate: 32 or 64
    digest: str


_GOST_2004 = SignatureAlgorithm(32, GOST_34311)
_GOST_2015_256 = SignatureAlgorithm(32, STREEBOG_256)
_GOST_2015_512 = SignatureAlgorithm(64, STREEBOG_512)

NCA_KEY_2004 = "1.2.398.3.10.1.1.1.1"
NCA_KEY_2015_256 = "1.2.398.3.10.1.1.2.1"
NCA_KEY_2015_512 = "1.2.398.3.10.1.1.2.2"
NCA_KEY_ALGORITHMS = frozenset({NCA_KEY_2004, NCA_KEY_2015_256, NCA_KEY_2015_512})
GOST_2004 = "1.2.398.3.10.1.1.1.2"  # NCA: GOST 34.310-2004 signature with the GOST 34.311-95 hash
GOST_2004_KALKAN = "1.3.6.1.4.1.6801.1.2.2"  # the same, under an older Kalkan OID
SIGNATURE_ALGORITHMS: dict[str, SignatureAlgorithm] = {
    "1.2.398.3.10.1.1.2.3.1": _GOST_2015_256,  # NCA: GOST 34.10-2015 256-bit with Streebog-256
    "1.2.398.3.10.1.1.2.3.2": _GOST_2015_512,  # NCA: GOST 34.10-2015 512-bit with Streebog-512
    GOST_2004: _GOST_2004,
    GOST_2004_KALKAN: _GOST_2004,
    NCA_KEY_2004: _GOST_2004,
    NCA_KEY_2015_256: _GOST_2015_256,
    NCA_KEY_2015_512: _GOST_2015_512,
    "1.2.643.7.1.1.3.2": _GOST_2015_256,  # TC26: GOST R 34.10-2012 with GOST R 34.11-2012, 256-bit
    "1.2.643.7.1.1.3.3": _GOST_2015_512,  # TC26: the same, 512-bit
}
DIGESTS = {
    "1.2.398.3.10.1.3.1": GOST_34311,  # NCA: GOST 34.311-95
    "1.2.398.3.10.1.3.2": STREEBOG_256,  # NCA: GOST 34.11-2015, 256-bit
    "1.2.398.3.10.1.3.3": STREEBOG_512,  # NCA: GOST 34.11-2015, 512-bit
    "1.2.643.7.1.1.2.2": STREEBOG_256,  # TC26
    "1.2.643.7.1.1.2.3": STREEBOG_512,  # TC26
}

# Curve parameter set OIDs → gostcrypto's curves (R 1323565.1.024-2019 names).
_TC26 = gostsignature.CURVES_R_1323565_1_024_2019
CURVES: dict[str, dict[str, int]] = {
    "1.2.398.3.10.1.1.1.1.1": _TC26["id-tc26-gost-3410-2012-256-paramSetB"],  # NCA 2004: CryptoPro-A
    "1.2.398.3.10.1.1.2.1.1": _TC26["id-tc26-gost-3410-2012-256-paramSetA"],  # NCA 2015, 256-bit
    "1.2.398.3.10.1.1.2.2.1": _TC26["id-tc26-gost-3410-12-512-paramSetA"],  # NCA 2015, 512-bit
    "1.2.643.7.1.2.1.1.1": _TC26["id-tc26-gost-3410-2012-256-paramSetA"],
    "1.2.643.7.1.2.1.1.2": _TC26["id-tc26-gost-3410-2012-256-paramSetB"],
    "1.2.643.7.1.2.1.1.3": _TC26["id-tc26-gost-3410-2012-256-paramSetC"],
    "1.2.643.7.1.2.1.1.4": _TC26["id-tc26-gost-3410-2012-256-paramSetD"],
    "1.2.643.2.2.35.1": _TC26["id-tc26-gost-3410-2012-256-paramSetB"],  # CryptoPro-A
    "1.2.643.2.2.35.2": _TC26["id-tc26-gost-3410-2012-256-paramSetC"],  # CryptoPro-B
    "1.2.643.2.2.35.3": _TC26["id-tc26-gost-3410-2012-256-paramSetD"],  # CryptoPro-C
    "1.2.643.2.2.36.0": _TC26["id-tc26-gost-3410-2012-256-paramSetB"],  # CryptoPro-XchA
    "1.2.643.2.2.36.1": _TC26["id-tc26-gost-3410-2012-256-paramSetD"],  # CryptoPro-XchB
    "1.2.643.7.1.2.1.2.1": _TC26["id-tc26-gost-3410-12-512-paramSetA"],
    "1.2.643.7.1.2.1.2.2": _TC26["id-tc26-gost-3410-12-512-paramSetB"],
    "1.2.643.7.1.2.1.2.3": _TC26["id-tc26-gost-3410-2012-512-paramSetC"],
}


class GostUnsupportedError(ValueError):
    """A GOST algorithm or parameter set this backend cannot compute (not a wrong signature: PENDING)."""


class GostKeyError(ValueError):
    """The key bytes are not a GOST public key (INVALID: malformed)."""


class KeyParameters(core.Sequence):
    _fields = [
        ("public_key_param_set", core.ObjectIdentifier),
        ("digest_param_set", core.ObjectIdentifier, {"optional": True}),
        ("encryption_param_set", core.ObjectIdentifier, {"optional": True}),
    ]


class _AnySequence(core.SequenceOf):
    _child_spec = core.Any


class _KeyAlgorithm(core.Sequence):
    _fields = [("algorithm", core.ObjectIdentifier), ("parameters", core.Any, {"optional": True})]


class RawPublicKeyInfo(core.Sequence):
    """SubjectPublicKeyInfo without asn1crypto's per-algorithm interpretation of the key."""

    _fields = [("algorithm", _KeyAlgorithm), ("public_key", core.BitString)]


@dataclass(frozen=True)
class PublicKey:
    algorithm: str
    param_set: str
    size: int  # bytes per coordinate: 32 or 64
    x: int
    y: int


def streebog(data: bytes, size: int) -> bytes:
    return bytes(gosthash.new("streebog256" if size == 32 else "streebog512", data=data).digest())


def hash_data(name: str, data: bytes) -> bytes:
    """`data`'s digest by one of STREEBOG_256, STREEBOG_512, GOST_34311, as the hash function returns it."""
    if name == GOST_34311:
        return gost34311(data)
    return streebog(data, 32 if name == STREEBOG_256 else 64)


def message_digest(digest_algorithm: str, data: bytes) -> bytes:
    """The digest a CMS messageDigest attribute holds for `data` under the SignerInfo's digest algorithm OID."""
    try:
        name = DIGESTS[digest_algorithm]
    except KeyError:
        raise GostUnsupportedError(f"digest algorithm {digest_algorithm} is not supported") from None
    return hash_data(name, data)


def signature_algorithm(algorithm: str) -> SignatureAlgorithm:
    try:
        return SIGNATURE_ALGORITHMS[algorithm]
    except KeyError:
        raise GostUnsupportedError(f"GOST signature algorithm {algorithm} is not supported") from None


class _Curve(gostsignature.GOST34102012):  # type: ignore[misc]
    """gostcrypto's arithmetic with a modular inverse from the standard library: its own is a recursive extended
    Euclid in Python, 70% of a verification's time."""

    @staticmethod
    def _invert(value: int, n_mod: int) -> int:
        return pow(value, -1, n_mod)


@lru_cache(maxsize=64)
def curve(param_set: str, size: int) -> gostsignature.GOST34102012:
    return _Curve(gostsignature.MODE_256 if size == 32 else gostsignature.MODE_512, CURVES[param_set])


def public_key(spki_der: bytes) -> PublicKey:
    """The GOST key of a DER SubjectPublicKeyInfo."""
    try:
        info = RawPublicKeyInfo.load(spki_der)
        algorithm = info["algorithm"]["algorithm"].dotted
        param_set = _param_set(info["algorithm"]["parameters"])
        raw = _key_bytes(bytes(info["public_key"].contents[1:]))
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise GostKeyError(f"not a GOST public key: {exc}") from exc
    if param_set not in CURVES:
        raise GostUnsupportedError(f"GOST parameter set {param_set or '(none)'} is not known")
    size = len(raw) // 2
    group = curve(param_set, size)
    for order in ("little", "big"):
        x = int.from_bytes(raw[:size], order)
        y = int.from_bytes(raw[size:], order)
        if _on_curve(group, x, y):
            return PublicKey(algorithm, param_set, size, x, y)
    raise GostKeyError(f"the key is not a point of {param_set}")


def _param_set(parameters: core.Asn1Value) -> str:
    """The curve OID: the parameters' first element (GostR3410-2001/2012 and NCA keys), or the parameters themselves
    when an encoder wrote the bare OID; "" when there are none."""
    if isinstance(parameters, core.Void):
        return ""
    der = parameters.dump()
    if der[:1] == b"\x06":
        return str(core.ObjectIdentifier.load(der).dotted)
    first = _AnySequence.load(der)[0]
    return str(core.ObjectIdentifier.load(first.dump()).dotted)


def _key_bytes(bits: bytes) -> bytes:
    """RFC 4491 wraps the point in an OCTET STRING inside the BIT STRING; some encoders put it there bare."""
    if len(bits) in (64, 128):
        return bits
    inner = core.OctetString.load(bits).native
    if len(inner) not in (64, 128):
        raise GostKeyError(f"a GOST key is 64 or 128 bytes, not {len(inner)}")
    return bytes(inner)


def _on_curve(group: gostsignature.GOST34102012, x: int, y: int) -> bool:
    # gostcrypto keeps the Weierstrass form (converted from twisted Edwards where given) in these attributes.
    p, a, b = group._p, group._a, group._b
    return 0 < x < p and 0 < y < p and (y * y - x * x * x - a * x - b) % p == 0


def verify(key: PublicKey, algorithm: str, data: bytes, signature: bytes) -> bool:
    """Whether `signature` (as carried in the certificate, CRL or CMS) is the key's over `data`."""
    spec = signature_algorithm(algorithm)
    if spec.size != key.size:
        return False
    if len(signature) != 2 * spec.size:
        return False
    return _verify_digest(key, hash_data(spec.digest, data), signature)


# A convention turns (signature as carried, digest as hashed) into gostcrypto's (r || s big-endian, digest big-endian).
Convention = Callable[[bytes, bytes, int], tuple[bytes, bytes]]


def _nca(signature: bytes, digest: bytes, size: int) -> tuple[bytes, bytes]:
    return signature[:size][::-1] + signature[size:][::-1], digest[::-1]


def _rfc(signature: bytes, digest: bytes, size: int) -> tuple[bytes, bytes]:
    return signature[size:] + signature[:size], digest[::-1]


def _native(signature: bytes, digest: bytes, size: int) -> tuple[bytes, bytes]:
    return signature, digest


NCA_CONVENTIONS: tuple[Convention, ...] = (_nca, _rfc, _native)
OTHER_CONVENTIONS: tuple[Convention, ...] = (_rfc, _native)


@lru_cache(maxsize=512)
def _verify_digest(key: PublicKey, digest: bytes, signature: bytes) -> bool:
    group = curve(key.param_set, key.size)
    point = bytearray(key.x.to_bytes(key.size, "big") + key.y.to_bytes(key.size, "big"))
    conventions = NCA_CONVENTIONS if key.algorithm in NCA_KEY_ALGORITHMS else OTHER_CONVENTIONS
    for convention in conventions:
        r_s, e = convention(signature, digest, key.size)
        try:
            if group.verify(point, bytearray(e), bytearray(r_s)):
                return True
        except (gostsignature.GOSTSignatureError, ValueError):  # ValueError: a point at infinity on the way
            continue
    return False
