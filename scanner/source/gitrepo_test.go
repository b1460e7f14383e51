package source_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/clayscan/clayscan/scanner/source"
)

// revRepo builds a repository with a merge, a lightweight and an annotated
// tag, a remote-tracking branch and a branch and tag that share a name.
func revRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "a.txt", "one\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	git(t, dir, "tag", "light")
	git(t, dir, "checkout", "-q", "-b", "side")
	write(t, dir, "b.txt", "side\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "side")
	git(t, dir, "checkout", "-q", "main")
	write(t, dir, "a.txt", "two\n")
	git(t, dir, "commit", "-q", "-am", "two")
	git(t, dir, "merge", "-q", "--no-ff", "-m", "merge", "side")
	git(t, dir, "tag", "-a", "-m", "annotated", "v1")
	git(t, dir, "tag", "side", "light") // tag and branch named "side": the tag wins
	git(t, dir, "update-ref", "refs/remotes/origin/main", "HEAD~1")
	git(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
	return dir
}

func TestResolveRevisionMatchesGit(t *testing.T) {
	dir := revRepo(t)
	repo, err := source.OpenRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	head := git(t, dir, "rev-parse", "HEAD")
	revs := []string{
		"HEAD", "HEAD~1", "HEAD^", "HEAD^2", "HEAD^1", "HEAD~2", "HEAD^^", "HEAD^2~1",
		"main", "main~1", "side", "heads/side", "refs/heads/side", "light", "v1", "v1~1", "v1^{}",
		"tags/v1", "refs/tags/v1", "origin/main", "origin", "remotes/origin/main",
		head, head[:7], head[:12] + "^2",
	}
	for _, rev := range revs {
		want := git(t, dir, "rev-parse", "--verify", rev+"^{commit}")
		want = want[strings.LastIndexByte(want, '\n')+1:] // after git's "refname is ambiguous" warning
		got, err := repo.Git.ResolveRevision(plumbing.Revision(rev))
		if err != nil {
			t.Errorf("ResolveRevision(%q): %v (git: %s)", rev, err, want)
			continue
		}
		if got.String() != want {
			t.Errorf("ResolveRevision(%q) = %s, git rev-parse = %s", rev, got, want)
		}
	}
	for _, rev := range []string{"", "nope", "HEAD~9", "HEAD^3", "v1^5", "zzzz"} {
		if h, err := repo.Git.ResolveRevision(plumbing.Revision(rev)); err == nil {
			t.Errorf("ResolveRevision(%q) = %s, want an error", rev, h)
		}
	}
}

func TestOpenRepoEdgeCases(t *testing.T) {
	dir := revRepo(t)
	must := func(p string) *source.Repo {
		t.Helper()
		r, err := source.OpenRepo(p)
		if err != nil {
			t.Fatalf("OpenRepo(%q): %v", p, err)
		}
		return r
	}
	root := resolved(t, dir)

	// A subdirectory finds the work tree above it.
	sub := filepath.Join(dir, "x", "y")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := must(sub); resolved(t, r.Root) != root || resolved(t, r.GitDir) != filepath.Join(root, ".git") {
		t.Errorf("subdirectory: Root=%q GitDir=%q", r.Root, r.GitDir)
	}

	// A linked worktree: a .git file, its own HEAD, the shared refs.
	wt := filepath.Join(t.TempDir(), "wt")
	git(t, dir, "worktree", "add", "-q", "-b", "wtb", wt, "HEAD~1")
	r := must(filepath.Join(wt))
	if resolved(t, r.Root) != resolved(t, wt) || resolved(t, r.CommonDir) != filepath.Join(root, ".git") {
		t.Errorf("worktree: Root=%q CommonDir=%q", r.Root, r.CommonDir)
	}
	if h, err := r.Git.Head(); err != nil || h.Hash().String() != git(t, wt, "rev-parse", "HEAD") {
		t.Errorf("worktree HEAD = %v, %v", h, err)
	}
	if h, err := r.Git.ResolveRevision("v1"); err != nil || h.String() != git(t, dir, "rev-parse", "v1^{commit}") {
		t.Errorf("worktree v1 = %v, %v", h, err)
	}
	if idx, err := r.Git.Storer.Index(); err != nil || len(idx.Entries) == 0 {
		t.Errorf("worktree index: %v", err)
	}

	// A bare repository has no work tree.
	bare := filepath.Join(t.TempDir(), "bare.git")
	git(t, dir, "clone", "-q", "--bare", dir, bare)
	if r := must(bare); r.Root != "" || resolved(t, r.GitDir) != resolved(t, bare) {
		t.Errorf("bare: Root=%q GitDir=%q", r.Root, r.GitDir)
	}
	if r := must(filepath.Join(bare, "refs", "heads")); r.Root != "" {
		t.Errorf("inside bare: Root=%q", r.Root)
	}

	// Outside any repository.
	if _, err := source.OpenRepo(t.TempDir()); !errors.Is(err, source.ErrNotRepository) {
		t.Errorf("outside: err = %v, want ErrNotRepository", err)
	}
}

// Regression test: 'clayscan staged' failed with "object not found" in a
// 'git clone --shared' repository, whose objects live in the source
// repository (objects/info/alternates, an absolute path).
func TestSharedCloneAlternates(t *testing.T) {
	src := revRepo(t)
	dir := filepath.Join(t.TempDir(), "shared")
	git(t, src, "clone", "-q", "--shared", src, dir)
	if _, err := os.Stat(filepath.Join(dir, ".git", "objects", "info", "alternates")); err != nil {
		t.Fatal(err)
	}
	write(t, dir, "config.env", "CLAY_API_KEY="+stagedKey1+"\n")
	git(t, dir, "add", "config.env")

	got := scanStaged(t, &source.Staged{Path: dir})
	if got.err != nil {
		t.Fatalf("staged in a shared clone: %v", got.err)
	}
	wantFindings(t, got, "config.env:1")

	git(t, dir, "commit", "-q", "-m", "key")
	res, err := runHistory(t, &source.History{Path: dir})
	if err != nil {
		t.Fatalf("history in a shared clone: %v", err)
	}
	if len(res.Findings) != 1 {
		t.Errorf("history in a shared clone: %d findings, want 1", len(res.Findings))
	}
	repo, err := source.OpenRepo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.Git.ResolveRevision("HEAD~2"); err != nil {
		t.Errorf("HEAD~2 through alternates: %v", err)
	}
}
