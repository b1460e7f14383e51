package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/report"
)

// Regenerate with: go test ./scanner/report -update. The flag may already
// be defined by the package's internal tests (golden_test.go).
// Fake secrets are built at test time so the repository holds none. The
// reports only ever see their masked forms (and fingerprints). Rule IDs are
// fixtures: a real ID such as clay-…-key followed by ": fingerprint" reads
// as a Clay setting, and clayscan must find nothing in its own repository.
var (
	skLive = "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	hook   = "https://api.clay.com/v3/sources/webhook/" + "pull-in-data-from-a-webhook-" + "3f9c2a7e-5b1d-4c8e-9a6f-2d7b0e4c1a95"
	ent    = "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"
)

func finding(ruleID, title, sev, path string, line, col int, secret string) scanner.Finding {
	f := scanner.Finding{
		RuleID: ruleID, Title: title, Severity: sev, Path: path, Line: line, Column: col,
		EndColumn: col + len(secret), Secret: scanner.Mask(secret),
		Fingerprint: scanner.Fingerprint(ruleID, secret), Guidance: guidance(ruleID),
	}
	f.SetRaw(secret)
	return f
}

// guidance is what the scanner gives a finding in a tracked file: the block
// about where it is, then the rule's own steps. The text report prints
// the shared block once.
func guidance(ruleID string) string {
	where := rules.ContextGuidance(rules.Context{Where: rules.InWorktree, Tracked: true})
	if ruleID == "fixture-webhook-url" {
		return where + "\n\n" + rules.GuidanceWebhookURL
	}
	return where + "\n\n" + rules.GuidanceClayKey
}

// worktreeResult is a scan of a working tree with findings from two rules
// (one of them twice), skips, a suppressed finding and an unreadable file.
func worktreeResult() *scanner.Result {
	fs := []scanner.Finding{
		finding("fixture-live-key", "Clay live secret key (sk_live_)", "critical", ".env.production", 3, 14, skLive),
		finding("fixture-webhook-url", "Clay table webhook URL", "high", "scripts/push.sh", 12, 9, hook),
		finding("fixture-live-key", "Live secret key (sk_live_): Clay or Stripe", "critical", "src/config.ts", 7, 22, skLive),
		finding("fixture-live-key", "Live secret key (sk_live_): Clay or Stripe", "critical", "k8s/secret.yaml", 5, 12, skLive),
	}
	fs[3].Decoded = "base64" // issue 11: found in a Kubernetes Secret's base64 value
	fs[3].SameSecretAs = ".env.production:3"
	sup := finding("fixture-enterprise-key", "Clay enterprise API key (clay_ent_)", "critical", "docs/example.md", 4, 1, ent)
	sup.SuppressedBy = "baseline"
	return &scanner.Result{
		Source:     "worktree",
		Root:       "/home/ada/project",
		Findings:   fs,
		Suppressed: []scanner.Finding{sup},
		Errors:     []*scanner.ScanError{{Path: "private/notes.txt", Err: errors.New("open: permission denied")}},
		// Issue 11: non-binary skips are listed; the binary ones counted.
		Skipped: []scanner.Skipped{
			{Path: "data/dump.sql", Reason: scanner.SkipTooLarge},
			{Path: "link-to-home", Reason: scanner.SkipSymlink},
			{Path: "vendor/lib", Reason: scanner.SkipSymlink},
		},
		Summary: scanner.Summary{
			FilesScanned: 1234, BytesScanned: 5<<20 + 300<<10,
			Skipped:         map[scanner.SkipReason]int64{scanner.SkipBinary: 12, scanner.SkipSymlink: 2, scanner.SkipTooLarge: 1},
			SkippedUnlisted: 12,
			Errors:          1, Findings: len(fs), Suppressed: 1, DurationMS: 187,
		},
	}
}

func historyResult() *scanner.Result {
	f := finding("fixture-live-key", "Clay live secret key (sk_live_)", "critical", "config/app.env", 2, 15, skLive)
	f.Commit = "4f8cdc2a1e0b9c7d6a5f4e3d2c1b0a9f8e7d6c5b"
	f.Author, f.Email, f.Date = "Ada Lovelace", "ada@example.com", "2024-01-02T03:04:05Z"
	no := false
	f.InHead = &no
	f.Guidance = rules.ContextGuidance(rules.Context{Where: rules.InHistory, Since: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Now: time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)}) +
		"\n\n" + rules.GuidanceClayKey
	// Issue 11: a key in a commit message, labelled and counted from the
	// message's first line.
	m := finding("fixture-live-key", "Clay live secret key (sk_live_)", "critical", "commit message", 3, 12, skLive)
	m.Kind = scanner.KindCommitMessage
	m.Commit = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f"
	m.Author, m.Email, m.Date = "Ada Lovelace", "ada@example.com", "2024-01-03T03:04:05Z"
	m.Guidance = f.Guidance
	return &scanner.Result{
		Source:   "history",
		Findings: []scanner.Finding{m, f},
		Skipped: []scanner.Skipped{{Path: "fixtures/huge.json", Blob: "a1b2c3d4e5f60718293a4b5c6d7e8f9011223344",
			Commit: "4f8cdc2a1e0b9c7d6a5f4e3d2c1b0a9f8e7d6c5b", Reason: scanner.SkipTooLarge}},
		Summary: scanner.Summary{
			FilesScanned: 2048, BytesScanned: 40 << 20, Skipped: map[scanner.SkipReason]int64{scanner.SkipTooLarge: 1},
			Findings: 2, Commits: 310, Messages: 312, Blobs: 2050, Refs: 4, DurationMS: 1532,
		},
	}
}

