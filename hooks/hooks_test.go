package hooks

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// gitRepo makes a real repository with one commit in a temp dir, with git
// isolated from the user's configuration.
func gitRepo(t *testing.T) string {
	t.Helper()
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	t.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := filepath.Join(t.TempDir(), "repo")
	runGit(t, "", "init", "-q", dir)
	runGit(t, dir, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "--allow-empty", "-m", "init")
	return dir
}

func runGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// gitHooksDir asks git itself where the hooks are, so Dir is checked
// against the real thing.
func gitHooksDir(t *testing.T, dir string) string {
	t.Helper()
	p := runGit(t, dir, "rev-parse", "--git-path", "hooks")
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	return canon(t, p)
}

func canon(t *testing.T, p string) string {
	t.Helper()
	// The directory may not exist yet; resolve its parent.
	parent, err := filepath.EvalSymlinks(filepath.Dir(p))
	if err != nil {
		return filepath.Clean(p)
	}
	return filepath.Join(parent, filepath.Base(p))
}

func TestDirMatchesGit(t *testing.T) {
	repo := gitRepo(t)
	sub := filepath.Join(repo, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(name, from string) {
		t.Helper()
		got, err := Dir(from)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := gitHooksDir(t, repo); canon(t, got) != want {
			t.Errorf("%s: Dir = %s, git says %s", name, got, want)
		}
	}
	check("default", repo)
	check("subdirectory", sub)

	runGit(t, repo, "config", "core.hooksPath", ".githooks")
	check("relative core.hooksPath", sub)

	runGit(t, repo, "config", "--unset", "core.hooksPath")
	global := filepath.Join(t.TempDir(), "global-hooks")
	runGit(t, repo, "config", "--global", "core.hooksPath", global)
	check("global core.hooksPath", repo)

	runGit(t, repo, "config", "core.hooksPath", "/abs/local-hooks")
	check("local wins over global", repo)
}

func TestDirLinkedWorktree(t *testing.T) {
	repo := gitRepo(t)
	wt := filepath.Join(t.TempDir(), "wt")
	runGit(t, repo, "worktree", "add", "-q", wt)
	got, err := Dir(wt)
	if err != nil {
		t.Fatal(err)
	}
	if want := gitHooksDir(t, wt); canon(t, got) != want {
		t.Errorf("linked worktree: Dir = %s, git says %s", got, want)
	}
	if want := gitHooksDir(t, repo); canon(t, got) != want {
		t.Errorf("linked worktree hooks %s are not the main repository's %s", got, want)
	}
}

func TestDirNotRepository(t *testing.T) {
	_, err := Dir(t.TempDir())
	if !errors.Is(err, ErrNotRepository) {
		t.Fatalf("got %v, want ErrNotRepository", err)
	}
}

const bin = "/opt/clay scan/bin/clayscan"

func TestInstallFreshIdempotentUninstall(t *testing.T) {
	repo := gitRepo(t)
	res, err := Install(Options{Path: repo, Binary: bin})
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != Installed || res.ChainedHook != "" {
		t.Fatalf("got %+v", res)
	}
	data, err := os.ReadFile(res.Hook)
	if err != nil {
		t.Fatal(err)
	}
	if !IsClayscanHook(data) || !bytes.Contains(data, []byte(`recorded='/opt/clay scan/bin/clayscan'`)) {
		t.Errorf("hook content:\n%s", data)
	}
	if fi, _ := os.Stat(res.Hook); fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("hook is not executable: %v", fi.Mode())
	}

	res, err = Install(Options{Path: repo, Binary: bin})
	if err != nil || res.Action != Unchanged {
		t.Fatalf("second install: %+v, %v", res, err)
	}
	res, err = Install(Options{Path: repo, Binary: "/usr/local/bin/clayscan"})
	if err != nil || res.Action != Updated {
		t.Fatalf("install with a new binary: %+v, %v", res, err)
	}

	res, err = Uninstall(repo)
	if err != nil || res.Action != Removed {
		t.Fatalf("uninstall: %+v, %v", res, err)
	}
	if _, err := os.Lstat(res.Hook); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("hook still there after uninstall")
	}
	entries, _ := os.ReadDir(filepath.Dir(res.Hook))
	for _, e := range entries {
		if strings.Contains(e.Name(), "clayscan") {
			t.Errorf("uninstall left %s behind", e.Name())
		}
	}
	res, err = Uninstall(repo)
	if err != nil || res.Action != Absent || res.Foreign {
		t.Fatalf("second uninstall: %+v, %v", res, err)
	}
}

