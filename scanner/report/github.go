package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/internal/redact"
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
		ew.printf("::warning title=%s::%s\n", escape.WorkflowProperty("clayscan: shallow clone"),
			escape.WorkflowData("history before the shallow boundary was not scanned; use actions/checkout with fetch-depth: 0"))
	}
	for _, f := range res.Findings {
		ew.printf("::%s %s::%s\n", AnnotationLevel(f.Severity), annotationProperties(f), escape.WorkflowData(annotationMessage(f)))
	}
	for _, e := range res.Errors {
		ew.printf("::error title=%s::%s\n", escape.WorkflowProperty("clayscan: unreadable"), escape.WorkflowData(escape.Text(redact.String(e.Error()))))
	}
	if res.Failure != "" {
		ew.printf("::error title=%s::%s\n", escape.WorkflowProperty("clayscan: scan failed"), escape.WorkflowData(escape.Text(res.Failure)))
	}
	// Content that may hold a key but was not scanned (an LFS object not
	// fetched, a file over --max-file-size, an unmerged path) is a warning
	// on its path; GitHub shows ten per step, the job summary lists more.
	for _, s := range notScannedWarnings(res.Skipped) {
		props := "title=" + escape.WorkflowProperty("clayscan: not scanned ("+string(s.Reason)+")")
		if s.Repository == "" {
			props = "file=" + escape.WorkflowProperty(escape.Path(s.Path)) + "," + props
		}
		ew.printf("::warning %s::%s\n", props, escape.WorkflowData(escape.Text(skipText(s))))
	}
	ew.printf("%s\n", SummaryLine(res, false))
	return ew.err
}

// notScannedWarnings are the skips worth a warning: content that may hold
// text (binary files, symlinks and submodules hold none of this
// repository's text).
func notScannedWarnings(skips []scanner.Skipped) []scanner.Skipped {
	var out []scanner.Skipped
	for _, s := range skips {
		switch s.Reason {
		case scanner.SkipTooLarge, scanner.SkipLFSMissing, "unmerged":
			out = append(out, s)
		}
	}
	return out
}

// skipText says what was not scanned and why, in one line.
func skipText(s scanner.Skipped) string {
	var b strings.Builder
	b.WriteString(s.Path)
	if s.Repository != "" {
		b.WriteString(" in repository " + s.Repository)
	}
	switch s.Reason {
	case scanner.SkipTooLarge:
		b.WriteString(" was not scanned: larger than --max-file-size")
	case scanner.SkipLFSMissing:
		b.WriteString(" was not scanned: its Git LFS object is not in the local store (git lfs fetch --all)")
	case "unmerged":
		b.WriteString(" was not scanned: it has merge conflicts")
	default:
		b.WriteString(" was not scanned: " + string(s.Reason))
	}
	if s.Blob != "" {
		b.WriteString(" (blob " + short(s.Blob))
		if s.Commit != "" {
			b.WriteString(" in commit " + short(s.Commit))
		}
		b.WriteString(")")
	}
	return b.String()
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
		return "title=" + escape.WorkflowProperty(fmt.Sprintf("clayscan %s: %s (%s)", escape.Text(f.RuleID), escape.Text(f.Title), escape.Text(f.Path)))
	}
	// The runner needs the real path to place the annotation; a path it
	// could not show safely (control bytes, "##[") is given quoted, and the
	// annotation then stands without a file.
	props := []string{"file=" + escape.WorkflowProperty(escape.Path(f.Path))}
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
	props = append(props, "title="+escape.WorkflowProperty(fmt.Sprintf("clayscan %s: %s", escape.Text(f.RuleID), escape.Text(f.Title))))
	return strings.Join(props, ",")
}

func annotationMessage(f scanner.Finding) string {
	msg := findingMessage(f, escape.Text)
	if f.Guidance != "" {
		msg += "\n\n" + strings.Join(escape.Lines(f.Guidance), "\n")
	}
	return msg
}

// SummaryOptions tune the Markdown job summary.
type SummaryOptions struct {
	// Scope says what was scanned, e.g. "pull request commits a1b2..c3d4",
	// as plain text (escaped here).
	Scope string
	// ScopeMarkdown, when set, replaces Scope with Markdown in which the
	// caller has escaped untrusted names (escape.MarkdownCode).
	ScopeMarkdown string
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
	switch {
	case res.Failure != "":
		ew.printf("## clayscan: error, the scan is incomplete (%d finding%s)\n\n%s\n\n", n, plural(n), escape.MarkdownText(res.Failure))
	case n == 0:
		ew.printf("## clayscan: no Clay credentials found\n\n")
	default:
		ew.printf("## clayscan: %d finding%s\n\n", n, plural(n))
	}
	if scope := opts.scopeMarkdown(); scope != "" {
		ew.printf("Scanned %s.\n\n", scope)
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
			// Names from the repository go in code spans: no markup,
			// link, autolink, mention or HTML inside.
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
			ew.printf("| %s | %s | %s | %s | %s |\n", escape.MarkdownText(f.Severity), escape.MarkdownCode(f.RuleID, true),
				escape.MarkdownCode(loc, true), escape.MarkdownCode(f.Secret, true), escape.MarkdownText(commit))
		}
		if n > max {
			ew.printf("\n…and %d more: see the job log or the SARIF report.\n", n-max)
		}
		ew.printf("\n")
		fs := res.Findings
		writeGuidanceMarkdown(ew, guidanceBlocks(len(fs), func(i int) (string, string, string) { return fs[i].RuleID, fs[i].Path, fs[i].Guidance }), mdName)
	}
	if len(res.Errors) > 0 {
		ew.printf("%d file(s) could not be read: the scan is incomplete.\n\n", len(res.Errors))
	}
	if warn := notScannedWarnings(res.Skipped); len(warn) > 0 {
		ew.printf("**Not scanned (%d):**\n\n", len(warn))
		for i, s := range warn {
			if i == 50 {
				ew.printf("- …and %d more: see the JSON or SARIF report.\n", len(warn)-i)
				break
			}
			ew.printf("- %s\n", escape.MarkdownText(skipText(s)))
		}
		ew.printf("\n")
	}
	// The summary line is clayscan's own words and counts: no escaping.
	ew.printf("%s\n", SummaryLine(res, false))
	return ew.err
}

// writeGuidanceMarkdown prints each guidance group once, under a bold
// heading whose rule IDs and paths name shows escaped, and each line of its
// blocks as Markdown text (escape.MarkdownText).
func writeGuidanceMarkdown(ew *errWriter, groups []*guidanceGroup, name func(string) string) {
	for _, g := range groups {
		ew.printf("**What to do about %s:**\n\n", g.title(name, name))
		for _, b := range g.blocks {
			for _, line := range strings.Split(b.text, "\n") {
				ew.printf("%s\n", escape.MarkdownText(line))
			}
			ew.printf("\n")
		}
	}
}

func (o SummaryOptions) scopeMarkdown() string {
	if o.ScopeMarkdown != "" {
		return o.ScopeMarkdown
	}
	return mdText(o.Scope)
}

// mdText escapes untrusted text in Markdown (escape.MarkdownText).
func mdText(s string) string { return escape.MarkdownText(s) }

// mdCode shows an untrusted name as a code span that is safe in a table
// cell (escape.MarkdownCode).
func mdCode(s string) string { return escape.MarkdownCode(s, true) }

// mdName shows a rule ID or path in Markdown text as a code span.
func mdName(s string) string { return escape.MarkdownCode(s, false) }
