package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenDir is absolute: tests that build repositories change directory.
var goldenDir, _ = filepath.Abs(filepath.Join("..", "..", "testdata", "golden"))

// checkGolden compares got with testdata/golden/name, or rewrites it with
// -update.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./cmd/clayscan -run %s -update to create it): %v", t.Name(), err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./cmd/clayscan -run %s -update and review the diff)\n--- got\n%s\n--- want\n%s", name, t.Name(), got, want)
	}
}

// manyRepos builds three repositories side by side in a temp dir that
// becomes the working directory: api (a key added, then removed), web (the
// same key, still at HEAD, and an enterprise key) and docs (clean). Dates
// are fixed, so commit ids are too. Keys are built at run time.
func manyRepos(t *testing.T) {
	t.Helper()
	live := "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	ent := "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"
	root := t.TempDir()
	mk := func(name string, steps func(dir string, git func(...string))) {
		dir, git := gitRepo(t)
		steps(dir, git)
		if err := os.Rename(dir, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	mk("api", func(dir string, git func(...string)) {
		writeFile(t, dir, "deploy/run.sh", "export CLAY_API_KEY="+live+"\n")
		git("add", ".")
		git("commit", "-qm", "add deploy script")
		writeFile(t, dir, "deploy/run.sh", "export CLAY_API_KEY=\"$CLAY_API_KEY\"\n")
		git("commit", "-qam", "read the key from the environment")
	})
	mk("web", func(dir string, git func(...string)) {
		writeFile(t, dir, "src/client.ts", "const clayKey = \""+live+"\";\n")
		writeFile(t, dir, "config/app.yaml", "clay:\n  token: "+ent+"\n")
		git("add", ".")
		git("commit", "-qm", "client")
	})
	mk("docs", func(dir string, git func(...string)) {
		writeFile(t, dir, "README.md", "Set CLAY_API_KEY in your environment.\n")
		git("add", ".")
		git("commit", "-qm", "docs")
	})
	t.Chdir(root)
}

var durations = regexp.MustCompile(`("duration_ms": )\d+|in \d+(\.\d+)?(ms|µs|s)|\(\d+ days?\)`)

// normalize replaces what depends on the clock: durations, and the age of
// a key in history that the guidance gives ("since 2024-01-02 (N days)").
func normalize(b []byte) []byte {
	return durations.ReplaceAllFunc(b, func(m []byte) []byte {
		switch {
		case bytes.HasPrefix(m, []byte(`"duration_ms"`)):
			return []byte(`"duration_ms": 0`)
		case bytes.HasPrefix(m, []byte("(")):
			return []byte("(N days)")
		}
		return []byte("in 0s")
	})
}

// TestHistoryManyGolden: clayscan history over several repositories (issue
// 14) reports every finding with its repository, each repository's
// summary, and sums them; the same key in two repositories is two
// findings here (clayscan merge groups them).
func TestHistoryManyGolden(t *testing.T) {
	manyRepos(t)
	if err := os.WriteFile("repos.txt", []byte("# the organisation\nweb\n\ndocs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ golden, format string }{
		{"history-many.json", "json"},
		{"history-many.txt", "text"},
		{"history-many.sarif", "sarif"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), []string{"history", "-f", c.format, "--repos", "repos.txt", "api"}, strings.NewReader(""), &stdout, &stderr)
		if code != exitFindings || stderr.Len() > 0 {
			t.Fatalf("%s: exit %d, want %d; stderr:\n%s", c.format, code, exitFindings, stderr.String())
		}
		if strings.Contains(stdout.String(), "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1") {
			t.Fatalf("%s: the report holds a full secret", c.format)
		}
		checkGolden(t, c.golden, normalize(stdout.Bytes()))
	}
}

// TestHistoryManyFailedRepository: a repository that cannot be scanned is
// named with its error, the others are still reported, and the exit code
// is 2 (issue 14).
func TestHistoryManyFailedRepository(t *testing.T) {
	manyRepos(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"history", "-f", "json", "--jobs", "1", "web", "missing", "docs", "web/"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitError {
		t.Fatalf("exit %d, want %d", code, exitError)
	}
	out := stdout.String()
	for _, want := range []string{`"repository": "missing"`, `"error": "opening`, `"repository": "web"`, `"repository": "docs"`} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %s:\n%s", want, out)
		}
	}
	if strings.Count(out, `"repository": "web",`) != 2+1 { // two findings and one summary; web/ is web
		t.Errorf("web should be scanned once:\n%s", out)
	}
	if !strings.Contains(stderr.String(), "clayscan: error: missing: ") || !strings.Contains(stderr.String(), "1 of 3 repositories could not be scanned") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}

func TestHistoryManyBadList(t *testing.T) {
	manyRepos(t)
	os.WriteFile("empty.txt", []byte("# nothing\n\n"), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "--repos", "nope.txt"}, `reading the repository list "nope.txt": no such file or directory`},
		{[]string{"history", "--repos", "empty.txt"}, `names no repository`},
		{[]string{"history", "--jobs", "0", "api", "web"}, `--jobs 0`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, strings.NewReader(""), &stdout, &stderr); code != exitError {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if !strings.Contains(stderr.String(), c.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", c.args, c.want, stderr.String())
		}
	}
}

// TestHistoryManyFlagsChecked: history validates its shared flags as scan
// does, before any repository is opened (issue 14): a bad --fail-on is one
// usage error, not one error per repository, and -f JSON is -f json.
func TestHistoryManyFlagsChecked(t *testing.T) {
	manyRepos(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"history", "--fail-on", "bogus", "api", "web"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitError || stdout.Len() > 0 || strings.Count(stderr.String(), "clayscan: error:") != 1 || !strings.Contains(stderr.String(), "--fail-on") {
		t.Errorf("--fail-on bogus: exit %d, stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	code = run(context.Background(), []string{"history", "-f", "JSON", "api", "docs"}, strings.NewReader(""), &stdout, &stderr)
	if code != exitFindings || !strings.Contains(stdout.String(), `"repositories"`) {
		t.Errorf("-f JSON: exit %d, stderr:\n%s", code, stderr.String())
	}
}

// TestHistoryManyShallowWarned: a shallow clone among several repositories
// is named on stderr when the report goes to a tool, as for one repository
// (issue 11): the JSON report's flag must not be the only place it appears.
func TestHistoryManyShallowWarned(t *testing.T) {
	manyRepos(t)
	cmd := exec.Command("git", "clone", "-q", "--depth", "1", "file://"+filepath.Join(mustGetwd(t), "api"), "shallow")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"history", "-f", "json", "shallow", "docs"}, strings.NewReader(""), &stdout, &stderr)
	if !strings.Contains(stderr.String(), "this is a shallow clone") {
		t.Errorf("stderr does not name the shallow clone:\n%s", stderr.String())
	}
}

func mustGetwd(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return wd
}
