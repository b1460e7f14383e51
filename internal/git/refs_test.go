package git_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

func tipNames(tips []git.Tip) string {
	var names []string
	for _, t := range tips {
		names = append(names, t.Name)
	}
	return strings.Join(names, " ")
}

// A ref file git cannot read makes `git log --all` fail; Tips fails too,
// naming the ref, rather than return fewer tips (issue 10). A file under
// refs/ whose name is not a ref name is skipped as git skips it: an empty
// refs/.gitkeep made history exit 2 (issue 11).
func TestTipsBadAndIgnoredRefFiles(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	run(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	gitDir := filepath.Join(dir, ".git")
	// git's loose_fill_ref_dir skips names starting with "." and ending
	// in ".lock" (other invalid names are broken refs: an error).
	for _, skip := range []string{"refs/.gitkeep", "refs/heads/.hidden", "refs/heads/wip.lock"} {
		if err := os.WriteFile(filepath.Join(gitDir, filepath.FromSlash(skip)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A dangling symbolic ref is skipped by git log --all too.
	if err := os.WriteFile(filepath.Join(gitDir, "refs", "heads", "dangling"), []byte("ref: refs/heads/nope\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	tips, err := repo.Tips()
	if err != nil || tipNames(tips) != "refs/heads/main" {
		t.Fatalf("Tips = %q, %v; want refs/heads/main only", tipNames(tips), err)
	}
	run(t, dir, "log", "--all", "--oneline") // git agrees these are fine

	for _, bad := range []string{"", "garbage\n", "0123456789\n", strings.Repeat("0", 40) + "\n", strings.Repeat("a", 40) + "x\n", "ref:\n"} {
		path := filepath.Join(gitDir, "refs", "heads", "bad")
		if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
			t.Fatal(err)
		}
		repo, err := git.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, err = repo.Tips()
		if !errors.Is(err, git.ErrBadRef) || !strings.Contains(err.Error(), "refs/heads/bad") {
			t.Errorf("ref file %q: err = %v, want ErrBadRef naming refs/heads/bad", bad, err)
		}
		if bad != "" && strings.Contains(err.Error(), strings.TrimSpace(bad)) && strings.TrimSpace(bad) != "ref:" {
			t.Errorf("ref file %q: the error quotes the file's content: %v", bad, err)
		}
		os.Remove(path)
	}
}

// Packed refs, with a loose ref overriding a packed one and peeled lines.
func TestPackedRefs(t *testing.T) {
	dir := t.TempDir()
	run(t, dir, "init", "-q", "-b", "main")
	run(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	run(t, dir, "tag", "-a", "-m", "t", "v1")
	run(t, dir, "branch", "packed")
	run(t, dir, "pack-refs", "--all")
	run(t, dir, "commit", "-q", "--allow-empty", "-m", "two") // main now loose, newer than packed
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkRefs(t, dir, repo)
	for _, name := range []string{"refs/heads/main", "refs/heads/packed", "refs/tags/v1"} {
		h, err := repo.ResolveRef(name)
		if want := run(t, dir, "rev-parse", name); err != nil || h.String() != want {
			t.Errorf("%s = %v, %v; want %s", name, h, err, want)
		}
	}
}

// The format check accepts what git accepts and refuses, naming the
// setting, what git refuses (issue 10).
func TestRepositoryFormat(t *testing.T) {
	cases := []struct {
		config string
		ok     bool
		newer  bool // accepted since git 2.45 (refStorage), 2.48 (relativeWorktrees)
	}{
		{"[core]\n\trepositoryformatversion = 0\n", true, false},
		{"[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = sha1\n\tnoop = true\n\tnoop-v1 = x\n", true, false},
		{"[core]\n\trepositoryformatversion = 1\n[extensions]\n\trefStorage = files\n", true, true},
		{"[core]\n\trepositoryformatversion = 1\n[extensions]\n\tworktreeConfig = true\n\tpreciousObjects = true\n\tpartialClone = origin\n", true, false},
		{"[core]\n\trepositoryformatversion = 1\n[extensions]\n\trelativeWorktrees = true\n\tcompatObjectFormat = sha256\n", true, true},
		{"[core]\n\trepositoryformatversion = 0\n[extensions]\n\tsomethingNew = true\n", true, false}, // ignored in v0
		{"[core]\n\trepositoryformatversion = 1\n[extensions]\n\tsomethingNew = true\n", false, false},
		{"[core]\n\trepositoryformatversion = 0\n[extensions]\n\tobjectFormat = sha256\n", false, false},
		{"[core]\n\trepositoryformatversion = 1\n[extensions]\n\tobjectFormat = md5\n", false, false},
		{"[core]\n\trepositoryformatversion = 1\n[extensions]\n\trefStorage = sqlite\n", false, true},
		{"[core]\n\trepositoryformatversion = 2\n", false, false},
	}
	for _, c := range cases {
		dir := t.TempDir()
		run(t, dir, "init", "-q", "-b", "main")
		if err := os.WriteFile(filepath.Join(dir, ".git", "config"), []byte(c.config), 0o644); err != nil {
			t.Fatal(err)
		}
		_, gitErr := tryGit(dir, "rev-parse", "--git-dir")
		if (gitErr == nil) != c.ok && (!c.newer || gitBin() != "git") {
			t.Fatalf("git itself: ok=%v for %q (fix the test)", gitErr == nil, c.config)
		}
		repo, err := git.Open(dir)
		if (err == nil) != c.ok {
			t.Errorf("config %q: err = %v, want ok=%v", c.config, err, c.ok)
			continue
		}
		if err != nil {
			var fe *git.FormatError
			if !errors.As(err, &fe) || fe.Hint() == "" || !strings.Contains(err.Error(), fe.Setting) {
				t.Errorf("config %q: err = %v, want a FormatError naming the setting, with a hint", c.config, err)
			}
			continue
		}
		repo.Close()
	}
}

// A commit reachable only from another worktree's detached HEAD, or only
// from a per-worktree ref of another worktree, is a tip (issue 10).
func TestTipsOtherWorktrees(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "main")
	run(t, filepath.Dir(dir), "init", "-q", "-b", "main", dir)
	run(t, dir, "commit", "-q", "--allow-empty", "-m", "one")
	wt := filepath.Join(filepath.Dir(dir), "wt")
	run(t, dir, "worktree", "add", "-q", "--detach", wt)
	run(t, wt, "commit", "-q", "--allow-empty", "-m", "only on the worktree's HEAD")
	onlyWT := run(t, wt, "rev-parse", "HEAD")
	run(t, wt, "commit", "-q", "--allow-empty", "-m", "bisect")
	run(t, wt, "update-ref", "refs/bisect/bad", "HEAD")
	run(t, wt, "update-ref", "refs/worktree/keep", "HEAD")
	run(t, wt, "checkout", "-q", "--detach", onlyWT)
	for _, from := range []string{dir, wt} {
		repo, err := git.Open(from)
		if err != nil {
			t.Fatal(err)
		}
		tips, err := repo.Tips()
		if err != nil {
			t.Fatal(err)
		}
		want := "main-worktree/HEAD"
		if from == dir {
			want = "worktrees/wt/HEAD worktrees/wt/refs/bisect/bad worktrees/wt/refs/worktree/keep"
		}
		if got := tipNames(tips); !strings.Contains(got, want) {
			t.Errorf("from %s: tips %q, want them to hold %q", from, got, want)
		}
		repo.Close()
	}
}
