package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/internal/testutil"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/report"
)

// hostileStrings are names an attacker controls: file names, ref names,
// commit messages, author names, rule titles from a config (issue 12).
var hostileStrings = []string{
	"x\n::stop-commands::pwned",
	"::add-mask::visible",
	"  ::error file=x::fake",
	"ok\r::warning::cr",
	"see ##[add-mask]secret",
	"a\x1b[2J\x1b[31mred",
	"\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
	"[click](https://evil.example) <img src=x onerror=alert(1)> www.evil.example @org/team",
	"a|b`c``d",
	"rtl\u202egnp.exe\xff",
	"\u009b31m c1 csi",
}

// hostileResult puts every hostile string in every field that comes from
// the repository or its config.
func hostileResult() *scanner.Result {
	res := &scanner.Result{Source: "history", Summary: scanner.Summary{Skipped: map[scanner.SkipReason]int64{}}}
	no := false
	for i, s := range hostileStrings {
		f := finding("rule-"+s, "title "+s, "high", s, i+1, 1, skLive)
		f.Commit = "0123456789abcdef0123456789abcdef01234567"
		f.Author, f.Email, f.Date = s, s, "2024-01-02T03:04:05Z"
		f.GitignoreRule = s
		f.Guidance = "guidance " + s + "\n" + s
		f.InHead = &no
		res.Findings = append(res.Findings, f)
		res.Errors = append(res.Errors, &scanner.ScanError{Path: s, Err: errors.New("bad " + s)})
	}
	res.Summary.Findings = len(res.Findings)
	return res
}

// checkOutputSafe fails on a raw secret, or on anything a runner or a
// terminal would act on (testutil.InjectionProblems); the writer's own
// annotations are allowed only where annotations is set.
func checkOutputSafe(t *testing.T, what, out string, annotations bool) {
	t.Helper()
	for _, p := range testutil.InjectionProblems(out, annotations) {
		t.Errorf("%s: %s", what, p)
	}
	if strings.Contains(out, skLive) {
		t.Errorf("%s: raw secret in output", what)
	}
}

// Issue 12: no report format lets a repository string start or end a line,
// hold a terminal escape, or inject markup.
func TestHostileNamesEveryFormat(t *testing.T) {
	res := hostileResult()
	var text, gh, sum, js, sarif bytes.Buffer
	if err := report.Text(&text, res, report.TextOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	checkOutputSafe(t, "text", text.String(), false)
	if err := report.GitHub(&gh, res); err != nil {
		t.Fatal(err)
	}
	checkOutputSafe(t, "github", gh.String(), true)
	lines := strings.Split(strings.TrimSuffix(gh.String(), "\n"), "\n")
	if want := len(res.Findings) + len(res.Errors) + 1; len(lines) != want {
		t.Errorf("github: %d lines, want %d (one per finding and error, and the summary)", len(lines), want)
	}
	if err := report.GitHubSummary(&sum, res, report.SummaryOptions{}); err != nil {
		t.Fatal(err)
	}
	checkOutputSafe(t, "summary", sum.String(), false)
	// Outside code spans, markup characters are backslash-escaped.
	if m := testutil.LiveMarkup(sum.String()); m != "" {
		t.Errorf("summary: %q is live markup:\n%s", m, sum.String())
	}
	if err := report.JSON(&js, res, report.Tool{Name: "clayscan"}, report.JSONOptions{Verbose: true}); err != nil {
		t.Fatal(err)
	}
	checkOutputSafe(t, "json", js.String(), false)
	var back struct{ Findings []scanner.Finding }
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	// JSON keeps the names exact: the encoder escapes them.
	if back.Findings[0].Path != hostileStrings[0] {
		t.Errorf("json path = %q, want %q", back.Findings[0].Path, hostileStrings[0])
	}
	if err := report.SARIF(&sarif, res, report.Tool{Name: "clayscan"}); err != nil {
		t.Fatal(err)
	}
	checkOutputSafe(t, "sarif", sarif.String(), false)
	var log struct {
		Runs []struct {
			Results []struct{ Message struct{ Text string } }
		}
	}
	if err := json.Unmarshal(sarif.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Results {
		if strings.Contains(r.Message.Text, "](") && !strings.Contains(r.Message.Text, `\](`) {
			t.Errorf("sarif message holds a live embedded link: %q", r.Message.Text)
		}
	}
}
