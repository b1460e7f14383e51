package scanner

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clayscan/clayscan/rules"
)

// Filter decides whether a finding is suppressed. It returns the reason
// ("allowlist", "ignore", "baseline", …) or "" to keep the finding.
// Filters must be safe to call from one goroutine after the scan.
type Filter interface {
	Suppress(f *Finding) string
}

// FilterFunc adapts a function to Filter.
type FilterFunc func(f *Finding) string

// Suppress implements Filter.
func (fn FilterFunc) Suppress(f *Finding) string { return fn(f) }

// Options tune a run.
type Options struct {
	// ShowSecrets puts full secrets in findings; by default they are masked.
	ShowSecrets bool
	// LinkSecrets, when the scan found something, reads the source a
	// second time for the values found and reports their other
	// occurrences (Finding.SameSecretAs, issue 11). A scan that found
	// nothing pays nothing.
	LinkSecrets bool
	// PathRules judge the path facts the source reports (the .env
	// policy); their findings go through the same filters.
	PathRules []rules.PathRule
	// Facts are path facts known before the scan starts: the config
	// loader's, about the files that configure it (suppression-changed).
	Facts []PathFact
	// Filters suppress findings; suppressed ones are kept in
	// Result.Suppressed and counted.
	Filters []Filter
	// LineFilter, when set, sees each finding with the text of its line
	// (at most lineContext bytes either side of the secret), which findings
	// never keep, and returns a suppression reason or "". It runs during
	// the scan, from many goroutines (config line allowlists, issue 6).
	LineFilter func(f *Finding, line []byte) string
	// ListBinarySkips lists binary skips in Result.Skipped too; by default
	// they are only counted (a history holds many binary blobs).
	ListBinarySkips bool
	// MaxSkipsListed bounds Result.Skipped; 0 means DefaultMaxSkipsListed.
	// Skips past it are counted in Summary.SkippedUnlisted.
	MaxSkipsListed int
	// Progress, when set, is called about every ProgressEvery with a
	// snapshot of the counters, and once at the end.
	Progress      func(Progress)
	ProgressEvery time.Duration
}

// DefaultMaxSkipsListed bounds the skipped list (about 2 MB of entries),
// so that a huge history with many large blobs cannot grow it without
// bound; the counts stay exact.
const DefaultMaxSkipsListed = 10000

// Progress is a snapshot of a running scan's counters.
type Progress struct {
	Targets int64
	Bytes   int64
	Elapsed time.Duration
}

// Summary describes what a run covered. Its JSON form is part of the
// contract (docs/formats.md, "JSON").
type Summary struct {
	FilesScanned int64                `json:"files_scanned"`
	BytesScanned int64                `json:"bytes_scanned"`
	Skipped      map[SkipReason]int64 `json:"skipped"`
	// SkippedUnlisted counts skips left out of Result.Skipped: binary ones
	// unless listed, and any past the list's bound.
	SkippedUnlisted int64 `json:"skipped_unlisted,omitempty"`
	Errors          int   `json:"errors"`
	Findings        int   `json:"findings"`
	Suppressed      int   `json:"suppressed"`
	Commits         int64 `json:"commits"`
	// Messages counts the commit and tag messages scanned (history).
	Messages   int64 `json:"messages,omitempty"`
	Blobs      int64 `json:"blobs"`
	Refs       int   `json:"refs"`
	Shallow    bool  `json:"shallow"`
	DurationMS int64 `json:"duration_ms"`
}

// SkippedTotal is the number of files or blobs not scanned, for any reason.
func (s Summary) SkippedTotal() int64 {
	var n int64
	for _, v := range s.Skipped {
		n += v
	}
	return n
}

// ScanError is content that could not be read.
type ScanError struct {
	// Repository is set in a run over several repositories.
	Repository string
	Path       string
	Err        error
}

func (e *ScanError) Error() string {
	if e.Repository != "" {
		return fmt.Sprintf("%s: reading %q: %v", e.Repository, e.Path, e.Err)
	}
	return fmt.Sprintf("reading %q: %v", e.Path, e.Err)
}
func (e *ScanError) Unwrap() error { return e.Err }

