#!/usr/bin/env bash
# release.sh: cross-build clayscan for every released platform and write
# SHA-256 checksums. The release workflow (.github/workflows/release.yml)
# runs it on a v* tag; run it locally to get the same files:
#
#   scripts/release.sh VERSION [OUTDIR]      (OUTDIR defaults to dist/)
#
# Writes OUTDIR/clayscan-<os>-<arch> (".exe" on Windows) for linux, darwin
# and windows on amd64 and arm64, and OUTDIR/SHA256SUMS in the format
# `sha256sum --check` reads. Builds are static (CGO_ENABLED=0), reproducible
# paths (-trimpath) and stamped with VERSION (clayscan version, the JSON
# report and the SARIF tool version print it). RELEASE_TARGETS overrides the
# platform list ("linux/amd64 darwin/arm64").
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ] || [ -z "$1" ]; then
  echo "usage: scripts/release.sh VERSION [OUTDIR]" >&2
  exit 2
fi
version=$1
case $version in
  *[!A-Za-z0-9._+-]*)
    echo "release: version \"$version\" may hold only letters, digits and . _ + -" >&2
    exit 2 ;;
esac
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$root/dist}
targets=${RELEASE_TARGETS:-"linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64"}

mkdir -p "$out"
out=$(cd "$out" && pwd)
files=()
for target in $targets; do
  goos=${target%/*}
  goarch=${target#*/}
  name=clayscan-$goos-$goarch
  [ "$goos" = windows ] && name=$name.exe
  echo "release: building $name ($version)" >&2
  (cd "$root" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch \
    go build -trimpath -ldflags "-s -w -X main.stampedVersion=$version" -o "$out/$name" ./cmd/clayscan)
  files+=("$name")
done

# sha256sum on Linux, shasum on macOS: the same output format.
if command -v sha256sum >/dev/null 2>&1; then
  sum=(sha256sum)
else
  sum=(shasum -a 256)
fi
(cd "$out" && "${sum[@]}" "${files[@]}" > SHA256SUMS)
echo "release: wrote ${#files[@]} binaries and SHA256SUMS to $out" >&2
