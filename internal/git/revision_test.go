package git_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// revRepo builds a repository with a merge, a lightweight and an annotated
// tag, a remote-tracking branch and a branch and tag that share a name.
func revRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "a.txt", "one\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "one")
	run(t, dir, "tag", "light")
	run(t, dir, "checkout", "-q", "-b", "side")
	write(t, dir, "b.txt", "side\n")
	run(t, dir, "add", ".")
	run(t, dir, "commit", "-q", "-m", "side")
	run(t, dir, "checkout", "-q", "main")
	write(t, dir, "a.txt", "two\n")
	run(t, dir, "commit", "-q", "-am", "two")
	run(t, dir, "merge", "-q", "--no-ff", "-m", "merge", "side")
	run(t, dir, "tag", "-a", "-m", "annotated", "v1")
	run(t, dir, "tag", "side", "light") // tag and branch named "side": the tag wins
	run(t, dir, "update-ref", "refs/remotes/origin/main", "HEAD~1")
	run(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
	return dir
}

func TestResolveRevisionMatchesGit(t *testing.T) {
	dir := revRepo(t)
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	head := run(t, dir, "rev-parse", "HEAD")
	revs := []string{
		"HEAD", "HEAD~1", "HEAD^", "HEAD^2", "HEAD^1", "HEAD~2", "HEAD^^", "HEAD^2~1",
		"main", "main~1", "side", "heads/side", "refs/heads/side", "light", "v1", "v1~1", "v1^{}",
		"tags/v1", "refs/tags/v1", "origin/main", "origin", "remotes/origin/main",
		head, head[:7], head[:12] + "^2",
	}
	for _, rev := range revs {
		want := run(t, dir, "rev-parse", "--verify", rev+"^{commit}")
		want = want[strings.LastIndexByte(want, '\n')+1:] // after git's "refname is ambiguous" warning
		got, err := repo.ResolveRevision(rev)
		if err != nil {
			t.Errorf("ResolveRevision(%q): %v (git: %s)", rev, err, want)
			continue
		}
		if got.String() != want {
			t.Errorf("ResolveRevision(%q) = %s, git rev-parse = %s", rev, got, want)
		}
	}
	for _, rev := range []string{"", "nope", "HEAD~9", "HEAD^3", "v1^5", "zzzz"} {
		if h, err := repo.ResolveRevision(rev); err == nil {
			t.Errorf("ResolveRevision(%q) = %s, want an error", rev, h)
		}
	}
}

func TestOpenRepoEdgeCases(t *testing.T) {
	dir := revRepo(t)
	must := func(p string) *git.Repository {
		t.Helper()
		r, err := git.Open(p)
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
	run(t, dir, "worktree", "add", "-q", "-b", "wtb", wt, "HEAD~1")
	r := must(filepath.Join(wt))
	if resolved(t, r.Root) != resolved(t, wt) || resolved(t, r.CommonDir) != filepath.Join(root, ".git") {
		t.Errorf("worktree: Root=%q CommonDir=%q", r.Root, r.CommonDir)
	}
	if h, err := r.Head(); err != nil || h.String() != run(t, wt, "rev-parse", "HEAD") {
		t.Errorf("worktree HEAD = %v, %v", h, err)
	}
	if h, err := r.ResolveRevision("v1"); err != nil || h.String() != run(t, dir, "rev-parse", "v1^{commit}") {
		t.Errorf("worktree v1 = %v, %v", h, err)
	}
	if idx, err := r.ReadIndex(); err != nil || len(idx.Entries) == 0 {
		t.Errorf("worktree index: %v", err)
	} else {
		idx.Close()
	}

	// A bare repository has no work tree.
	bare := filepath.Join(t.TempDir(), "bare.git")
	run(t, dir, "clone", "-q", "--bare", dir, bare)
	if r := must(bare); r.Root != "" || resolved(t, r.GitDir) != resolved(t, bare) {
		t.Errorf("bare: Root=%q GitDir=%q", r.Root, r.GitDir)
	}
	if r := must(filepath.Join(bare, "refs", "heads")); r.Root != "" {
		t.Errorf("inside bare: Root=%q", r.Root)
	}

	// Outside any repository.
	if _, err := git.Open(t.TempDir()); !errors.Is(err, git.ErrNotRepository) {
		t.Errorf("outside: err = %v, want ErrNotRepository", err)
	}
}