// Result is what a run found.
type Result struct {
	Source     string // "worktree", "staged" or "history"
	Root       string
	Findings   []Finding
	Suppressed []Finding
	Summary    Summary
	// Errors lists content that could not be read; a run with errors is an
	// operational failure even though its findings are kept.
	Errors []*ScanError
	// Failure, when set, is why the run did not complete (the error Run
	// returned, set by the caller for the report): what the result holds
	// is partial, and reports say so rather than read as clean.
	Failure string
	// Skipped lists what was deliberately not scanned, sorted by path
	// (binary skips only with Options.ListBinarySkips; bounded by
	// Options.MaxSkipsListed).
	Skipped []Skipped
	// Repositories is set by a history run over several repositories: each
	// one's summary, or why it could not be scanned.
	Repositories []RepoResult
}

// RepoResult is one repository's part of a run over several repositories.
// Its JSON form is part of the contract (docs: "JSON output").
type RepoResult struct {
	Repository string  `json:"repository"`
	Summary    Summary `json:"summary"`
	// Error is why the repository could not be scanned, or was scanned
	// only in part.
	Error string `json:"error,omitempty"`
}

// run is the per-run state behind the Sink a source writes to.
type run struct {
	det      *Detector
	paths    []rules.PathRule
	facts    map[factKey]PathFact
	lineFlt  func(*Finding, []byte) string
	targets  atomic.Int64
	messages atomic.Int64
	bytes    atomic.Int64
	mu       sync.Mutex
	findings []Finding
	inHead   map[string]bool // fingerprints seen in HEAD content
	skipped  map[SkipReason]int64
	errs     []*ScanError
	// The skipped list and its bounds.
	skipList   []Skipped
	unlisted   int64
	listBinary bool
	maxList    int
}

func (r *run) Scan(t Target) {
	if t.Reader != nil {
		r.scanStream(&t)
		return
	}
	data, binary := textOf(t.Data)
	if binary {
		r.Skip(Skipped{Path: t.Path, Blob: t.Blob, Commit: commitHash(t.Commit), Reason: SkipBinary})
		return
	}
	if t.Kind != "" {
		r.messages.Add(1)
	} else {
		r.targets.Add(1)
	}
	r.bytes.Add(int64(len(t.Data)))
	var local []Finding
	r.det.detect(&t, data, 0, len(data), textPos{1, 1}, true, func(f Finding, data []byte) {
		f.Kind = t.Kind
		if r.lineFlt != nil && f.SuppressedBy == "" {
			f.SuppressedBy = r.lineFlt(&f, lineAround(data, f.start))
		}
		local = append(local, f)
	})
	r.add(&t, local)
}

// textOf returns what the detector reads of data (UTF-16 decoded), or
// binary. Only content with a NUL byte or a byte-order mark is looked at
// twice.
func textOf(data []byte) (text []byte, binary bool) {
	head := data[:min(len(data), binarySniffLen)]
	nul := bytes.IndexByte(head, 0) >= 0
	if !nul && !(len(head) >= 2 && (head[0] == 0xFF && head[1] == 0xFE || head[0] == 0xFE && head[1] == 0xFF)) {
		return data, false
	}
	if text, ok := decodeText(data); ok {
		return text, false
	}
	return data, nul
}

// scanStream scans a target whose content comes from t.Reader.
func (r *run) scanStream(t *Target) {
	cr := &countingReader{r: t.Reader}
	text, binary, err := openText(cr)
	if err != nil {
		r.Error(t.Path, err)
		return
	}
	if binary {
		r.Skip(Skipped{Path: t.Path, Blob: t.Blob, Commit: commitHash(t.Commit), Reason: SkipBinary})
		return
	}
	r.targets.Add(1)
	var local []Finding
	var lines []uint64 // hash of each finding's line, when t.Prev is set
	err = r.det.detectStream(t, text, streamWindow, true, func(f Finding, data []byte) {
		f.Kind = t.Kind
		line := lineAround(data, f.start)
		if r.lineFlt != nil && f.SuppressedBy == "" {
			f.SuppressedBy = r.lineFlt(&f, line)
		}
		if t.Prev != nil {
			lines = append(lines, lineHash(line))
		}
		local = append(local, f)
	})
	r.bytes.Add(cr.n)
	if err != nil {
		r.Error(t.Path, fmt.Errorf("read: %w", err))
	}
	if t.Prev != nil && len(local) > 0 {
		local = keepNewLines(t.Prev, local, lines)
	}
	r.add(t, local)
}

