package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/scanner"
)

func TestGitHubGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := GitHub(&buf, fixtureResult()); err != nil {
		t.Fatal(err)
	}
	CheckGolden(t, "findings.github", buf.Bytes())

	buf.Reset()
	if err := GitHubSummary(&buf, fixtureResult(), SummaryOptions{ScopeMarkdown: "pull request commits 0123456789ab..fedcba987654"}); err != nil {
		t.Fatal(err)
	}
	CheckGolden(t, "findings.summary.md", buf.Bytes())

	buf.Reset()
	if err := GitHubSummary(&buf, emptyResult(), SummaryOptions{ScopeMarkdown: "the full history"}); err != nil {
		t.Fatal(err)
	}
	CheckGolden(t, "empty.summary.md", buf.Bytes())
}

func TestWorkflowCommandEscaping(t *testing.T) {
	for _, c := range []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"50% off", "50%25 off", "50%25 off"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"x:y,z", "x:y,z", "x%3Ay%2Cz"},
		{"%0A", "%250A", "%250A"},
	} {
		if got := escape.WorkflowData(c.in); got != c.data {
			t.Errorf("WorkflowData(%q) = %q, want %q", c.in, got, c.data)
		}
		if got := escape.WorkflowProperty(c.in); got != c.prop {
			t.Errorf("WorkflowProperty(%q) = %q, want %q", c.in, got, c.prop)
		}
	}
}

// Every finding is one line: a message with newlines must not end the
// command early, and a path with ":" or "," must not end a property.
func TestGitHubOneLinePerFinding(t *testing.T) {
	var buf bytes.Buffer
	res := fixtureResult()
	if err := GitHub(&buf, res); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	// One per finding, one per skip that may hold text (issue 11: the
	// fixture's too_large and lfs_missing), and the summary.
	if len(lines) != len(res.Findings)+2+1 {
		t.Fatalf("got %d lines, want one per finding, one per warned skip and the summary:\n%s", len(lines), buf.String())
	}
	if !strings.HasPrefix(lines[1], "::error file=dir%2C with%3A odd%25chars/old.yaml,line=7,col=9,") {
		t.Errorf("path not escaped as a property: %s", lines[1])
	}
	if strings.Contains(lines[2], "line=") {
		t.Errorf("a finding without a line got one: %s", lines[2])
	}
}

func TestSummaryEscapesMarkdown(t *testing.T) {
	res := &scanner.Result{Findings: []scanner.Finding{{RuleID: "r", Severity: "high", Path: "a|b*c.md", Line: 1, Column: 1, Secret: "x`y"}}}
	var buf bytes.Buffer
	if err := GitHubSummary(&buf, res, SummaryOptions{MaxRows: 1}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "| `a\\|b*c.md:1:1` |") || !strings.Contains(buf.String(), "``x`y``") {
		t.Errorf("table cells not escaped:\n%s", buf.String())
	}
}

// Issue 13: advice-level findings must not use up GitHub's cap on error
// annotations: critical and high are errors, medium a warning, low a notice.
func TestGitHubAnnotationLevels(t *testing.T) {
	res := &scanner.Result{Source: "worktree"}
	for _, sev := range []string{"critical", "high", "medium", "low"} {
		res.Findings = append(res.Findings, scanner.Finding{RuleID: "r-" + sev, Title: "t", Severity: sev, Path: sev + ".txt"})
	}
	var buf bytes.Buffer
	if err := GitHub(&buf, res); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"::error file=critical.txt,", "::error file=high.txt,", "::warning file=medium.txt,", "::notice file=low.txt,"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("missing %q in\n%s", want, buf.String())
		}
	}
}