func cleanResult() *scanner.Result {
	return &scanner.Result{Source: "worktree", Summary: scanner.Summary{FilesScanned: 1, BytesScanned: 86, DurationMS: 3}}
}

var tool = report.Tool{Name: "clayscan", Version: "1.2.3"}

func TestGolden(t *testing.T) {
	cases := []struct {
		name  string
		write func(w *bytes.Buffer) error
	}{
		{"worktree.txt", func(w *bytes.Buffer) error { return report.Text(w, worktreeResult(), report.TextOptions{}) }},
		{"worktree-verbose.txt", func(w *bytes.Buffer) error {
			return report.Text(w, worktreeResult(), report.TextOptions{Verbose: true})
		}},
		{"worktree-color.txt", func(w *bytes.Buffer) error {
			return report.Text(w, worktreeResult(), report.TextOptions{Color: true})
		}},
		{"history.txt", func(w *bytes.Buffer) error { return report.Text(w, historyResult(), report.TextOptions{}) }},
		{"history-verbose.txt", func(w *bytes.Buffer) error {
			return report.Text(w, historyResult(), report.TextOptions{Verbose: true})
		}},
		{"clean.txt", func(w *bytes.Buffer) error { return report.Text(w, cleanResult(), report.TextOptions{}) }},
		{"worktree.json", func(w *bytes.Buffer) error {
			return report.JSON(w, worktreeResult(), tool, report.JSONOptions{})
		}},
		{"worktree-verbose.json", func(w *bytes.Buffer) error {
			return report.JSON(w, worktreeResult(), tool, report.JSONOptions{Verbose: true})
		}},
		{"history.json", func(w *bytes.Buffer) error { return report.JSON(w, historyResult(), tool, report.JSONOptions{}) }},
		{"clean.json", func(w *bytes.Buffer) error { return report.JSON(w, cleanResult(), tool, report.JSONOptions{}) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := c.write(&buf); err != nil {
				t.Fatal(err)
			}
			got := buf.Bytes()
			for _, s := range []string{skLive, hook, ent} {
				if bytes.Contains(got, []byte(s)) {
					t.Fatalf("report holds a full secret")
				}
			}
			report.CheckGolden(t, c.name, got)
		})
	}
}

// The JSON schema is a contract: every documented key is present, with
// snake_case names, in every finding and in the summary.
func TestJSONSchema(t *testing.T) {
	var buf bytes.Buffer
	if err := report.JSON(&buf, worktreeResult(), tool, report.JSONOptions{}); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"tool", "source", "findings", "summary"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("top-level key %q missing", k)
		}
	}
	var findings []map[string]any
	json.Unmarshal(doc["findings"], &findings)
	for _, k := range []string{"rule_id", "title", "severity", "path", "line", "column", "end_column", "commit", "secret", "fingerprint", "guidance"} {
		if _, ok := findings[0][k]; !ok {
			t.Errorf("finding key %q missing", k)
		}
	}
	var summary map[string]any
	json.Unmarshal(doc["summary"], &summary)
	for _, k := range []string{"files_scanned", "bytes_scanned", "skipped", "errors", "findings", "suppressed", "duration_ms"} {
		if _, ok := summary[k]; !ok {
			t.Errorf("summary key %q missing", k)
		}
	}
}

// With --show-secrets the full secret is in the report, and only then.
func TestShowSecrets(t *testing.T) {
	res := worktreeResult()
	for i := range res.Findings {
		res.Findings[i].Secret = res.Findings[i].Raw()
	}
	var buf bytes.Buffer
	if err := report.Text(&buf, res, report.TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), skLive) {
		t.Error("full secret missing from a --show-secrets report")
	}
}

func TestSummaryLine(t *testing.T) {
	for _, c := range []struct {
		res  *scanner.Result
		want string
	}{
		{cleanResult(), "Scanned 1 file (86 B) in 3ms: no findings"},
		{worktreeResult(), "Scanned 1234 files (5.3 MiB) in 187ms; skipped 15 (binary 12, symlink 2, too_large 1); 1 suppressed; 1 unreadable: 4 findings"},
	} {
		if got := report.SummaryLine(c.res, false); got != c.want {
			t.Errorf("SummaryLine = %q\nwant         %q", got, c.want)
		}
	}
}