// add records a target's findings.
func (r *run) add(t *Target, local []Finding) {
	if len(local) == 0 {
		return
	}
	r.mu.Lock()
	r.findings = append(r.findings, local...)
	if t.InHead {
		for _, f := range local {
			r.inHead[f.Fingerprint] = true
		}
	}
	r.mu.Unlock()
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// lineHash hashes a line's text as keepNewLines reads lines: without its
// newline, with a carriage return.
func lineHash(line []byte) uint64 {
	h := fnv.New64a()
	h.Write(line)
	return h.Sum64()
}

// keepNewLines keeps the findings whose line (by its hash) occurs more
// often among the findings' lines than in the content prev opens. When prev
// cannot be read, every finding is kept.
func keepNewLines(prev func() (io.ReadCloser, error), fs []Finding, hashes []uint64) []Finding {
	type count struct{ now, before, lastLine int }
	counts := map[uint64]*count{}
	for i, h := range hashes {
		c := counts[h]
		if c == nil {
			c = &count{}
			counts[h] = c
		}
		if fs[i].Line != c.lastLine { // several findings on one line count once
			c.now++
			c.lastLine = fs[i].Line
		}
	}
	rc, err := prev()
	if err != nil {
		return fs
	}
	defer rc.Close()
	text, binary, err := openText(rc)
	if err != nil || binary {
		return fs
	}
	br := bufio.NewReaderSize(text, 64<<10)
	h := fnv.New64a()
	for {
		chunk, err := br.ReadSlice('\n')
		full := err == nil
		if full {
			chunk = chunk[:len(chunk)-1]
		}
		h.Write(chunk)
		if full || (err != nil && err != bufio.ErrBufferFull && h.Sum64() != lineHash(nil)) {
			if c := counts[h.Sum64()]; c != nil {
				c.before++
			}
			h.Reset()
		}
		if err != nil && err != bufio.ErrBufferFull {
			if !errors.Is(err, io.EOF) {
				return fs
			}
			break
		}
	}
	out := fs[:0]
	for i, f := range fs {
		if c := counts[hashes[i]]; c.now > c.before {
			out = append(out, f)
		}
	}
	return out
}

func (r *run) Skip(s Skipped) {
	r.mu.Lock()
	r.skipped[s.Reason]++
	if (s.Reason == SkipBinary && !r.listBinary) || len(r.skipList) >= r.maxList {
		r.unlisted++
	} else {
		r.skipList = append(r.skipList, s)
	}
	r.mu.Unlock()
}

func commitHash(c *Commit) string {
	if c == nil {
		return ""
	}
	return c.Hash
}

func (r *run) Error(path string, err error) {
	r.mu.Lock()
	r.errs = append(r.errs, &ScanError{Path: path, Err: err})
	r.mu.Unlock()
}

// factKey identifies one path in one view.
type factKey struct {
	where rules.Where
	path  string
}

func (r *run) WantsPath(path string) bool {
	for i := range r.paths {
		// Config facts come from Options.Facts, never from a source: a
		// config rule that wants every path (suppression-changed) would
		// make a history sweep keep a fact per path it ever met, none of
		// them read (issue 14).
		if r.paths[i].Where == rules.InConfig {
			continue
		}
		if r.paths[i].Wants(path) {
			return true
		}
	}
	return false
}

// Path keeps one fact per path and view; in history, the one at the oldest
// commit.
func (r *run) Path(f PathFact) {
	k := factKey{f.Where, f.Path}
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.facts[k]; ok && old.Order <= f.Order {
		return
	}
	r.facts[k] = f
}

// pathFindings runs the path rules over the facts, in path order.
func (r *run) pathFindings() []Finding {
	keys := make([]factKey, 0, len(r.facts))
	for k := range r.facts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].where < keys[j].where
	})
	var out []Finding
	for _, k := range keys {
		f := r.facts[k]
		if f.At != nil {
			f.Commit, f.Date = f.At.Hash, f.At.Date
		}
		for i := range r.paths {
			pr := &r.paths[i]
			if pr.Where != f.Where || !pr.Wants(f.Path) {
				continue
			}
			pf, ok := pr.Check(&f.PathFact)
			if !ok {
				continue
			}
			out = append(out, pathFinding(pr, &f, pf))
		}
	}
	return out
}

