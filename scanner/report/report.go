// Package report turns a scanner.Result into what people and tools read:
// text for terminals, JSON for scripts. A reporter knows findings only.
package report

import (
	"encoding/json"
	"io"

	"github.com/clayscan/clayscan/scanner"
)

// Tool names the program in reports.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// jsonReport is the documented JSON schema (README, "JSON output").
type jsonReport struct {
	Tool       Tool              `json:"tool"`
	Source     string            `json:"source"`
	Findings   []scanner.Finding `json:"findings"`
	Suppressed []scanner.Finding `json:"suppressed,omitempty"`
	Errors     []jsonError       `json:"errors,omitempty"`
	Summary    scanner.Summary   `json:"summary"`
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
	rep := jsonReport{Tool: tool, Source: res.Source, Findings: res.Findings, Summary: res.Summary, Repositories: res.Repositories}
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
		rep.Errors = append(rep.Errors, jsonError{Repository: e.Repository, Path: e.Path, Error: e.Err.Error()})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(rep)
}
