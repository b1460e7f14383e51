#!/usr/bin/env bash
# org-sweep-local.sh: the org-sweep workflow's steps over local
# repositories, in parallel processes instead of matrix jobs.
#
#   scripts/org-sweep-local.sh [-c CHUNK] [-p PARALLEL] [-b CLAYSCAN] -o OUTDIR REPO...
#
#   list    the REPO paths (git repositories, bare or not) are the organisation
#   chunk   CHUNK repositories per chunk (default 20), as the workflow's matrix
#   scan    one process per chunk, PARALLEL at a time (default 2), each running
#           scripts/org-sweep-chunk.sh: full clone, clayscan history -f json
#   merge   clayscan merge over the chunk reports: OUTDIR/merged.json,
#           OUTDIR/merged.sarif and OUTDIR/summary.md (the step summary)
#
# CLAYSCAN defaults to a build of this checkout. A repository is named after
# its directory (a trailing .git dropped); two with the same name get -2,
# -3 appended. Exit: clayscan merge's (0 clean, 1 secrets found, 2 the
# sweep is incomplete or failed). Needs bash 4.3 or later. See
# docs/org-sweep.md.
set -euo pipefail

usage() {
  echo "usage: scripts/org-sweep-local.sh [-c CHUNK] [-p PARALLEL] [-b CLAYSCAN] -o OUTDIR REPO..." >&2
  exit 2
}
chunk=20 parallel=2 clayscan='' out=''
while getopts c:p:b:o: opt; do
  case $opt in
    c) chunk=$OPTARG ;;
    p) parallel=$OPTARG ;;
    b) clayscan=$OPTARG ;;
    o) out=$OPTARG ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
if [ -z "$out" ] || [ $# -eq 0 ]; then usage; fi
if ! [[ "$chunk" =~ ^[1-9][0-9]*$ && "$parallel" =~ ^[1-9][0-9]*$ ]]; then usage; fi

here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [ -z "$clayscan" ]; then
  echo "org-sweep: building clayscan" >&2
  (cd "$here/.." && go build -o "$out/bin/clayscan" ./cmd/clayscan)
  clayscan=$out/bin/clayscan
fi
case $clayscan in /*) ;; *) clayscan=$PWD/$clayscan ;; esac

# list: names unique, as GitHub's listing would give them
declare -A src_of=()
listing='['
for repo in "$@"; do
  src=$(cd "$repo" && pwd) || { echo "org-sweep: $repo: no such directory" >&2; exit 2; }
  case $src in *[[:space:]]*) echo "org-sweep: paths with spaces are not supported: $src" >&2; exit 2 ;; esac
  name=$(basename "$src")
  name=${name%.git}
  name=$(printf '%s' "$name" | tr -c 'A-Za-z0-9_.-' '_')
  base=$name n=1
  while [ -n "${src_of[local/$name]:-}" ]; do n=$((n + 1)); name=$base-$n; done
  src_of[local/$name]=$src
  [ "$listing" = '[' ] || listing+=','
  listing+="{\"full_name\":\"local/$name\",\"archived\":false,\"fork\":false,\"size\":1}"
done
listing+=']'

# chunk: the workflow's plan
rm -rf "$out/plan" "$out/chunks" "$out/reports" "$out/work"
mkdir -p "$out/chunks" "$out/reports" "$out/work"
plan=$(printf '%s' "$listing" | CHUNK_SIZE=$chunk "$here/org-sweep-plan.sh" "$out/plan")
chunks=$(printf '%s\n' "$plan" | sed -n 's/^chunks=//p')
matrix=$(printf '%s\n' "$plan" | sed -n 's/^matrix=//p')
printf '%s\n' "$matrix" | jq -r '.include[] | "\(.chunk) \(.repos)"' |
  while read -r c repos; do
    for r in $repos; do printf '%s\n' "$r"; done > "$out/chunks/$c"
  done
echo "org-sweep: $(wc -l < "$out/plan/repos.txt") repositories in $chunks chunk(s), $parallel at a time" >&2

# scan: a process per chunk, PARALLEL at a time
pids=() failed=0
for c in $(seq 1 "$chunks"); do
  # Poll rather than wait -n, which would reap a job whose status the
  # loop below still needs.
  while [ "$(jobs -rp | wc -l)" -ge "$parallel" ]; do sleep 0.2; done
  specs=()
  while read -r r; do specs+=("$r=${src_of[$r]}"); done < "$out/chunks/$c"
  "$here/org-sweep-chunk.sh" "$clayscan" "$out/work/$c" "$out/reports/chunk-$c.json" "${specs[@]}" \
    > "$out/chunks/$c.log" 2>&1 &
  pids+=("$!")
done
for c in $(seq 1 "$chunks"); do
  if ! wait "${pids[$((c - 1))]}"; then
    echo "org-sweep: chunk $c is incomplete (log: $out/chunks/$c.log)" >&2
    failed=1
  fi
done

# merge: every chunk must have left a report
missing=0
for c in $(seq 1 "$chunks"); do
  [ -f "$out/reports/chunk-$c.json" ] || { echo "org-sweep: error: chunk $c wrote no report" >&2; missing=1; }
done
shopt -s nullglob
reports=("$out"/reports/chunk-*.json)
if [ ${#reports[@]} -eq 0 ]; then
  echo "org-sweep: error: no chunk wrote a report" >&2
  exit 2
fi
status=0
"$clayscan" merge --format json --output "$out/merged.json" "${reports[@]}" >&2 || status=$?
"$clayscan" merge --format sarif --output "$out/merged.sarif" "${reports[@]}" > /dev/null || true
"$clayscan" merge --format markdown "${reports[@]}" > "$out/summary.md" 2>/dev/null || true
if [ "$missing" -ne 0 ] || [ "$failed" -ne 0 ]; then
  [ "$status" -ge 2 ] || status=2
fi
echo "org-sweep: merged report in $out/merged.json, $out/merged.sarif, $out/summary.md (exit $status)" >&2
exit "$status"
