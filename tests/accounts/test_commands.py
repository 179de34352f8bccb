from django.core.management import call_command

from baocao.accounts.models import Account


def test_create_accounts_is_idempotent_and_follows_the_scheme(tree, capsys):
    call_command("create_accounts", "--unit", "T02")
    assert "5 accounts created" in capsys.readouterr().out
    school = Account.objects.get(username="T02003002")
    assert school.roles == ("entry",) and school.user_group == "Đơn vị kiểm kê"
    assert school.must_change_password and school.check_password("kkts@123")
    assert Account.objects.get(username="T02").roles == ("receiver", "admin")
    assert Account.objects.get(username="T02003").roles == ("receiver",)  # an aggregating unit receives
    call_command("create_accounts")
    assert "5 accounts created" in capsys.readouterr().out  # the rest of the tree
    call_command("create_accounts")
    assert "0 accounts created" in capsys.readouterr().out
    assert Account.objects.count() == len(tree)


def test_load_demo_twice_changes_nothing(db, capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    from baocao import regimes
    from baocao.shell.demo import for_regime

    n = len(for_regime(regimes.current().key).TREE)
    assert f"{n} units created, {n} accounts created" in first and "T02003002" in first and "kkts@123" in first
    call_command("load_demo")
    assert "0 units created, 0 accounts created" in capsys.readouterr().out
