#!/usr/bin/env bash
# Installs real Go toolchains from Debian's packages into .toolchains/goX.Y (self-contained trees).
# Usage: scripts/install-go.sh 1.19 1.21 1.22 1.23 1.24 1.26
# Go 1.19 comes from bookworm, 1.21-1.23 from bookworm-backports, 1.24-1.26 from trixie(-backports).
# Packages are unpacked with dpkg -x so nothing else on the system is upgraded.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.toolchains"
mkdir -p "$dest"
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

need_update=0
add_suite() { # file suites
  local file="/etc/apt/sources.list.d/$1.sources"
  if [ ! -f "$file" ]; then
    printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$2" | sudo_ tee "$file" >/dev/null
    need_update=1
  fi
}
add_suite goheap-bookworm-backports "bookworm-backports"
add_suite goheap-trixie "trixie trixie-backports"
pin=/etc/apt/preferences.d/goheap-trixie
if [ ! -f "$pin" ]; then
  printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n\nPackage: *\nPin: release n=trixie-backports\nPin-Priority: 100\n\nPackage: *\nPin: release n=bookworm-backports\nPin-Priority: 100\n' | sudo_ tee "$pin" >/dev/null
  need_update=1
fi
if [ "$need_update" = 1 ] || [ ! -d /var/lib/apt/lists ] || [ -z "$(ls /var/lib/apt/lists 2>/dev/null | grep -i trixie || true)" ]; then
  sudo_ apt-get update -qq
fi

for v in "$@"; do
  out="$dest/go$v"
  if [ -x "$out/bin/go" ] && [ -d "$out/src/runtime" ]; then continue; fi
  tmp="$(mktemp -d)"; chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq "golang-$v-go" "golang-$v-src" >/dev/null)
  for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$tmp/x"; done
  # Debian splits the tree: lib/go-X.Y links (relatively) into share/go-X.Y; copy it with links resolved.
  rm -rf "$out"
  cp -rL "$tmp/x/usr/lib/go-$v" "$out"
  rm -rf "$tmp"
  GOROOT="$out" GOTOOLCHAIN=local "$out/bin/go" version
done
