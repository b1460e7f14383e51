package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"

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

// CheckOutputSafe fails if out holds a line a GitHub runner would execute
// as a workflow command (other than the writer's own annotations, which
// start lines with "::error " or "::warning "), a terminal escape, or a
// raw secret.
func checkOutputSafe(t *testing.T, what, out string, annotations bool) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		trimmed := strings.TrimLeft(line, " \t")
		if strings.HasPrefix(trimmed, "::") && !(annotations && (strings.HasPrefix(line, "::error ") || strings.HasPrefix(line, "::warning ") || strings.HasPrefix(line, "::notice "))) {
			t.Errorf("%s: line reads as a workflow command: %q", what, line)
		}
		if strings.Contains(line, "##[") {
			t.Errorf("%s: line holds a legacy workflow command: %q", what, line)
		}
		if strings.ContainsAny(line, "\x1b\r\u009b\u202e") {
			t.Errorf("%s: line holds a control character: %q", what, line)
		}
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
	if m := regexp.MustCompile(`(^|[^\\])(\]\(|<img|https://|www\.|@org)`).FindString(stripCodeSpans(sum.String())); m != "" {
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

// stripCodeSpans drops `…` spans (any fence length) from Markdown.
func stripCodeSpans(md string) string {
	var b strings.Builder
	for i := 0; i < len(md); {
		if md[i] != '`' {
			b.WriteByte(md[i])
			i++
			continue
		}
		n := 0
		for i+n < len(md) && md[i+n] == '`' {
			n++
		}
		fence := md[i : i+n]
		end := strings.Index(md[i+n:], fence)
		if end < 0 {
			b.WriteString(md[i:])
			break
		}
		i += n + end + n
	}
	return b.String()
}
