"""Writing audit events: the one function every feature calls."""
from .models import AuditEvent


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
    """Append one audit event (see `event` for the fields)."""
    instance = event(action, **fields)
    instance.save()
    return instance


def record_many(events):
    """Append many events in one statement (batch actions: one event per account)."""
    AuditEvent.objects.bulk_create(events, batch_size=1000)
