#!/usr/bin/env bash
# Installs every tool the tests use, only what is missing (idempotent; a second run does nothing and is quick):
#   Debian packages: binutils (readelf), llvm (llvm-dwarfdump), graphviz (dot), chromium (the viewer's browser
#   tests), a JDK (java running the VisualVM checker from source); VisualVM's heap library (.toolchains/visualvm);
#   Go 1.26 (.toolchains/go1.26: `go tool pprof` checks the pprof exporter).
# `make test` runs it first, and `.ci/run` is `make test`, so CI and the README's command cannot drift apart.
# Without root (and without sudo), it says in one line what to install and exits 1.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

need=()
command -v readelf >/dev/null || need+=(binutils)
command -v llvm-dwarfdump >/dev/null || need+=(llvm)
command -v dot >/dev/null || need+=(graphviz)
[ -x /usr/bin/chromium ] || need+=(chromium)
# The HPROF checker runs `java HprofCheck.java`: launching a source file needs a JDK's jdk.compiler module.
{ command -v java >/dev/null && java --list-modules 2>/dev/null | grep -q '^jdk.compiler'; } || need+=(openjdk-17-jdk-headless)
jar="$root/.toolchains/visualvm/org-graalvm-visualvm-lib-jfluid-heap.jar"
go="$root/.toolchains/go1.26/bin/go"
missing_local=()
[ -s "$jar" ] || missing_local+=("VisualVM's heap library (scripts/install-visualvm.sh)")
[ -x "$go" ] || missing_local+=("Go 1.26 (scripts/install-go.sh 1.26)")
if [ ${#need[@]} -eq 0 ] && [ ${#missing_local[@]} -eq 0 ]; then exit 0; fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@";
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo "$@";
  else return 1; fi
}
if ! as_root true 2>/dev/null; then
  what=("${need[@]/#/Debian package }" "${missing_local[@]}")
  echo "install-test-tools: the tests need root to install: $(IFS=,; echo "${what[*]}" | sed 's/,/, /g'); as root run scripts/install-test-tools.sh" >&2
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "install-test-tools: installing ${need[*]}" >&2
  as_root apt-get update -qq
  as_root apt-get install -y -qq "${need[@]}" >/dev/null
fi
[ -s "$jar" ] || "$root/scripts/install-visualvm.sh"
[ -x "$go" ] || "$root/scripts/install-go.sh" 1.26
