package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 12: a scan stopped by a signal (here its context, cancelled) says
// so plainly, exits 130, prints no summary and writes no report.
func TestInterruptedScanReportsNothing(t *testing.T) {
	keys := fakeKeys()
	dir, git := gitRepo(t)
	writeFile(t, dir, "config.sh", "export K="+keys["SK_LIVE"]+"\n")
	git("add", ".")
	git("commit", "-qm", "init")
	writeFile(t, dir, "staged.sh", "export K="+keys["CLAY_ENT"]+"\n")
	git("add", "staged.sh")
	dir2, git2 := gitRepo(t)
	writeFile(t, dir2, "b.sh", "export K="+keys["SK_LIVE2"]+"\n")
	git2("add", ".")
	git2("commit", "-qm", "init")
	t.Setenv("GITHUB_ACTIONS", "")
	t.Setenv("GITHUB_EVENT_NAME", "")
	summary := filepath.Join(t.TempDir(), "summary.md")
	t.Setenv("GITHUB_STEP_SUMMARY", summary)

	for _, cmd := range []string{"scan", "staged", "history", "history-many", "ci"} {
		for _, format := range []string{"text", "json", "sarif", "github"} {
			t.Run(cmd+"/"+format, func(t *testing.T) {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				out := filepath.Join(t.TempDir(), "report")
				args := []string{cmd, "--format", format, "-o", out}
				switch cmd {
				case "ci":
					args = append(args, "--sarif", out+".sarif")
				case "history-many": // several repositories in one sweep
					args[0] = "history"
					args = append(args, dir2)
				}
				var stdout, stderr bytes.Buffer
				code := run(ctx, append(args, dir), strings.NewReader(""), &stdout, &stderr)
				if code != exitInterrupted {
					t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitInterrupted, stdout.String(), stderr.String())
				}
				if !strings.Contains(stderr.String(), "scan interrupted: results are incomplete") {
					t.Errorf("stderr does not say the scan was interrupted:\n%s", stderr.String())
				}
				for _, s := range []string{stdout.String(), stderr.String()} {
					if strings.Contains(s, "Scanned") || strings.Contains(s, "no findings") || strings.Contains(s, "context canceled") {
						t.Errorf("output reads as a result:\nstdout: %s\nstderr: %s", stdout.String(), stderr.String())
					}
				}
				for _, f := range []string{out, out + ".sarif", summary} {
					if _, err := os.Lstat(f); err == nil {
						t.Errorf("%s was written", f)
					}
				}
				if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 0 {
					t.Errorf("files left in the report directory: %v", ents)
				}
			})
		}
	}
}
