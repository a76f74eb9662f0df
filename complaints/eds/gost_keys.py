"""GOST 34.10-2015 keys, signatures and Streebog digests, through the pure-Python `gostcrypto`.

asn1crypto reads certificates, CRLs and CMS around a GOST key, but not the key itself (it knows no GOST algorithm):
`public_key` reads the SubjectPublicKeyInfo at the structure level — the parameter set OID and the raw key bytes.

Byte orders differ between GOST encodings, so verification knows two conventions:

- `RFC`: the key is x || y, each little-endian (RFC 4491 / RFC 9215: an OCTET STRING inside the BIT STRING); the
  signature is s || r, each big-endian; the Streebog digest is read as a little-endian integer (OpenSSL's gost
  engine, CryptoPro — and what `tests/gost_pki.py` signs with by default);
- `NATIVE`: gostcrypto's own — key x || y and signature r || s big-endian, the digest read big-endian.

The key's order is decided by which reading is a point on the curve; the signature is then checked under each
convention's order of (r, s) and of the digest, standard first. Each is a complete GOST verification, so trying two
changes a forger's odds by a factor of two. GOST 34.310-2004 uses the GOST 34.311-95 hash, which gostcrypto does not
implement: such signatures stay PENDING (`gost_not_configured`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from asn1crypto import core
from gostcrypto import gosthash, gostsignature

GOST_2004 = "1.2.398.3.10.1.1.1.2"  # GOST 34.310-2004 signature with the GOST 34.311-95 hash
SIGNATURE_SIZES = {
    "1.2.398.3.10.1.1.2.3.1": 32,  # NCA: GOST 34.10-2015 256-bit with GOST 34.11-2015 (Streebog-256)
    "1.2.398.3.10.1.1.2.3.2": 64,  # NCA: GOST 34.10-2015 512-bit with Streebog-512
    "1.2.643.7.1.1.3.2": 32,  # TC26: GOST R 34.10-2012 with GOST R 34.11-2012, 256-bit
    "1.2.643.7.1.1.3.3": 64,  # TC26: the same, 512-bit
}

# Curve parameter set OIDs → gostcrypto's curves (R 1323565.1.024-2019 names). The NCA's own parameter set OIDs must
# be added here once read off a real NCA GOST certificate; until then such keys are PENDING, never INVALID.
_TC26 = gostsignature.CURVES_R_1323565_1_024_2019
CURVES: dict[str, dict[str, int]] = {
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


def signature_size(algorithm: str) -> int:
    if algorithm == GOST_2004:
        raise GostUnsupportedError("GOST 34.310-2004 needs the GOST 34.311-95 hash, which gostcrypto lacks")
    try:
        return SIGNATURE_SIZES[algorithm]
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
        parameters = info["algorithm"]["parameters"]
        present = not isinstance(parameters, core.Void)
        param_set = KeyParameters.load(parameters.dump())["public_key_param_set"].dotted if present else ""
        raw = _key_bytes(bytes(info["public_key"].contents[1:]))
    except (ValueError, TypeError, KeyError) as exc:
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
    size = signature_size(algorithm)
    if size != key.size:
        return False
    if len(signature) != 2 * size:
        return False
    digest = streebog(data, size)
    return _verify_digest(key, digest, signature)


@lru_cache(maxsize=512)
def _verify_digest(key: PublicKey, digest: bytes, signature: bytes) -> bool:
    group = curve(key.param_set, key.size)
    point = bytearray(key.x.to_bytes(key.size, "big") + key.y.to_bytes(key.size, "big"))
    first, second = signature[: key.size], signature[key.size :]
    # RFC: s || r, digest little-endian; NATIVE: r || s, digest big-endian.
    for r_s, e in ((second + first, digest[::-1]), (first + second, digest)):
        try:
            if group.verify(point, bytearray(e), bytearray(r_s)):
                return True
        except (gostsignature.GOSTSignatureError, ValueError):  # ValueError: a point at infinity on the way
            continue
    return False
