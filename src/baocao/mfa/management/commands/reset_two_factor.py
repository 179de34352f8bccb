from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from baocao.accounts.models import Account
from baocao.dbtext import iexact
from baocao.mfa.services import reset


class Command(BaseCommand):
    help = ("Remove an account's second factor (authenticator and recovery codes), audited as mfa.reset: the way back in "
            "for the last central administrator who lost both the phone and the recovery codes (docs/security.md).")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", default="", help="why, for the audit log (e.g. the request letter)")

    def handle(self, username, reason="", **options):
        account = Account.objects.select_related("unit").filter(iexact("username", username)).first()
        if account is None:
            raise CommandError(f"no account {username!r}")
        try:
            reset(None, account, note=f"command line: {reason}".strip())
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"second factor of {account.username} reset: it enrols again at its next sign-in if required")
