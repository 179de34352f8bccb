import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from baocao.audit.models import AuditEvent
from baocao.audit.services import OutsideTransaction, record, record_read


def test_the_event_of_a_change_is_refused_outside_the_change_s_transaction(tree):
    """DESIGN.md: every action writes its audit event in the same transaction as its change."""
    with pytest.raises(OutsideTransaction):
        record("unit.updated", unit=tree["T02"], after={"name": "x"})
    assert not AuditEvent.objects.filter(action="unit.updated").exists()
    with transaction.atomic():
        record("unit.updated", unit=tree["T02"], after={"name": "x"})
    assert AuditEvent.objects.filter(action="unit.updated").count() == 1


def test_events_cannot_be_updated(tree):
    event = record_read("login.failure", username="ghost")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(note="tampered")
    event.refresh_from_db()
    assert event.note == ""


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL refuses DELETE; SQLite only UPDATE (see migration)")
def test_events_cannot_be_deleted_on_postgresql(tree):
    event = record_read("login.failure", username="ghost")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_event_keeps_who_where_and_what(make_account, tree, rf):
    account = make_account("T02003002", "entry")
    request = rf.get("/", REMOTE_ADDR="10.1.2.3")
    request.user = account
    event = record_read("unit.updated", request=request, unit=tree["T02003002"], obj=tree["T02003002"], before={"name": "a"}, after={"name": "b"})
    event.refresh_from_db()
    assert (event.actor, event.actor_username, event.ip) == (account, account.username, "10.1.2.3")
    assert event.unit_path == "/BTC/T02/T02003/T02003002/"
    assert (event.object_type, event.object_id) == ("units.unit", str(tree["T02003002"].pk))
    assert (event.before, event.after) == ({"name": "a"}, {"name": "b"})


def test_admin_list_is_scoped_and_filterable(make_account, login, tree):
    province_admin = make_account("T02", "admin")
    record_read("login.success", actor=make_account("T02003002", "entry", username="T02003002"), unit=tree["T02003002"])
    record_read("login.success", actor=make_account("T01017", "entry", username="T01017"), unit=tree["T01017"])
    record_read("login.failure", username="ghost")
    client = login(province_admin)
    text = client.get(reverse("audit:list")).content.decode()
    assert "T02003002" in text and "T01017" not in text and "ghost" not in text
    assert "Đăng nhập thành công" in text

    central = login(make_account("BTC", "central_admin"))
    assert "ghost" in central.get(reverse("audit:list")).content.decode()
    filtered = central.get(reverse("audit:list"), {"account": "T01017"}).content.decode()
    assert "T01017" in filtered and "T02003002" not in filtered
    by_action = central.get(reverse("audit:list"), {"action": "login.failure"}).content.decode()
    assert "ghost" in by_action and "T01017" not in by_action


def test_date_filter_is_dd_mm_yyyy(make_account, login):
    from django.utils import timezone

    client = login(make_account("BTC", "central_admin"))
    record_read("login.failure", username="ghost")
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert "ghost" in client.get(reverse("audit:list"), {"from": today, "to": today}).content.decode()
    assert "ghost" not in client.get(reverse("audit:list"), {"from": "01/01/2099"}).content.decode()
    assert "không đúng định dạng dd/mm/yyyy" in client.get(reverse("audit:list"), {"from": "2025-13-01"}).content.decode()


def test_a_huge_log_is_counted_only_up_to_a_cap(make_account, login, monkeypatch):
    from baocao.paging import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "cap", 3)
    for n in range(6):
        record_read("login.failure", username=f"ghost{n}")
    response = login(make_account("BTC", "central_admin")).get(reverse("audit:list"))
    assert response.context["page"].paginator.count == 3 and response.context["page"].paginator.capped
    assert "Hơn 3 sự kiện" in response.content.decode()