// addContextGuidance puts the block about where a credential was found
// (staged, untracked, in history since a date) before the rule's own
// steps.
func addContextGuidance(f *Finding, where rules.Where, now time.Time) {
	if !f.content {
		return
	}
	f.RuleGuidance = f.Guidance
	c := rules.Context{Where: where, Tracked: f.tracked, Untracked: f.untracked, Now: now}
	if f.Date != "" {
		c.Since, _ = time.Parse(time.RFC3339, f.Date)
	}
	if f.InHead != nil {
		c.InHead = *f.InHead
	}
	block := rules.ContextGuidance(c)
	switch {
	case block == "":
	case f.Guidance == "":
		f.Guidance = block
	default:
		f.Guidance = block + "\n\n" + f.Guidance
	}
}

func pathFinding(pr *rules.PathRule, f *PathFact, pf rules.PathFinding) Finding {
	key := pf.Key
	if key == "" {
		key = f.Path
	}
	out := Finding{
		RuleID:        pr.ID,
		Title:         pr.Title,
		Severity:      string(pr.Severity),
		Path:          f.Path,
		Fingerprint:   Fingerprint(pr.ID, key),
		GitignoreRule: pf.GitignoreRule,
		Guidance:      pf.Guidance,
		RuleGuidance:  pr.Guidance,
		order:         f.Order,
	}
	if pf.Title != "" {
		out.Title = pf.Title
	}
	if f.Where == rules.InHistory {
		inHead := f.InHead
		out.InHead = &inHead
	}
	if f.At != nil {
		out.Commit, out.Author, out.Email = f.At.Hash, f.At.Author, f.At.Email
		out.Date = formatDate(f.At.Date)
	}
	return out
}

// ErrNothingScanned is returned when a history source covered no commits in
// a repository that has some: never a clean result over unseen history.
var ErrNothingScanned = errors.New("the scan covered nothing")

