// Package merge combines clayscan JSON reports, made on many machines or for
// many repositories, into one: the same secret (the same fingerprint) found
// in several repositories or paths becomes one Secret that lists every
// location, the first date it was seen and whether it is still at any HEAD.
// It reads reports and groups findings; package report renders the result.
//
// The entry points are Read, which parses one report, and Merge; Results
// combines the per-repository results of one run.
package merge

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/clayscan/clayscan/scanner"
)

// Report is one parsed JSON report: what clayscan scan, staged, history or
// merge wrote with --format json.
type Report struct {
	// Name is where the report came from (its file name).
	Name     string
	Tool     Tool
	Source   string
	Findings []scanner.Finding
	Errors   []Error
	// Failures: the report's scan failed (its JSON "error"), or, for a
	// merged report, the failed reports it merged.
	Failures []Failure
	// Skipped lists what the scan did not scan, each with its repository.
	Skipped []scanner.Skipped
	Summary scanner.Summary
	// Repositories lists the repositories a multi-repository history
	// report (or a merged report) covers.
	Repositories []scanner.RepoResult
}

// Tool names the program that wrote a report.
type Tool struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Error is content a scan could not read, as a report lists it.
type Error struct {
	Repository string `json:"repository,omitempty"`
	Path       string `json:"path"`
	Error      string `json:"error"`
}

// Failure is a report whose scan failed (exit 2): what it holds is
// partial, so the merged report is too.
type Failure struct {
	// Report is the report file that said so.
	Report string `json:"report"`
	// Repository is set for a report of one repository.
	Repository string `json:"repository,omitempty"`
	Error      string `json:"error"`
}

// rawReport is the JSON form Read accepts: the fields every clayscan
// report has, plus those of a merged report.
type rawReport struct {
	Tool         *Tool                `json:"tool"`
	Source       string               `json:"source"`
	Findings     *[]scanner.Finding   `json:"findings"`
	Errors       []Error              `json:"errors"`
	Error        string               `json:"error"`
	Failures     []Failure            `json:"failures"`
	Skipped      []scanner.Skipped    `json:"skipped"`
	Summary      *scanner.Summary     `json:"summary"`
	Repositories []scanner.RepoResult `json:"repositories"`
}

// ErrNotReport is returned for JSON that is not a clayscan report.
var ErrNotReport = errors.New("not a clayscan JSON report")

// Read parses one JSON report. name is used in errors and, for a report of
// one repository, as the repository's name (its base name without .json).
func Read(name string, data []byte) (*Report, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var raw rawReport
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotReport, err)
	}
	if raw.Tool == nil || raw.Findings == nil || raw.Summary == nil {
		return nil, fmt.Errorf("%w: it lacks the tool, findings or summary field (write it with clayscan --format json)", ErrNotReport)
	}
	r := &Report{Name: name, Tool: *raw.Tool, Source: raw.Source, Findings: *raw.Findings,
		Errors: raw.Errors, Failures: raw.Failures, Skipped: raw.Skipped, Summary: *raw.Summary, Repositories: raw.Repositories}
	// A report of one repository does not name it: its file does.
	repo := RepoName(name)
	single := len(r.Repositories) == 0 && r.Source != "merge"
	if raw.Error != "" {
		f := Failure{Report: name, Error: raw.Error}
		if single {
			f.Repository = repo
		}
		r.Failures = append(r.Failures, f)
	}
	if single {
		for i := range r.Skipped {
			if r.Skipped[i].Repository == "" {
				r.Skipped[i].Repository = repo
			}
		}
		r.Repositories = []scanner.RepoResult{{Repository: repo, Summary: r.Summary}}
		for i := range r.Findings {
			if r.Findings[i].Repository == "" {
				r.Findings[i].Repository = repo
			}
		}
		for i := range r.Errors {
			if r.Errors[i].Repository == "" {
				r.Errors[i].Repository = repo
			}
		}
	}
	return r, nil
}

