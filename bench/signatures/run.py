"""EDS verification benchmark: detached-CMS RSA-2048 verifications per second, chain and CRL checks included.

    .venv/bin/python bench/signatures/run.py [--seconds S] [--document-bytes N] [--json]

Builds the NCA-shaped test PKI (complaints/tests/pki.py: root → intermediate → citizen SIGN certificate, CRLs for
both CAs), installs it as an operator would (EDS_TRUST_DIR, EDS_CRL_DIR under a temporary directory), signs a
complaint as NCALayer's basicsSignCMS does (detached, signingTime, the signer's certificate only) and runs the full
verifier (`complaints.eds.verify`: parsing, digest, signature, path to the pinned root, CRLs of root and
intermediate, key usage, IIN, CRL freshness) for the given time. Every verdict must be VALID.

Beside it: the baseline — a bare RSA-2048 PKCS#1 v1.5 SHA-256 verification of the same document with `cryptography`
— so the cost of everything around the RSA operation is visible; and, for information, the XML-DSig path. The
process is pinned to one CPU core; rates are per CPU second of the process (what one core does, whatever else runs
on the machine), with the wall-clock rate of the full verification beside them. No database is used.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

TARGET_PER_S = 50.0


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="time spent on each measured figure")
    parser.add_argument("--document-bytes", type=int, default=8192, help="size of the signed complaint")
    parser.add_argument("--json", action="store_true", help="print one JSON object and nothing else")
    return parser.parse_args()


def set_up_django(workdir: Path) -> None:
    os.environ["DEBUG"] = "True"
    os.environ["EDS_TRUST_DIR"] = str(workdir / "trust")
    os.environ["EDS_CRL_DIR"] = str(workdir / "crl")
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'unused.sqlite3'}")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    import django

    django.setup()


def rate(operation: Callable[[], object], seconds: float) -> tuple[float, float]:
    """Operations per CPU second of this (single-threaded, pinned) process and per wall-clock second, over at
    least `seconds` of wall time after a short warm-up. On a machine shared with other work the CPU figure is what
    one core does; the wall figure also counts the time the core was given to others."""
    for _ in range(3):
        operation()
    count, started, cpu_started = 0, time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - started) < seconds:
        operation()
        count += 1
    cpu = max(time.process_time() - cpu_started, 1e-9)
    return count / cpu, count / elapsed


def document_of(size: int) -> bytes:
    line = "Шағым: мемлекеттік қызмет уақытында көрсетілмеді. Жалоба: услуга не оказана в срок.\n".encode()
    return (line * (size // len(line) + 1))[:size]


def run(arguments: argparse.Namespace, workdir: Path) -> dict:
    set_up_django(workdir)
    import warnings

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from complaints.eds import Status, verify
    from complaints.tests.pki import (
        CITIZEN_IIN,
        LONG_NAME_WARNING,
        build_pki,
        complaint_xml,
        detached_cms,
        enveloped_xml,
    )

    warnings.filterwarnings("ignore", LONG_NAME_WARNING, UserWarning)
    pki = build_pki()
    pki.write_trust_dir(workdir / "trust")
    pki.write_crl_dir(workdir / "crl")
    document = document_of(arguments.document_bytes)
    signature = detached_cms(pki.sign, document)
    xml_document = complaint_xml(document.decode(errors="ignore"))
    xml_signature = enveloped_xml(pki.sign, xml_document)

    def verify_cms() -> None:
        verdict = verify(document, signature, expected_iin=CITIZEN_IIN)
        if verdict.status is not Status.VALID:
            raise SystemExit(f"verification did not pass: {verdict}")

    def verify_xml() -> None:
        verdict = verify(xml_document, xml_signature, expected_iin=CITIZEN_IIN)
        if verdict.status is not Status.VALID:
            raise SystemExit(f"XML verification did not pass: {verdict}")

    raw_signature = pki.sign.key.sign(document, padding.PKCS1v15(), hashes.SHA256())
    public_key = pki.sign.key.public_key()

    def bare_rsa() -> None:
        public_key.verify(raw_signature, document, padding.PKCS1v15(), hashes.SHA256())

    seconds = arguments.seconds
    cms_cpu, cms_wall = rate(verify_cms, seconds)
    rsa_cpu, _ = rate(bare_rsa, min(seconds, 2.0))
    xml_cpu, _ = rate(verify_xml, seconds)
    return {
        "verifications_per_s": round(cms_cpu, 1),
        "wall_verifications_per_s": round(cms_wall, 1),
        "ms_per_verification": round(1000 / cms_cpu, 2),
        "baseline_rsa_verify_per_s": round(rsa_cpu, 1),
        "xml_verifications_per_s": round(xml_cpu, 1),
        "target_per_s": TARGET_PER_S,
        "meets_target": cms_cpu >= TARGET_PER_S,
        "setup": {
            "document_bytes": len(document),
            "signature_bytes": len(signature),
            "key": "RSA-2048, SHA-256",
            "chain": "citizen SIGN → intermediate → pinned root",
            "crls": "root and intermediate, held locally",
            "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
            "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
    }


def print_table(report: dict) -> None:
    setup = report["setup"]
    print(
        f"detached CMS, {setup['key']}, {setup['document_bytes']} B document, {setup['chain']}, "
        f"CRLs: {setup['crls']}; one core"
    )
    print(f"\n{'':<44}{'per CPU s':>12}{'ms each':>10}")
    rows = [
        ("full verification (chain, CRLs, usage, IIN)", report["verifications_per_s"]),
        ("baseline: bare RSA verify (cryptography)", report["baseline_rsa_verify_per_s"]),
        ("XML-DSig full verification (information)", report["xml_verifications_per_s"]),
    ]
    for name, per_s in rows:
        print(f"{name:<44}{per_s:>12.1f}{1000 / per_s:>10.3f}")
    overhead = report["baseline_rsa_verify_per_s"] / report["verifications_per_s"]
    print(f"\noverhead around the RSA operation: {overhead:.0f}x")
    print(f"full verification per wall-clock second (shared core): {report['wall_verifications_per_s']:.1f}")
    met = "met" if report["meets_target"] else "missed"
    print(f"target: >= {report['target_per_s']:.0f} verifications/s on one core: {met}")


def main() -> None:
    arguments = parse_arguments()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory(prefix="bench-signatures-") as workdir:
        report = run(arguments, Path(workdir))
    if arguments.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