// Run scans everything src produces with det, then collapses, filters and
// sorts the findings. An error means the source failed; findings gathered
// before the failure are still in the returned Result.
func Run(ctx context.Context, src Source, det *Detector, opts Options) (*Result, error) {
	start := time.Now()
	r := &run{det: det, paths: opts.PathRules, facts: map[factKey]PathFact{}, lineFlt: opts.LineFilter, inHead: map[string]bool{}, skipped: map[SkipReason]int64{},
		listBinary: opts.ListBinarySkips, maxList: opts.MaxSkipsListed}
	if r.maxList <= 0 {
		r.maxList = DefaultMaxSkipsListed
	}
	for _, f := range opts.Facts {
		r.Path(f)
	}
	stop := r.progress(opts, start)
	if rs, ok := src.(Rescanner); ok && opts.LinkSecrets {
		rs.KeepForRescan(true)
		defer rs.KeepForRescan(false)
	}
	info, err := src.Scan(ctx, r)
	stop()
	if opts.LinkSecrets && err == nil && len(r.findings) > 0 {
		var linked []Finding
		linked, err = link(ctx, src, r.det, r.findings, r.lineFlt)
		r.findings = append(r.findings, linked...)
	}

	res := &Result{Source: info.Kind, Root: info.Root, Errors: r.errs, Skipped: r.skipList}
	sort.Slice(res.Skipped, func(i, j int) bool {
		a, b := &res.Skipped[i], &res.Skipped[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Blob < b.Blob
	})
	// Path findings come from the facts gathered, even when the source
	// failed part way: an env file seen before an unreadable object is
	// still reported (issue 11).
	findings := collapseHistory(r.findings, r.inHead)
	for i := range findings {
		addContextGuidance(&findings[i], rules.Where(info.Kind), start)
	}
	findings = append(findings, r.pathFindings()...)
	for i := range findings {
		f := &findings[i]
		if opts.ShowSecrets && f.raw != "" {
			f.Secret = f.raw
		}
		if f.SuppressedBy == "" {
			for _, flt := range opts.Filters {
				if why := flt.Suppress(f); why != "" {
					f.SuppressedBy = why
					break
				}
			}
		}
		if f.SuppressedBy != "" {
			res.Suppressed = append(res.Suppressed, *f)
		} else {
			res.Findings = append(res.Findings, *f)
		}
	}
	SortFindings(res.Findings)
	SortFindings(res.Suppressed)
	res.Summary = Summary{
		FilesScanned:    r.targets.Load(),
		BytesScanned:    r.bytes.Load(),
		Skipped:         r.skipped,
		SkippedUnlisted: r.unlisted,
		Errors:          len(r.errs),
		Findings:        len(res.Findings),
		Suppressed:      len(res.Suppressed),
		Commits:         info.Commits,
		Messages:        r.messages.Load(),
		Blobs:           info.Blobs,
		Refs:            info.Refs,
		Shallow:         info.Shallow,
		DurationMS:      time.Since(start).Milliseconds(),
	}
	return res, err
}

func (r *run) progress(opts Options, start time.Time) (stop func()) {
	if opts.Progress == nil {
		return func() {}
	}
	every := opts.ProgressEvery
	if every <= 0 {
		every = 200 * time.Millisecond
	}
	snap := func() Progress {
		return Progress{Targets: r.targets.Load(), Bytes: r.bytes.Load(), Elapsed: time.Since(start)}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				opts.Progress(snap())
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		opts.Progress(snap())
	}
}

// collapseHistory keeps, for each secret and path, the finding at the
// oldest commit, and marks history findings with whether the secret is still
// in HEAD. Findings without a commit pass through unchanged.
func collapseHistory(fs []Finding, inHead map[string]bool) []Finding {
	type key struct{ fp, path string }
	best := map[key]int{}
	var out []Finding
	for _, f := range fs {
		if f.Commit == "" {
			out = append(out, f)
			continue
		}
		k := key{f.Fingerprint, f.Path}
		if i, ok := best[k]; ok {
			o := &out[i]
			if f.order < o.order || (f.order == o.order && (f.Line < o.Line || (f.Line == o.Line && f.Column < o.Column))) {
				*o = f
			}
			continue
		}
		best[k] = len(out)
		out = append(out, f)
	}
	for i := range out {
		// in_head is about HEAD's tree; a message is in no tree.
		if out[i].Commit != "" && out[i].Kind == "" {
			v := inHead[out[i].Fingerprint]
			out[i].InHead = &v
		}
	}
	return out
}

// SortFindings orders findings by repository (for a report that covers
// several), path, line, column, rule and commit, the order every report
// uses.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
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
		if a.RuleID != b.RuleID {
			return a.RuleID < b.RuleID
		}
		return a.Commit < b.Commit
	})
}

// lineContext bounds the line text a LineFilter sees, so that a finding on
// a 300 KB minified line costs no more than one on a short line.
const lineContext = 4096

// lineAround returns the line holding offset pos, cut to lineContext bytes
// either side.
func lineAround(data []byte, pos int) []byte {
	lo := max(0, pos-lineContext)
	if i := bytes.LastIndexByte(data[lo:pos], '\n'); i >= 0 {
		lo += i + 1
	}
	hi := min(len(data), pos+lineContext)
	if i := bytes.IndexByte(data[pos:hi], '\n'); i >= 0 {
		hi = pos + i
	}
	return data[lo:hi]
}
