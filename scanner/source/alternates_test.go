package source_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	gitrepo "github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/scanner/source"
)

// Regression test: 'clayscan staged' failed with "object not found" in a
// 'git clone --shared' repository, whose objects live in the source
// repository (objects/info/alternates, an absolute path).
func TestSharedCloneAlternates(t *testing.T) {
	src := t.TempDir()
	git(t, src, "init", "-q", "-b", "main")
	for i, content := range []string{"one\n", "two\n", "three\n"} {
		write(t, src, "a.txt", content)
		git(t, src, "add", ".")
		git(t, src, "commit", "-q", "-m", fmt.Sprint("c", i))
	}
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
	repo, err := gitrepo.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.ResolveRevision("HEAD~2"); err != nil {
		t.Errorf("HEAD~2 through alternates: %v", err)
	}
}
