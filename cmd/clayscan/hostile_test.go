package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/testutil"
)

// hostileNames are file names an attacker can commit. Each carries a
// marker (PWN) so that an injected command would be recognisable.
var hostileNames = []string{
	"x\n::stop-commands::PWN1.sh",
	"::add-mask::PWN2.sh",
	"  ::error file=PWN3::fake.sh",
	"cr\r::warning::PWN4.sh",
	"legacy ##[add-mask]PWN5.sh",
	"esc\x1b[2J\x1b[31mPWN6.sh",
	"osc\x1b]8;;https:\u2215\u2215evil.example\x1b\\PWN7\x1b]8;;\x1b\\.sh",
	"[PWN8](javascript:alert(1)) <img src=x onerror=alert(1)> www.evil.example @org.sh",
	"pipe|tick`PWN9``.sh",
	"rtl\u202ePWN10hs.txt",
	"c1\u009b31mPWN11.sh",
}

// hostileMessage is a commit message and hostileAuthor an author name that
// try the same; the message also holds a key (commit messages are scanned).
const (
	hostileMessage = "fix\n::stop-commands::PWN20\n##[add-mask]PWN21\n\x1b]8;;https://evil\x1b\\link\n[x](https://evil)\n"
	hostileAuthor  = "Eve \x1b[31m::error::PWN22 ##[add-mask]PWN23"
)

// hostileRepo builds a repository whose every name and message is
// hostile, with a key in each file: committed (history), staged (staged)
// and in the working tree (scan).
func hostileRepo(t *testing.T, key string) string {
	t.Helper()
	dir, git := gitRepo(t)
	gitEnv := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME="+hostileAuthor, "GIT_AUTHOR_EMAIL=eve\x1b[2J@evil.example",
			"GIT_COMMITTER_NAME=Ada", "GIT_COMMITTER_EMAIL=ada@example.com",
			"GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %q: %v\n%s", args, err, out)
		}
	}
	for i, name := range hostileNames {
		writeFile(t, dir, name, "export CLAY_KEY_"+string(rune('A'+i))+"=\""+key+"\"\n")
	}
	git("add", "-A")
	gitEnv("commit", "-q", "-m", "init")
	msg := filepath.Join(t.TempDir(), "msg")
	if err := os.WriteFile(msg, []byte(hostileMessage+"token "+key+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "second.txt", "x\n")
	git("add", "second.txt")
	gitEnv("commit", "-q", "--cleanup=verbatim", "-F", msg)
	// Staged: a hostile name that only the index has.
	writeFile(t, dir, "staged\n::stop-commands::PWN30.sh", "K=\""+key+"\"\n")
	git("add", "-A")
	return dir
}

// checkNoInjection fails on a raw key, or on anything a runner or a
// terminal would act on (testutil.InjectionProblems); clayscan's own
// annotations are allowed only where annotations is set.
func checkNoInjection(t *testing.T, what, out, key string, annotations bool) {
	t.Helper()
	if strings.Contains(out, key) {
		t.Errorf("%s holds the raw key", what)
	}
	for _, p := range testutil.InjectionProblems(out, annotations) {
		t.Errorf("%s: %s", what, p)
	}
}

// Issue 12: hostile file names, commit messages, author names and branch
// names through scan, staged, history and ci in every format, with the
// step summary and step outputs: exit 1, and no raw key and no injected
// workflow command, escape sequence or markup anywhere.
func TestHostileRepositoryEveryCommandEveryFormat(t *testing.T) {
	key := fakeKeys()["SK_LIVE"]
	dir := hostileRepo(t, key)
	head := strings.TrimSpace(gitOut(t, dir, "rev-parse", "HEAD"))
	first := strings.TrimSpace(gitOut(t, dir, "rev-list", "--max-parents=0", "HEAD"))
	event := filepath.Join(t.TempDir(), "event.json")
	payload, _ := json.Marshal(map[string]any{
		"ref": "refs/heads/x\n::stop-commands::PWN40 ##[add-mask]PWN41 [y](https://evil) \x1b[2J", "before": first, "after": head,
	})
	if err := os.WriteFile(event, payload, 0o644); err != nil {
		t.Fatal(err)
	}

	for _, cmd := range []string{"scan", "staged", "history", "ci"} {
		for _, format := range []string{"text", "json", "sarif", "github"} {
			for _, toFile := range []bool{false, true} {
				name := cmd + "/" + format
				if toFile {
					name += "/-o"
				}
				t.Run(name, func(t *testing.T) {
					tmp := t.TempDir()
					summary, output := filepath.Join(tmp, "summary.md"), filepath.Join(tmp, "output.txt")
					t.Setenv("GITHUB_ACTIONS", "true")
					t.Setenv("GITHUB_EVENT_NAME", "push")
					t.Setenv("GITHUB_EVENT_PATH", event)
					t.Setenv("GITHUB_SHA", head)
					t.Setenv("GITHUB_STEP_SUMMARY", summary)
					t.Setenv("GITHUB_OUTPUT", output)
					t.Setenv("NO_COLOR", "1")
					args := []string{cmd, "--format", format}
					report := filepath.Join(tmp, "report")
					if toFile {
						args = append(args, "-o", report)
					}
					if cmd == "ci" {
						args = append(args, "--sarif", filepath.Join(tmp, "ci.sarif"))
					}
					code, stdout, stderr := runCLI(t, append(args, dir)...)
					if code != exitFindings {
						t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitFindings, stdout, stderr)
					}
					annotations := format == "github" && !toFile
					checkNoInjection(t, "stdout", stdout, key, annotations)
					checkNoInjection(t, "stderr", stderr, key, false)
					files := map[string]string{}
					for _, f := range []string{report, filepath.Join(tmp, "ci.sarif"), summary, output} {
						if data, err := os.ReadFile(f); err == nil {
							files[f] = string(data)
							checkNoInjection(t, filepath.Base(f), string(data), key, format == "github" && f == report)
						}
					}
					if toFile {
						if _, ok := files[report]; !ok {
							t.Fatal("no report file")
						}
					}
					if format == "json" || format == "sarif" {
						doc := stdout
						if toFile {
							doc = files[report]
						}
						var v map[string]any
						if err := json.Unmarshal([]byte(doc), &v); err != nil {
							t.Errorf("%s output does not parse: %v", format, err)
						}
					}
					if cmd != "ci" {
						return
					}
					md, ok := files[summary]
					if !ok {
						t.Fatal("ci wrote no step summary")
					}
					if m := testutil.LiveMarkup(md); m != "" {
						t.Errorf("step summary holds live markup %q:\n%s", m, md)
					}
					out, ok := files[output]
					if !ok {
						t.Fatal("ci wrote no step outputs")
					}
					for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
						if !regexp.MustCompile(`^[a-z_]+=[^\r]*$`).MatchString(line) {
							t.Errorf("GITHUB_OUTPUT line %q is not name=value", line)
						}
					}
					if !strings.Contains(out, "findings=") {
						t.Errorf("GITHUB_OUTPUT lacks findings=:\n%s", out)
					}
				})
			}
		}
	}
}

func gitOut(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return string(out)
}
