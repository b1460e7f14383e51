#!/usr/bin/env bash
# bench.sh: time the history sweep against the git floor, side by side.
#
#   scripts/bench.sh [REPO]     (default: /tmp/redis, cloned if missing)
#
# Runs, one after another on the same warm page cache, and reports wall
# time and peak RSS (GNU time -v) for:
#   clayscan history                       the full sweep: every ref, every blob once
#   git cat-file --batch-all-objects       the floor: inflating every object once
#   git log -p --all                       what a diff-based scanner has to produce
#   gitleaks git                           only if `gitleaks` is on PATH, with a
#                                          config holding only Clay-equivalent rules
# Issue 3 targets (2 cores): clayscan within 1.5x of cat-file, at least 3x
# faster than gitleaks, peak RSS under 1 GiB on git/git.
# BENCH_RUNS=N repeats each command N times (default 1) and keeps the best.
set -euo pipefail

repo=${1:-/tmp/redis}
runs=${BENCH_RUNS:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -x /usr/bin/time ] || { echo "bench: GNU time (/usr/bin/time) is required (apt-get install time)" >&2; exit 2; }
if [ ! -d "$repo" ]; then
  echo "bench: cloning redis into $repo" >&2
  git clone -q https://github.com/redis/redis "$repo"
fi
git -C "$repo" rev-parse --git-dir >/dev/null 2>&1 || { echo "bench: $repo is not a git repository" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/clayscan
(cd "$root" && go build -o "$bin" ./cmd/clayscan)

# Clay rules as a gitleaks config, so both tools look for the same things.
cp "$root/scripts/gitleaks-clay.toml" "$tmp/gitleaks.toml"

cd "$repo"
echo "== $repo: $(git rev-list --all | wc -l) commits, $(git for-each-ref | wc -l) refs, $(nproc) cores"
git cat-file --batch-all-objects --batch-check >/dev/null # warm the page cache

measure() { # name, command...
  local name=$1 best_wall="" best_rss="" best_cpu=""
  shift
  for _ in $(seq "$runs"); do
    /usr/bin/time -v -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err" || true
    local wall rss
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$tmp/time")
    cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ {s+=$2} END {printf "%.2f", s}' "$tmp/time")
    if [ -z "$best_wall" ] || awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall best_rss=$rss best_cpu=$cpu; fi
  done
  printf '%-34s %8.2f s %8.2f s %8s MiB\n' "$name" "$best_wall" "$best_cpu" "$best_rss"
  echo "${name%% *} $best_wall $best_cpu" >>"$tmp/results"
}

# cpu is user+system time: on a shared machine it moves less than wall time.
printf '%-34s %10s %10s %12s\n' command wall cpu peak-RSS
measure "clayscan history" "$bin" history --format json -o "$tmp/report.json" .
summary=$(grep -E '"(commits|blobs|files_scanned|bytes_scanned|findings)": [0-9]' "$tmp/report.json" | tr -d ' ,' | tr '\n' ' ')
measure "git cat-file --batch-all-objects" sh -c 'git cat-file --batch-all-objects --batch >/dev/null'
measure "git log -p --all" sh -c 'git log -p --all >/dev/null'
if command -v gitleaks >/dev/null; then
  measure "gitleaks git (clay rules only)" gitleaks git --no-banner --config "$tmp/gitleaks.toml" --report-path "$tmp/gl.json" .
fi
echo "clayscan: $summary"
awk '$1 == "clayscan" {c=$2; cc=$3} $1 == "git" && !f {f=$2; fc=$3} $1 == "gitleaks" {g=$2; gc=$3}
  END { if (f) printf "clayscan / cat-file: %.2fx wall, %.2fx cpu (target <= 1.5x)\n", c/f, cc/fc;
        if (g) printf "gitleaks / clayscan: %.2fx wall, %.2fx cpu (target >= 3x)\n", g/c, gc/cc }' "$tmp/results"
