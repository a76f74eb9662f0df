"""Verify an export package of recordings: the manifest's signature, then every file against the manifest.

    python -m recordings.package_verify PACKAGE.zip [--certificate CENTER-CERT.pem]

Needs only Python with `cryptography` and `asn1crypto` (no platform, no database), so the authorized body can
run it on its own machine. With `--certificate` the signer must be that pinned certificate; without it the
certificate inside the package is used (which proves integrity, not origin). Exit status 0: the package is
intact and complete; 1: it is not (each problem is printed); 2: it cannot be read at all.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

MANIFEST = "manifest-sha256.txt"
SIGNATURE = "manifest-sha256.txt.p7s"
CERTIFICATE = "center-certificate.pem"
REQUEST = "request.json"
UNLISTED = frozenset({MANIFEST, SIGNATURE})
MANIFEST_LINE = re.compile(r"([0-9a-f]{64})  (\S.*)")
DIGESTS: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class PackageError(Exception):
    """The package cannot be read at all."""


@dataclass
class Verification:
    checked_files: int = 0
    problems: list[str] = field(default_factory=list)
    signer: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def sha256_of(stream: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for chunk in stream:
        digest.update(chunk)
    return digest.hexdigest()


def manifest_line(sha256: str, path: str) -> str:
    """One line of the manifest, in the format `sha256sum -c` reads."""
    return f"{sha256}  {path}\n"


def verify_package(path: Path, *, pinned_certificate: bytes | None = None) -> Verification:
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise PackageError(f"{path}: not a readable package ({exc})") from exc
    result = Verification()
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        result.problems += [f"file appears twice: {name}" for name in sorted({n for n in names if names.count(n) > 1})]
        if MANIFEST not in names or SIGNATURE not in names:
            result.problems.append(f"the package has no {MANIFEST} or no {SIGNATURE}")
            return result
        manifest = archive.read(MANIFEST)
        result.signer = _check_signature(manifest, archive.read(SIGNATURE), pinned_certificate, result.problems)
        listed = _parse_manifest(manifest, result.problems)
        for name in sorted(set(names) - UNLISTED - set(listed)):
            result.problems.append(f"file not in the manifest: {name}")
        for name, expected in listed.items():
            if name not in names:
                result.problems.append(f"file in the manifest is missing: {name}")
                continue
            with archive.open(name) as member:
                found = sha256_of(iter(lambda: member.read(1024 * 1024), b""))
            result.checked_files += 1
            if found != expected:
                result.problems.append(f"file does not match its SHA-256: {name}")
    return result


def _parse_manifest(manifest: bytes, problems: list[str]) -> dict[str, str]:
    listed: dict[str, str] = {}
    try:
        text = manifest.decode("utf-8")
    except UnicodeDecodeError:
        problems.append("the manifest is not UTF-8 text")
        return listed
    for number, line in enumerate(text.splitlines(), start=1):
        match = MANIFEST_LINE.fullmatch(line)
        if match is None:
            problems.append(f"manifest line {number} is malformed")
            continue
        sha256, name = match.groups()
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or name in UNLISTED or name in listed:
            problems.append(f"manifest line {number} names a path that is not allowed: {name}")
            continue
        listed[name] = sha256
    return listed


def _check_signature(manifest: bytes, signature: bytes, pinned: bytes | None, problems: list[str]) -> str:
    """Checks the detached CMS signature over the manifest; returns the signer's subject."""
    try:
        signed_data = cms.ContentInfo.load(signature)["content"]
        signer_info = signed_data["signer_infos"][0]
        certificate = _signer_certificate(signed_data, signer_info)
        _check_signer_info(manifest, signer_info, certificate)
    except InvalidSignature:
        problems.append("the manifest's signature does not verify: the manifest was changed or signed by another key")
        return ""
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        problems.append(f"the manifest's signature cannot be read ({exc.__class__.__name__})")
        return ""
    if pinned is not None:
        trusted = x509.load_pem_x509_certificate(pinned)
        if trusted.fingerprint(hashes.SHA256()) != certificate.fingerprint(hashes.SHA256()):
            problems.append("the manifest was signed by a certificate other than the pinned one")
    return certificate.subject.rfc4514_string()


def _signer_certificate(signed_data: cms.SignedData, signer_info: cms.SignerInfo) -> x509.Certificate:
    sid = signer_info["sid"]
    if sid.name != "issuer_and_serial_number":
        raise ValueError("signer not named by issuer and serial number")
    issuer, serial = sid.chosen["issuer"].dump(), sid.chosen["serial_number"].native
    for candidate in signed_data["certificates"] or []:
        chosen = candidate.chosen
        if chosen.issuer.dump() == issuer and chosen.serial_number == serial:
            return x509.load_der_x509_certificate(chosen.dump())
    raise ValueError("signer certificate not in the signature")


def _check_signer_info(manifest: bytes, signer_info: cms.SignerInfo, certificate: x509.Certificate) -> None:
    algorithm = signer_info["digest_algorithm"]["algorithm"].native
    if algorithm not in DIGESTS:
        raise ValueError(f"digest {algorithm} not accepted")
    attributes = signer_info["signed_attrs"]
    digest = hashes.Hash(DIGESTS[algorithm]())
    digest.update(manifest)
    declared = [
        attribute["values"][0].native for attribute in attributes if attribute["type"].native == "message_digest"
    ]
    if declared != [digest.finalize()]:
        raise InvalidSignature
    signed_bytes = bytearray(attributes.dump())
    signed_bytes[0] = 0x31  # the signature covers the attributes as a SET OF, not as the [0] IMPLICIT field
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise ValueError("only RSA signers are accepted")
    public_key.verify(signer_info["signature"].native, bytes(signed_bytes), padding.PKCS1v15(), DIGESTS[algorithm]())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Verify an export package of call recordings.")
    parser.add_argument("package", type=Path)
    parser.add_argument("--certificate", type=Path, help="the center's certificate (PEM) the signer must be")
    args = parser.parse_args(argv)
    pinned = args.certificate.read_bytes() if args.certificate else None
    try:
        result = verify_package(args.package, pinned_certificate=pinned)
    except PackageError as exc:
        print(exc, file=sys.stderr)
        return 2
    for problem in result.problems:
        print(f"FAILED: {problem}")
    if result.ok:
        print(f"OK: {result.checked_files} files match the manifest signed by {result.signer}")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
