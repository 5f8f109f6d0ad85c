#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright (Playwright's own browser download
# cannot work here). Install it with apt where it is missing and we may; otherwise say so, and
# the browser tests skip with that reason.
set -u
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian's chromium for the browser tests ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq chromium >/dev/null \
    && exit 0
  echo "warning: apt-get could not install chromium; browser tests will be skipped." >&2
else
  echo "note: chromium is missing and cannot be installed here; browser tests will be skipped." >&2
fi
exit 0
