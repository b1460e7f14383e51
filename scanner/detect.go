package scanner

import (
	"bytes"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/clayscan/clayscan/rules"
)

// binarySniffLen is how much of a file is checked for a NUL byte, as git does.
const binarySniffLen = 8000

// Window bounds: a rule's regex runs on the line around a keyword hit, but no
// further than these many bytes either side, so that a 300 KB minified line
// costs no more than a short one.
const (
	windowBefore = 256
	windowAfter  = 2048
)

// inlineAllow on the same line as a finding suppresses it.
var inlineAllow = []byte("clayscan:allow")

// Detector finds secrets in bytes. It is immutable after NewDetector and safe
// for concurrent use.
type Detector struct {
	rules    []rules.Rule
	keywords []string // distinct, lowercase
	byKw     [][]int  // keyword index → rule indices
}

// NewDetector validates rs and builds a detector for them.
func NewDetector(rs []rules.Rule) (*Detector, error) {
	if err := rules.Validate(rs); err != nil {
		return nil, err
	}
	d := &Detector{rules: append([]rules.Rule(nil), rs...)}
	idx := map[string]int{}
	for ri, r := range d.rules {
		for _, k := range r.Keywords {
			ki, ok := idx[k]
			if !ok {
				ki = len(d.keywords)
				idx[k] = ki
				d.keywords = append(d.keywords, k)
				d.byKw = append(d.byKw, nil)
			}
			d.byKw[ki] = append(d.byKw[ki], ri)
		}
	}
	return d, nil
}

// Rules returns the detector's rules in order.
func (d *Detector) Rules() []rules.Rule { return append([]rules.Rule(nil), d.rules...) }

// IsBinary reports whether data looks binary: a NUL byte in its first 8000
// bytes, git's own test.
func IsBinary(data []byte) bool {
	if len(data) > binarySniffLen {
		data = data[:binarySniffLen]
	}
	return bytes.IndexByte(data, 0) >= 0
}

var lowerPool = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// asciiLower writes an ASCII-lowercased copy of src into dst. Non-ASCII bytes
// are copied unchanged so offsets stay aligned with src.
func asciiLower(dst, src []byte) []byte {
	dst = append(dst[:0], src...)
	for i, c := range dst {
		if 'A' <= c && c <= 'Z' {
			dst[i] = c + 'a' - 'A'
		}
	}
	return dst
}

type span struct{ start, end int }

type candidate struct {
	rule       int
	start, end int // secret
	title      string
}

// Detect scans t.Data and calls emit for each finding, in offset order. It
// does not check for binary content; callers do (see IsBinary). Findings on
// lines outside t.Lines are dropped; findings on a line holding
// "clayscan:allow" are emitted with SuppressedBy "inline".
func (d *Detector) Detect(t *Target, emit func(Finding)) {
	data := t.Data
	if len(data) == 0 {
		return
	}
	bp := lowerPool.Get().(*[]byte)
	lower := asciiLower(*bp, data)
	defer func() { *bp = lower[:0]; lowerPool.Put(bp) }()

	// Windows per rule, from the hits of its keywords.
	var perRule [][]span
	for ki, kw := range d.keywords {
		k := []byte(kw)
		for off := 0; ; {
			i := bytes.Index(lower[off:], k)
			if i < 0 {
				break
			}
			hit := off + i
			off = hit + len(k)
			w := lineWindow(data, hit, hit+len(k))
			if perRule == nil {
				perRule = make([][]span, len(d.rules))
			}
			for _, ri := range d.byKw[ki] {
				perRule[ri] = append(perRule[ri], w)
			}
		}
	}
	if perRule == nil {
		return
	}
	var cands []candidate
	for ri, ws := range perRule {
		if len(ws) == 0 {
			continue
		}
		r := &d.rules[ri]
		for _, w := range mergeSpans(ws) {
			for _, m := range r.Regex.FindAllSubmatchIndex(data[w.start:w.end], -1) {
				s, e := secretSpan(r, m)
				if s < 0 {
					continue
				}
				s, e = s+w.start, e+w.start
				if c, ok := d.accept(ri, data, lower, s, e); ok {
					cands = append(cands, c)
				}
			}
		}
	}
	if len(cands) == 0 {
		return
	}
	cands = dropOverlaps(cands)
	lc := lineCounter{data: data, line: 1}
	for _, c := range cands {
		line, col, lineStart, lineEnd := lc.locate(c.start)
		if !t.Lines.Has(line) {
			continue
		}
		r := &d.rules[c.rule]
		secret := string(data[c.start:c.end])
		f := Finding{
			RuleID:      r.ID,
			Title:       c.title,
			Severity:    string(r.Severity),
			Path:        t.Path,
			Line:        line,
			Column:      col,
			EndColumn:   col + utf8.RuneCount(data[c.start:c.end]),
			Secret:      Mask(secret),
			Fingerprint: Fingerprint(r.ID, secret),
			Guidance:    r.Guidance,
			raw:         secret,
			order:       t.Order,
			start:       c.start,
		}
		if t.Commit != nil {
			f.Commit = t.Commit.Hash
			f.Author = t.Commit.Author
			f.Email = t.Commit.Email
			f.Date = formatDate(t.Commit.Date)
		}
		if bytes.Contains(lower[lineStart:lineEnd], inlineAllow) {
			f.SuppressedBy = "inline"
		}
		emit(f)
	}
}

