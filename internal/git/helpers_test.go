package git_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/git"
)

// gitEnv is the environment for the real git binary: no GIT_* variables
// from the caller, no system or global configuration, a fixed identity.
func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_") {
			env = append(env, kv)
		}
	}
	return append(env, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com")
}

// git runs the real git binary in dir (tests only: the product never does).
func run(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return gitWith(t, dir, nil, args...)
}

// gitWith runs git with extra environment (author dates, names).
func gitWith(t testing.TB, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(gitBin(), args...)
	cmd.Dir = dir
	cmd.Env = append(gitEnv(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func write(t testing.TB, dir, rel, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// resolved is dir with symlinks resolved (t.TempDir may be under one).
func resolved(t testing.TB, dir string) string {
	t.Helper()
	r, err := filepath.EvalSymlinks(dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// tryGit runs git and returns its error instead of failing the test.
func tryGit(dir string, args ...string) (string, error) {
	cmd := exec.Command(gitBin(), args...)
	cmd.Dir = dir
	cmd.Env = gitEnv()
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// openRepoObjects opens the repository at dir and its object database
// (keepBases as in Repository.OpenObjects), both closed when the test ends.
func openRepoObjects(t testing.TB, dir string, keepBases bool) (*git.Repository, *git.ODB) {
	t.Helper()
	repo, err := git.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { repo.Close() })
	db, err := repo.OpenObjects(keepBases)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return repo, db
}
