from dataclasses import dataclass

from audit.models import GENESIS_HASH, AuditEvent


@dataclass(frozen=True)
class ChainVerdict:
    checked: int
    broken_at: int | None
    reason: str

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify_chain(batch_size: int = 2000) -> ChainVerdict:
    """Walk the chain in order; report the first event whose link or content does not hold."""
    expected_prev = GENESIS_HASH
    expected_sequence = 1
    checked = 0
    events = AuditEvent.objects.order_by("sequence").iterator(chunk_size=batch_size)
    for event in events:
        if event.sequence != expected_sequence:
            return ChainVerdict(checked, expected_sequence, f"event #{expected_sequence} is missing")
        if event.prev_hash != expected_prev:
            return ChainVerdict(checked, event.sequence, "link to the previous event does not match")
        if event.compute_hash() != event.hash:
            return ChainVerdict(checked, event.sequence, "content was altered after it was recorded")
        expected_prev = event.hash
        expected_sequence += 1
        checked += 1
    return ChainVerdict(checked, None, "intact")
