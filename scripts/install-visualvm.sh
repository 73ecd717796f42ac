#!/usr/bin/env bash
# Installs VisualVM's standalone heap library (the HPROF reader the HPROF export tests check with) into
# .toolchains/visualvm/org-graalvm-visualvm-lib-jfluid-heap.jar, from Debian's visualvm package (bookworm: 2.1.5),
# unpacked with dpkg -x so nothing is installed system-wide. Idempotent: does nothing when the jar is there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dest="$root/.toolchains/visualvm"
jar="org-graalvm-visualvm-lib-jfluid-heap.jar"
if [ -s "$dest/$jar" ]; then exit 0; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
# apt-get download fails when the package lists were never fetched (a fresh CI machine): fetch them once then.
if ! (cd "$tmp" && apt-get download -qq visualvm >/dev/null 2>&1); then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
  (cd "$tmp" && apt-get download -qq visualvm >/dev/null)
fi
dpkg -x "$tmp"/visualvm_*.deb "$tmp/x"
found="$(find "$tmp/x" -name "$jar" -type f | head -1)"
if [ -z "$found" ]; then
  echo "install-visualvm: $jar not found in $(ls "$tmp"/visualvm_*.deb)" >&2
  exit 1
fi
mkdir -p "$dest"
cp "$found" "$dest/$jar.tmp"
mv "$dest/$jar.tmp" "$dest/$jar"
echo "install-visualvm: $dest/$jar"
