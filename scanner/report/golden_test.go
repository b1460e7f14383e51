package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/clayscan/clayscan/scanner"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// goldenDir holds every report's golden files.
const goldenDir = "../../testdata/golden"

// CheckGolden compares got with testdata/golden/name, or rewrites it with
// -update. It is exported for the external test package (report_test).
func CheckGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join(goldenDir, name)
	if *update {
		if err := os.MkdirAll(goldenDir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run go test ./scanner/report -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test ./scanner/report -update and review the diff)\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

// fixtureResult is a result with one finding of each kind a report must
// render: a working-tree key, a history key removed from HEAD, a policy
// finding without a line, and a path that needs escaping. Keys are built
// at run time so the repository never holds one.
func fixtureResult() *scanner.Result {
	live := "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	ent := "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"
	no := false
	guidance := "Rotate this key now: once committed, it is leaked.\nThen remove it from the code."
	fs := []scanner.Finding{
		{
			RuleID: "fixture-sk-live-key", Title: "Clay API key", Severity: "critical",
			Path: "config/app.env", Line: 3, Column: 15, EndColumn: 15 + len(live),
			Secret: scanner.Mask(live), Fingerprint: scanner.Fingerprint("fixture-sk-live-key", live), Guidance: guidance,
		},
		{
			RuleID: "fixture-enterprise-key", Title: "Clay enterprise key", Severity: "high",
			Path: "dir, with: odd%chars/old.yaml", Line: 7, Column: 9, EndColumn: 9 + len(ent),
			Commit: "0123456789abcdef0123456789abcdef01234567", Author: "Ada Lovelace", Email: "ada@example.com",
			Date: "2024-01-02T03:04:05Z", InHead: &no,
			Secret: scanner.Mask(ent), Fingerprint: scanner.Fingerprint("fixture-enterprise-key", ent), Guidance: guidance,
			Decoded: "base64,percent", // issue 11: found by decoding
		},
		{
			RuleID: "env-file-tracked", Title: "A .env file is tracked by git", Severity: "medium",
			Path: ".env", GitignoreRule: ".gitignore:3:!.env",
			Fingerprint: "env-file-tracked:00112233aabbccdd", Guidance: "Untrack it with git rm --cached .env and add it to .gitignore.",
		},
		{
			RuleID: "fixture-sk-live-key", Title: "Clay API key", Severity: "critical",
			Path: "tag v1.0 message", Line: 2, Column: 6, EndColumn: 6 + len(live), Kind: scanner.KindTagMessage,
			Commit: "fedcba9876543210fedcba9876543210fedcba98", Author: "Ada Lovelace", Email: "ada@example.com", Date: "2024-01-02T03:04:05Z",
			Secret: scanner.Mask(live), Fingerprint: scanner.Fingerprint("fixture-sk-live-key", live), Guidance: guidance,
		},
	}
	return &scanner.Result{
		Source:   "history",
		Findings: fs,
		// Issue 11: what was not scanned is listed by path (and blob and
		// commit in history); binary skips are counted only.
		Skipped: []scanner.Skipped{
			{Path: "assets/big, odd%name.json", Blob: "89abcdef0123456789abcdef0123456789abcdef", Commit: "0123456789abcdef0123456789abcdef01234567", Reason: scanner.SkipTooLarge},
			{Path: "media/video.mp4", Blob: "fedcba9876543210fedcba9876543210fedcba98", Commit: "0123456789abcdef0123456789abcdef01234567", Reason: scanner.SkipLFSMissing},
		},
		Summary: scanner.Summary{
			FilesScanned: 12, BytesScanned: 3456, Findings: len(fs), Commits: 4, Refs: 2, Blobs: 12,
			Skipped:         map[scanner.SkipReason]int64{scanner.SkipBinary: 1, scanner.SkipTooLarge: 1, scanner.SkipLFSMissing: 1},
			SkippedUnlisted: 1, DurationMS: 42,
		},
	}
}

// shallowResult is a shallow history with nothing found: every format
// must still say that history was cut short (issue 11).
func shallowResult() *scanner.Result {
	return &scanner.Result{Source: "history", Summary: scanner.Summary{
		FilesScanned: 2, BytesScanned: 20, Commits: 1, Refs: 1, Blobs: 2, Shallow: true, DurationMS: 3,
	}}
}

func emptyResult() *scanner.Result {
	return &scanner.Result{Source: "worktree", Summary: scanner.Summary{FilesScanned: 3, BytesScanned: 100, DurationMS: 5}}
}
