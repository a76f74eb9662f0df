import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit.choices import AuditKind
from audit.models import AppendOnlyError, AuditEvent
from audit.selectors import verify_chain
from audit.services import record_event, record_personal_data_read

pytestmark = pytest.mark.django_db


def bypass_triggers(cursor) -> None:  # type: ignore[no-untyped-def]
    """What an attacker with database superuser rights could do."""
    if connection.vendor == "sqlite":
        cursor.execute("DROP TRIGGER audit_event_no_update")
    else:
        cursor.execute("SET session_replication_role = replica")


def restore_triggers(cursor) -> None:  # type: ignore[no-untyped-def]
    if connection.vendor == "postgresql":
        cursor.execute("SET session_replication_role = origin")


def _three_events(actor) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return [record_event(action=f"test.action{i}", actor=actor, details={"i": i}) for i in range(3)]


def test_events_form_an_intact_chain(consultant) -> None:  # type: ignore[no-untyped-def]
    # given
    events = _three_events(consultant)
    # when
    verdict = verify_chain()
    # then
    assert verdict.intact
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert [e.sequence for e in events] == sorted(e.sequence for e in events)


def test_altered_content_is_found_at_its_link(consultant) -> None:  # type: ignore[no-untyped-def]
    # given: an attacker with database access edits a record's details behind the triggers' back
    events = _three_events(consultant)
    with connection.cursor() as cursor:
        bypass_triggers(cursor)
        cursor.execute("UPDATE audit_auditevent SET details = %s WHERE id = %s", ['{"i": 99}', events[1].pk])
        restore_triggers(cursor)
    # when
    verdict = verify_chain()
    # then
    assert not verdict.intact
    assert verdict.broken_at == events[1].sequence
    with pytest.raises(CommandError, match=f"#{events[1].sequence}"):
        call_command("verify_audit_chain")


def test_a_removed_record_is_reported(consultant) -> None:  # type: ignore[no-untyped-def]
    events = _three_events(consultant)
    with connection.cursor() as cursor:
        bypass_triggers(cursor)
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
        restore_triggers(cursor)
    verdict = verify_chain()
    assert verdict.broken_at == events[1].sequence
    assert "missing" in verdict.reason


def test_records_cannot_be_changed_through_the_orm(consultant) -> None:  # type: ignore[no-untyped-def]
    event = record_event(action="test.x", actor=consultant)
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_updates(consultant) -> None:  # type: ignore[no-untyped-def]
    event = record_event(action="test.x", actor=consultant)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'forged' WHERE id = %s", [event.pk])
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])


def test_personal_data_reads_are_recorded_with_who_and_what(consultant) -> None:  # type: ignore[no-untyped-def]
    event = record_personal_data_read(actor=consultant, target=consultant, fields=["phone", "iin"])
    assert event.kind == AuditKind.READ
    assert event.actor == consultant
    assert event.details == {"fields": ["iin", "phone"]}


def test_the_command_reports_an_intact_chain(consultant, capsys) -> None:  # type: ignore[no-untyped-def]
    _three_events(consultant)
    call_command("verify_audit_chain")
    assert "intact" in capsys.readouterr().out
