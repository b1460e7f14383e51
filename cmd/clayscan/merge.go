package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/clayscan/clayscan/scanner/merge"
	"github.com/clayscan/clayscan/scanner/report"
)

// mergeFormats are the formats clayscan merge writes.
var mergeFormats = map[string]func(w io.Writer, m *merge.Result, colored bool) error{
	"text": func(w io.Writer, m *merge.Result, colored bool) error {
		return report.MergedText(w, m, report.TextOptions{Color: colored})
	},
	"json": func(w io.Writer, m *merge.Result, _ bool) error {
		return report.MergedJSON(w, m, report.Tool{Name: "clayscan", Version: version})
	},
	"sarif": func(w io.Writer, m *merge.Result, _ bool) error {
		return report.SARIF(w, m.AsResult(), report.Tool{Name: "clayscan", Version: version})
	},
	"github": func(w io.Writer, m *merge.Result, _ bool) error {
		return report.GitHub(w, m.AsResult())
	},
	"markdown": func(w io.Writer, m *merge.Result, _ bool) error {
		return report.MergedMarkdown(w, m, report.SummaryOptions{})
	},
}

var mergeFormatNames = []string{"text", "json", "sarif", "github", "markdown"}

// runMerge combines JSON reports into one (docs/merge.md). Exit codes: 1
// when any secret was found, 2 when a report could not be read or lists
// content its scan could not read or comes from a scan that failed (the
// merged report is still written),
// else 0.
func runMerge(ctx context.Context, e *env, args []string) int {
	fs := newFlagSet(e, "merge", "[flags] REPORT.json...")
	var format, output string
	var noColor bool
	fs.StringVar(&format, "format", "text", "report format: "+strings.Join(mergeFormatNames, ", "))
	fs.StringVar(&format, "f", "text", "shorthand for --format")
	fs.StringVar(&output, "output", "", "write the report to `FILE` (created 0600); the terminal gets the summary")
	fs.StringVar(&output, "o", "", "shorthand for --output")
	fs.BoolVar(&noColor, "no-color", false, "disable colours (NO_COLOR is honoured too)")
	files, err := parseArgs(fs, args)
	if err != nil {
		return usageError(e, err)
	}
	write, ok := mergeFormats[format]
	if !ok {
		return usageError(e, fmt.Errorf("unknown format %q: use one of %s", format, strings.Join(mergeFormatNames, ", ")))
	}
	if len(files) == 0 {
		return usageError(e, errors.New("name the JSON reports to merge: clayscan merge REPORT.json..."))
	}
	var reports []*merge.Report
	var bad []error
	for _, name := range files {
		if ctx.Err() != nil {
			e.errorf(ctx.Err(), "")
			return exitError
		}
		data, err := os.ReadFile(name)
		if err != nil {
			bad = append(bad, fmt.Errorf("reading report %q: %w", name, unwrapPath(err)))
			continue
		}
		r, err := merge.Read(name, data)
		if err != nil {
			bad = append(bad, fmt.Errorf("report %q: %w", name, err))
			continue
		}
		reports = append(reports, r)
	}
	if len(reports) == 0 {
		for _, err := range bad {
			e.errorf(err, "")
		}
		e.errorf(errors.New("no report could be read"), "merge the JSON reports clayscan writes with --format json")
		return exitError
	}
	m := merge.Merge(reports)
	colored := !noColor && e.getenv("NO_COLOR") == "" && output == "" && isTerminal(e.stdout)
	if output == "" {
		err = write(e.stdout, m, colored)
	} else {
		var buf bytes.Buffer
		if err = write(&buf, m, false); err == nil {
			if err = writePrivate(output, buf.Bytes()); err != nil {
				err = fmt.Errorf("writing report: %w", err)
			} else {
				fmt.Fprintf(e.stdout, "%s\nReport written to %s\n", report.MergedSummaryLine(m, !noColor && e.getenv("NO_COLOR") == "" && isTerminal(e.stdout)), safePath(output))
			}
		}
	}
	if err != nil {
		e.errorf(err, "")
		return exitError
	}
	if len(bad) > 0 {
		for _, err := range bad {
			e.errorf(err, "")
		}
		e.errorf(fmt.Errorf("%d of %d reports could not be read; the merged report lacks them", len(bad), len(files)), "merge the JSON reports clayscan writes with --format json")
		return exitError
	}
	if n := m.Summary.FailedReports; n > 0 {
		for _, f := range m.Failures {
			e.errorf(errors.New(f.String()), "")
		}
		e.errorf(fmt.Errorf("%d of the reports merged come from scans that failed: the merged report is partial", n), "fix what stopped those scans and scan those repositories again")
		return exitError
	}
	if m.Summary.Errors > 0 {
		e.errorf(fmt.Errorf("the reports list %d error(s): the scans they merge are incomplete", m.Summary.Errors), "see the errors in the merged report, fix them and scan those repositories again")
		return exitError
	}
	if len(m.Secrets) > 0 {
		return exitFindings
	}
	return exitClean
}

// unwrapPath drops the *os.PathError's own copy of the file name, which
// the caller's message already holds.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
