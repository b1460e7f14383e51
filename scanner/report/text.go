package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/fatih/color"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/internal/redact"
	"github.com/clayscan/clayscan/scanner"
)

// TextOptions tune the text report.
type TextOptions struct {
	// Color turns on ANSI colours; the CLI decides (terminal, NO_COLOR).
	Color bool
	// Verbose lists suppressed findings.
	Verbose bool
}

type palette struct {
	bold, dim, red, yellow, cyan, green *color.Color
}

func newPalette(on bool) palette {
	mk := func(a ...color.Attribute) *color.Color {
		c := color.New(a...)
		if on {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
		return c
	}
	return palette{
		bold: mk(color.Bold), dim: mk(color.Faint), red: mk(color.FgRed, color.Bold),
		yellow: mk(color.FgYellow), cyan: mk(color.FgCyan), green: mk(color.FgGreen, color.Bold),
	}
}

func (p palette) severity(s string) string {
	switch s {
	case "critical", "high":
		return p.red.Sprint(s)
	case "medium":
		return p.yellow.Sprint(s)
	}
	return p.dim.Sprint(escape.Text(s))
}

// Text writes a human report: each finding, the guidance once per rule, and
// the summary line.
func Text(w io.Writer, res *scanner.Result, opts TextOptions) error {
	p := newPalette(opts.Color)
	ew := &errWriter{w: w}
	if res.Summary.Shallow {
		ew.printf("%s this is a shallow clone: history before the shallow boundary was NOT scanned.\n", p.red.Sprint("WARNING:"))
		ew.printf("  Fetch full history first (git fetch --unshallow, or actions/checkout with fetch-depth: 0).\n\n")
	}
	writeFindings(ew, p, res.Findings, "")
	if opts.Verbose && len(res.Suppressed) > 0 {
		ew.printf("%s\n", p.bold.Sprintf("Suppressed (%d):", len(res.Suppressed)))
		writeFindings(ew, p, res.Suppressed, "  ")
	}
	writeGuidance(ew, p, res.Findings)
	for _, e := range res.Errors {
		ew.printf("%s %s\n", p.red.Sprint("error:"), escape.Text(redact.String(e.Error())))
	}
	if res.Failure != "" {
		ew.printf("%s the scan failed, so this report is partial: %s\n", p.red.Sprint("error:"), escape.Text(res.Failure))
	}
	if opts.Verbose {
		writeSkipped(ew, p, res)
	} else {
		writeSkippedHint(ew, p, res.Summary)
	}
	writeRepositories(ew, p, res.Repositories)
	ew.printf("%s\n", SummaryLine(res, opts.Color))
	return ew.err
}

func writeFindings(ew *errWriter, p palette, fs []scanner.Finding, indent string) {
	for _, f := range fs {
		// Every string from the repository or its config goes through
		// package escape: a path is C-quoted as git quotes it, and nothing
		// can end the line or read as a terminal or workflow command.
		loc := escape.Path(f.Path)
		if f.Line > 0 {
			loc = fmt.Sprintf("%s:%d:%d", loc, f.Line, f.Column)
		}
		// "path:line:col  rule  severity" first: editors and terminals
		// open path:line:col, and scripts match on this line.
		ew.printf("%s%s  %s  %s\n", indent, p.bold.Sprint(loc), p.cyan.Sprint(escape.Text(f.RuleID)), p.severity(f.Severity))
		ew.printf("%s    %s\n", indent, escape.Text(f.Title))
		field := func(name, value string) { ew.printf("%s    %s: %s\n", indent, name, escape.Text(value)) }
		if f.Repository != "" {
			field("repository", f.Repository)
		}
		if f.Secret != "" {
			field("secret", f.Secret)
		}
		if f.SameSecretAs != "" {
			field("same secret as", f.SameSecretAs)
		}
		if f.Decoded != "" {
			field("decoded", f.Decoded+" (the secret is in the encoded text at this position)")
		}
		if f.Fingerprint != "" {
			ew.printf("%s    fingerprint: %s\n", indent, p.dim.Sprint(escape.Text(f.Fingerprint)))
		}
		if f.GitignoreRule != "" {
			field("decided by", f.GitignoreRule)
		}
		if f.Commit != "" {
			name := "commit"
			if f.Kind == scanner.KindTagMessage {
				name = "tag object"
			}
			field(name, fmt.Sprintf("%s by %s <%s> on %s", short(f.Commit), f.Author, f.Email, f.Date))
			if f.InHead != nil && !*f.InHead {
				ew.printf("%s    %s\n", indent, p.yellow.Sprint("removed from HEAD but still in history: rotate it"))
			}
		}
		if f.SuppressedBy != "" {
			field("suppressed by", f.SuppressedBy)
		}
		ew.printf("\n")
	}
}

// writeSkipped lists what was not scanned (--verbose): one line each,
// "path  reason", with the blob and commit in history.
func writeSkipped(ew *errWriter, p palette, res *scanner.Result) {
	if len(res.Skipped) == 0 && res.Summary.SkippedUnlisted == 0 {
		return
	}
	ew.printf("%s\n", p.bold.Sprintf("Not scanned (%d):", res.Summary.SkippedTotal()))
	for _, s := range res.Skipped {
		ew.printf("  ")
		if s.Repository != "" {
			ew.printf("%s: ", escape.Path(s.Repository))
		}
		ew.printf("%s  %s", escape.Path(s.Path), p.yellow.Sprint(escape.Text(string(s.Reason))))
		if s.Blob != "" {
			ew.printf("  blob %s", escape.Text(short(s.Blob)))
		}
		if s.Commit != "" {
			ew.printf(" in commit %s", escape.Text(short(s.Commit)))
		}
		ew.printf("\n")
	}
	if n := res.Summary.SkippedUnlisted; n > 0 {
		ew.printf("  …and %d more not listed (binary ones, listed with --verbose, or past the list's limit)\n", n)
	}
	ew.printf("\n")
}

// writeSkippedHint says, without --verbose, how many paths that may hold
// text were not scanned and how to see them: a count in the summary line
// is easy to miss (issue 11). Binary skips alone stay counted only.
func writeSkippedHint(ew *errWriter, p palette, s scanner.Summary) {
	n := s.SkippedTotal() - s.Skipped[scanner.SkipBinary]
	if n <= 0 {
		return
	}
	reasons := make([]string, 0, len(s.Skipped))
	for r, c := range s.Skipped {
		if r != scanner.SkipBinary && c > 0 {
			reasons = append(reasons, fmt.Sprintf("%s %d", r, c))
		}
	}
	sort.Strings(reasons)
	them := "them"
	if n == 1 {
		them = "it"
	}
	ew.printf("%s %s not scanned (%s): --verbose (or the \"skipped\" list of -f json) names %s\n",
		p.yellow.Sprint("note:"), count(n, "path"), strings.Join(reasons, ", "), them)
}

// writeRepositories prints one line per repository of a multi-repository
// history scan: what it covered, or why it could not be scanned.
func writeRepositories(ew *errWriter, p palette, rs []scanner.RepoResult) {
	if len(rs) == 0 {
		return
	}
	ew.printf("%s\n", p.bold.Sprint("Repositories:"))
	for _, r := range rs {
		s := r.Summary
		if r.Error != "" && s.Commits == 0 {
			ew.printf("  %s: %s %s\n", escape.Path(r.Repository), p.red.Sprint("error:"), escape.Text(r.Error))
			continue
		}
		ew.printf("  %s: %s, %s (%s)", escape.Path(r.Repository), count(s.Commits, "commit"), count(s.FilesScanned, "blob"), humanBytes(s.BytesScanned))
		switch {
		case r.Error != "":
			ew.printf(": %s %s\n", p.red.Sprint("error:"), escape.Text(r.Error))
		case s.Findings == 0:
			ew.printf(": %s\n", p.green.Sprint("no findings"))
		default:
			ew.printf(": %s\n", p.red.Sprintf("%d finding%s", s.Findings, plural(s.Findings)))
		}
	}
	ew.printf("\n")
}

// writeGuidance prints each guidance block once, under a heading that
// names the rules (and, when few, the files) of the findings sharing it.
func writeGuidance(ew *errWriter, p palette, fs []scanner.Finding) {
	for _, g := range guidanceBlocks(len(fs), func(i int) (string, string, string) { return fs[i].RuleID, fs[i].Path, fs[i].Guidance }) {
		ew.printf("%s\n", p.bold.Sprintf("What to do about %s (%s):", g.title(escape.Text, escape.Path), count(int64(g.n), "finding")))
		for _, b := range g.blocks {
			for _, line := range escape.Lines(b.text) {
				ew.printf("  %s\n", line)
			}
			ew.printf("\n")
		}
	}
}

// SummaryLine is the one-line summary printed at the end of a text report,
// and on the terminal when the report goes to a file.
func SummaryLine(res *scanner.Result, colored bool) string {
	p := newPalette(colored)
	s := res.Summary
	var b strings.Builder
	switch res.Source {
	case "history":
		msgs := ""
		if s.Messages > 0 {
			msgs = ", " + count(s.Messages, "message")
		}
		if n := len(res.Repositories); n > 0 {
			fmt.Fprintf(&b, "Scanned %s: ", repositories(n))
		} else {
			b.WriteString("Scanned ")
		}
		fmt.Fprintf(&b, "%s on %s, %s%s (%s)", count(s.Commits, "commit"), count(int64(s.Refs), "ref"), count(s.FilesScanned, "blob"), msgs, humanBytes(s.BytesScanned))
	default:
		fmt.Fprintf(&b, "Scanned %s (%s)", count(s.FilesScanned, "file"), humanBytes(s.BytesScanned))
	}
	fmt.Fprintf(&b, " in %s", (time.Duration(s.DurationMS) * time.Millisecond).String())
	if n := s.SkippedTotal(); n > 0 {
		reasons := make([]string, 0, len(s.Skipped))
		for r, c := range s.Skipped {
			reasons = append(reasons, fmt.Sprintf("%s %d", escape.Text(string(r)), c))
		}
		sort.Strings(reasons)
		fmt.Fprintf(&b, "; skipped %d (%s)", n, strings.Join(reasons, ", "))
	}
	if s.Suppressed > 0 {
		fmt.Fprintf(&b, "; %d suppressed", s.Suppressed)
	}
	if s.Errors > 0 {
		fmt.Fprintf(&b, "; %d unreadable", s.Errors)
	}
	b.WriteString(": ")
	if res.Failure != "" {
		// Never "no findings" over a scan that did not finish.
		b.WriteString(p.red.Sprintf("scan failed, %d finding%s before it stopped", s.Findings, plural(s.Findings)))
		return b.String()
	}
	if s.Findings == 0 {
		b.WriteString(p.green.Sprint("no findings"))
	} else {
		b.WriteString(p.red.Sprintf("%d finding%s", s.Findings, plural(s.Findings)))
	}
	return b.String()
}

func count(n int64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
