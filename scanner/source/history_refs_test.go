package source_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gitrepo "github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/scanner/source"
)

// Issue 10: a commit reachable only from another linked worktree's
// detached HEAD was missed (exit 0). History follows every worktree's HEAD
// and per-worktree refs, from the main worktree and from the linked one.
func TestHistoryOtherWorktreeHead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "main")
	git(t, filepath.Dir(dir), "init", "-q", "-b", "main", dir)
	write(t, dir, "a.txt", "clean\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "clean")
	wt := filepath.Join(filepath.Dir(dir), "wt")
	git(t, dir, "worktree", "add", "-q", "--detach", wt)
	write(t, wt, "config.env", "CLAY_API_KEY="+histKey1+"\n")
	git(t, wt, "add", ".")
	git(t, wt, "commit", "-q", "-m", "on a detached HEAD")
	for _, from := range []string{dir, wt} {
		res, err := runHistory(t, &source.History{Path: from})
		if err != nil {
			t.Fatalf("history from %s: %v", from, err)
		}
		if len(res.Findings) != 1 || res.Findings[0].Path != "config.env" {
			t.Errorf("history from %s: %v, want the key on the worktree's HEAD", from, where(res))
		}
	}
}

// Issue 10: a ref file holding garbage makes `git log --all` fail; history
// fails too, naming the ref, instead of scanning less.
func TestHistoryUnreadableRef(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "a.txt", "x\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	if err := os.WriteFile(filepath.Join(dir, ".git", "refs", "heads", "broken"), []byte("not a hash\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := runHistory(t, &source.History{Path: dir})
	if !errors.Is(err, gitrepo.ErrBadRef) || !strings.Contains(err.Error(), "refs/heads/broken") {
		t.Fatalf("err = %v, want ErrBadRef naming refs/heads/broken", err)
	}
}

// Issue 11: an empty refs/.gitkeep (common in fixture repositories) made
// history exit 2 with "ref file is empty"; git ignores it.
func TestHistoryIgnoresRefsGitkeep(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, dir, "config.env", "CLAY_API_KEY="+histKey1+"\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	for _, p := range []string{"refs/.gitkeep", "refs/heads/.gitkeep", "refs/tags/.gitkeep"} {
		if err := os.WriteFile(filepath.Join(dir, ".git", filepath.FromSlash(p)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := runHistory(t, &source.History{Path: dir})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("history with refs/.gitkeep: %v, %v; want one finding", where(res), err)
	}
}

// Issue 10: SHA-256 repositories (git init --object-format=sha256) exited 2
// with a message about repositoryformatversion.
func TestSHA256Repository(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main", "--object-format=sha256")
	write(t, dir, "a.txt", "x\n")
	git(t, dir, "add", ".")
	git(t, dir, "commit", "-q", "-m", "one")
	write(t, dir, "config.env", "CLAY_API_KEY="+histKey1+"\n")
	git(t, dir, "add", ".")
	got := scanStaged(t, &source.Staged{Path: dir})
	if got.err != nil {
		t.Fatalf("staged: %v", got.err)
	}
	wantFindings(t, got, "config.env:1")
	git(t, dir, "commit", "-q", "-m", "key")
	res, err := runHistory(t, &source.History{Path: dir})
	if err != nil || len(res.Findings) != 1 {
		t.Fatalf("history: %v, %v; want one finding", where(res), err)
	}
	if c := res.Findings[0].Commit; len(c) != 64 || c != git(t, dir, "rev-parse", "HEAD") {
		t.Errorf("finding's commit = %q, want HEAD's 64-digit name", c)
	}
}
