#!/usr/bin/env python
"""Django's command-line utility for Allmende.

The project's Python packages live at the repository root (tenants, themes, billing, infra) and
under platform/ (allmende, accounts, portal); platform/ is a plain folder, not a package, so
`import platform` keeps resolving to the standard library.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
for path in (ROOT / "platform", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(1, str(path))


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "allmende.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
