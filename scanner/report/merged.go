package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/scanner/merge"
)

// mergedReport is the JSON form of a merged report (docs: "clayscan
// merge"). It keeps "findings", so a merged report can be merged again.
type mergedReport struct {
	Tool   Tool   `json:"tool"`
	Source string `json:"source"`
	*merge.Result
}

// MergedJSON writes a merged report as one indented JSON object.
func MergedJSON(w io.Writer, m *merge.Result, tool Tool) error {
	return writeJSON(w, mergedReport{Tool: tool, Source: "merge", Result: m})
}

// MergedText writes a merged report for a terminal: each secret, worst
// first, with every location, then the summary line.
func MergedText(w io.Writer, m *merge.Result, opts TextOptions) error {
	p := newPalette(opts.Color)
	ew := &errWriter{w: w}
	for _, s := range m.Secrets {
		// Merged reports are read from files: every string is untrusted.
		ew.printf("%s  %s  %s\n", p.bold.Sprint(escape.Path(s.Secret)), p.cyan.Sprint(escape.Text(s.RuleID)), p.severity(s.Severity))
		ew.printf("    %s\n", escape.Text(s.Title))
		ew.printf("    fingerprint: %s\n", p.dim.Sprint(escape.Text(s.Fingerprint)))
		if s.FirstSeen != "" {
			ew.printf("    first seen: %s\n", escape.Text(s.FirstSeen))
		}
		if s.InHead {
			ew.printf("    %s\n", p.red.Sprint("still at HEAD in at least one repository: rotate it, then remove it"))
		} else {
			ew.printf("    %s\n", p.yellow.Sprint("removed from every HEAD but still in history: rotate it"))
		}
		ew.printf("    %s in %s:\n", count(int64(len(s.Locations)), "location"), repositories(len(s.Repositories)))
		for _, l := range s.Locations {
			ew.printf("      %s\n", textLocation(l))
		}
		ew.printf("\n")
	}
	for _, rs := range m.Repositories {
		if rs.Error != "" {
			ew.printf("%s %s: %s\n", p.red.Sprint("error:"), escape.Path(rs.Repository), escape.Text(rs.Error))
		}
	}
	for _, e := range m.Errors {
		ew.printf("%s %s: %s: %s\n", p.red.Sprint("error:"), escape.Path(e.Repository), escape.Path(e.Path), escape.Text(e.Error))
	}
	for _, f := range m.Failures {
		ew.printf("%s %s: the scan failed, so this report is partial: %s\n", p.red.Sprint("error:"), failedName(f), escape.Text(f.Error))
	}
	if len(m.Skipped) > 0 || m.Summary.NotScanned > 0 {
		writeSkipped(ew, p, m.AsResult())
	}
	ew.printf("%s\n", MergedSummaryLine(m, opts.Color))
	return ew.err
}

// failedName names a failed report: its file, and its repository when it
// covers one.
func failedName(f merge.Failure) string {
	if f.Repository != "" {
		return escape.Path(f.Repository) + " (" + escape.Path(f.Report) + ")"
	}
	return escape.Path(f.Report)
}

func textLocation(l merge.Location) string {
	var b strings.Builder
	b.WriteString(escape.Path(l.Repository))
	b.WriteString(": ")
	b.WriteString(escape.Path(l.Path))
	if l.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", l.Line, l.Column)
	}
	if l.Commit != "" {
		fmt.Fprintf(&b, " (commit %s", escape.Text(short(l.Commit)))
		if l.Date != "" {
			fmt.Fprintf(&b, " on %s", escape.Text(l.Date))
		}
		if l.Author != "" {
			fmt.Fprintf(&b, " by %s", escape.Text(l.Author))
		}
		if l.InHead {
			b.WriteString(", still at HEAD")
		} else {
			b.WriteString(", removed from HEAD")
		}
		b.WriteString(")")
	} else {
		b.WriteString(" (working tree)")
	}
	return b.String()
}

// MergedSummaryLine is the one-line summary of a merged report.
func MergedSummaryLine(m *merge.Result, colored bool) string {
	p := newPalette(colored)
	s := m.Summary
	var b strings.Builder
	fmt.Fprintf(&b, "Merged %s covering %s (%s, %s)", count(int64(s.Reports), "report"), repositories(s.Repositories),
		count(s.Commits, "commit"), humanBytes(s.BytesScanned))
	if s.Shallow > 0 {
		fmt.Fprintf(&b, "; %d shallow", s.Shallow)
	}
	if s.NotScanned > 0 {
		fmt.Fprintf(&b, "; %d not scanned", s.NotScanned)
	}
	if s.Errors > 0 {
		fmt.Fprintf(&b, "; %d error%s", s.Errors, plural(s.Errors))
	}
	if s.FailedReports > 0 {
		fmt.Fprintf(&b, "; %d failed scan%s (partial report%s)", s.FailedReports, plural(s.FailedReports), plural(s.FailedReports))
	}
	b.WriteString(": ")
	if s.Secrets == 0 {
		b.WriteString(p.green.Sprint("no secrets"))
	} else {
		b.WriteString(p.red.Sprintf("%s in %s, %d still at a HEAD", count(int64(s.Secrets), "secret"),
			count(int64(s.Findings), "location"), s.InHead))
	}
	return b.String()
}

