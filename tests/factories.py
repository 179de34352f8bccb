import factory
from django.contrib.auth.hashers import make_password

from baocao.accounts.grants import set_roles
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
    """An account holding `roles` (default: entry) at its unit, each with its regime reach."""

    class Meta:
        model = Account
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda a: f"Người dùng {a.username}")
    unit = factory.SubFactory(UnitFactory)
    must_change_password = False
    password = factory.LazyFunction(password_hash)

    @factory.post_generation
    def roles(account, create, extracted, **kwargs):
        if create:
            set_roles(account, extracted if extracted is not None else ("entry",))
