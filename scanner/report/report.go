// Package report turns a scanner.Result into what people and tools read:
// text for terminals, JSON for scripts. A reporter knows findings only.
package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/clayscan/clayscan/internal/escape"
	"github.com/clayscan/clayscan/internal/redact"
	"github.com/clayscan/clayscan/scanner"
)

// Tool names the program in reports.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// jsonReport is the documented JSON schema (docs/formats.md, "JSON").
type jsonReport struct {
	Tool       Tool              `json:"tool"`
	Source     string            `json:"source"`
	Findings   []scanner.Finding `json:"findings"`
	Suppressed []scanner.Finding `json:"suppressed,omitempty"`
	Errors     []jsonError       `json:"errors,omitempty"`
	// Error is why the scan failed (exit 2): the report is partial.
	Error string `json:"error,omitempty"`
	// Skipped lists what was not scanned (the summary counts it); see
	// scanner.Result.Skipped for what the list leaves out.
	Skipped []scanner.Skipped `json:"skipped,omitempty"`
	Summary scanner.Summary   `json:"summary"`
	// Repositories: a history run over several repositories.
	Repositories []scanner.RepoResult `json:"repositories,omitempty"`
}

type jsonError struct {
	Repository string `json:"repository,omitempty"`
	Path       string `json:"path"`
	Error      string `json:"error"`
}

// JSONOptions tune the JSON report.
type JSONOptions struct {
	// Verbose lists suppressed findings too.
	Verbose bool
}

// JSON writes res as one indented JSON object.
func JSON(w io.Writer, res *scanner.Result, tool Tool, opts JSONOptions) error {
	rep := jsonReport{Tool: tool, Source: res.Source, Findings: res.Findings, Skipped: res.Skipped, Error: res.Failure, Summary: res.Summary, Repositories: res.Repositories}
	if rep.Findings == nil {
		rep.Findings = []scanner.Finding{}
	}
	if rep.Summary.Skipped == nil {
		rep.Summary.Skipped = map[scanner.SkipReason]int64{}
	}
	if opts.Verbose {
		rep.Suppressed = res.Suppressed
	}
	for _, e := range res.Errors {
		rep.Errors = append(rep.Errors, jsonError{Repository: e.Repository, Path: e.Path, Error: redact.String(e.Err.Error())})
	}
	return writeJSON(w, rep)
}

// writeJSON encodes v, indented, and makes it safe in a log
// (escape.JSON): a report printed to a CI log must not carry a workflow
// command or a terminal control character in a string.
func writeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(escape.JSON(buf.Bytes()))
	return err
}
