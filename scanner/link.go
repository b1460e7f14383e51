package scanner

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// Linking (issue 11): a value that one finding proves to be a credential
// is a credential wherever else it occurs in the same scan — a README
// quoting it, a Bearer header sent through a proxy, a test fixture. When
// the scan found something, the source is read a second time for those
// exact values, and each other occurrence is reported under the same rule
// and fingerprint, with SameSecretAs naming the first finding. A scan that
// found nothing never makes the second pass.

// minLinkedSecret is the shortest value searched for: shorter ones could
// occur by chance.
const minLinkedSecret = 12

// maxLinkedSecrets bounds the values searched for in the second pass.
const maxLinkedSecrets = 256

// linked is one proven value and the finding that proved it.
type linked struct {
	secret []byte
	first  *Finding
	at     string // first's location, for SameSecretAs
}

// linkTargets returns the values to search for: the secrets of content
// findings that are reported or suppressed by a user's choice (not the
// placeholder and entropy heuristics), first by report order.
func linkTargets(fs []Finding) []linked {
	var cands []*Finding
	for i := range fs {
		f := &fs[i]
		if !f.content || len(f.raw) < minLinkedSecret || f.SuppressedBy == "placeholder" || f.SuppressedBy == "entropy" || f.SameSecretAs != "" {
			continue
		}
		if strings.Contains(strings.ToLower(f.Title), "stripe") {
			continue // proved to be Stripe's, not Clay's
		}
		cands = append(cands, f)
	}
	sort.SliceStable(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	seen := map[string]bool{}
	var out []linked
	for _, f := range cands {
		if seen[f.raw] || len(out) == maxLinkedSecrets {
			continue
		}
		seen[f.raw] = true
		out = append(out, linked{secret: []byte(f.raw), first: f, at: f.Path + ":" + strconv.Itoa(f.Line)})
	}
	return out
}

// anchorsOf returns, for a second pass looking for vals, the anchors a
// content must hold to hold any of them: for each value, one anchor keyword
// it contains. 0 when a value contains none: every content must be read.
func (d *Detector) anchorsOf(vals []linked) Anchors {
	var need Anchors
	for _, v := range vals {
		var bit Anchors
		for i, a := range d.anchors {
			if indexFold(v.secret, d.keywords[a.kw]) >= 0 {
				bit = anchorBit(i)
				break
			}
		}
		if bit == 0 {
			return 0
		}
		need |= bit
	}
	return need
}

// linkSink is the second pass's sink: it finds the linked values in each
// target and records the occurrences no finding covers yet.
type linkSink struct {
	vals []linked
	// lineFlt is Options.LineFilter: the line's text is at hand only
	// while its content is read.
	lineFlt func(*Finding, []byte) string
	known   map[string][]span // path → line ranges (line, start col..end col) already reported; see covered
	mu      sync.Mutex
	found   []Finding

	ixOnce sync.Once
	ix     *linkIndex // nil: values shorter than a word (tests)
}

// index returns the values' index, built at first use.
func (l *linkSink) index() *linkIndex {
	l.ixOnce.Do(func() { l.ix = newLinkIndex(l.vals) })
	return l.ix
}

func (l *linkSink) Skip(Skipped)          {}
func (l *linkSink) Error(string, error)   {}
func (l *linkSink) WantsPath(string) bool { return false }
func (l *linkSink) Path(PathFact)         {}
func (l *linkSink) covered(path string, line, col int) bool {
	for _, s := range l.known[path] {
		if s.start == line && s.end == col {
			return true
		}
	}
	return false
}

func (l *linkSink) Scan(t Target) {
	var local []Finding
	add := func(lc *lineCounter, i int, v *linked, at textPos) {
		line, col, _, _, allow := lc.locate(i)
		if line == 1 {
			col += at.col - 1
		}
		line += at.line - 1
		if !t.Lines.Has(line) || l.covered(t.Path, line, col) {
			return
		}
		first := v.first
		f := Finding{
			RuleID: first.RuleID, Title: first.Title, Severity: first.Severity,
			Path: t.Path, Line: line, Column: col, EndColumn: col + utf8.RuneCount(v.secret),
			Secret: first.Secret, Fingerprint: first.Fingerprint, Guidance: first.Guidance,
			SameSecretAs: v.at, Kind: t.Kind,
			raw: first.raw, tracked: t.Tracked, untracked: t.Untracked, content: true, order: t.Order, start: i,
		}
		if t.Commit != nil {
			f.Commit, f.Author, f.Email, f.Date = t.Commit.Hash, t.Commit.Author, t.Commit.Email, formatDate(t.Commit.Date)
		}
		switch {
		case allow:
			f.SuppressedBy = "inline"
		case l.lineFlt != nil:
			f.SuppressedBy = l.lineFlt(&f, lineAround(lc.data, i))
		}
		local = append(local, f)
	}
	// search finds the values in data, except those wholly before
	// prevEnd (found in the previous window).
	search := func(data []byte, prevEnd int, at textPos) {
		// One counter per window: a value's occurrences come in offset
		// order, so locating them all reads data once per value, not once
		// per occurrence (a key repeated down a large file).
		lc := lineCounter{data: data, line: 1, col: 1, lineEnd: -1}
		if ix := l.index(); ix != nil {
			for _, h := range ix.find(l.vals, data, nil) {
				v := &l.vals[h.val]
				if h.at+len(v.secret) > prevEnd {
					add(&lc, h.at, v, at)
				}
			}
			return
		}
		for vi := range l.vals {
			v := &l.vals[vi]
			for off := 0; ; {
				i := bytes.Index(data[off:], v.secret)
				if i < 0 {
					break
				}
				if off+i+len(v.secret) > prevEnd {
					add(&lc, off+i, v, at)
				}
				off += i + 1
			}
		}
	}
	if t.Reader == nil {
		data, binary := textOf(t.Data)
		if !binary {
			search(data, 0, textPos{1, 1})
		}
	} else if text, binary, err := openText(t.Reader); err == nil && !binary {
		l.searchStream(text, search)
	}
	if len(local) > 0 {
		l.mu.Lock()
		l.found = append(l.found, local...)
		l.mu.Unlock()
	}
}

// searchStream runs search over a stream in windows that overlap by the
// longest value, each occurrence once.
func (l *linkSink) searchStream(r io.Reader, search func(data []byte, prevEnd int, at textPos)) {
	longest := 0
	for _, v := range l.vals {
		longest = max(longest, len(v.secret))
	}
	buf := make([]byte, streamWindow+longest)
	n, prevEnd := 0, 0
	at := textPos{1, 1}
	for {
		m, err := io.ReadFull(r, buf[n:])
		n += m
		search(buf[:n], prevEnd, at)
		if err != nil {
			return // EOF, or an error the first pass reported
		}
		keep := runeStart(buf, n-longest+1)
		at = at.advance(buf[:keep])
		n = copy(buf, buf[keep:n])
		prevEnd = n
	}
}

// link runs the second pass and returns the occurrences found, or the
// context's error when the run was interrupted: a pass cut short is not
// a result (issue 12).
func link(ctx context.Context, src Source, det *Detector, fs []Finding, lineFlt func(*Finding, []byte) string) ([]Finding, error) {
	vals := linkTargets(fs)
	if len(vals) == 0 {
		return nil, nil
	}
	l := &linkSink{vals: vals, lineFlt: lineFlt, known: map[string][]span{}}
	for i := range fs {
		f := &fs[i]
		l.known[f.Path] = append(l.known[f.Path], span{f.Line, f.Column})
	}
	// Errors were reported by the first pass.
	if rs, ok := src.(Rescanner); !ok || !rs.Rescan(ctx, l, det.anchorsOf(vals)) {
		src.Scan(ctx, l)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return l.found, nil
}
