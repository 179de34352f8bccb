import factory
from django.contrib.auth.hashers import make_password

from baocao.accounts.models import Account
from baocao.units.models import Unit, UnitKind

# One cheap hash for every factory account: tests that need Argon2 itself log in for real.
PASSWORD = "Matkhau2025"
_HASH = None


def password_hash():
    global _HASH
    if _HASH is None:
        _HASH = make_password(PASSWORD)
    return _HASH


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.LazyAttribute(lambda u: f"Đơn vị {u.code}")
    kind = UnitKind.REPORTING


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda a: f"Người dùng {a.username}")
    unit = factory.SubFactory(UnitFactory)
    role_entry = True
    must_change_password = False
    password = factory.LazyFunction(password_hash)
