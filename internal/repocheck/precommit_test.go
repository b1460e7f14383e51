package repocheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const installPreCommit = "apt-get install -y pre-commit"

// issue 13: the manifest said stages: [pre-commit], which pre-commit 3.0.4
// (Debian 12) rejects, and then every commit failed in the framework.
func TestPreCommitValidateManifest(t *testing.T) {
	pc := tool(t, "pre-commit", installPreCommit)
	cmd := exec.Command(pc, "validate-manifest", ".pre-commit-hooks.yaml")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("pre-commit validate-manifest: %v\n%s", err, out)
	}
}

// pre-commit try-repo builds the hook from this repository (language:
// golang, with the system Go) and runs it in a fixture repository: it
// blocks a commit that stages a key and passes a clean one. Modules come
// from the local module cache with the proxy off, so it runs offline.
func TestPreCommitTryRepo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds clayscan through pre-commit; skipped with -short")
	}
	pc := tool(t, "pre-commit", installPreCommit)
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not found")
	}
	root := repoRoot(t)
	if err := exec.Command("git", "-C", root, "rev-parse", "--git-dir").Run(); err != nil {
		t.Skip("try-repo needs this repository as a git checkout")
	}
	modcache, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}

	tmp := t.TempDir()
	home := filepath.Join(tmp, "home")
	work := filepath.Join(tmp, "work")
	for _, d := range []string{home, work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	env := append(os.Environ(),
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"PRE_COMMIT_HOME="+filepath.Join(tmp, "pre-commit-cache"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+filepath.Join(home, ".gitconfig"),
		"GIT_AUTHOR_NAME=Ada", "GIT_AUTHOR_EMAIL=ada@example.com",
		"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
		"GOMODCACHE="+strings.TrimSpace(string(modcache)), "GOPROXY=off", "GOFLAGS=-mod=mod",
		"NO_COLOR=1",
	)
	run := func(name string, args ...string) (string, error) {
		c := exec.Command(name, args...)
		c.Dir = work
		c.Env = env
		out, err := c.CombinedOutput()
		return string(out), err
	}
	must := func(name string, args ...string) {
		t.Helper()
		if out, err := run(name, args...); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	must("git", "init", "-q", "-b", "main")
	must("git", "config", "commit.gpgsign", "false")
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(work, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".gitignore", ".env\n.env.local\n.env.*.local\n")
	write("app.py", "print('hello')\n")
	must("git", "add", ".")

	// A clean commit passes.
	if out, err := run(pc, "try-repo", root, "clayscan", "--verbose"); err != nil {
		t.Fatalf("try-repo on a clean commit failed: %v\n%s", err, out)
	}
	must("git", "commit", "-q", "-m", "clean")

	// A staged key is blocked.
	key := "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	write("config.py", "CLAY_API_KEY = \""+key+"\"\n")
	must("git", "add", "config.py")
	out, err := run(pc, "try-repo", root, "clayscan", "--verbose")
	if err == nil {
		t.Fatalf("try-repo passed a staged key:\n%s", out)
	}
	if !strings.Contains(out, "clay-") || !strings.Contains(out, "config.py") {
		t.Errorf("try-repo failed without naming the finding:\n%s", out)
	}
	if strings.Contains(out, key) {
		t.Errorf("the hook printed the full key:\n%s", out)
	}
}