// accept applies a rule's post-match checks: entropy, placeholders, nearby
// context, and picks its title.
func (d *Detector) accept(ri int, data, lower []byte, s, e int) (candidate, bool) {
	r := &d.rules[ri]
	secret := string(data[s:e])
	if r.MinEntropy > 0 && rules.Entropy(secret) < r.MinEntropy {
		return candidate{}, false
	}
	if !r.KeepPlaceholders && rules.LooksLikePlaceholder(secret) {
		return candidate{}, false
	}
	near := r.NearBytes
	if near <= 0 {
		near = rules.DefaultNearBytes
	}
	ctx := lower[max(0, s-near):min(len(lower), e+near)]
	if len(r.Near) > 0 && !containsAny(ctx, r.Near) {
		return candidate{}, false
	}
	title := r.Title
	for _, t := range r.Titles {
		if containsAny(ctx, t.Near) {
			title = t.Title
			break
		}
	}
	return candidate{rule: ri, start: s, end: e, title: title}, true
}

func containsAny(b []byte, subs []string) bool {
	for _, s := range subs {
		if bytes.Contains(b, []byte(s)) {
			return true
		}
	}
	return false
}

// secretSpan returns the secret's offsets within a regex match.
func secretSpan(r *rules.Rule, m []int) (int, int) {
	if r.SecretGroup == rules.FirstGroup {
		for g := 1; 2*g+1 < len(m); g++ {
			if m[2*g] >= 0 {
				return m[2*g], m[2*g+1]
			}
		}
		return -1, -1
	}
	return m[2*r.SecretGroup], m[2*r.SecretGroup+1]
}

// lineWindow returns the part of the line around [s, e) that a regex
// inspects, bounded by windowBefore and windowAfter.
func lineWindow(data []byte, s, e int) span {
	lo := max(0, s-windowBefore)
	if i := bytes.LastIndexByte(data[lo:s], '\n'); i >= 0 {
		lo += i + 1
	}
	hi := min(len(data), e+windowAfter)
	if i := bytes.IndexByte(data[e:hi], '\n'); i >= 0 {
		hi = e + i
	}
	return span{lo, hi}
}

// mergeSpans sorts and merges overlapping or touching spans.
func mergeSpans(ws []span) []span {
	sort.Slice(ws, func(i, j int) bool { return ws[i].start < ws[j].start })
	out := ws[:1]
	for _, w := range ws[1:] {
		last := &out[len(out)-1]
		if w.start <= last.end {
			last.end = max(last.end, w.end)
			continue
		}
		out = append(out, w)
	}
	return out
}

// dropOverlaps keeps one candidate per overlapping secret: the one from the
// earliest (most specific) rule. The result is in offset order.
func dropOverlaps(cs []candidate) []candidate {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].start != cs[j].start {
			return cs[i].start < cs[j].start
		}
		return cs[i].rule < cs[j].rule
	})
	out := cs[:0]
	for _, c := range cs {
		if n := len(out); n > 0 && c.start < out[n-1].end {
			if c.rule < out[n-1].rule {
				out[n-1] = c
			}
			continue
		}
		out = append(out, c)
	}
	return out
}

// lineCounter turns increasing byte offsets into 1-based line and column
// (columns count characters; an invalid byte counts as one).
type lineCounter struct {
	data      []byte
	off, line int
	lineStart int
}

func (lc *lineCounter) locate(pos int) (line, col, lineStart, lineEnd int) {
	if pos < lc.off { // offsets go forward; start again rather than miscount
		lc.off, lc.line, lc.lineStart = 0, 1, 0
	}
	for {
		i := bytes.IndexByte(lc.data[lc.off:pos], '\n')
		if i < 0 {
			break
		}
		lc.off += i + 1
		lc.line++
		lc.lineStart = lc.off
	}
	lc.off = pos
	lineEnd = len(lc.data)
	if i := bytes.IndexByte(lc.data[pos:], '\n'); i >= 0 {
		lineEnd = pos + i
	}
	return lc.line, utf8.RuneCount(lc.data[lc.lineStart:pos]) + 1, lc.lineStart, lineEnd
}
