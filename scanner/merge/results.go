package merge

import (
	"github.com/clayscan/clayscan/internal/redact"
	"github.com/clayscan/clayscan/scanner"
)

// Results makes one result of the per-repository results of one run
// (clayscan history over several repositories): findings,
// suppressed findings and errors carry their repository; the summary sums
// the repositories'.
func Results(paths []string, results []*scanner.Result, errs []error) *scanner.Result {
	res := &scanner.Result{Source: "history", Summary: scanner.Summary{Skipped: map[scanner.SkipReason]int64{}}}
	for i, p := range paths {
		rr := scanner.RepoResult{Repository: p}
		if errs[i] != nil {
			rr.Error = redact.String(errs[i].Error()) // no secret in an error (issue 12)
		}
		r := results[i]
		if r != nil {
			rr.Summary = r.Summary
			for _, f := range r.Findings {
				f.Repository = p
				res.Findings = append(res.Findings, f)
			}
			for _, f := range r.Suppressed {
				f.Repository = p
				res.Suppressed = append(res.Suppressed, f)
			}
			for _, se := range r.Errors {
				c := *se
				c.Repository = p
				res.Errors = append(res.Errors, &c)
			}
			for _, sk := range r.Skipped {
				sk.Repository = p
				res.Skipped = append(res.Skipped, sk)
			}
			s := &res.Summary
			s.FilesScanned += r.Summary.FilesScanned
			s.BytesScanned += r.Summary.BytesScanned
			for k, v := range r.Summary.Skipped {
				s.Skipped[k] += v
			}
			s.SkippedUnlisted += r.Summary.SkippedUnlisted
			s.Errors += r.Summary.Errors
			s.Suppressed += r.Summary.Suppressed
			s.Commits += r.Summary.Commits
			s.Blobs += r.Summary.Blobs
			s.Refs += r.Summary.Refs
			s.Messages += r.Summary.Messages
			s.Shallow = s.Shallow || r.Summary.Shallow
		}
		if rr.Summary.Skipped == nil {
			rr.Summary.Skipped = map[scanner.SkipReason]int64{}
		}
		res.Repositories = append(res.Repositories, rr)
	}
	scanner.SortFindings(res.Findings)
	scanner.SortFindings(res.Suppressed)
	res.Summary.Findings = len(res.Findings)
	return res
}
