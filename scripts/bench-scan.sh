#!/usr/bin/env bash
# bench-scan.sh: time "clayscan scan" against ripgrep searching the same
# tree for the same patterns.
#
#   scripts/bench-scan.sh [REPO] [RUNS]      (default: /tmp/redis, 20 runs)
#
# ripgrep is the reference for how fast a tree can be searched (issue 2:
# clayscan scan should stay within 2x of it). Two ripgrep runs are timed:
#   rg-keywords  the rules' keywords, case-insensitive: what clayscan's
#                prefilter looks for in every byte (the like-for-like search)
#   rg-regexes   the rules' full regexes: more than clayscan does, since it
#                runs a rule's regex only near one of its keywords
# Both search what clayscan scans: hidden files too, .gitignore honoured,
# .git skipped. Uses hyperfine when installed, else a timing loop.
set -euo pipefail

repo=${1:-/tmp/redis}
runs=${2:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
[ -d "$repo" ] || { echo "bench-scan: $repo is not a directory" >&2; exit 2; }
command -v rg >/dev/null || { echo "bench-scan: ripgrep (rg) is not installed (apt-get install ripgrep)" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin=$tmp/clayscan
(cd "$root" && go build -o "$bin" ./cmd/clayscan)

# The rule pack's keywords and regexes (rules/clay.go), as ripgrep reads
# them. Keep in step with rules.Default().
cat >"$tmp/keywords" <<'PAT'
api.clay.com/v
clay_ent_
sk_live_
x-clay-webhook-auth
bearer
clay
PAT
cat >"$tmp/regexes" <<'PAT'
(?i)https?://api\.clay\.com/v\d+/sources/webhook/[a-z0-9-]*?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}
\b(clay_ent_[A-Za-z0-9_-]{16,128})\b
\b(sk_live_[A-Za-z0-9]{16,247})\b
(?i)x-clay-webhook-auth["'\]]?\s*(?:=>|:=|=|:|,)\s*(?:\[\s*)?["']?([0-9a-f]{16,128})\b
(?i)\bbearer\s+([A-Za-z0-9_\-.=+/~]{16,512})
(?:^|[^A-Za-z0-9_.-])(?i:[a-z0-9_.-]*clay[a-z0-9_.-]*?(?:api[_.-]?key|key|secret|token|auth|cookie|password|passwd|credentials?)s?)["'\]]?\s*(?:=>|:=|=|:|,)\s*(?:\[\s*)?
PAT

cd "$repo"
echo "== $repo: $(git ls-files 2>/dev/null | wc -l) tracked files"
"$bin" scan --format json . >"$tmp/out.json" || true
grep -E '"(files_scanned|bytes_scanned|findings)": [0-9]' "$tmp/out.json" | tr -d ' ,' | tr '\n' ' '
echo
echo "rg files searched: $(rg --hidden -g '!.git' --files | wc -l)"

scan="$bin scan ."
rgk="rg --hidden -g !.git -i -F -f $tmp/keywords -c ."
rgr="rg --hidden -g !.git -f $tmp/regexes -c ."

if command -v hyperfine >/dev/null; then
  hyperfine -N -i -w 3 -r "$runs" \
    -n clayscan "$scan" -n rg-keywords "$rgk" -n rg-regexes "$rgr"
else
  for name in clayscan rg-keywords rg-regexes; do
    case $name in clayscan) cmd=$scan ;; rg-keywords) cmd=$rgk ;; *) cmd=$rgr ;; esac
    for _ in 1 2 3; do $cmd >/dev/null 2>&1 || true; done # warm the page cache
    start=$(date +%s%N)
    for _ in $(seq "$runs"); do $cmd >/dev/null 2>&1 || true; done
    end=$(date +%s%N)
    echo "$name: $(((end - start) / runs / 1000000)) ms mean over $runs runs"
  done
fi
