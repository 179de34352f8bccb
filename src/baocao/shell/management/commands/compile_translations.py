"""Compile locale/*.po to .mo with polib, so no GNU gettext is needed on the machine."""
import os
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po -> .mo) that are new or changed."

    def handle(self, **options):
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in Path(locale_dir).glob("*/LC_MESSAGES/*.po"):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                # Written aside, then renamed: a process starting meanwhile reads the old file or the new one.
                partial = mo_path.with_suffix(f".mo.{os.getpid()}")
                polib.pofile(str(po_path)).save_as_mofile(str(partial))
                os.replace(partial, mo_path)
                self.stdout.write(f"compiled {mo_path}")
