"""GOST signatures (NCA's GOST 34.310-2004 and GOST 34.10-2015 keys) behind the same verifier interface.

This is a stub for the interface, not a verifier: it recognises the NCA GOST algorithms in CMS (signature algorithm
OID) and in XML-DSig (SignatureMethod URI) and answers PENDING with reason `gost_not_configured`, so a GOST
signature is never VALID and never wrongly INVALID. A real backend (asn1crypto and pyHanko cannot parse NCA GOST keys;
a GOST library would have to) registers itself with `verifier.register` for the same formats and algorithms and
calls `chain.assess` like the CMS and XML backends do.
"""

from __future__ import annotations

from complaints.eds.verifier import Envelope, Reason, Request, SignatureFormat, Verdict, pending, register

GOST_2004 = "1.2.398.3.10.1.1.1.2"  # GOST 34.310-2004 signature with GOST 34.311-95
GOST_2015_PREFIX = "1.2.398.3.10.1.1.2.3."  # GOST 34.10-2015 signatures (.1: 256-bit, .2: 512-bit)
GOST_KEY_PREFIX = "1.2.398.3.10.1.1."
XML_GOST_MARKERS = ("gost34310", "gostr34102015", "gost3410")


def is_gost_oid(algorithm: str) -> bool:
    return algorithm == GOST_2004 or algorithm.startswith(GOST_2015_PREFIX) or algorithm.startswith(GOST_KEY_PREFIX)


def is_gost_uri(algorithm: str) -> bool:
    lowered = algorithm.lower()
    return any(marker in lowered for marker in XML_GOST_MARKERS)


@register(SignatureFormat.CMS, is_gost_oid, name="gost")
def verify_gost_cms(envelope: Envelope, request: Request) -> Verdict:
    return pending(Reason.GOST_NOT_CONFIGURED, f"GOST algorithm {envelope.algorithm}: no GOST backend installed")


@register(SignatureFormat.XMLDSIG, is_gost_uri, name="gost-xml")
def verify_gost_xml(envelope: Envelope, request: Request) -> Verdict:
    return pending(Reason.GOST_NOT_CONFIGURED, f"GOST algorithm {envelope.algorithm}: no GOST backend installed")
