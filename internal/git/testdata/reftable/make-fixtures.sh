#!/usr/bin/env bash
# make-fixtures.sh: build the reftable fixture repositories with a git that
# can write them (>= 2.48: reftable, relative worktree paths), and record
# what that git says about them. The CI machine's git (2.39) cannot write
# or read reftable, so the fixtures and git's answers are committed:
#
#   GIT=/opt/git-new/bin/git ./make-fixtures.sh
#
# writes fixtures.tar.gz (the repositories) and, per repository, expected/:
# for-each-ref, rev-parse, rev-list (--all --objects from each worktree and
# from the stash reflog's entries) and cat-file (every object). The test
# (reftable_test.go) extracts the tar into a temp dir and compares.
set -euo pipefail
GIT=${GIT:-/opt/git-new/bin/git}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null HOME=$tmp
export GIT_AUTHOR_NAME=Ada GIT_AUTHOR_EMAIL=ada@example.com GIT_COMMITTER_NAME=Ada GIT_COMMITTER_EMAIL=ada@example.com
export GIT_AUTHOR_DATE='1700000000 +0000' GIT_COMMITTER_DATE='1700000000 +0000'
g() { "$GIT" "$@"; }

build() { # name, extra init args
  local name=$1; shift
  local dir=$tmp/$name/main
  mkdir -p "$tmp/$name"
  g init -q -b main --ref-format=reftable "$@" "$dir"
  cd "$dir"
  g config reftable.autoCompaction false # keep a stack of several tables
  for i in 1 2 3; do
    printf 'file %s\n' "$i" >"f$i.txt"
    g add -A && g commit -q -m "commit $i"
  done
  g tag light
  g tag -a -m annotated v1
  g -c advice.nestedTag=false tag -a -m outer v1-outer v1
  g branch side HEAD~1
  g branch gone && g branch -D -q gone # a deletion record over the created ref
  g update-ref refs/remotes/origin/main HEAD~2
  g symbolic-ref refs/remotes/origin/HEAD refs/remotes/origin/main
  g notes add -m note HEAD
  printf 'stashed 1\n' >f1.txt && g stash -q
  printf 'stashed 2\n' >f1.txt && g stash -q
  g update-ref refs/bisect/bad HEAD~1
  g worktree add -q --relative-paths --detach ../wt HEAD~1
  (cd ../wt && printf 'worktree only\n' >wt.txt && g add -A && g commit -q -m "on the worktree's detached HEAD" &&
    g update-ref refs/worktree/mine HEAD~1)
  g repack -adq # one pack instead of many loose objects (refs untouched)
  rm -f .git/hooks/*.sample
  mkdir -p "$here/$name/expected"
  local exp=$here/$name/expected
  g for-each-ref --format='%(refname) %(objectname) %(symref)' >"$exp/for-each-ref"
  (cd ../wt && g for-each-ref --format='%(refname) %(objectname) %(symref)') >"$exp/for-each-ref.wt"
  for rev in HEAD HEAD~1 main side v1 v1-outer light origin; do
    printf '%s %s\n' "$rev" "$(g rev-parse "$rev^{commit}")"
  done >"$exp/rev-parse"
  printf 'HEAD %s\n' "$(cd ../wt && g rev-parse HEAD)" >"$exp/rev-parse.wt"
  { g rev-list --all --objects; (cd ../wt && g rev-list --all --objects);
    g rev-list --objects $(g log -g --format=%H refs/stash); } | cut -d' ' -f1 | sort -u >"$exp/rev-list"
  g log -g --format=%H refs/stash >"$exp/stash-reflog"
  g cat-file --batch-all-objects --batch-check='%(objectname) %(objecttype) %(objectsize)' >"$exp/cat-file"
  ls .git/reftable >"$exp/tables"
  cd "$here"
}

# Many refs in small blocks: several ref blocks with restart points, a ref
# index, object blocks and their index, in one compacted table.
build_many() {
  local name=reftable-many dir=$tmp/reftable-many/main
  mkdir -p "$tmp/$name"
  g init -q -b main --ref-format=reftable "$dir"
  cd "$dir"
  g commit -q --allow-empty -m one
  g commit -q --allow-empty -m two
  { for i in $(seq 1 1500); do
      printf 'create refs/tags/t%04d HEAD\n' "$i"
      printf 'create refs/heads/b/%04d HEAD~1\n' "$i"
    done; } | g update-ref --stdin
  g -c reftable.blockSize=1024 -c reftable.restartInterval=4 pack-refs --all
  rm -f .git/hooks/*.sample
  mkdir -p "$here/$name/expected"
  local exp=$here/$name/expected
  # 3001 lines: keep their count and digest, not the listing.
  g for-each-ref --format='%(refname) %(objectname) %(symref)' | sha256sum | cut -d' ' -f1 >"$exp/for-each-ref.sha256"
  printf 'HEAD %s\nt0777 %s\nb/1234 %s\n' "$(g rev-parse HEAD)" "$(g rev-parse t0777)" "$(g rev-parse b/1234)" >"$exp/rev-parse"
  ls .git/reftable >"$exp/tables"
  cd "$here"
}

build reftable
build reftable-sha256 --object-format=sha256
build_many
tar -C "$tmp" --sort=name --owner=0 --group=0 --numeric-owner --mtime='2023-11-14 00:00Z' \
  -cf - reftable reftable-sha256 reftable-many | gzip -n9 >"$here/fixtures.tar.gz"
echo "wrote $here/fixtures.tar.gz ($(du -k "$here/fixtures.tar.gz" | cut -f1) KB)"
