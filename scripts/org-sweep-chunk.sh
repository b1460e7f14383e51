#!/usr/bin/env bash
# org-sweep-chunk.sh: one chunk of an organisation-wide sweep. Clones each
# repository in full (bare: every branch and tag, all history) and scans
# them with one multi-repository `clayscan history`, writing one JSON report
# whose findings name their repository.
#
#   scripts/org-sweep-chunk.sh CLAYSCAN WORKDIR REPORT NAME=SOURCE...
#
# NAME is the repository's name in the report (owner/name); SOURCE is what
# git clone takes (a URL, or a local path). Used by the org-sweep workflow
# (.github/workflows/org-sweep.yml), one matrix job per chunk, and by
# scripts/org-sweep-local.sh, one process per chunk. Credentials come from
# git's environment (GIT_CONFIG_COUNT/KEY/VALUE), never from arguments.
#
# A repository that cannot be cloned is still passed to clayscan, which
# names it in the report as not scanned: the merged result is then
# incomplete (exit 2), never silently clean.
#
# Environment: CLAYSCAN_JOBS (repositories scanned at a time, default 2),
# CLAYSCAN_HISTORY_ARGS (extra `clayscan history` arguments, split on
# spaces). Exit: 0 when scanned (findings or not), 2 when any repository
# could not be cloned or scanned, or on bad usage.
set -euo pipefail

if [ $# -lt 4 ]; then
  echo "usage: scripts/org-sweep-chunk.sh CLAYSCAN WORKDIR REPORT NAME=SOURCE..." >&2
  exit 2
fi
clayscan=$1
workdir=$2
report=$3
shift 3

case $clayscan in /*) ;; *) clayscan=$PWD/$clayscan ;; esac
case $report in /*) ;; *) report=$PWD/$report ;; esac
mkdir -p "$workdir" "$(dirname "$report")"

list="$workdir/.clayscan-repos"
: > "$list"
failed=0
for spec in "$@"; do
  name=${spec%%=*}
  src=${spec#*=}
  # Names become directories under WORKDIR: owner/name and nothing else.
  if [ "$name" = "$spec" ] || [ -z "$src" ] || ! [[ "$name" =~ ^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?$ ]] || [[ "$name" =~ (^|/)\.\.?(/|$) ]]; then
    echo "org-sweep: bad repository spec '$spec' (want OWNER/NAME=SOURCE)" >&2
    exit 2
  fi
  dest="$workdir/$name"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  if ! git clone --bare --quiet -- "$src" "$dest"; then
    echo "org-sweep: error: cloning $name failed; it is reported as not scanned" >&2
    rm -rf "$dest"
    failed=1
  fi
  printf '%s\n' "$name" >> "$list"
done

status=0
# CLAYSCAN_HISTORY_ARGS is split into words on purpose; globbing is off.
set -f
# shellcheck disable=SC2086
(cd "$workdir" && "$clayscan" history --format json --output "$report" \
  --jobs "${CLAYSCAN_JOBS:-2}" ${CLAYSCAN_HISTORY_ARGS:-} --repos .clayscan-repos) || status=$?
set +f
if [ "$status" -ge 2 ] || [ "$failed" -ne 0 ]; then
  echo "org-sweep: this chunk is incomplete (clayscan exit $status); see the report's repositories" >&2
  exit 2
fi
exit 0
