package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/merge"
)

// mergeFixture is three reports from three machines (issue 14): the same
// live key in two repositories (removed from HEAD in one, still at HEAD in
// the other), an enterprise key in one, and a clean repository. Two of the
// reports cover one repository each and are named by their files; one is a
// multi-repository history report. Keys are built at run time.
func mergeFixture(t *testing.T) *merge.Result {
	t.Helper()
	live := "sk_" + "live_" + "Xq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	ent := "clay_" + "ent_" + "Ab3De6Gh9Jk2Mn5Pq8St1Vw4"
	yes, no := true, false
	guidance := "Rotate this key now: once committed, it is leaked."
	finding := func(repo, rule, sev, path string, line int, secret, commit, date string, inHead *bool) scanner.Finding {
		return scanner.Finding{RuleID: rule, Title: "Clay key (" + rule + ")", Severity: sev, Repository: repo,
			Path: path, Line: line, Column: 9, EndColumn: 9 + len(secret), Commit: commit, Author: "Ada", Email: "ada@example.com",
			Date: date, InHead: inHead, Secret: scanner.Mask(secret), Fingerprint: scanner.Fingerprint(rule, secret), Guidance: guidance}
	}
	api := &scanner.Result{Source: "history", Summary: scanner.Summary{Commits: 120, Blobs: 300, FilesScanned: 290, BytesScanned: 1 << 20, Refs: 3}}
	api.Findings = []scanner.Finding{
		finding("", "fixture-live-key", "critical", "config/prod.env", 3, live, "1111111111111111111111111111111111111111", "2023-05-06T07:08:09Z", &no),
	}
	api.Summary.Findings = 1
	multi := &scanner.Result{
		Source: "history",
		Repositories: []scanner.RepoResult{
			{Repository: "org/web", Summary: scanner.Summary{Commits: 40, Blobs: 90, FilesScanned: 88, BytesScanned: 5 << 10, Findings: 2}},
			{Repository: "org/tools|odd", Summary: scanner.Summary{Commits: 7, Blobs: 9, FilesScanned: 9, BytesScanned: 512}},
		},
		Summary: scanner.Summary{Commits: 47, Blobs: 99, FilesScanned: 97, BytesScanned: 5<<10 + 512, Findings: 2},
	}
	multi.Findings = []scanner.Finding{
		finding("org/web", "fixture-live-key", "critical", "src/client.ts", 12, live, "2222222222222222222222222222222222222222", "2022-01-02T03:04:05Z", &yes),
		finding("org/web", "fixture-ent-key", "high", "deploy/values.yaml", 4, ent, "3333333333333333333333333333333333333333", "2024-02-03T04:05:06Z", &yes),
	}
	clean := &scanner.Result{Source: "history", Summary: scanner.Summary{Commits: 5, Blobs: 6, FilesScanned: 6, BytesScanned: 100,
		Skipped: map[scanner.SkipReason]int64{scanner.SkipLFSMissing: 1, scanner.SkipBinary: 2}, SkippedUnlisted: 2}}
	clean.Skipped = []scanner.Skipped{{Path: "assets/data.bin", Blob: "4444444444444444444444444444444444444444", Commit: "5555555555555555555555555555555555555555", Reason: scanner.SkipLFSMissing}}
	// A scan that failed part way (issue 11): its findings merge, and its
	// error must make the merged report partial, never clean.
	broken := &scanner.Result{Source: "history", Failure: "reading object 6666666: zlib: invalid header",
		Summary: scanner.Summary{Commits: 2, Blobs: 3, FilesScanned: 3, BytesScanned: 50, Findings: 1}}
	broken.Findings = []scanner.Finding{
		finding("", "fixture-ent-key", "high", "old.env", 1, ent, "7777777777777777777777777777777777777777", "2021-01-01T00:00:00Z", &no),
	}
	var reports []*merge.Report
	for _, in := range []struct {
		name string
		res  *scanner.Result
	}{{"reports/org_api.json", api}, {"reports/chunk-1.json", multi}, {"reports/org_docs.json", clean}, {"reports/org_broken.json", broken}} {
		var buf bytes.Buffer
		if err := JSON(&buf, in.res, Tool{Name: "clayscan", Version: "1.2.3"}, JSONOptions{}); err != nil {
			t.Fatal(err)
		}
		r, err := merge.Read(in.name, buf.Bytes())
		if err != nil {
			t.Fatalf("reading %s: %v", in.name, err)
		}
		reports = append(reports, r)
	}
	// The first report again, as a second machine would send it: its
	// finding counts once.
	reports = append(reports, reports[0])
	return merge.Merge(reports)
}

func TestMergeGolden(t *testing.T) {
	m := mergeFixture(t)
	for _, c := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"merge.json", func(b *bytes.Buffer) error { return MergedJSON(b, m, Tool{Name: "clayscan", Version: "1.2.3"}) }},
		{"merge.txt", func(b *bytes.Buffer) error { return MergedText(b, m, TextOptions{}) }},
		{"merge.md", func(b *bytes.Buffer) error { return MergedMarkdown(b, m, SummaryOptions{}) }},
		{"merge.sarif", func(b *bytes.Buffer) error { return SARIF(b, m.AsResult(), Tool{Name: "clayscan", Version: "1.2.3"}) }},
		{"merge.github", func(b *bytes.Buffer) error { return GitHub(b, m.AsResult()) }},
	} {
		var buf bytes.Buffer
		if err := c.write(&buf); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		CheckGolden(t, c.name, buf.Bytes())
	}
}

