package git_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// includeIf "onbranch:" reads the branch from the ref storage: in a
// reftable repository, HEAD is a placeholder file ("ref:
// refs/heads/.invalid") and the branch is in the tables.
func TestConfigOnbranchReftable(t *testing.T) {
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	dir := extractFixtures(t)
	repo := filepath.Join(dir, "reftable", "main")
	cfg := filepath.Join(repo, ".git", "config")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("[includeIf \"onbranch:main\"]\n\tpath = on-main\n[includeIf \"onbranch:.invalid\"]\n\tpath = on-invalid\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, n := range []string{"on-main", "on-invalid"} {
		if err := os.WriteFile(filepath.Join(repo, ".git", n), []byte("[branch]\n\t"+strings.ReplaceAll(n, "-", "")+" = yes\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := git.Open(repo)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, ok := r.Config().Get("branch.onmain"); !ok {
		t.Error("onbranch:main did not hold on branch main")
	}
	if _, ok := r.Config().Get("branch.oninvalid"); ok {
		t.Error("onbranch matched the HEAD file's placeholder")
	}
	// A git that reads reftable agrees, where there is one.
	newGit := "/opt/git-new/bin/git"
	if _, err := os.Stat(newGit); err != nil {
		return
	}
	out, err := exec.Command(newGit, "-C", repo, "config", "--get-regexp", "^branch\\.on").Output()
	if err != nil {
		t.Fatalf("%s config: %v", newGit, err)
	}
	if strings.TrimSpace(string(out)) != "branch.onmain yes" {
		t.Errorf("git >= 2.45 says %q", out)
	}
}
