package ignore

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Fixed layouts the generator does not build, each checked against git:
// a symlinked .gitignore (git does not follow it), a .gitignore that is a
// directory, and a linked worktree, whose info/exclude is the main
// repository's.
func TestEdgeCasesAgainstGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	git := func(dir string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	write := func(p, data string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	root := filepath.Join(t.TempDir(), "main")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	git(root, "init", "-q")
	write(filepath.Join(root, "rules.txt"), ".env\n")
	write(filepath.Join(root, "README"), "x\n")
	git(root, "add", "README")
	git(root, "commit", "-qm", "init")
	write(filepath.Join(root, ".env"), "")
	write(filepath.Join(root, "a", ".env.local"), "")
	write(filepath.Join(root, "b", ".env.production"), "")
	write(filepath.Join(root, "c", "x.env"), "")
	if err := os.Symlink("../rules.txt", filepath.Join(root, "a", ".gitignore")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "b", ".gitignore"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(root, ".git", "info", "exclude"), "*.production\n")
	write(filepath.Join(root, "c", ".gitignore"), "*.env\n")

	wt := filepath.Join(filepath.Dir(root), "linked")
	git(root, "worktree", "add", "-q", wt)
	write(filepath.Join(wt, "b", ".env.production"), "")
	write(filepath.Join(wt, ".env"), "")

	for _, tree := range []struct{ root, gitDir string }{
		{root, filepath.Join(root, ".git")},
		{wt, gitDirOf(t, wt)},
	} {
		paths := []string{".env", "a/.env.local", "b/.env.production", "c/x.env"}
		want := gitCheckIgnore(t, tree.root, paths)
		m := forRepo(t, tree.root)
		for i, p := range paths {
			if got := m.Match(p, false); got.Ignored != want[i].ignored {
				t.Errorf("%s: %s: clayscan %v (%s), git %v (%s:%s)", tree.root, p, got.Ignored, got.Source, want[i].ignored, want[i].source, want[i].line)
			}
		}
	}
}

// gitDirOf resolves a linked worktree's ".git" file to its git dir.
func gitDirOf(t *testing.T, wt string) string {
	t.Helper()
	cmd := exec.Command("git", "rev-parse", "--absolute-git-dir")
	cmd.Dir = wt
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out[:len(out)-1])
}

// The worktree walk and the .env policy share matchers across goroutines.
func TestMatcherConcurrent(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{".gitignore", "a/.gitignore", "a/b/.gitignore"} {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(".env*\n!.env.example\nbuild/\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	m := New(root, Options{})
	done := make(chan bool)
	for g := 0; g < 8; g++ {
		go func() {
			ok := true
			for i := 0; i < 200; i++ {
				ok = ok && m.Match("a/b/.env.local", false).Ignored && !m.Match("a/b/.env.example", false).Ignored &&
					m.Match("a/build/x/.env.example", false).Ignored
			}
			done <- ok
		}()
	}
	for g := 0; g < 8; g++ {
		if !<-done {
			t.Error("concurrent Match gave a wrong answer")
		}
	}
}
