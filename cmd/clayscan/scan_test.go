package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// scanFixture builds a real repository holding every kind of file
// "clayscan scan" must tell apart, each with its own fake key:
//
//	tracked.sh       tracked, key committed                → reported
//	modified.py      tracked, key only in the working copy → reported
//	untracked.sh     untracked, not ignored                → reported
//	keep.log         tracked although *.log is ignored     → reported
//	.env.local       untracked and ignored                 → only with --include-ignored
//	build/out.txt    inside an ignored directory           → only with --include-ignored
func scanFixture(t *testing.T) string {
	t.Helper()
	dir, git := gitRepo(t)
	keys := fakeKeys()
	writeFile(t, dir, ".gitignore", ".env\n.env.local\n.env.*.local\n*.log\nbuild/\n")
	writeFile(t, dir, "tracked.sh", "export STRIPE_OR_CLAY=\""+keys["SK_LIVE"]+"\"\n")
	writeFile(t, dir, "modified.py", "print('hello')\n")
	writeFile(t, dir, "keep.log", "token "+keys["CLAY_ENT"]+"\n")
	git("add", ".gitignore", "tracked.sh", "modified.py")
	git("add", "-f", "keep.log")
	git("commit", "-qm", "init")
	writeFile(t, dir, "modified.py", "print('hello')\nCLAY_API_KEY = \""+keys["GENERIC_KEY"]+"\"\n")
	writeFile(t, dir, "untracked.sh", "curl -X POST "+keys["WEBHOOK_URL"]+" -d '{}'\n")
	writeFile(t, dir, ".env.local", "CLAY_API_KEY="+keys["GENERIC_KEY"]+"\n")
	writeFile(t, dir, "build/out.txt", "sk="+keys["SK_LIVE2"]+"\n")
	return dir
}

type jsonOut struct {
	Source   string `json:"source"`
	Findings []struct {
		RuleID string `json:"rule_id"`
		Path   string `json:"path"`
		Line   int    `json:"line"`
		Secret string `json:"secret"`
	} `json:"findings"`
	Summary struct {
		FilesScanned int64 `json:"files_scanned"`
		Findings     int   `json:"findings"`
	} `json:"summary"`
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func scanJSON(t *testing.T, args ...string) (int, jsonOut) {
	t.Helper()
	code, out, errs := runCLI(t, append([]string{"scan", "--format", "json"}, args...)...)
	var doc jsonOut
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("scan %v: exit %d, output is not JSON: %v\n%s\n%s", args, code, err, out, errs)
	}
	return code, doc
}

func found(doc jsonOut) []string {
	var got []string
	for _, f := range doc.Findings {
		got = append(got, f.Path+":"+f.RuleID)
	}
	sort.Strings(got)
	return got
}

// Issue 2: exactly the tracked (committed or modified), untracked and
// tracked-but-ignored files are scanned; ignored ones only on request.
func TestScanEndToEnd(t *testing.T) {
	dir := scanFixture(t)
	code, doc := scanJSON(t, dir)
	want := []string{
		"keep.log:clay-ent-key",
		"modified.py:clay-credential-assignment",
		"tracked.sh:clay-sk-live-key",
		"untracked.sh:clay-webhook-url",
	}
	if got := found(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("findings %q\nwant     %q", got, want)
	}
	if code != exitFindings {
		t.Errorf("exit %d, want %d", code, exitFindings)
	}
	if doc.Source != "worktree" || doc.Summary.Findings != len(want) {
		t.Errorf("source %q, summary findings %d", doc.Source, doc.Summary.Findings)
	}
	for _, f := range doc.Findings {
		for _, k := range fakeKeys() {
			if f.Secret == k {
				t.Errorf("%s: full secret in the report without --show-secrets", f.Path)
			}
		}
	}

	_, doc = scanJSON(t, "--include-ignored", dir)
	want = append(want, "build/out.txt:clay-sk-live-key", ".env.local:clay-credential-assignment")
	sort.Strings(want)
	if got := found(doc); !reflect.DeepEqual(got, want) {
		t.Errorf("--include-ignored: findings %q\nwant     %q", got, want)
	}
}

func TestScanShowSecrets(t *testing.T) {
	dir := scanFixture(t)
	key := fakeKeys()["SK_LIVE"]
	_, out, _ := runCLI(t, "scan", dir)
	if strings.Contains(out, key) {
		t.Error("full secret printed without --show-secrets")
	}
	_, out, _ = runCLI(t, "scan", "--show-secrets", dir)
	if !strings.Contains(out, key) {
		t.Error("--show-secrets did not print the full secret")
	}
}

// -o writes the report to a file with mode 0600 (even one that existed
// with a wider mode); the terminal gets the summary line only.
func TestScanOutputFile(t *testing.T) {
	dir := scanFixture(t)
	out := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := runCLI(t, "scan", "-o", out, "--format", "json", dir)
	if code != exitFindings {
		t.Errorf("exit %d, want 1", code)
	}
	fi, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(out)
	var doc jsonOut
	if err := json.Unmarshal(data, &doc); err != nil || len(doc.Findings) != 4 {
		t.Errorf("report file: %v, %d findings", err, len(doc.Findings))
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "Scanned ") || !strings.HasSuffix(lines[0], ": 4 findings") || lines[1] != "Report written to "+out {
		t.Errorf("terminal output %q, want only the summary", stdout)
	}
}

// Output that is not a terminal, or with NO_COLOR, carries no escape codes.
func TestScanPlainOutput(t *testing.T) {
	dir := scanFixture(t)
	_, out, _ := runCLI(t, "scan", dir)
	if strings.Contains(out, "\x1b[") {
		t.Errorf("colour codes in non-terminal output:\n%s", out)
	}
}

func TestScanUsageErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"scan", "--no-such-flag"},
		{"scan", "--format", "xml", dir},
		{"scan", "--max-file-size", "huge", dir},
		{"scan", dir, dir},
		{"scan", filepath.Join(dir, "missing")},
	} {
		code, _, stderr := runCLI(t, args...)
		if code != exitError {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if !strings.Contains(stderr, "clayscan: error: ") {
			t.Errorf("%v: stderr %q lacks the error line", args, stderr)
		}
	}
}

// Issue 2: content that cannot be read makes the scan exit 2, and the
// findings it did make are still reported.
func TestScanUnreadableKeepsFindings(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads everything")
	}
	dir := scanFixture(t)
	for _, p := range []string{"locked-dir", "locked.txt"} {
		full := filepath.Join(dir, p)
		if p == "locked-dir" {
			writeFile(t, dir, "locked-dir/inner.txt", "x\n")
		} else {
			writeFile(t, dir, p, "x\n")
		}
		if err := os.Chmod(full, 0); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(full, 0o755) })
	}
	code, stdout, stderr := runCLI(t, "scan", dir)
	if code != exitError {
		t.Errorf("exit %d, want 2", code)
	}
	if !strings.Contains(stdout, "tracked.sh:1:") || !strings.Contains(stdout, "2 unreadable") {
		t.Errorf("findings or the unreadable count missing from the report:\n%s", stdout)
	}
	if !strings.Contains(stderr, "clayscan: error: 2 file(s) could not be read") {
		t.Errorf("stderr %q", stderr)
	}
}
