package source_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// Issue 11: an untracked directory whose .git does not make it a
// repository (an empty .git/, a .git file with a dangling gitdir:) is not
// skipped as a submodule: git adds its files, so the scan reads them. Each
// case is decided as git decides it, compared with git status -uall and
// git add -A --dry-run on the same tree.
func TestWorktreeNestedGitAsGitDecides(t *testing.T) {
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	write(t, dir, ".gitignore", ".env\n")
	write(t, dir, "top.txt", "top\n")
	git(t, dir, "add", ".gitignore", "top.txt")
	git(t, dir, "commit", "-qm", "init")

	mk := func(rel string) string {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// Not repositories: git adds the files below.
	mk("emptydotgit/.git")
	write(t, dir, "emptydotgit/a.txt", "a\n")
	write(t, dir, "dangling/.git", "gitdir: ../no/such/dir\n")
	write(t, dir, "dangling/b.txt", "b\n")
	write(t, dir, "notgitfile/.git", "hello\n")
	write(t, dir, "notgitfile/c.txt", "c\n")
	write(t, dir, "headonly/.git/HEAD", "ref: refs/heads/main\n")
	write(t, dir, "headonly/d.txt", "d\n")
	mk("badhead/.git/objects")
	mk("badhead/.git/refs")
	write(t, dir, "badhead/.git/HEAD", "not a ref\n")
	write(t, dir, "badhead/e.txt", "e\n")
	// Repositories: git shows the directory, not its files.
	real := mk("realrepo")
	git(t, real, "init", "-q")
	write(t, dir, "realrepo/f.txt", "f\n")
	git(t, real, "add", "f.txt")
	git(t, real, "commit", "-qm", "nested")
	mk("handmade/.git/objects")
	mk("handmade/.git/refs")
	write(t, dir, "handmade/.git/HEAD", "ref: refs/heads/x\n")
	write(t, dir, "handmade/g.txt", "g\n")
	mk("detached/.git/objects")
	mk("detached/.git/refs")
	write(t, dir, "detached/.git/HEAD", strings.Repeat("ab", 20)+"\n")
	write(t, dir, "detached/h.txt", "h\n")
	sep := filepath.Join(t.TempDir(), "sep.git")
	git(t, dir, "init", "-q", "--separate-git-dir", sep, filepath.Join(dir, "separate"))
	write(t, dir, "separate/i.txt", "i\n")
	mk("relgitfile")
	git(t, dir, "init", "-q", "--bare", filepath.Join(dir, "store.git"))
	write(t, dir, "relgitfile/.git", "gitdir: ../store.git\r\n")
	write(t, dir, "relgitfile/j.txt", "j\n")

	// What git would add: files, and nested repositories as "dir/".
	var want []string
	for _, line := range strings.Split(git(t, dir, "status", "--porcelain", "-uall"), "\n") {
		if p, ok := strings.CutPrefix(line, "?? "); ok {
			want = append(want, p)
		}
	}
	sort.Strings(want)
	// git add refuses a nested repository without a commit checked out;
	// for the rest it must agree with git status.
	unborn := map[string]bool{"handmade/": true, "detached/": true, "separate/": true, "relgitfile/": true}
	args := []string{"add", "-A", "--dry-run", "--", "."}
	for p := range unborn {
		args = append(args, ":!"+strings.TrimSuffix(p, "/"))
	}
	var dry, wantDry []string
	for _, line := range strings.Split(git(t, dir, args...), "\n") {
		if p, ok := strings.CutPrefix(line, "add '"); ok {
			dry = append(dry, strings.TrimSuffix(p, "'"))
		}
	}
	for _, p := range want {
		if !unborn[p] {
			wantDry = append(wantDry, p)
		}
	}
	sort.Strings(dry)
	if strings.Join(wantDry, "\n") != strings.Join(dry, "\n") {
		t.Fatalf("git status and git add --dry-run disagree:\n%v\n%v", wantDry, dry)
	}

	sink, _ := scan(t, &source.Worktree{Path: dir})
	var got []string
	for p := range sink.scanned {
		if p != ".gitignore" && p != "top.txt" {
			got = append(got, p)
		}
	}
	for p, why := range sink.skipped {
		if why == scanner.SkipSubmodule {
			got = append(got, p+"/")
		}
	}
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("scanned or skipped as repositories:\n  %s\ngit would add:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	// The cases this test is about, spelled out.
	for _, p := range []string{"emptydotgit/a.txt", "dangling/b.txt", "headonly/d.txt", "badhead/e.txt"} {
		if _, ok := sink.scanned[p]; !ok {
			t.Errorf("%s not scanned", p)
		}
	}
	for _, p := range []string{"realrepo", "handmade", "detached", "separate", "relgitfile"} {
		if sink.skipped[p] != scanner.SkipSubmodule {
			t.Errorf("%s: skipped = %q, want submodule", p, sink.skipped[p])
		}
	}
}
