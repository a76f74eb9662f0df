"""Verifying citizens' electronic signatures (NCA certificates, NCALayer's CMS and XML-DSig): see `verifier`."""

from complaints.eds.verifier import Reason, Status, Verdict, verify

__all__ = ["Reason", "Status", "Verdict", "verify"]
