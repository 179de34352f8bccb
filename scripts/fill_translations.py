"""Fill locale/en/LC_MESSAGES/django.po from scripts/en_glossary.py and list what is missing."""
import sys
from pathlib import Path

import polib

sys.path.insert(0, str(Path(__file__).parent))
from en_glossary import EN, PLURALS  # noqa: E402

path = Path(__file__).resolve().parent.parent / "src/baocao/locale/en/LC_MESSAGES/django.po"
po = polib.pofile(str(path))
missing = []
for entry in po:
    if entry.msgid_plural:
        if entry.msgid in PLURALS:
            entry.msgstr_plural = dict(enumerate(PLURALS[entry.msgid]))
        else:
            entry.msgstr_plural = {0: "", 1: ""}
            missing.append(entry.msgid)
    elif entry.msgid in EN:
        entry.msgstr = EN[entry.msgid]
    else:
        # Not in the glossary: no translation (the Vietnamese shows), never a fuzzy guess
        # from makemessages, which would put another sentence's English here.
        entry.msgstr = ""
        missing.append(entry.msgid)
    if "fuzzy" in entry.flags:
        entry.flags.remove("fuzzy")
po.metadata["Language"] = "en"
po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
po.save()
print("\n".join(f"missing: {m!r}" for m in missing) or "all translated")
