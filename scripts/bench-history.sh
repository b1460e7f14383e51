#!/usr/bin/env bash
# bench-history.sh: time the history sweep against the --unordered floor and
# gitleaks, side by side, in one invocation on the same machine (issue 14).
#
#   scripts/bench-history.sh REPO...
#
# For each repository, on a warm page cache, one after another:
#   clayscan history          GOMAXPROCS=2 and =1 (BENCH_PROCS)
#   floor                     git cat-file --batch-all-objects --batch --unordered:
#                             inflating every object once, in pack order, on one core
#   gitleaks git              Clay-only rules (scripts/gitleaks-clay.toml), GOMAXPROCS=2
#                             and =1; only when gitleaks is found (GITLEAKS, PATH,
#                             or /tmp/gitleaks: build it from its source into /tmp,
#                             never into this repository)
# and prints wall time, CPU time (user+sys, children included), peak RSS, and
# the peaks of RssAnon and RssFile sampled from /proc/PID/status every 20 ms
# (scripts/benchrun). RssFile is mostly the mapped pack, whose pages the
# kernel can drop; RssAnon is memory the process holds. Ratios against the
# floor follow each repository's rows.
#
# Environment:
#   CLAYSCAN=PATH      the binary to measure (default: built from this tree)
#   GITLEAKS=PATH      the gitleaks binary (default: found as above; "none" skips it)
#   BENCH_PROCS="2 1"  the GOMAXPROCS values to run
#   BENCH_GITLEAKS_PROCS  the GOMAXPROCS values for gitleaks (default: BENCH_PROCS)
#   BENCH_RUNS=N       run each command N times and keep the fastest (default 1)
#   BENCH_KEEP=DIR     keep clayscan's JSON reports there (to compare findings)
# The machine is shared: compare rows from one invocation, and prefer CPU
# time and ratios over absolute wall times.
set -euo pipefail

[ $# -gt 0 ] || { echo "usage: scripts/bench-history.sh REPO..." >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${BENCH_RUNS:-1}
procs=${BENCH_PROCS:-"2 1"}
glprocs=${BENCH_GITLEAKS_PROCS:-$procs}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/benchrun" ./scripts/benchrun)
bin=${CLAYSCAN:-}
if [ -z "$bin" ]; then
  bin=$tmp/clayscan
  (cd "$root" && go build -o "$bin" ./cmd/clayscan)
fi
gl=${GITLEAKS:-}
if [ -z "$gl" ]; then
  gl=$(command -v gitleaks || true)
  [ -n "$gl" ] || { [ -x /tmp/gitleaks ] && gl=/tmp/gitleaks; } || true
fi
[ "$gl" = none ] && gl=""
cp "$root/scripts/gitleaks-clay.toml" "$tmp/gitleaks.toml"

# measure NAME PROCS COMMAND...: best of $runs by wall time.
measure() {
  local name=$1 p=$2 best=""
  shift 2
  for _ in $(seq "$runs"); do
    local line
    line=$(GOMAXPROCS=$p "$tmp/benchrun" -stdout "$tmp/stdout" -- "$@" 2>"$tmp/stderr") || true
    if [ -z "$best" ] || awk -v a="${line%% *}" -v b="${best%% *}" 'BEGIN{exit !(a < b)}'; then best=$line; fi
  done
  read -r wall cpu rss anon file code <<<"$best"
  printf '%-24s %5s %9.2f %9.2f %9s %9s %9s %5s\n' "$name" "$p" "$wall" "$cpu" "$rss" "$anon" "$file" "$code"
  echo "${name%% *} $p $wall $cpu $rss $anon" >>"$tmp/rows"
}

for repo in "$@"; do
  gd=$(git -C "$repo" rev-parse --absolute-git-dir 2>/dev/null) || { echo "bench-history: $repo is not a git repository" >&2; exit 2; }
  objs=$(git -C "$gd" count-objects -v | awk '/^(count|in-pack):/ {n+=$2} END {print n}')
  pack=$(git -C "$gd" count-objects -vH | awk -F': ' '/^size-pack/ {print $2}')
  commits=$(git -C "$gd" rev-list --all | wc -l)
  echo "== $repo: $commits commits, $objs objects, pack $pack; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  git -C "$gd" cat-file --batch-all-objects --batch --unordered >/dev/null # warm the page cache
  : >"$tmp/rows"
  printf '%-24s %5s %9s %9s %9s %9s %9s %5s\n' command procs wall_s cpu_s rss_MiB anon_MiB file_MiB exit
  for p in $procs; do
    measure "clayscan history" "$p" "$bin" history --format json -o "$tmp/report.json" "$gd"
    if [ -n "${BENCH_KEEP:-}" ]; then
      mkdir -p "$BENCH_KEEP" && cp "$tmp/report.json" "$BENCH_KEEP/$(basename "$gd" .git)-p$p.json"
    fi
  done
  measure "floor (cat-file)" 1 git -C "$gd" cat-file --batch-all-objects --batch --unordered
  if [ -n "$gl" ]; then
    for p in $glprocs; do
      measure "gitleaks (clay rules)" "$p" "$gl" git --no-banner --log-level error --config "$tmp/gitleaks.toml" \
        --report-format json --report-path "$tmp/gl.json" "$gd"
    done
  fi
  awk '$1 == "clayscan" {cw[$2] = $3; cc[$2] = $4}
       $1 == "floor" {fw = $3; fc = $4}
       $1 == "gitleaks" {gw[$2] = $3}
       END {
         for (p in cw) {
           printf "  clayscan GOMAXPROCS=%s: %.2fx the floor'\''s wall (target <= 0.8), %.2fx its cpu (target <= 1.4)", p, cw[p]/fw, cc[p]/fc
           if (p in gw) printf "; gitleaks takes %.1fx its wall (target >= 5)", gw[p]/cw[p]
           printf "\n"
         }
       }' "$tmp/rows"
  if [ -f "$tmp/report.json" ]; then
    grep -E '"(commits|blobs|files_scanned|bytes_scanned|findings)": [0-9]' "$tmp/report.json" | tr -d ' ,' | tr '\n' ' ' | sed 's/^/  clayscan: /'
    echo
  fi
done
