"""The German catalogue is complete and the compiled one matches it: a string added without its
translation, or a .po edited without compiling, fails here."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def _po_entries(path: Path) -> dict:
    """{msgid or (msgid, n): msgstr} of a .po file, without the header and obsolete entries."""
    entries, flags = {}, []
    for block in path.read_text().split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        flags = [line for line in lines if line.startswith("#,")]
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = ast.literal_eval(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += ast.literal_eval(line)
        if not fields.get("msgid"):
            continue
        assert not any("fuzzy" in flag for flag in flags), f"fuzzy: {fields['msgid']!r}"
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = f"{fields['msgctxt']}\x04{key}"
        if "msgid_plural" in fields:
            for name, value in fields.items():
                if name.startswith("msgstr["):
                    entries[(key, int(name[7:-1]))] = value
        else:
            entries[key] = fields.get("msgstr", "")
    return entries


def test_every_german_string_is_translated_and_compiled():
    po = _po_entries(LOCALE / "de" / "LC_MESSAGES" / "django.po")
    assert len(po) > 300
    untranslated = [key for key, value in po.items() if not value]
    assert untranslated == []
    with (LOCALE / "de" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    compiled.pop("", None)
    assert compiled == po, "run `manage.py compilemessages` after editing the .po file"
