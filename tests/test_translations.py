"""The catalogues are complete, current and compiled (docs/languages.md).

- Every translatable string of the code is in the catalogues, and nothing else: makemessages is
  run over a copy of the committed catalogues and its msgids are compared with theirs.
- German is complete (English is the source language). Ukrainian, Arabic and Turkish are
  complete for the member-facing scope, MEMBER_FACING below: the pages of a portal that members
  and visitors reach, and the mails sent to them.
- No entry is fuzzy, the placeholders of each translation match its msgid (msgfmt --check), and
  each .mo is what its .po compiles to.

A string added without its translation, a .po edited without compiling, or a translation that
drops a placeholder fails here. Needs GNU gettext (xgettext, msgmerge, msgfmt), as makemessages
does; without it the tests skip and say so.
"""

from __future__ import annotations

import ast
import fnmatch
import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "locale"
# Every language of settings.LANGUAGES has a catalogue, except the source language.
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]
COMPLETE = ["de"]  # complete for every string; the others for MEMBER_FACING
# Source files whose strings members and visitors of a portal read: pages outside /manage/,
# the mails they receive and the messages of the services behind those pages. The platform site,
# the operator console, the admin area and billing stay German and English.
MEMBER_FACING = (
    "platform/templates/base.html",
    "platform/templates/403.html",
    "platform/templates/404.html",
    "platform/templates/allauth/*",
    "platform/accounts/templates/account/*",
    "platform/accounts/templates/accounts/account.html",
    "platform/accounts/templates/accounts/directory.html",
    "platform/accounts/templates/accounts/login.html",
    "platform/accounts/templates/accounts/profile.html",
    "platform/accounts/templates/accounts/profile_edit.html",
    "platform/accounts/templates/accounts/set_password.html",
    "platform/accounts/templates/accounts/email/invitation*",
    "platform/accounts/forms.py",
    "platform/accounts/models.py",
    "platform/accounts/profiles.py",
    "platform/accounts/services.py",
    "platform/accounts/views.py",
    "platform/news/*",
    "platform/members/templates/members/invitation_accept.html",
    "platform/members/templates/members/invitation_gone.html",
    "platform/members/templates/members/invitation_unknown.html",
    "platform/members/templates/members/email/invitation*",
    "themes/templates/themes/legal_page.html",
    "themes/templates/themes/accessibility_statement.html",
    "themes/templates/themes/email/*",
    "platform/core/media/*",
    "platform/core/text.py",
    "platform/core/gates.py",
    "platform/core/permissions.py",
    "platform/core/privacy.py",
    "platform/core/money.py",
    "platform/features/limits.py",
    # The daily life of a portal: everything members reach in spaces, discussions, comments,
    # documents, reporting, notifications (mails included) and search.
    "platform/spaces/*",
    "platform/discussions/*",
    "platform/comments/*",
    "platform/documents/*",
    "platform/moderation/*",
    "platform/notifications/*",
    "platform/search/*",
    "platform/ideas/*",
    "platform/events/*",
    "platform/places/*",
    # Proposals, but for the administrators' pages (bodies, OParl import, threshold).
    "platform/proposals/templates/proposals/_card.html",
    "platform/proposals/templates/proposals/list.html",
    "platform/proposals/templates/proposals/space_list.html",
    "platform/proposals/templates/proposals/detail.html",
    "platform/proposals/templates/proposals/form.html",
    "platform/proposals/templates/proposals/versions.html",
    "platform/proposals/templates/proposals/submit.html",
    "platform/proposals/templates/proposals/email/*",
    "platform/proposals/models.py",
    "platform/proposals/forms.py",
    "platform/proposals/services.py",
    "platform/proposals/selectors.py",
    "platform/proposals/views.py",
    "platform/proposals/letter.py",
    "platform/proposals/feeds.py",
    "platform/proposals/api.py",
    "platform/proposals/search.py",
)
# What makemessages skips (the command in docs/languages.md).
IGNORED = (".venv", "staticfiles", "tests", "bench", ".data", "infra", "node_modules", "locale")

needs_gettext = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("xgettext", "msgmerge", "msgfmt")),
    reason="GNU gettext is not installed (apt-get install gettext)",
)


def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def _po_entries(path: Path) -> dict:
    """{msgid or (msgid, n): msgstr} of a .po file without header and obsolete entries; each
    value a (msgstr, references, fuzzy) triple."""
    entries = {}
    for block in path.read_text().split("\n\n"):
        lines = [line for line in block.strip().splitlines() if not line.startswith("#~")]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        refs = [ref for line in lines if line.startswith("#: ") for ref in line[3:].split()]
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) (".*")$', line)
            if match:
                current = match.group(1)
                fields[current] = _unquote(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += _unquote(line)
        if not fields.get("msgid"):
            continue
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = f"{fields['msgctxt']}\x04{key}"
        paths = [ref.rsplit(":", 1)[0] for ref in refs]
        if "msgid_plural" in fields:
            for name, value in fields.items():
                if name.startswith("msgstr["):
                    entries[(key, int(name[7:-1]))] = (value, paths, fuzzy)
        else:
            entries[key] = (fields.get("msgstr", ""), paths, fuzzy)
    return entries


def _msgids(entries: dict) -> set[str]:
    return {key[0] if isinstance(key, tuple) else key for key in entries}


def _member_facing(paths: list[str]) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for path in paths for pattern in MEMBER_FACING)


