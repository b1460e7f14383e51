package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Issue 11: a report whose scan failed (its JSON "error") never merges into
// a clean-looking result, and what the scans did not scan stays named, with
// its repository, through clayscan merge.
func TestMergeCarriesFailedScanAndSkips(t *testing.T) {
	key := fakeKeys()["SK_LIVE"]
	reports := t.TempDir()

	// api: a key, then an object lost from the store: the history scan
	// fails (exit 2) and its report says why.
	api, git := detectRepo(t)
	writeFile(t, api, "config/prod.env.example", "CLAY_KEY="+key+"\n")
	writeFile(t, api, "notes.txt", "some notes\n")
	git("add", ".")
	git("commit", "-qm", "one")
	commit := gitHead(t, api)
	blob := revParse(t, api, "HEAD:notes.txt")
	if err := os.Remove(filepath.Join(api, ".git", "objects", blob[:2], blob[2:])); err != nil {
		t.Fatal(err)
	}
	apiReport := filepath.Join(reports, "api.json")
	if code, _, errs := runCLI(t, "history", "-f", "json", "--show-secrets", "-o", apiReport, api); code != 2 {
		t.Fatalf("history api: exit %d, want 2\n%s", code, errs)
	}

	// docs: clean, with a Git LFS pointer whose object is not here.
	docs, git2 := detectRepo(t)
	writeFile(t, docs, "assets/data.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:"+strings.Repeat("ab", 32)+"\nsize 12\n")
	git2("add", ".")
	git2("commit", "-qm", "lfs")
	docsReport := filepath.Join(reports, "docs.json")
	if code, _, errs := runCLI(t, "history", "-f", "json", "-o", docsReport, docs); code != 0 {
		t.Fatalf("history docs: exit %d, want 0\n%s", code, errs)
	}

	// Every format: exit 2, the failed report named on stderr.
	for _, format := range mergeFormatNames {
		code, out, errs := runCLI(t, "merge", "-f", format, apiReport, docsReport)
		if code != 2 {
			t.Errorf("merge -f %s: exit %d, want 2\n%s", format, code, errs)
		}
		if !strings.Contains(errs, `report "`+apiReport+`" (repository "api")`) {
			t.Errorf("merge -f %s: stderr does not name the failed report:\n%s", format, errs)
		}
		plain := strings.ReplaceAll(out, `\`, "")
		if !strings.Contains(plain, "api") || !strings.Contains(plain, "assets/data.bin") {
			t.Errorf("merge -f %s: the report does not name the failed report and the skipped path:\n%s", format, out)
		}
	}

	code, out, _ := runCLI(t, "merge", "-f", "json", apiReport, docsReport)
	var doc struct {
		Findings []struct {
			Repository, Path, Commit string
			RuleID                   string `json:"rule_id"`
			Line                     int
		}
		Failures []struct{ Report, Repository, Error string }
		Skipped  []struct{ Repository, Path, Commit, Reason string }
		Summary  struct {
			FailedReports int   `json:"failed_reports"`
			NotScanned    int64 `json:"not_scanned"`
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("merge -f json: %v\n%s", err, out)
	}
	if code != 2 || len(doc.Findings) != 1 {
		t.Fatalf("merge -f json: exit %d, findings %+v; want 2 and the key found before the scan stopped", code, doc.Findings)
	}
	if f := doc.Findings[0]; f.RuleID != "clay-sk-live-key" || f.Repository != "api" || f.Path != "config/prod.env.example" || f.Line != 1 || f.Commit != commit {
		t.Errorf("finding: got %+v, want clay-sk-live-key api:config/prod.env.example:1 at %s", f, commit)
	}
	if len(doc.Failures) != 1 || doc.Failures[0].Report != apiReport || doc.Failures[0].Repository != "api" || doc.Failures[0].Error == "" || doc.Summary.FailedReports != 1 {
		t.Errorf("failures: got %+v (summary %d)", doc.Failures, doc.Summary.FailedReports)
	}
	docsCommit := gitHead(t, docs)
	if len(doc.Skipped) != 1 || doc.Skipped[0] != (struct{ Repository, Path, Commit, Reason string }{"docs", "assets/data.bin", docsCommit, "lfs_missing"}) || doc.Summary.NotScanned != 1 {
		t.Errorf("skipped: got %+v (not_scanned %d), want docs assets/data.bin at %s lfs_missing", doc.Skipped, doc.Summary.NotScanned, docsCommit)
	}

	// Merged again (per chunk, then per organisation), still failed.
	all := filepath.Join(reports, "all.json")
	if err := os.WriteFile(all, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCLI(t, "merge", all); code != 2 || !strings.Contains(errs, fmt.Sprintf("report %q", apiReport)) {
		t.Errorf("merge of the merged report: exit %d, want 2 naming %s\n%s", code, apiReport, errs)
	}
	// The clean report alone merges clean: the skip is named, not an error.
	if code, out, errs := runCLI(t, "merge", docsReport); code != 0 || !strings.Contains(out, "assets/data.bin") {
		t.Errorf("merge docs: exit %d, want 0 naming assets/data.bin\n%s\n%s", code, out, errs)
	}
}
