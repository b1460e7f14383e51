package main

import (
	"strings"
	"testing"
)

// Issue 11: text output without --verbose says how many paths that may
// hold text were not scanned and how to see them; binary skips alone stay a
// count in the summary line.
func TestTextNamesHowToSeeSkips(t *testing.T) {
	dir, git := detectRepo(t)
	writeFile(t, dir, "README", "hello\n")
	writeFile(t, dir, "logo.png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00")
	git("add", ".")
	git("commit", "-qm", "binary only")
	for _, cmd := range []string{"scan", "history"} {
		code, out, errs := runCLI(t, cmd, dir)
		if code != 0 || strings.Contains(out, "note:") || !strings.Contains(out, "skipped 1 (binary 1)") {
			t.Errorf("%s (binary only): exit %d, want 0, a count and no note\n%s%s", cmd, code, out, errs)
		}
	}

	writeFile(t, dir, "assets/data.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:"+strings.Repeat("ab", 32)+"\nsize 12\n")
	git("add", ".")
	git("commit", "-qm", "lfs")
	commit := gitHead(t, dir)
	for _, cmd := range []string{"scan", "staged", "history"} {
		code, out, errs := runCLI(t, cmd, dir)
		want := `note: 1 path not scanned (lfs_missing 1): --verbose (or the "skipped" list of -f json) names it`
		if cmd == "staged" {
			// staged reads what is staged against HEAD: nothing new.
			if code != 0 || strings.Contains(out, "note:") {
				t.Errorf("staged: exit %d, want 0 and no note\n%s%s", code, out, errs)
			}
			continue
		}
		if code != 0 || !strings.Contains(out, want+"\n") || strings.Contains(out, "assets/data.bin") {
			t.Errorf("%s: exit %d, want 0 and the line %q (not the path)\n%s%s", cmd, code, want, out, errs)
		}
		code, out, errs = runCLI(t, cmd, "--verbose", dir)
		where := "assets/data.bin  lfs_missing"
		if cmd == "history" {
			where += "  blob "
		}
		if code != 0 || strings.Contains(out, "note:") || !strings.Contains(out, where) {
			t.Errorf("%s --verbose: exit %d, want 0 and %q listed\n%s%s", cmd, code, where, out, errs)
		}
		if cmd == "history" && !strings.Contains(out, " in commit "+commit[:12]) {
			t.Errorf("history --verbose: the skip does not name commit %s\n%s", commit[:12], out)
		}
	}
}