func TestInstallNeverOverwritesUserHook(t *testing.T) {
	repo := gitRepo(t)
	dir, _ := Dir(repo)
	os.MkdirAll(dir, 0o755)
	hook := filepath.Join(dir, HookName)
	user := []byte("#!/bin/sh\necho user hook\n")
	if err := os.WriteFile(hook, user, 0o750); err != nil {
		t.Fatal(err)
	}

	_, err := Install(Options{Path: repo, Binary: bin})
	if !errors.Is(err, ErrHookExists) {
		t.Fatalf("got %v, want ErrHookExists", err)
	}
	if got, _ := os.ReadFile(hook); !bytes.Equal(got, user) {
		t.Fatal("refused install changed the user's hook")
	}

	res, err := Install(Options{Path: repo, Binary: bin, Force: true})
	if err != nil || res.Action != Chained || res.ChainedHook != hook+ChainedSuffix {
		t.Fatalf("forced install: %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(res.ChainedHook); !bytes.Equal(got, user) {
		t.Fatal("the chained hook is not the user's")
	}
	if got, _ := os.ReadFile(hook); !bytes.Contains(got, []byte(HookName+ChainedSuffix)) {
		t.Fatalf("clayscan's hook does not run the chained one:\n%s", got)
	}
	// Idempotent with a chain: still chained, still the user's hook.
	res, err = Install(Options{Path: repo, Binary: bin, Force: true})
	if err != nil || res.Action != Unchanged || res.ChainedHook == "" {
		t.Fatalf("forced install again: %+v, %v", res, err)
	}

	res, err = Uninstall(repo)
	if err != nil || res.Action != Restored {
		t.Fatalf("uninstall: %+v, %v", res, err)
	}
	got, _ := os.ReadFile(hook)
	fi, _ := os.Stat(hook)
	if !bytes.Equal(got, user) || fi.Mode().Perm() != 0o750 {
		t.Errorf("the user's hook was not restored as it was: %v\n%s", fi.Mode(), got)
	}
	if _, err := os.Lstat(hook + ChainedSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Error("the chained copy is still there")
	}
	// Uninstall again leaves the user's hook alone.
	res, err = Uninstall(repo)
	if err != nil || !res.Foreign {
		t.Fatalf("uninstall over a user's hook: %+v, %v", res, err)
	}
	if got, _ := os.ReadFile(hook); !bytes.Equal(got, user) {
		t.Error("uninstall touched the user's hook")
	}
}

func TestInstallDanglingSymlinkIsAUserHook(t *testing.T) {
	repo := gitRepo(t)
	dir, _ := Dir(repo)
	os.MkdirAll(dir, 0o755)
	hook := filepath.Join(dir, HookName)
	if err := os.Symlink("../../nowhere/pre-commit", hook); err != nil {
		t.Skip("no symlinks:", err)
	}
	if _, err := Install(Options{Path: repo, Binary: bin}); !errors.Is(err, ErrHookExists) {
		t.Fatalf("got %v, want ErrHookExists", err)
	}
	if _, err := Install(Options{Path: repo, Binary: bin, Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := Uninstall(repo); err != nil {
		t.Fatal(err)
	}
	if target, err := os.Readlink(hook); err != nil || target != "../../nowhere/pre-commit" {
		t.Errorf("symlink not restored: %q, %v", target, err)
	}
}

func TestInstallRequiresAbsoluteBinary(t *testing.T) {
	if _, err := Install(Options{Path: gitRepo(t), Binary: "clayscan"}); err == nil {
		t.Fatal("a relative binary path was accepted")
	}
}

func TestScriptQuotesBinary(t *testing.T) {
	s := string(Script(`/tmp/it's here/clayscan`, false))
	if !strings.Contains(s, `recorded='/tmp/it'\''s here/clayscan'`) {
		t.Errorf("binary not shell-quoted:\n%s", s)
	}
	if out, err := exec.Command("sh", "-n", "-c", s).CombinedOutput(); err != nil {
		t.Errorf("script is not valid sh: %v\n%s", err, out)
	}
	if out, err := exec.Command("sh", "-n", "-c", string(Script("/x", true))).CombinedOutput(); err != nil {
		t.Errorf("chained script is not valid sh: %v\n%s", err, out)
	}
}

// Issue 12: a hook that is a symlink is never written through, even when
// its target reads as clayscan's own hook: it is treated as the user's.
func TestInstallNeverWritesThroughSymlink(t *testing.T) {
	repo := gitRepo(t)
	dir, _ := Dir(repo)
	os.MkdirAll(dir, 0o755)
	target := filepath.Join(t.TempDir(), "shared-hook")
	old := Script("/old/clayscan", false)
	if err := os.WriteFile(target, old, 0o755); err != nil {
		t.Fatal(err)
	}
	hook := filepath.Join(dir, HookName)
	if err := os.Symlink(target, hook); err != nil {
		t.Skip("no symlinks:", err)
	}
	if _, err := Install(Options{Path: repo, Binary: bin}); !errors.Is(err, ErrHookExists) {
		t.Fatalf("got %v, want ErrHookExists", err)
	}
	if _, err := Install(Options{Path: repo, Binary: bin, Force: true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); !bytes.Equal(got, old) {
		t.Errorf("the symlink's target was rewritten:\n%s", got)
	}
	if fi, err := os.Lstat(hook); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the hook is not clayscan's own file: %v, %v", fi, err)
	}
	if target2, err := os.Readlink(hook + ChainedSuffix); err != nil || target2 != target {
		t.Errorf("the user's symlink was not kept aside: %q, %v", target2, err)
	}
}
