#!/usr/bin/env bash
# The test suite's system packages, from Debian: chromium for the browser tests (driven through
# Playwright; Playwright's own browser download cannot work here) and gettext for the catalogue
# checks (tests/test_translations.py). Install what is missing with apt where we may; otherwise
# say so, and those tests skip with that reason.
set -u
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's ${missing[*]} for the tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null \
    && exit 0
  echo "warning: apt-get could not install ${missing[*]}; the tests needing them will be skipped." >&2
else
  echo "note: ${missing[*]} missing and cannot be installed here; the tests needing them will be skipped." >&2
fi
exit 0
