package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// gitRepo builds a real repository in a temp dir; run executes git in it
// with a fixed identity and date, so commits are reproducible.
func gitRepo(t *testing.T) (dir string, run func(args ...string)) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir = t.TempDir()
	// The policy reads the user's git config and global excludes file, as
	// git does: keep the developer's own out of the test.
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	run = func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(),
			"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com", "GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
			"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	run("init", "-q", "-b", "main")
	return dir, run
}

func writeFile(t *testing.T, dir, name, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func runPolicy(t *testing.T, src scanner.Source) []scanner.Finding {
	t.Helper()
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	res, err := scanner.Run(context.Background(), src, det, scanner.Options{PathRules: rules.DefaultPathRules()})
	if err != nil {
		t.Fatal(err)
	}
	var out []scanner.Finding
	for _, f := range res.Findings {
		if f.Line == 0 { // policy findings have no line
			out = append(out, f)
		}
	}
	return out
}

// Issue 4: an env file committed, changed, and later removed is reported
// once, at the commit that first added it, with in_head false; one that is
// still tracked has in_head true; a template is not reported.
func TestEnvFileInHistory(t *testing.T) {
	dir, git := gitRepo(t)
	writeFile(t, dir, ".env", "DEBUG=1\n")
	writeFile(t, dir, ".env.example", "CLAY_API_KEY=your-key\n")
	git("add", ".")
	git("commit", "-qm", "first")
	writeFile(t, dir, ".env", "DEBUG=2\n")
	writeFile(t, dir, "svc/app.env", "PORT=1\n")
	git("add", ".")
	git("commit", "-qm", "second")
	git("rm", "-q", "--cached", ".env")
	git("commit", "-qm", "untrack")

	first := revParse(t, dir, "HEAD~2")
	second := revParse(t, dir, "HEAD~1")
	fs := runPolicy(t, &source.History{Path: dir})
	if len(fs) != 2 {
		t.Fatalf("got %d policy findings, want 2: %+v", len(fs), fs)
	}
	for _, f := range fs {
		if f.RuleID != "env-file-in-history" || f.InHead == nil {
			t.Fatalf("unexpected finding %+v", f)
		}
		switch f.Path {
		case ".env":
			if f.Commit != first || *f.InHead {
				t.Errorf(".env: commit %s in_head %v, want %s false", f.Commit, *f.InHead, first)
			}
		case "svc/app.env":
			if f.Commit != second || !*f.InHead {
				t.Errorf("svc/app.env: commit %s in_head %v, want %s true", f.Commit, *f.InHead, second)
			}
		default:
			t.Errorf("unexpected path %q", f.Path)
		}
	}
}

func revParse(t *testing.T, dir, rev string) string {
	t.Helper()
	cmd := exec.Command("git", "rev-parse", rev)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out[:len(out)-1])
}

// The same fixture through the working tree and the index: the sources
// agree on which env files are the problem.
func TestEnvPolicyWorktreeAndStaged(t *testing.T) {
	dir, git := gitRepo(t)
	writeFile(t, dir, ".gitignore", ".env\n.env.local\n.env.*.local\n")
	writeFile(t, dir, ".env", "DEBUG=1\n")
	git("add", ".gitignore")
	git("add", "-f", ".env")
	writeFile(t, dir, ".env.local", "DEBUG=1\n")
	writeFile(t, dir, "deploy/prod.env", "PORT=1\n")

	wt := runPolicy(t, &source.Worktree{Path: dir})
	got := map[string]string{}
	for _, f := range wt {
		got[f.Path] = f.RuleID
	}
	want := map[string]string{".env": "env-file-tracked", "deploy/prod.env": "env-file-not-ignored"}
	if len(got) != len(want) || got[".env"] != want[".env"] || got["deploy/prod.env"] != want["deploy/prod.env"] {
		t.Errorf("worktree: got %v, want %v", got, want)
	}
	for _, f := range wt {
		if f.Path == ".env" && f.GitignoreRule != ".gitignore:1:.env" {
			t.Errorf("tracked .env: gitignore_rule %q", f.GitignoreRule)
		}
	}

	st := runPolicy(t, &source.Staged{Path: dir})
	if len(st) != 1 || st[0].Path != ".env" || st[0].RuleID != "env-file-staged" {
		t.Errorf("staged: got %+v, want one env-file-staged for .env", st)
	}
}

// An env file whose content some earlier file already had (an empty .env,
// or `cp .env.example .env`) is still an env file in history.
func TestEnvFileInHistorySharedBlob(t *testing.T) {
	dir, git := gitRepo(t)
	writeFile(t, dir, ".env.example", "CLAY_API_KEY=\n")
	writeFile(t, dir, "empty.txt", "")
	git("add", ".")
	git("commit", "-qm", "template")
	writeFile(t, dir, ".env", "CLAY_API_KEY=\n")
	writeFile(t, dir, "svc/.env.local", "")
	git("add", ".")
	git("commit", "-qm", "copy")
	fs := runPolicy(t, &source.History{Path: dir})
	got := map[string]bool{}
	for _, f := range fs {
		got[f.Path] = true
	}
	if !got[".env"] || !got["svc/.env.local"] || len(got) != 2 {
		t.Errorf("got findings for %v, want .env and svc/.env.local", got)
	}
}

// In a range scan (clayscan ci on a pull request) only the env files the
// range adds or changes are reported, not those its base already had.
func TestEnvFileInHistoryRange(t *testing.T) {
	dir, git := gitRepo(t)
	writeFile(t, dir, ".env", "")
	writeFile(t, dir, "config.env", "PORT=1\n")
	git("add", ".")
	git("commit", "-qm", "base")
	git("tag", "base")
	writeFile(t, dir, "svc/.env", "") // same (empty) blob as the base's .env
	writeFile(t, dir, ".env", "DEBUG=1\n")
	git("add", ".")
	git("commit", "-qm", "pr")
	head := revParse(t, dir, "HEAD")
	got := map[string]string{}
	for _, f := range runPolicy(t, &source.History{Path: dir, Range: "base..HEAD"}) {
		got[f.Path] = f.Commit
	}
	if len(got) != 2 || got["svc/.env"] != head || got[".env"] != head {
		t.Errorf("got %v, want .env and svc/.env at %s, not config.env", got, head)
	}
}

// Issue 11 (and 13): when the history sweep meets an unreadable object, the
// .env policy findings are still reported next to the error: they come
// from path facts gathered before any blob is read.
func TestEnvFileInHistoryWithUnreadableObject(t *testing.T) {
	dir, git := gitRepo(t)
	writeFile(t, dir, ".env", "DEBUG=1\n")
	writeFile(t, dir, "notes.txt", "some notes\n")
	git("add", ".")
	git("commit", "-qm", "one")
	blob := revParse(t, dir, "HEAD:notes.txt")
	if err := os.Remove(filepath.Join(dir, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	det, err := scanner.NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	res, err := scanner.Run(context.Background(), &source.History{Path: dir}, det, scanner.Options{PathRules: rules.DefaultPathRules()})
	if !errors.Is(err, source.ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	var found bool
	for _, f := range res.Findings {
		found = found || (f.RuleID == rules.RuleEnvInHistory && f.Path == ".env")
	}
	if !found {
		t.Errorf("env-file-in-history lost on a read error: %+v", res.Findings)
	}
}