// MergedMarkdown writes a merged report as Markdown fit for an incident
// ticket or a job summary: the secrets to rotate, worst first, where each
// was found, what to do, and what the sweep covered.
func MergedMarkdown(w io.Writer, m *merge.Result, opts SummaryOptions) error {
	ew := &errWriter{w: w}
	n := len(m.Secrets)
	if n == 0 {
		ew.printf("## clayscan: no Clay credentials found\n\n")
	} else {
		ew.printf("## clayscan: %s to rotate\n\n", count(int64(n), "secret"))
	}
	if opts.Scope != "" {
		ew.printf("Scanned %s.\n\n", mdText(opts.Scope))
	}
	if n > 0 {
		max := opts.MaxRows
		if max <= 0 {
			max = 100
		}
		ew.printf("Rotate every secret below, worst first: removing a key from the code does not un-leak it.\n\n")
		ew.printf("| # | Severity | Rule | Secret | First seen | Still at HEAD | Repositories | Locations |\n|---|---|---|---|---|---|---|---|\n")
		for i, s := range m.Secrets {
			if i == max {
				break
			}
			head := "no"
			if s.InHead {
				head = "**yes**"
			}
			repos := s.Repositories
			more := ""
			if len(repos) > 3 {
				more = fmt.Sprintf(" and %d more", len(repos)-3)
				repos = repos[:3]
			}
			escaped := make([]string, len(repos))
			for j, r := range repos {
				escaped[j] = mdText(r)
			}
			ew.printf("| %d | %s | %s | %s | %s | %s | %s%s | %d |\n", i+1, mdText(s.Severity), mdText(s.RuleID), mdCode(s.Secret),
				mdText(dateOnly(s.FirstSeen)), head, strings.Join(escaped, ", "), more, len(s.Locations))
		}
		if n > max {
			ew.printf("\n…and %d more: see the JSON or SARIF report.\n", n-max)
		}
		ew.printf("\n### Where each secret was found\n\n")
		for i, s := range m.Secrets {
			if i == max {
				break
			}
			ew.printf("%d. %s %s (%s, fingerprint %s):\n", i+1, mdCode(s.Secret), mdText(s.RuleID), mdText(s.Severity), mdCode(s.Fingerprint))
			for j, l := range s.Locations {
				if j == 20 {
					ew.printf("   - …and %d more locations\n", len(s.Locations)-j)
					break
				}
				ew.printf("   - %s\n", mdText(textLocation(l)))
			}
		}
		ew.printf("\n")
		ss := m.Secrets
		writeGuidanceMarkdown(ew, guidanceBlocks(len(ss), func(i int) (string, string, string) { return ss[i].RuleID, "", ss[i].Guidance }), mdText)
	}
	var failed []string
	for _, rs := range m.Repositories {
		if rs.Error != "" {
			failed = append(failed, fmt.Sprintf("- %s: %s", mdText(rs.Repository), mdText(rs.Error)))
		}
	}
	for _, f := range m.Failures {
		failed = append(failed, fmt.Sprintf("- %s: the scan failed, so its report is partial: %s", mdText(failedName(f)), mdText(f.Error)))
	}
	if len(failed) > 0 || len(m.Errors) > 0 {
		ew.printf("> [!WARNING]\n> The sweep is incomplete: %d repositor%s or report%s could not be scanned in full and %d object(s) or file(s) could not be read.\n\n",
			len(failed), map[bool]string{true: "y", false: "ies"}[len(failed) == 1], plural(len(failed)), len(m.Errors))
		for _, f := range failed {
			ew.printf("%s\n", f)
		}
		if len(failed) > 0 {
			ew.printf("\n")
		}
	}
	if len(m.Skipped) > 0 || m.Summary.NotScanned > 0 {
		ew.printf("**Not scanned (%d):**\n\n", m.Summary.NotScanned)
		for i, sk := range m.Skipped {
			if i == 100 {
				ew.printf("- …and %d more: see the JSON report's `skipped` list\n", len(m.Skipped)-i)
				break
			}
			line := sk.Repository + ": " + sk.Path + "  " + string(sk.Reason)
			if sk.Blob != "" {
				line += "  blob " + short(sk.Blob)
			}
			if sk.Commit != "" {
				line += " in commit " + short(sk.Commit)
			}
			ew.printf("- %s\n", mdText(line))
		}
		if n := m.Summary.NotScanned - int64(len(m.Skipped)); n > 0 {
			ew.printf("- …and %d more not listed (binary ones, or past the list's limit)\n", n)
		}
		ew.printf("\n")
	}
	if m.Summary.Shallow > 0 {
		ew.printf("> [!WARNING]\n> %d repositor%s shallow clones: history before the shallow boundary was not scanned.\n\n",
			m.Summary.Shallow, map[bool]string{true: "y is a", false: "ies are"}[m.Summary.Shallow == 1])
	}
	ew.printf("%s\n", mdText(MergedSummaryLine(m, false)))
	return ew.err
}

// dateOnly keeps the day of an RFC 3339 date.
func dateOnly(d string) string {
	if len(d) >= 10 {
		return d[:10]
	}
	return d
}

func repositories(n int) string {
	if n == 1 {
		return "1 repository"
	}
	return fmt.Sprintf("%d repositories", n)
}