// TestMergeGroupsBySecret pins what the golden files show: one secret per
// fingerprint, with every location, the earliest date and whether any
// HEAD still holds it, worst first (issue 14).
func TestMergeGroupsBySecret(t *testing.T) {
	m := mergeFixture(t)
	if len(m.Secrets) != 2 {
		t.Fatalf("got %d secrets, want 2", len(m.Secrets))
	}
	live := m.Secrets[0]
	if live.RuleID != "fixture-live-key" || len(live.Locations) != 2 || !live.InHead || live.FirstSeen != "2022-01-02T03:04:05Z" {
		t.Errorf("live key: got %+v", live)
	}
	if got := strings.Join(live.Repositories, ","); got != "org/web,org_api" {
		t.Errorf("live key repositories: got %s", got)
	}
	if m.Summary.Reports != 5 || m.Summary.Repositories != 5 || m.Summary.Findings != 4 {
		t.Errorf("summary: got %+v", m.Summary)
	}
}

// TestMergedReportMergesAgain: a merged JSON report is itself an input, so
// sweeps can be merged in stages (per chunk, then per organisation).
func TestMergedReportMergesAgain(t *testing.T) {
	m := mergeFixture(t)
	var buf bytes.Buffer
	if err := MergedJSON(&buf, m, Tool{Name: "clayscan", Version: "1.2.3"}); err != nil {
		t.Fatal(err)
	}
	r, err := merge.Read("all.json", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	again := merge.Merge([]*merge.Report{r})
	a, _ := json.Marshal(again.Secrets)
	b, _ := json.Marshal(m.Secrets)
	if !bytes.Equal(a, b) {
		t.Errorf("secrets changed on a second merge:\n%s\n%s", a, b)
	}
	if len(again.Failures) != 1 || again.Failures[0] != m.Failures[0] || len(again.Skipped) != len(m.Skipped) {
		t.Errorf("failures or skipped changed on a second merge: %+v %+v", again.Failures, again.Skipped)
	}
	if len(again.Repositories) != len(m.Repositories) {
		t.Errorf("repositories: got %d, want %d", len(again.Repositories), len(m.Repositories))
	}
}

// TestMergeCarriesFailuresAndSkips: a report whose scan failed (its JSON
// "error") never merges into a clean-looking result, and what the scans did
// not scan stays named, with its repository (issue 11).
func TestMergeCarriesFailuresAndSkips(t *testing.T) {
	m := mergeFixture(t)
	want := merge.Failure{Report: "reports/org_broken.json", Repository: "org_broken", Error: "reading object 6666666: zlib: invalid header"}
	if len(m.Failures) != 1 || m.Failures[0] != want || m.Summary.FailedReports != 1 {
		t.Errorf("failures: got %+v (summary %d), want %+v", m.Failures, m.Summary.FailedReports, want)
	}
	if len(m.Skipped) != 1 || m.Skipped[0].Repository != "org_docs" || m.Skipped[0].Path != "assets/data.bin" ||
		m.Skipped[0].Reason != scanner.SkipLFSMissing || m.Skipped[0].Commit != "5555555555555555555555555555555555555555" {
		t.Errorf("skipped: got %+v", m.Skipped)
	}
	if m.Summary.NotScanned != 3 {
		t.Errorf("summary skipped: got %d, want 3", m.Summary.NotScanned)
	}
	res := m.AsResult()
	if !strings.Contains(res.Failure, "org_broken") || !strings.Contains(res.Failure, "zlib") {
		t.Errorf("SARIF/GitHub failure: got %q", res.Failure)
	}
	var sarif, gh, text, md bytes.Buffer
	if err := SARIF(&sarif, res, Tool{Name: "clayscan", Version: "1"}); err != nil {
		t.Fatal(err)
	}
	if err := GitHub(&gh, res); err != nil {
		t.Fatal(err)
	}
	if err := MergedText(&text, m, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := MergedMarkdown(&md, m, SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"sarif": sarif.String(), "github": gh.String(), "text": text.String(), "markdown": md.String()} {
		out = strings.ReplaceAll(out, "\\", "")
		if !strings.Contains(out, "org_broken") || !strings.Contains(out, "assets/data.bin") {
			t.Errorf("%s does not name the failed report and the skipped path:\n%s", name, out)
		}
	}
	if !strings.Contains(sarif.String(), `"executionSuccessful": false`) {
		t.Errorf("SARIF says the execution succeeded")
	}
}

func TestMergeReadRejects(t *testing.T) {
	for _, in := range []string{``, `[]`, `{"tool":{"name":"x"}}`, `{"findings":[]}`, `not json`} {
		if _, err := merge.Read("r.json", []byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}
