"""Recording ratings. One rating per source (a call, a one-time link): repeats are ignored."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from appeals.models import Appeal
from audit.services import record_event
from core.policy import policy

from .models import Rating


def record_rating(
    *, appeal: Appeal, consultant: Any, score: int, channel: str, source_ref: str, given_at: Any = None
) -> Rating:
    """Store the citizen's score for a contact; the same source rated twice keeps the first score."""
    scale_max = policy("RATING_SCALE_MAX")
    if not isinstance(score, int) or not 1 <= score <= scale_max:
        raise ValidationError(
            _("A rating is a whole number from 1 to %(max)d."), code="rating_range", params={"max": scale_max}
        )
    existing = Rating.objects.filter(source_ref=source_ref).first()
    if existing is not None:
        return existing
    fields: dict[str, Any] = {"appeal": appeal, "consultant": consultant, "score": score, "channel": channel}
    if given_at is not None:
        fields["given_at"] = given_at
    try:
        with transaction.atomic():
            rating = Rating.objects.create(source_ref=source_ref, **fields)
            record_event(
                action="feedback.rated",
                target=rating,
                details={"appeal": appeal.number, "score": score, "channel": channel},
            )
    except IntegrityError:
        return Rating.objects.get(source_ref=source_ref)
    return rating
