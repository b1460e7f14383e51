package repocheck

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// actionStep returns the run: script of the action.yml step with that id.
// The action's scripts take everything through env:, never through ${{ }}
// inside the script, so they run here as they run on a runner.
func actionStep(t *testing.T, id string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Runs struct {
			Steps []struct {
				ID  string `yaml:"id"`
				Run string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(data, &action); err != nil {
		t.Fatal(err)
	}
	for _, s := range action.Runs.Steps {
		if s.ID == id {
			if strings.Contains(s.Run, "${{") {
				t.Fatalf("step %s interpolates ${{ }} into its script: pass values through env", id)
			}
			return s.Run
		}
	}
	t.Fatalf("action.yml has no step with id %q", id)
	return ""
}

type stepRun struct {
	outputs map[string]string
	stdout  string
	code    int
}

// runStep runs a step's script with bash in a fake runner: RUNNER_TEMP,
// GITHUB_OUTPUT, and extra PATH entries first.
func runStep(t *testing.T, script string, env map[string]string, path ...string) stepRun {
	t.Helper()
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash not found")
	}
	tmp := t.TempDir()
	out := filepath.Join(tmp, "github_output")
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	temp := filepath.Join(tmp, "runner_temp")
	if err := os.MkdirAll(temp, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bash, "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script)
	cmd.Env = []string{
		"PATH=" + strings.Join(append(path, os.Getenv("PATH")), string(os.PathListSeparator)),
		"HOME=" + tmp, "RUNNER_TEMP=" + temp, "GITHUB_OUTPUT=" + out,
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	b, err := cmd.CombinedOutput()
	r := stepRun{outputs: map[string]string{}, stdout: string(b)}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(out)
	for _, line := range strings.Split(string(data), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			r.outputs[k] = v
		}
	}
	return r
}

// writeScript writes an executable shell script.
func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
}

// issue 13: pinned to a release tag, the action downloads the release
// binary and runs it only when it matches the release's SHA256SUMS.
func TestActionReleaseDownload(t *testing.T) {
	script := actionStep(t, "release")
	// A fake curl serves the release's files from a directory: the URL's
	// last element names the file ("curl -fsSL --retry 3 -o FILE URL").
	serve := t.TempDir()
	bin := t.TempDir()
	writeScript(t, filepath.Join(bin, "curl"), `out=; url=
while [ $# -gt 0 ]; do case $1 in -o) out=$2; shift 2 ;; --retry) shift 2 ;; -*) shift ;; *) url=$1; shift ;; esac; done
echo "$url" >> "$CURL_LOG"
f="$SERVE/$(basename "$url")"
[ -f "$f" ] || exit 22
cp "$f" "$out"
`)
	binary := []byte("#!/bin/sh\necho clayscan v1.2.3\n")
	sum := fmt.Sprintf("%x", sha256.Sum256(binary))
	if err := os.WriteFile(filepath.Join(serve, "clayscan-linux-amd64"), binary, 0o644); err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(t.TempDir(), "curl.log")
	env := func(ref, arch string) map[string]string {
		return map[string]string{
			"ACTION_REF": ref, "ACTION_REPOSITORY": "clayscan/clayscan",
			"RUNNER_OS_NAME": "Linux", "RUNNER_ARCH_NAME": arch,
			"SERVE": serve, "CURL_LOG": log,
		}
	}
	sums := func(content string) {
		if err := os.WriteFile(filepath.Join(serve, "SHA256SUMS"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A matching checksum: the binary is used.
	sums("0000000000000000000000000000000000000000000000000000000000000000  clayscan-darwin-arm64\n" + sum + "  clayscan-linux-amd64\n")
	r := runStep(t, script, env("v1.2.3", "X64"), bin)
	if r.code != 0 || r.outputs["ok"] != "true" || !strings.HasSuffix(r.outputs["bin"], "/clayscan") {
		t.Fatalf("matching release: exit %d, outputs %v\n%s", r.code, r.outputs, r.stdout)
	}
	urls, _ := os.ReadFile(log)
	if !strings.Contains(string(urls), "https://github.com/clayscan/clayscan/releases/download/v1.2.3/clayscan-linux-amd64") {
		t.Errorf("downloaded from %q", urls)
	}

	// A mismatch fails the step and leaves no binary to run.
	sums(strings.Repeat("ab", 32) + "  clayscan-linux-amd64\n")
	r = runStep(t, script, env("v1.2.3", "X64"), bin)
	if r.code == 0 || r.outputs["ok"] == "true" || r.outputs["bin"] != "" || !strings.Contains(r.stdout, "does not match SHA256SUMS") {
		t.Errorf("mismatching release: exit %d, outputs %v\n%s", r.code, r.outputs, r.stdout)
	}

	// Not a release tag, or no binary for the runner: build from source.
	for _, tc := range []struct{ ref, arch string }{{"main", "X64"}, {"", "X64"}, {"0123456789abcdef0123456789abcdef01234567", "X64"}, {"v1.2.3", "ARM"}} {
		r = runStep(t, script, env(tc.ref, tc.arch), bin)
		if r.code != 0 || r.outputs["ok"] != "false" {
			t.Errorf("ref %q arch %s: exit %d, outputs %v, want a build from source\n%s", tc.ref, tc.arch, r.code, r.outputs, r.stdout)
		}
	}

	// A major or minor tag is the newest vX.Y.Z release on the same commit,
	// read with git ls-remote (annotated tags peeled).
	const c1, c2, c3, tagObj = "1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222", "3333333333333333333333333333333333333333", "4444444444444444444444444444444444444444"
	writeScript(t, filepath.Join(bin, "git"), `[ "$1" = ls-remote ] || exit 1
cat <<'REFS'
`+tagObj+`	refs/tags/v1
`+c2+`	refs/tags/v1^{}
`+c2+`	refs/tags/v1.2
`+c1+`	refs/tags/v1.2.2
`+tagObj+`	refs/tags/v1.2.3
`+c2+`	refs/tags/v1.2.3^{}
`+c3+`	refs/tags/v1.10.0
`+c3+`	refs/tags/v2
REFS
`)
	sums(sum + "  clayscan-linux-amd64\n")
	for ref, want := range map[string]string{"v1": "v1.2.3", "v1.2": "v1.2.3", "v2": "v1.10.0"} {
		os.Remove(log)
		r = runStep(t, script, env(ref, "X64"), bin)
		if r.code != 0 || r.outputs["ok"] != "true" || !strings.Contains(r.stdout, ref+" is release "+want) {
			t.Errorf("%s: exit %d, outputs %v, want release %s\n%s", ref, r.code, r.outputs, want, r.stdout)
		}
		if urls, _ := os.ReadFile(log); !strings.Contains(string(urls), "/releases/download/"+want+"/clayscan-linux-amd64") {
			t.Errorf("%s: downloaded %q, want release %s", ref, urls, want)
		}
	}
	r = runStep(t, script, env("v3", "X64"), bin)
	if r.code != 0 || r.outputs["ok"] != "false" {
		t.Errorf("v3 (no such tag): exit %d, outputs %v, want a build from source\n%s", r.code, r.outputs, r.stdout)
	}

	// A release without this file (not published yet): build, with a warning.
	r = runStep(t, script, env("v9.9.9", "ARM64"), bin)
	if r.code != 0 || r.outputs["ok"] != "false" || !strings.Contains(r.stdout, "::warning") {
		t.Errorf("missing asset: exit %d, outputs %v\n%s", r.code, r.outputs, r.stdout)
	}
}

// issue 13: the SARIF upload is skipped, saying why, where the token is
// read-only; on a push to the default branch the uploaded SARIF is a
// full-history scan of the pushed commit, not the push's range.
func TestActionSARIFChoice(t *testing.T) {
	script := actionStep(t, "sarif")
	dir := t.TempDir()
	fake := filepath.Join(dir, "clayscan")
	// The fake clayscan records its arguments and fails when told to.
	writeScript(t, fake, `echo "$@" > "$ARGS_LOG"; [ -z "$FAIL" ] || exit 2
while [ $# -gt 0 ]; do [ "$1" = --output ] && echo '{}' > "$2"; shift; done
`)
	argsLog := filepath.Join(dir, "args")
	base := func(kv ...string) map[string]string {
		m := map[string]string{
			"CLAYSCAN": fake, "UPLOAD": "true", "EVENT_NAME": "push", "REF": "refs/heads/main",
			"SHA": "0123456789abcdef0123456789abcdef01234567", "DEFAULT_BRANCH": "main",
			"REPOSITORY": "acme/app", "HEAD_REPOSITORY": "", "ACTOR": "ada", "INPUT_PATH": ".",
			"HISTORY_ARGS": "--max-file-size 20MiB", "RANGE_SARIF": "/tmp/range.sarif", "ARGS_LOG": argsLog,
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name       string
		env        map[string]string
		upload     string
		file       string // "range", "full" or ""
		say        string
		ranHistory bool
	}{
		{"push to the default branch", base(), "true", "full", "", true},
		{"push to another branch", base("REF", "refs/heads/feature"), "true", "range", "", false},
		{"pull request from the same repository", base("EVENT_NAME", "pull_request", "REF", "refs/pull/1/merge", "HEAD_REPOSITORY", "acme/app"), "true", "range", "", false},
		{"pull request from a fork", base("EVENT_NAME", "pull_request", "REF", "refs/pull/1/merge", "HEAD_REPOSITORY", "mallory/app"), "false", "range", "pull request from a fork gets a read-only token", false},
		{"Dependabot", base("EVENT_NAME", "pull_request", "ACTOR", "dependabot[bot]", "HEAD_REPOSITORY", "acme/app"), "false", "range", "Dependabot runs get a read-only token", false},
		{"upload turned off", base("UPLOAD", "false"), "false", "range", "", false},
		{"full scan fails", base("FAIL", "1"), "false", "", "full-history scan of main failed", true},
	} {
		os.Remove(argsLog)
		r := runStep(t, script, tc.env)
		if r.code != 0 {
			t.Errorf("%s: exit %d\n%s", tc.name, r.code, r.stdout)
			continue
		}
		if r.outputs["upload"] != tc.upload {
			t.Errorf("%s: upload=%q, want %q\n%s", tc.name, r.outputs["upload"], tc.upload, r.stdout)
		}
		switch tc.file {
		case "range":
			if r.outputs["file"] != "/tmp/range.sarif" {
				t.Errorf("%s: file=%q, want the range's SARIF", tc.name, r.outputs["file"])
			}
		case "full":
			if !strings.HasSuffix(r.outputs["file"], "clayscan-full.sarif") {
				t.Errorf("%s: file=%q, want the full-history SARIF", tc.name, r.outputs["file"])
			}
		}
		if tc.say != "" && !strings.Contains(r.stdout, tc.say) {
			t.Errorf("%s: the log does not say %q:\n%s", tc.name, tc.say, r.stdout)
		}
		args, err := os.ReadFile(argsLog)
		if tc.ranHistory != (err == nil) {
			t.Errorf("%s: ran clayscan: %v, want %v", tc.name, err == nil, tc.ranHistory)
		}
		if tc.ranHistory && !strings.HasPrefix(string(args), "history --branch 0123456789abcdef0123456789abcdef01234567 --format sarif --output ") ||
			tc.ranHistory && !strings.Contains(string(args), "--max-file-size 20MiB -- .") {
			t.Errorf("%s: clayscan %s", tc.name, args)
		}
	}
}
