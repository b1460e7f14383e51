package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/config"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/source"
)

// supGit runs git in dir with a fixed identity (tests may use the git
// binary to build fixtures; product code never does).
func supGit(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
		"GIT_COMMITTER_EMAIL=t@example.com", "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func supWrite(t *testing.T, name, content string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

type supResult struct {
	Findings   []scanner.Finding `json:"findings"`
	Suppressed []scanner.Finding `json:"suppressed"`
}

// A pull request that adds its own key to the committed baseline: the
// baseline is read from the base commit, the new key is reported, and so
// is the change to the baseline (issue 6).
func TestPullRequestCannotBaselineItsOwnKey(t *testing.T) {
	oldKey := "sk_" + "live_" + "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8"
	newKey := "sk_" + "live_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"
	baseline := func(keys ...string) string {
		var fs []string
		for _, k := range keys {
			fs = append(fs, `{"fingerprint":"`+scanner.Fingerprint("clay-sk-live-key", k)+`"}`)
		}
		return `{"findings":[` + strings.Join(fs, ",") + `]}`
	}
	dir := t.TempDir()
	supGit(t, dir, "init", "-q", "-b", "main")
	supWrite(t, filepath.Join(dir, ".gitignore"), ".env\n.env.local\n.env.*.local\n")
	supWrite(t, filepath.Join(dir, "old.go"), "package x\nconst old = \""+oldKey+"\"\n")
	supWrite(t, filepath.Join(dir, "baseline.json"), baseline(oldKey))
	supGit(t, dir, "add", ".")
	supGit(t, dir, "commit", "-qm", "base")
	base := supGit(t, dir, "rev-parse", "HEAD")

	supWrite(t, filepath.Join(dir, "new.go"), "package x\nconst fresh = \""+newKey+"\"\n")
	supWrite(t, filepath.Join(dir, "baseline.json"), baseline(oldKey, newKey))
	supGit(t, dir, "add", ".")
	supGit(t, dir, "commit", "-qm", "pr")

	scan := func(base string) (int, supResult, string) {
		var out, errb bytes.Buffer
		e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
		sf := &scanFlags{format: "json", verbose: true, baseline: filepath.Join(dir, "baseline.json"), suppressionBase: base}
		code := execScan(context.Background(), e, sf, dir, func(cfg *config.Settings) scanner.Source {
			return &source.Worktree{Path: dir, MaxFileSize: cfg.MaxFileSize}
		}, scanner.Options{})
		var res supResult
		if code != exitError {
			if err := json.Unmarshal(out.Bytes(), &res); err != nil {
				t.Fatalf("report: %v\n%s", err, out.String())
			}
		}
		return code, res, errb.String()
	}

	// Without a base (a local scan), the edited baseline hides both keys.
	if code, res, _ := scan(""); code != exitClean || len(res.Suppressed) != 2 {
		t.Fatalf("local scan: exit %d, %+v", code, res)
	}

	code, res, _ := scan(base)
	if code != exitFindings {
		t.Fatalf("exit %d, want %d", code, exitFindings)
	}
	var sawNew, sawChanged bool
	for _, f := range res.Findings {
		switch {
		case f.RuleID == "clay-sk-live-key" && f.Path == "new.go":
			sawNew = true
		case f.RuleID == "suppression-changed" && f.Path == "baseline.json" && f.Severity == "medium":
			sawChanged = true
		default:
			t.Errorf("unexpected finding %s in %s", f.RuleID, f.Path)
		}
	}
	if !sawNew || !sawChanged {
		t.Errorf("new key reported: %v, baseline change reported: %v", sawNew, sawChanged)
	}
	if len(res.Suppressed) != 1 || res.Suppressed[0].Path != "old.go" || res.Suppressed[0].SuppressedBy != "baseline" {
		t.Errorf("suppressed = %+v", res.Suppressed)
	}

	// A base that is not in the clone: exit 2 with a hint, never a scan
	// with the PR's own files.
	code, _, stderr := scan("0123456789abcdef0123456789abcdef01234567")
	if code != exitError || !strings.Contains(stderr, "reading suppression files at base") || !strings.Contains(stderr, "fetch-depth: 0") {
		t.Errorf("missing base: exit %d, stderr %q", code, stderr)
	}
}
