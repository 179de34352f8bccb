"""Writing audit events: the one function every feature calls.

`record` and `record_many` append the event of a change and must run inside the change's
transaction (DESIGN.md: every action writes its audit event in the same transaction), so
that an event never survives a change that failed, nor a change its event; they refuse to
run outside one. An event that records only a read (an export, a download, a refusal, a
login attempt) has nothing to share a transaction with: `record_read`.
"""
from django.db import transaction

from .models import AuditEvent


class OutsideTransaction(RuntimeError):
    """An audit event of a change written outside the change's transaction."""


def _in_transaction():
    # Test cases wrap every test in an atomic block of their own (marked by Django): it is
    # not the change's transaction, so it does not count.
    return any(not getattr(block, "_from_testcase", False) for block in transaction.get_connection().atomic_blocks)


def client_ip(request):
    """The client's address. REMOTE_ADDR only: X-Forwarded-For is trivially forged unless a
    trusted proxy rewrites it, and gunicorn behind such a proxy is configured to do that."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def event(action, *, actor=None, request=None, unit=None, obj=None, before=None, after=None, note="", username=""):
    """An unsaved audit event. `actor` defaults to the request's authenticated account."""
    if actor is None and request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
        actor = request.user
    return AuditEvent(
        actor=actor,
        actor_username=(actor.username if actor is not None else username).replace("\x00", "")[:150],
        ip=client_ip(request),
        action=action,
        unit=unit,
        unit_path=unit.path if unit is not None else "",
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=before,
        after=after,
        note=note.replace("\x00", "") if isinstance(note, str) else note,
    )


def record(action, **fields):
    """Append the audit event of a change, inside the change's transaction (see `event`
    for the fields)."""
    if not _in_transaction():
        raise OutsideTransaction(f"audit event {action!r} outside the transaction of its change")
    return record_read(action, **fields)


def record_read(action, **fields):
    """Append the audit event of something that changed nothing (a read, a refusal, a
    login attempt): it needs no transaction of its own."""
    instance = event(action, **fields)
    instance.save()
    return instance


def record_many(events):
    """Append many events in one statement (batch actions: one event per account), inside
    the transaction of their change."""
    if not _in_transaction():
        raise OutsideTransaction("audit events outside the transaction of their change")
    AuditEvent.objects.bulk_create(events, batch_size=1000)
