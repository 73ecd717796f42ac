#!/usr/bin/env bash
# Regenerates fixtures/*/goX.Y/: builds each fixture program with each real Go toolchain, runs it, and stores
# the executable, the heap dumps it wrote (gzip -9n) and the facts it printed (facts.json).
# Every folder fixtures/NAME with a main.go is a fixture program. It is run as `./NAME heap1.dump heap2.dump`
# (a program may write one dump or more; every *.dump it writes is kept) and prints its facts as JSON on stdout.
# A program may list the versions it is built with in a file `versions` (one per line); default: all of them.
# Usage: scripts/make-fixtures.sh [VERSION...]   (default: every supported version)
#        PROGRAMS="zoo leak" scripts/make-fixtures.sh 1.26   (only those programs)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(1.19 1.21 1.22 1.23 1.24 1.25 1.26)
"$root/scripts/install-go.sh" "${versions[@]}"
programs=(${PROGRAMS:-$(cd "$root/fixtures" && for d in */; do [ -f "$d/main.go" ] && echo "${d%/}"; done)})
for prog in "${programs[@]}"; do
  for v in "${versions[@]}"; do
    if [ -f "$root/fixtures/$prog/versions" ] && ! grep -qx "$v" "$root/fixtures/$prog/versions"; then continue; fi
    goroot="$root/.toolchains/go$v"
    out="$root/fixtures/$prog/go$v"
    work="$(mktemp -d)"
    (cd "$root/fixtures/$prog" && GOROOT="$goroot" GOTOOLCHAIN=local GOPROXY=off GOFLAGS= CGO_ENABLED=0 \
      GOCACHE="$work/cache" "$goroot/bin/go" build -trimpath -o "$work/$prog" .)
    (cd "$work" && "./$prog" heap1.dump heap2.dump > facts.json)
    rm -rf "$out"; mkdir -p "$out"
    gzip -9n < "$work/$prog" > "$out/$prog.gz"
    for d in "$work"/*.dump; do gzip -9n < "$d" > "$out/$(basename "$d").gz"; done
    cp "$work/facts.json" "$out/facts.json"
    rm -rf "$work"
    echo "fixtures/$prog/go$v: $(du -sh "$out" | cut -f1)"
  done
done
# Cross-built zoo executables (not run): ELF32/ELF64 in both byte orders, for the ELF/DWARF reader's tests.
goroot="$root/.toolchains/go1.26"
if [ -x "$goroot/bin/go" ] && [[ " ${programs[*]} " == *" zoo "* ]]; then
  for arch in 386 mips s390x; do
    out="$root/fixtures/zoo-cross/$arch"
    work="$(mktemp -d)"
    (cd "$root/fixtures/zoo" && GOROOT="$goroot" GOTOOLCHAIN=local GOPROXY=off GOFLAGS= CGO_ENABLED=0 GOOS=linux GOARCH=$arch \
      GOCACHE="$work/cache" "$goroot/bin/go" build -trimpath -o "$work/zoo" .)
    rm -rf "$out"; mkdir -p "$out"
    gzip -9n < "$work/zoo" > "$out/zoo.gz"
    rm -rf "$work"
    echo "fixtures/zoo-cross/$arch: $(du -sh "$out" | cut -f1)"
  done
fi
