package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 12: every file clayscan writes refuses a planted symlink at the
// destination (the victim keeps its content and mode), and a report is
// created 0600.
func TestWritesNeverFollowSymlinks(t *testing.T) {
	keys := fakeKeys()
	dir, git := gitRepo(t)
	writeFile(t, dir, "app.env.sample", "CLAY_API_KEY=placeholder\n")
	writeFile(t, dir, "config.sh", "export K="+keys["SK_LIVE"]+"\n")
	git("add", ".")
	git("commit", "-qm", "init")
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITHUB_EVENT_NAME", "")
	t.Setenv("GITHUB_STEP_SUMMARY", "")
	t.Setenv("GITHUB_OUTPUT", "")

	for _, tc := range []struct {
		name string
		dest string // relative to dir
		args []string
	}{
		{"scan -o", "report.json", []string{"scan", "--format", "json", "-o", "@DEST", dir}},
		{"history -o", "report.sarif", []string{"history", "--format", "sarif", "-o", "@DEST", dir}},
		{"ci --sarif", "ci.sarif", []string{"ci", "--sarif", "@DEST", dir}},
		{"baseline create", "baseline.json", []string{"baseline", "create", "-o", "@DEST", dir}},
		{"ignore add", ".clayscanignore", []string{"ignore", "add", "-C", dir, "clay-sk-live-key:0123456789abcdef"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			victim := filepath.Join(t.TempDir(), "victim")
			if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(dir, tc.dest)
			if err := os.Symlink(victim, dest); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(dest)
			args := make([]string, len(tc.args))
			for i, a := range tc.args {
				args[i] = strings.ReplaceAll(a, "@DEST", dest)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != exitError {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitError, stdout, stderr)
			}
			if !strings.Contains(stderr, "symbolic link") {
				t.Errorf("the error does not say why:\n%s", stderr)
			}
			got, _ := os.ReadFile(victim)
			fi, _ := os.Stat(victim)
			if string(got) != "precious\n" || fi.Mode().Perm() != 0o644 {
				t.Errorf("victim changed: mode %v, content %q", fi.Mode(), got)
			}
			if l, err := os.Lstat(dest); err != nil || l.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the planted link was replaced: %v", err)
			}
			if strings.Contains(stdout+stderr, keys["SK_LIVE"]) {
				t.Error("output holds the raw key")
			}

			// Without the link: a fresh file, 0600, and no temporary left.
			os.Remove(dest)
			code, _, stderr = runCLI(t, args...)
			if code == exitError {
				t.Fatalf("without the link: exit %d\n%s", code, stderr)
			}
			fi, err := os.Lstat(dest)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %v, mode %v, want 0600", tc.dest, err, fi.Mode())
			}
			ents, _ := os.ReadDir(dir)
			for _, e := range ents {
				if strings.Contains(e.Name(), ".clayscan-") {
					t.Errorf("temporary file left: %s", e.Name())
				}
			}
		})
	}
}
