#!/usr/bin/env bash
# The accessibility checks (tests/a11y) inject axe-core into each page. Install the pinned
# version from the npm registry into .data/node/ (git-ignored) where it is missing; without npm
# or the registry say so, and those tests skip with that reason.
set -u
AXE_VERSION="4.10.3"
PREFIX="$(dirname "$0")/../.data/node"
TARGET="$PREFIX/node_modules/axe-core/axe.min.js"
if [ -f "$TARGET" ] && grep -q "\"version\": \"$AXE_VERSION\"" "$PREFIX/node_modules/axe-core/package.json"; then
  exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "note: npm is missing; the axe-core accessibility checks will be skipped." >&2
  exit 0
fi
echo "Installing axe-core $AXE_VERSION for the accessibility checks ..."
mkdir -p "$PREFIX"
npm install --silent --no-audit --no-fund --no-save --prefix "$PREFIX" "axe-core@$AXE_VERSION" >/dev/null \
  || echo "warning: npm could not install axe-core; the accessibility checks will be skipped." >&2
exit 0
