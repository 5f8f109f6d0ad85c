#!/usr/bin/env bash
# The map pages (platform/places) draw with Leaflet and its marker-cluster plugin. Install the
# pinned versions from the npm registry into .data/node-leaflet/ (git-ignored; a prefix of its
# own, so .data/node stays axe-core's) and copy their dist files to .data/vendor/, which
# settings.py serves as static files under vendor/. Without npm or the registry say so: the map
# pages then show their directory list and a note that the map cannot be drawn.
set -u
LEAFLET_VERSION="1.9.4"
CLUSTER_VERSION="1.5.3"
DATA="$(cd "$(dirname "$0")/.." && pwd)/.data"
PREFIX="$DATA/node-leaflet"
VENDOR="$DATA/vendor"
MODULES="$PREFIX/node_modules"

installed() {
  # $1 package, $2 version
  [ -f "$MODULES/$1/package.json" ] && grep -q "\"version\": \"$2\"" "$MODULES/$1/package.json"
}

copied() {
  [ -f "$VENDOR/leaflet/leaflet.js" ] && [ -f "$VENDOR/leaflet/VERSION" ] \
    && [ "$(cat "$VENDOR/leaflet/VERSION")" = "$LEAFLET_VERSION" ] \
    && [ -f "$VENDOR/leaflet.markercluster/leaflet.markercluster.js" ] \
    && [ -f "$VENDOR/leaflet.markercluster/VERSION" ] \
    && [ "$(cat "$VENDOR/leaflet.markercluster/VERSION")" = "$CLUSTER_VERSION" ]
}

if copied; then
  exit 0
fi
if ! installed leaflet "$LEAFLET_VERSION" || ! installed leaflet.markercluster "$CLUSTER_VERSION"; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "note: npm is missing; the map pages will show their directory list without a map." >&2
    exit 0
  fi
  echo "Installing Leaflet $LEAFLET_VERSION and Leaflet.markercluster $CLUSTER_VERSION for the map ..."
  mkdir -p "$PREFIX"
  if ! npm install --silent --no-audit --no-fund --no-save --prefix "$PREFIX" \
      "leaflet@$LEAFLET_VERSION" "leaflet.markercluster@$CLUSTER_VERSION" >/dev/null; then
    echo "warning: npm could not install Leaflet; the map pages will show their directory list without a map." >&2
    exit 0
  fi
fi
# Copy into fresh folders and swap them in, so a half-copied vendor folder is never served.
rm -rf "$VENDOR/.leaflet.new" "$VENDOR/.leaflet.markercluster.new"
mkdir -p "$VENDOR/.leaflet.new" "$VENDOR/.leaflet.markercluster.new"
# The source maps too: the manifest storage of production resolves every sourceMappingURL at
# collectstatic and fails on a missing one.
cp "$MODULES/leaflet/dist/leaflet.js" "$MODULES/leaflet/dist/leaflet.js.map" \
  "$MODULES/leaflet/dist/leaflet.css" "$VENDOR/.leaflet.new/"
cp -R "$MODULES/leaflet/dist/images" "$VENDOR/.leaflet.new/images"
cp "$MODULES/leaflet/LICENSE" "$VENDOR/.leaflet.new/LICENSE"
echo "$LEAFLET_VERSION" > "$VENDOR/.leaflet.new/VERSION"
cp "$MODULES/leaflet.markercluster/dist/leaflet.markercluster.js" \
  "$MODULES/leaflet.markercluster/dist/leaflet.markercluster.js.map" \
  "$MODULES/leaflet.markercluster/dist/MarkerCluster.css" \
  "$MODULES/leaflet.markercluster/dist/MarkerCluster.Default.css" \
  "$VENDOR/.leaflet.markercluster.new/"
cp "$MODULES/leaflet.markercluster/MIT-LICENCE.txt" "$VENDOR/.leaflet.markercluster.new/" 2>/dev/null || true
echo "$CLUSTER_VERSION" > "$VENDOR/.leaflet.markercluster.new/VERSION"
rm -rf "$VENDOR/leaflet" "$VENDOR/leaflet.markercluster"
mv "$VENDOR/.leaflet.new" "$VENDOR/leaflet"
mv "$VENDOR/.leaflet.markercluster.new" "$VENDOR/leaflet.markercluster"
exit 0