def untranslated(entries: dict, *, scope_only: bool) -> list[str]:
    """Msgids without a translation (or fuzzy), within the member-facing scope if asked."""
    return sorted(
        {
            key[0] if isinstance(key, tuple) else key
            for key, (value, paths, fuzzy) in entries.items()
            if (not value or fuzzy) and (not scope_only or _member_facing(paths))
        }
    )


@pytest.fixture(scope="module")
def catalogues() -> dict[str, dict]:
    return {code: _po_entries(LOCALE / code / "LC_MESSAGES" / "django.po") for code in TRANSLATED}


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """The msgids makemessages finds in the code today, written into a copy of the catalogues.

    It runs in a scratch folder of symlinks to the repository's top-level folders, with
    LOCALE_PATHS pointing at the copy, so the committed files are never touched."""
    if not all(shutil.which(tool) for tool in ("xgettext", "msgmerge")):
        pytest.skip("GNU gettext is not installed (apt-get install gettext)")
    scratch = tmp_path_factory.mktemp("makemessages")
    for entry in ROOT.iterdir():
        if entry.is_dir() and entry.name not in IGNORED and not entry.name.startswith("."):
            (scratch / entry.name).symlink_to(entry, target_is_directory=True)
    shutil.copytree(LOCALE / "de", scratch / "locale" / "de")
    script = (
        "import django, os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'allmende.settings')\n"
        "from django.conf import settings\n"
        "django.setup()\n"
        "settings.LOCALE_PATHS = [os.path.abspath('locale')]\n"
        "from django.core.management import call_command\n"
        "call_command('makemessages', locale=['de'], symlinks=True, no_wrap=True,\n"
        f"             ignore_patterns={[f'{name}/*' for name in IGNORED]!r}, verbosity=0)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "platform")])}
    subprocess.run([sys.executable, "-c", script], cwd=scratch, env=env, check=True)
    return _msgids(_po_entries(scratch / "locale" / "de" / "LC_MESSAGES" / "django.po"))


@needs_gettext
def test_every_string_of_the_code_is_in_the_catalogues_and_nothing_else(extracted, catalogues):
    assert len(extracted) > 300  # positive control: the extraction found the code's strings
    committed = _msgids(catalogues["de"])
    missing, stale = sorted(extracted - committed), sorted(committed - extracted)
    assert (missing, stale) == ([], []), (
        "run makemessages (docs/languages.md) and translate the new strings"
    )
    for code in TRANSLATED:
        assert _msgids(catalogues[code]) == committed, f"{code}: msgids differ from German"


def test_german_is_complete_and_the_others_for_member_pages(catalogues):
    for code in TRANSLATED:
        entries = catalogues[code]
        assert len(entries) > 300
        assert untranslated(entries, scope_only=code not in COMPLETE) == [], code
    # The scope is not empty and names files that exist (a rename must not shrink it).
    in_scope = [k for k, (_v, paths, _f) in catalogues["uk"].items() if _member_facing(paths)]
    assert len(in_scope) > 150
    for pattern in MEMBER_FACING:
        assert list(ROOT.glob(pattern)), f"MEMBER_FACING names no file: {pattern}"


def test_the_completeness_check_catches_a_gap(tmp_path):
    """Positive control for the check above: an untranslated member-facing entry is reported,
    one outside the scope is not, unless the language must be complete."""
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: platform/templates/base.html:3\nmsgid "Log out"\nmsgstr ""\n\n'
        '#: platform/members/views.py:9\nmsgid "Members"\nmsgstr ""\n\n'
        '#: platform/news/forms.py:4\n#, fuzzy\nmsgid "What is new?"\nmsgstr "Neu?"\n'
    )
    entries = _po_entries(po)
    assert untranslated(entries, scope_only=True) == ["Log out", "What is new?"]
    assert untranslated(entries, scope_only=False) == ["Log out", "Members", "What is new?"]


@needs_gettext
def test_translations_keep_their_placeholders():
    for code in TRANSLATED:
        po = LOCALE / code / "LC_MESSAGES" / "django.po"
        result = subprocess.run(
            ["msgfmt", "--check-format", "-o", os.devnull, str(po)],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr


def test_every_catalogue_is_compiled(catalogues):
    for code in TRANSLATED:
        po = {
            key: value
            for key, (value, _paths, _fuzzy) in catalogues[code].items()
            if value  # msgfmt leaves untranslated entries out
        }
        with (LOCALE / code / "LC_MESSAGES" / "django.mo").open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)._catalog
        compiled.pop("", None)
        assert compiled == po, f"run msgfmt for {code} after editing its .po file"
