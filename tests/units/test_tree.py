import pytest
from django.db import IntegrityError, transaction

from baocao.units.models import Unit, UnitKind


def test_subtree_is_everything_below(tree):
    assert {u.code for u in Unit.objects.subtree(tree["T02"])} == {"T02", "T02003", "T02003002", "T02003001", "T02001"}
    assert {u.code for u in Unit.objects.subtree(tree["T02003"], include_self=False)} == {"T02003002", "T02003001"}
    assert Unit.objects.subtree(tree["BTC"]).count() == len(tree)


def test_subtree_does_not_confuse_code_prefixes(tree):
    # "T0" is a prefix of "T02" as text, not as a unit.
    Unit.objects.create(code="T0", name="Tiền tố", kind=UnitKind.GOVERNING, parent=tree["BTC"])
    assert {u.code for u in Unit.objects.subtree(Unit.objects.get(code="T0"))} == {"T0"}


def test_paths_and_depths(tree):
    assert tree["T02003002"].path == "/BTC/T02/T02003/T02003002/"
    assert tree["T02003002"].depth == 3 and tree["BTC"].depth == 0
    assert tree["T02003002"].is_within(tree["T02"]) and not tree["T02003002"].is_within(tree["T01"])


def test_database_constraints(tree):
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="t02", name="Trùng mã khác hoa thường", kind=UnitKind.GOVERNING, parent=tree["BTC"])
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="ROOT2", name="Gốc thứ hai", kind=UnitKind.ROOT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Unit.objects.create(code="ORPHAN", name="Không cấp trên", kind=UnitKind.REPORTING)
    from baocao.units.models import Reorganisation, UnitLineage

    log = Reorganisation.objects.create(operation="retire")
    with pytest.raises(IntegrityError), transaction.atomic():
        UnitLineage.objects.create(predecessor=tree["T02001"], successor=tree["T02001"], reorganisation=log)  # not its own successor


def test_catalogue_search_ignores_accents_and_case(tree, make_account, login):
    from django.urls import reverse

    client = login(make_account("T02", "admin"))
    for query in ("tran phu", "TRẦN PHÚ", "t02003002"):
        listed = [u.code for u in client.get(reverse("units:list"), {"q": query}).context["page"]]
        assert listed == ["T02003002"], query
    assert [u.code for u in Unit.objects.matching("giao duc")] == ["T02003"]
