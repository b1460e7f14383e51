#!/usr/bin/env bash
# org-sweep-plan.sh: choose the repositories of an organisation sweep and cut
# them into chunks, one matrix job (or local process) each.
#
#   gh api --paginate "orgs/ORG/repos?per_page=100&type=all" | scripts/org-sweep-plan.sh OUTDIR
#
# Reads GitHub's repository listing (JSON arrays, one per page) on stdin and
# writes:
#   OUTDIR/listed.tsv   every repository, sorted, with why it is left out
#                       ("archived", "fork", "empty") or nothing
#   OUTDIR/repos.txt    the repositories to sweep, one owner/name a line
# and prints, for $GITHUB_OUTPUT:
#   repos=N skipped=N size=N chunks=N
#   matrix={"include":[{"chunk":1,"repos":"owner/a owner/b"},...]}
# CHUNK_SIZE (default 20) repositories per chunk, raised when needed so that
# there are at most 256 chunks (GitHub's matrix limit). INCLUDE_ARCHIVED,
# INCLUDE_FORKS, INCLUDE_EMPTY ("true"/"false", default false) keep those.
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: scripts/org-sweep-plan.sh OUTDIR < repos.json" >&2
  exit 2
fi
out=$1
mkdir -p "$out"
bool() {
  case ${1:-false} in
    true | false) printf '%s' "${1:-false}" ;;
    *) echo "org-sweep: $2 must be true or false, not '$1'" >&2; exit 2 ;;
  esac
}
archived=$(bool "${INCLUDE_ARCHIVED:-}" INCLUDE_ARCHIVED)
forks=$(bool "${INCLUDE_FORKS:-}" INCLUDE_FORKS)
empty=$(bool "${INCLUDE_EMPTY:-}" INCLUDE_EMPTY)
size=${CHUNK_SIZE:-20}
if ! [[ "$size" =~ ^[1-9][0-9]*$ ]]; then
  echo "org-sweep: CHUNK_SIZE must be a positive number, not '$size'" >&2
  exit 2
fi

jq -r -s --argjson archived "$archived" --argjson forks "$forks" --argjson empty "$empty" '
  add // [] | unique_by(.full_name) | .[] |
  [.full_name,
   (if .archived and ($archived | not) then "archived"
    elif .fork and ($forks | not) then "fork"
    elif (.size // 1) == 0 and ($empty | not) then "empty"
    else "" end)] | @tsv' > "$out/listed.tsv"
awk -F '\t' '$2 == "" { print $1 }' "$out/listed.tsv" > "$out/repos.txt"
n=$(wc -l < "$out/repos.txt")
skipped=$(awk -F '\t' '$2 != ""' "$out/listed.tsv" | wc -l)
if [ $(( (n + size - 1) / size )) -gt 256 ]; then
  size=$(( (n + 255) / 256 ))
fi
chunks=$(( (n + size - 1) / size ))
matrix=$(jq -R -s -c --argjson size "$size" '
  split("\n") | map(select(length > 0)) as $r |
  {include: [range(0; ($r | length); $size) as $i |
    {chunk: (($i / $size) + 1), repos: ($r[$i:$i + $size] | join(" "))}]}' "$out/repos.txt")
echo "repos=$n"
echo "skipped=$skipped"
echo "size=$size"
echo "chunks=$chunks"
echo "matrix=$matrix"
