package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clayscan/clayscan/scanner"
)

// GitHub writes res as GitHub Actions workflow commands: one
// "::error file=…,line=…,col=…,title=…::message" per finding, so the runner
// annotates the file (and the pull request diff), then the summary line.
// The command follows the severity (AnnotationLevel): advice does not use
// up the runner's cap on error annotations.
// Secrets appear as the findings carry them: masked unless --show-secrets.
func GitHub(w io.Writer, res *scanner.Result) error {
	ew := &errWriter{w: w}
	if res.Summary.Shallow {
		ew.printf("::warning title=%s::%s\n", escapeProperty("clayscan: shallow clone"),
			escapeData("history before the shallow boundary was not scanned; use actions/checkout with fetch-depth: 0"))
	}
	for _, f := range res.Findings {
		ew.printf("::%s %s::%s\n", AnnotationLevel(f.Severity), annotationProperties(f), escapeData(annotationMessage(f)))
	}
	for _, e := range res.Errors {
		ew.printf("::error title=%s::%s\n", escapeProperty("clayscan: unreadable"), escapeData(e.Error()))
	}
	ew.printf("%s\n", SummaryLine(res, false))
	return ew.err
}

// AnnotationLevel is the workflow command for a finding's severity:
// critical and high are errors, medium a warning, low a notice.
func AnnotationLevel(severity string) string {
	switch severity {
	case "medium":
		return "warning"
	case "low":
		return "notice"
	}
	return "error"
}

func annotationProperties(f scanner.Finding) string {
	if f.Kind != "" {
		// A message is no file: an annotation without one shows on the
		// run, not on a line of a file that does not exist.
		return "title=" + escapeProperty(fmt.Sprintf("clayscan %s: %s (%s)", f.RuleID, f.Title, f.Path))
	}
	props := []string{"file=" + escapeProperty(f.Path)}
	if f.Line > 0 {
		props = append(props, fmt.Sprintf("line=%d", f.Line))
		if f.Column > 0 {
			props = append(props, fmt.Sprintf("col=%d", f.Column))
			if f.EndColumn > f.Column {
				// Annotations take an inclusive end column.
				props = append(props, fmt.Sprintf("endColumn=%d", f.EndColumn-1))
			}
		}
	}
	props = append(props, "title="+escapeProperty(fmt.Sprintf("clayscan %s: %s", f.RuleID, f.Title)))
	return strings.Join(props, ",")
}

func annotationMessage(f scanner.Finding) string {
	msg := findingMessage(f)
	if f.Guidance != "" {
		msg += "\n\n" + f.Guidance
	}
	return msg
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value, where ":"
// and "," also delimit.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// SummaryOptions tune the Markdown job summary.
type SummaryOptions struct {
	// Scope says what was scanned, e.g. "pull request commits a1b2..c3d4".
	Scope string
	// MaxRows caps the findings table (GitHub limits a step summary to
	// 1 MiB); 0 means 100.
	MaxRows int
}

// GitHubSummary writes a Markdown job summary for $GITHUB_STEP_SUMMARY: a
// headline, what was scanned, a table of findings (masked secrets) and each
// rule's guidance once.
func GitHubSummary(w io.Writer, res *scanner.Result, opts SummaryOptions) error {
	ew := &errWriter{w: w}
	n := len(res.Findings)
	if n == 0 {
		ew.printf("## clayscan: no Clay credentials found\n\n")
	} else {
		ew.printf("## clayscan: %d finding%s\n\n", n, plural(n))
	}
	if opts.Scope != "" {
		ew.printf("Scanned %s.\n\n", mdText(opts.Scope))
	}
	if res.Summary.Shallow {
		ew.printf("> [!WARNING]\n> This is a shallow clone: history before the shallow boundary was not scanned. Use `actions/checkout` with `fetch-depth: 0`.\n\n")
	}
	if n > 0 {
		max := opts.MaxRows
		if max <= 0 {
			max = 100
		}
		ew.printf("| Severity | Rule | Location | Secret | Commit |\n|---|---|---|---|---|\n")
		for i, f := range res.Findings {
			if i == max {
				break
			}
			loc := f.Path
			if f.Line > 0 {
				loc = fmt.Sprintf("%s:%d:%d", f.Path, f.Line, f.Column)
			}
			commit := ""
			if f.Commit != "" {
				commit = short(f.Commit)
				if f.InHead != nil && !*f.InHead {
					commit += " (removed from HEAD)"
				}
			}
			ew.printf("| %s | %s | %s | %s | %s |\n", mdText(f.Severity), mdText(f.RuleID), mdText(loc), mdCode(f.Secret), mdText(commit))
		}
		if n > max {
			ew.printf("\n…and %d more: see the job log or the SARIF report.\n", n-max)
		}
		ew.printf("\n")
		seen := map[string]bool{}
		for _, f := range res.Findings {
			if seen[f.RuleID] || f.Guidance == "" {
				continue
			}
			seen[f.RuleID] = true
			ew.printf("**What to do about %s:**\n\n", mdText(f.RuleID))
			for _, line := range strings.Split(f.Guidance, "\n") {
				ew.printf("%s\n", mdText(line))
			}
			ew.printf("\n")
		}
	}
	if len(res.Errors) > 0 {
		ew.printf("%d file(s) could not be read: the scan is incomplete.\n\n", len(res.Errors))
	}
	ew.printf("%s\n", mdText(SummaryLine(res, false)))
	return ew.err
}

// mdText escapes s for a Markdown table cell or inline text (never the
// start of a block: callers put it after other text or in a cell).
func mdText(s string) string {
	s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]<>|~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// mdCode shows s as inline code unless it holds a backtick.
func mdCode(s string) string {
	if s == "" || strings.ContainsAny(s, "`|\r\n") {
		return mdText(s)
	}
	return "`" + s + "`"
}
