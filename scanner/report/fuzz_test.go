package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/report"
)

var sarifSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	f, err := os.Open("../../testdata/sarif-schema-2.1.0.json")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		return nil, err
	}
	return c.Compile("sarif.json")
})

// FuzzReports gives every writer findings whose repository strings are
// arbitrary (issue 12): JSON always parses and keeps the path, SARIF always
// validates against the 2.1.0 schema, the github format is one workflow
// command per line (and then the summary), and no text format holds a
// control character.
func FuzzReports(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(s, "title "+s, "rule-x", s, "guidance\n"+s, 3, 7, "high")
	}
	f.Add("", "", "", "", "", 0, 0, "")
	f.Add("a.env", "T", "r", "Ada", "", -1, -5, "critical")
	f.Fuzz(func(t *testing.T, path, title, ruleID, author, guidance string, line, col int, severity string) {
		fd := scanner.Finding{
			RuleID: ruleID, Title: title, Severity: severity, Path: path, Line: line, Column: col, EndColumn: col + 5,
			Commit: "0123456789abcdef0123456789abcdef01234567", Author: author, Email: author, Date: author,
			Secret: scanner.Mask(skLive), Fingerprint: ruleID + ":0011223344556677", Guidance: guidance, GitignoreRule: author,
		}
		sup := fd
		sup.SuppressedBy = guidance
		res := &scanner.Result{
			Source:     "history",
			Findings:   []scanner.Finding{fd, fd},
			Suppressed: []scanner.Finding{sup},
			Errors:     []*scanner.ScanError{{Path: path, Err: errors.New(author)}},
			// What other writers add: the list of what was not scanned,
			// the repositories of a sweep, each with untrusted names.
			Skipped:      []scanner.Skipped{{Repository: author, Path: path, Blob: title, Commit: ruleID, Reason: scanner.SkipReason(guidance)}},
			Repositories: []scanner.RepoResult{{Repository: path, Error: author}, {Repository: title}},
			Summary:      scanner.Summary{Findings: 2, Skipped: map[scanner.SkipReason]int64{scanner.SkipReason(severity): 1}},
		}

		var js bytes.Buffer
		if err := report.JSON(&js, res, report.Tool{Name: "clayscan", Version: "fuzz"}, report.JSONOptions{}); err != nil {
			t.Fatal(err)
		}
		var back struct{ Findings []scanner.Finding }
		if err := json.Unmarshal(js.Bytes(), &back); err != nil {
			t.Fatalf("JSON does not parse: %v\n%s", err, js.Bytes())
		}
		if len(back.Findings) != 2 || back.Findings[0].Path != string([]rune(path)) {
			t.Fatalf("JSON path %q, want %q", back.Findings[0].Path, path)
		}

		var sarif bytes.Buffer
		if err := report.SARIF(&sarif, res, report.Tool{Name: "clayscan", Version: "fuzz"}); err != nil {
			t.Fatal(err)
		}
		sch, err := sarifSchema()
		if err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(sarif.Bytes()))
		if err != nil {
			t.Fatalf("SARIF is not JSON: %v", err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Fatalf("SARIF does not validate: %v\n%s", err, sarif.Bytes())
		}

		var gh bytes.Buffer
		if err := report.GitHub(&gh, res); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(gh.String(), "\n"), "\n")
		if want := len(res.Findings) + len(res.Errors) + 1; len(lines) != want {
			t.Fatalf("github: %d lines, want %d:\n%s", len(lines), want, gh.String())
		}
		for _, l := range lines[:len(lines)-1] {
			if !strings.HasPrefix(l, "::error ") && !strings.HasPrefix(l, "::warning ") && !strings.HasPrefix(l, "::notice ") {
				t.Fatalf("github: not an annotation: %q", l)
			}
		}

		var text, md bytes.Buffer
		if err := report.Text(&text, res, report.TextOptions{Verbose: true}); err != nil {
			t.Fatal(err)
		}
		if err := report.GitHubSummary(&md, res, report.SummaryOptions{Scope: path}); err != nil {
			t.Fatal(err)
		}
		for name, out := range map[string]string{"json": js.String(), "sarif": sarif.String(), "github": gh.String(), "text": text.String(), "summary": md.String()} {
			if strings.ContainsAny(out, "\x1b\r\x00\u009b\u202e") {
				t.Fatalf("%s holds a control character:\n%q", name, out)
			}
			if strings.Contains(out, "##[") {
				t.Fatalf("%s holds a legacy workflow command", name)
			}
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(strings.TrimLeft(l, " \t"), "::") && name != "github" {
					t.Fatalf("%s: line reads as a workflow command: %q", name, l)
				}
			}
		}
	})
}