// RepoName is the repository name given to a report of one repository:
// its file's base name without ".json" (and without ".clayscan" before it).
func RepoName(file string) string {
	base := filepath.Base(file)
	base = strings.TrimSuffix(base, ".json")
	base = strings.TrimSuffix(base, ".clayscan")
	return base
}

// Location is one place a secret was found.
type Location struct {
	Repository string `json:"repository"`
	Path       string `json:"path"`
	Line       int    `json:"line,omitempty"`
	Column     int    `json:"column,omitempty"`
	Commit     string `json:"commit,omitempty"`
	Author     string `json:"author,omitempty"`
	Email      string `json:"email,omitempty"`
	Date       string `json:"date,omitempty"`
	// InHead: the secret is still in this repository's HEAD tree (a
	// history finding) or in its working tree (a finding without a commit).
	InHead bool `json:"in_head"`
}

// Secret is one secret and everywhere it was found.
type Secret struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"rule_id"`
	Title       string `json:"title"`
	Severity    string `json:"severity"`
	// Secret is as the reports hold it: masked unless they were written
	// with --show-secrets.
	Secret string `json:"secret"`
	// FirstSeen is the earliest commit date of any location (RFC 3339), or
	// empty when no location has a commit.
	FirstSeen string `json:"first_seen,omitempty"`
	// InHead: still at the HEAD of at least one repository.
	InHead       bool       `json:"in_head"`
	Repositories []string   `json:"repositories"`
	Locations    []Location `json:"locations"`
	Guidance     string     `json:"guidance"`
}

// Summary counts what a merged report covers.
type Summary struct {
	Reports      int `json:"reports"`
	Repositories int `json:"repositories"`
	Secrets      int `json:"secrets"`
	InHead       int `json:"secrets_in_head"`
	Findings     int `json:"findings"`
	Errors       int `json:"errors"`
	// FailedReports counts Failures.
	FailedReports int `json:"failed_reports"`
	// NotScanned counts what the repositories' scans did not scan (their
	// summaries' skipped counts); the Skipped list may name fewer.
	NotScanned   int64 `json:"not_scanned"`
	Commits      int64 `json:"commits"`
	Blobs        int64 `json:"blobs"`
	FilesScanned int64 `json:"files_scanned"`
	BytesScanned int64 `json:"bytes_scanned"`
	Shallow      int   `json:"shallow_repositories"`
}

// Result is the merged report.
type Result struct {
	Reports      []string             `json:"reports"`
	Repositories []scanner.RepoResult `json:"repositories"`
	// Secrets are ordered worst first: severity, still at a HEAD, seen
	// earliest, most locations.
	Secrets []Secret `json:"secrets"`
	// Findings are every distinct location of every secret, each with its
	// repository, in report order (repository, path, line).
	Findings []scanner.Finding `json:"findings"`
	Errors   []Error           `json:"errors,omitempty"`
	// Failures are the reports whose scan failed: the merged report is
	// partial where they are.
	Failures []Failure `json:"failures,omitempty"`
	// Skipped is every report's list of what was not scanned, each with
	// its repository, by repository then path.
	Skipped []scanner.Skipped `json:"skipped,omitempty"`
	Summary Summary           `json:"summary"`
}

// severityRank orders severities worst first.
func severityRank(s string) int {
	switch s {
	case "critical":
		return 0
	case "high":
		return 1
	case "medium":
		return 2
	case "low":
		return 3
	}
	return 4
}

// Merge combines reports. A finding seen in several reports (the same
// repository, path, position, commit and fingerprint) counts once.
func Merge(reports []*Report) *Result {
	res := &Result{Reports: []string{}, Repositories: []scanner.RepoResult{}, Secrets: []Secret{}, Findings: []scanner.Finding{}}
	type findingKey struct {
		repo, path, commit, fp string
		line, col              int
	}
	seenFinding := map[findingKey]bool{}
	type skipKey struct {
		repo, path, blob, commit string
		reason                   scanner.SkipReason
	}
	seenSkip := map[skipKey]bool{}
	seenRepo := map[string]int{}
	bySecret := map[string]int{}
	for _, r := range reports {
		res.Reports = append(res.Reports, r.Name)
		for _, rs := range r.Repositories {
			if i, ok := seenRepo[rs.Repository]; ok {
				// Scanned twice (two runs, two machines): keep the
				// larger sweep's counts and any error.
				if rs.Summary.Commits > res.Repositories[i].Summary.Commits {
					res.Repositories[i].Summary = rs.Summary
				}
				if res.Repositories[i].Error == "" {
					res.Repositories[i].Error = rs.Error
				}
				continue
			}
			seenRepo[rs.Repository] = len(res.Repositories)
			res.Repositories = append(res.Repositories, rs)
		}
		res.Errors = append(res.Errors, r.Errors...)
		res.Failures = append(res.Failures, r.Failures...)
		for _, sk := range r.Skipped {
			k := skipKey{sk.Repository, sk.Path, sk.Blob, sk.Commit, sk.Reason}
			if !seenSkip[k] {
				seenSkip[k] = true
				res.Skipped = append(res.Skipped, sk)
			}
		}
		for _, f := range r.Findings {
			k := findingKey{f.Repository, f.Path, f.Commit, f.Fingerprint, f.Line, f.Column}
			if seenFinding[k] {
				continue
			}
			seenFinding[k] = true
			res.Findings = append(res.Findings, f)
			loc := Location{Repository: f.Repository, Path: f.Path, Line: f.Line, Column: f.Column,
				Commit: f.Commit, Author: f.Author, Email: f.Email, Date: f.Date,
				InHead: f.Commit == "" || (f.InHead != nil && *f.InHead)}
			i, ok := bySecret[f.Fingerprint]
			if !ok {
				i = len(res.Secrets)
				bySecret[f.Fingerprint] = i
				res.Secrets = append(res.Secrets, Secret{Fingerprint: f.Fingerprint, RuleID: f.RuleID, Title: f.Title,
					Severity: f.Severity, Secret: f.Secret, Guidance: f.Guidance})
			}
			s := &res.Secrets[i]
			if severityRank(f.Severity) < severityRank(s.Severity) {
				s.Severity = f.Severity
			}
			s.Locations = append(s.Locations, loc)
			s.InHead = s.InHead || loc.InHead
			if loc.Date != "" && (s.FirstSeen == "" || earlier(loc.Date, s.FirstSeen)) {
				s.FirstSeen = loc.Date
			}
		}
	}
	for i := range res.Secrets {
		s := &res.Secrets[i]
		sort.SliceStable(s.Locations, func(a, b int) bool { return lessLocation(&s.Locations[a], &s.Locations[b]) })
		repos := map[string]bool{}
		s.Repositories = []string{}
		for _, l := range s.Locations {
			if !repos[l.Repository] {
				repos[l.Repository] = true
				s.Repositories = append(s.Repositories, l.Repository)
			}
		}
		sort.Strings(s.Repositories)
	}
	sort.SliceStable(res.Secrets, func(a, b int) bool { return worse(&res.Secrets[a], &res.Secrets[b]) })
	scanner.SortFindings(res.Findings)
	sort.SliceStable(res.Skipped, func(a, b int) bool {
		x, y := &res.Skipped[a], &res.Skipped[b]
		if x.Repository != y.Repository {
			return x.Repository < y.Repository
		}
		return x.Path < y.Path
	})
	sort.SliceStable(res.Repositories, func(a, b int) bool {
		return res.Repositories[a].Repository < res.Repositories[b].Repository
	})

	sum := &res.Summary
	sum.Reports = len(reports)
	sum.Repositories = len(res.Repositories)
	sum.Secrets = len(res.Secrets)
	sum.Findings = len(res.Findings)
	sum.Errors = len(res.Errors)
	sum.FailedReports = len(res.Failures)
	for _, s := range res.Secrets {
		if s.InHead {
			sum.InHead++
		}
	}
	for _, rs := range res.Repositories {
		sum.Commits += rs.Summary.Commits
		sum.Blobs += rs.Summary.Blobs
		sum.FilesScanned += rs.Summary.FilesScanned
		sum.BytesScanned += rs.Summary.BytesScanned
		sum.NotScanned += rs.Summary.SkippedTotal()
		if rs.Summary.Shallow {
			sum.Shallow++
		}
		if rs.Error != "" {
			sum.Errors++
		}
	}
	return res
}

// worse orders secrets worst first: severity, still at a HEAD, seen
// earliest (exposed longest), most locations, then by fingerprint.
func worse(a, b *Secret) bool {
	if ra, rb := severityRank(a.Severity), severityRank(b.Severity); ra != rb {
		return ra < rb
	}
	if a.InHead != b.InHead {
		return a.InHead
	}
	if a.FirstSeen != b.FirstSeen {
		switch {
		case a.FirstSeen == "":
			return false
		case b.FirstSeen == "":
			return true
		}
		return earlier(a.FirstSeen, b.FirstSeen)
	}
	if len(a.Locations) != len(b.Locations) {
		return len(a.Locations) > len(b.Locations)
	}
	return a.Fingerprint < b.Fingerprint
}

// earlier compares RFC 3339 UTC dates, which sort as strings.
func earlier(a, b string) bool { return a < b }

func lessLocation(a, b *Location) bool {
	if a.Repository != b.Repository {
		return a.Repository < b.Repository
	}
	if a.Path != b.Path {
		return a.Path < b.Path
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	if a.Column != b.Column {
		return a.Column < b.Column
	}
	return a.Commit < b.Commit
}

// AsResult flattens the merged report into a scanner.Result, for the
// reporters that list findings (SARIF, GitHub annotations): one finding per
// location, each naming its repository.
func (m *Result) AsResult() *scanner.Result {
	res := &scanner.Result{Source: "merge", Findings: m.Findings, Skipped: m.Skipped, Failure: m.FailureText()}
	for _, e := range m.Errors {
		res.Errors = append(res.Errors, &scanner.ScanError{Repository: e.Repository, Path: e.Path, Err: errors.New(e.Error)})
	}
	res.Summary = scanner.Summary{
		FilesScanned: m.Summary.FilesScanned, BytesScanned: m.Summary.BytesScanned, Skipped: map[scanner.SkipReason]int64{},
		Errors: m.Summary.Errors, Findings: len(m.Findings), Commits: m.Summary.Commits, Blobs: m.Summary.Blobs,
	}
	for _, rs := range m.Repositories {
		for reason, n := range rs.Summary.Skipped {
			res.Summary.Skipped[reason] += n
		}
		res.Summary.Shallow = res.Summary.Shallow || rs.Summary.Shallow
	}
	if n := res.Summary.SkippedTotal() - int64(len(m.Skipped)); n > 0 {
		res.Summary.SkippedUnlisted = n
	}
	return res
}

// FailureText names every failed report and repository in one line, for
// the formats that carry one failure (SARIF, GitHub); empty when none.
func (m *Result) FailureText() string {
	var parts []string
	for _, f := range m.Failures {
		parts = append(parts, f.String())
	}
	for _, rs := range m.Repositories {
		if rs.Error != "" {
			parts = append(parts, "repository "+strconv.Quote(rs.Repository)+": "+rs.Error)
		}
	}
	return strings.Join(parts, "; ")
}

// String names the failed report (and its repository) and why it failed.
func (f Failure) String() string {
	s := "report " + strconv.Quote(f.Report)
	if f.Repository != "" {
		s += " (repository " + strconv.Quote(f.Repository) + ")"
	}
	return s + ": " + f.Error
}
