package scanner

import (
	"bytes"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/clayscan/clayscan/rules"
)

// binarySniffLen is how much of a file is checked for a NUL byte, as git does.
const binarySniffLen = 8000

// Window bounds: a rule's regex runs on the line around a keyword hit, but no
// further than these many bytes either side, so that a 300 KB minified line
// costs no more than a short one. maxSpan caps how far overlapping windows
// are merged: one regex call over a few KB stays on Go's fast backtracking
// matcher, one call over a whole minified bundle would not.
const (
	windowBefore = 256
	windowAfter  = 1024
	maxSpan      = 4096
)

// inlineAllow on the same line as a finding suppresses it.
const inlineAllow = "clayscan:allow"

// Detector finds secrets in bytes. It is immutable after NewDetector and safe
// for concurrent use: every call keeps its state on its own stack.
type Detector struct {
	rules    []rules.Rule
	keywords []string // distinct, lowercase
	byKw     [][]int  // keyword index → rule indices
	anchors  []anchor // what the prefilter searches for
	// groups are the anchors by the byte searched for: anchors that share
	// a byte (k in sk_live_ and in pull-in-data-from-a-webhook-) share
	// one pass over the data.
	groups []byteGroup
	// pairs is the pair prefilter, where the CPU runs it (see
	// prefilter.go); groupOf maps a byte to its group's index.
	pairs   *pairFilter
	groupOf [256]int16
	// starts[ri] holds rule ri's regex anchored at a keyword hit, when its
	// matches all begin with one of its keywords: it is then tried only
	// where a keyword starts instead of across a window. See start.
	starts []lazyAnchored
}

// lazyAnchored is a rule's anchored form, built at the rule's first keyword
// hit: compiling it costs more than a pre-commit scan's whole search, and
// most scans hit no keyword of most rules.
type lazyAnchored struct {
	once sync.Once
	a    *anchored
}

// start returns rule ri's anchored form, or nil when it has none.
func (d *Detector) start(ri int) *anchored {
	l := &d.starts[ri]
	l.once.Do(func() { l.a = anchorRule(&d.rules[ri]) })
	return l.a
}

// anchored holds a rule's regex compiled to match only near the start of
// its input, which begins lead bytes before a keyword hit.
type anchored struct {
	re   *regexp.Regexp // ^(?s:.{0,lead}?)(rule's regex)
	lead int            // how far before the keyword a match may start, plus one
	// atoms, when set, are literals of which one must follow the keyword
	// for the regex to match (key, secret, token… after "clay"): a few
	// IndexByte calls rule out most hits before the regex runs.
	atoms []string
	// run, when set, narrows where an atom may start: the keyword literal
	// (litLen bytes) is followed by a run of these bytes (a name such as
	// clay_api_), and the atom starts within that run.
	run    *[256]bool
	litLen int
	// maxInput is the longest input Go's backtracker takes for re (it
	// switches to the much slower NFA above); retries stay within it.
	maxInput int
}

// ruleState is one Detect call's bookkeeping for an anchored rule.
type ruleState struct {
	// budget is how many more keyword hits may be tried one by one; a file
	// dense with hits (clay_key=clay_key=… on a 300 KB line) then falls
	// back to matching over windows, which is linear in the input.
	budget int
	// The last regex match: hits inside it are not tried again.
	lastStart, lastEnd int
}

// hitBudget is how many keyword hits per file a rule tries one by one,
// plus one per hitBudgetBytes of input.
const (
	hitBudget      = 256
	hitBudgetBytes = 32
)

// anchor is a keyword the prefilter searches for directly. Keywords that
// contain another keyword (api.clay.com/v contains clay) are not searched:
// they are checked at each hit of the shorter one, so the data is read once
// per anchor, not once per keyword.
type anchor struct {
	kw      int    // keyword index
	pos     int    // index in the keyword of its rarest byte
	bytes   []byte // that byte in each case; found with SIMD IndexByte
	implied []implied
}

// byteGroup is one byte the prefilter searches for, and the anchors whose
// searched byte it is.
type byteGroup struct {
	b       byte
	members []groupMember
	// encGate: this byte's hits look for encoded runs (decode.go). Not
	// the lower-case letters common in text (y, the most frequent anchor
	// byte in code): their hits cost more than they find.
	encGate bool
}

type groupMember struct {
	pos    int    // the byte's index in the keyword
	kw     string // the anchor's keyword
	anchor int
}

// groupAnchors groups the anchors by searched byte, in order of first use.
func groupAnchors(as []anchor, kws []string) []byteGroup {
	var gs []byteGroup
	at := map[byte]int{}
	for ai, a := range as {
		for _, b := range a.bytes {
			gi, ok := at[b]
			if !ok {
				gi = len(gs)
				at[b] = gi
				gate := b < 'a' || b > 'z' || strings.IndexByte(byteRarity, b) >= strings.IndexByte(byteRarity, 'b')
				gs = append(gs, byteGroup{b: b, encGate: gate})
			}
			gs[gi].members = append(gs[gi].members, groupMember{pos: a.pos, kw: kws[a.kw], anchor: ai})
		}
	}
	return gs
}

// implied is a longer keyword holding the anchor at offset delta.
type implied struct{ kw, delta int }

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
	d.anchors = buildAnchors(d.keywords)
	d.groups = groupAnchors(d.anchors, d.keywords)
	for i := range d.groupOf {
		d.groupOf[i] = -1
	}
	for gi, g := range d.groups {
		d.groupOf[g.b] = int16(gi)
	}
	if havePairScan {
		d.pairs = buildPairFilter(d)
	}
	d.starts = make([]lazyAnchored, len(d.rules))
	return d, nil
}

// anchorRule returns the anchored forms of r's regex when every match
// begins with one of r's keywords, or nil.
func anchorRule(r *rules.Rule) *anchored {
	re, err := syntax.Parse(r.Regex.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	for re.Op == syntax.OpCapture {
		re = re.Sub[0]
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	// Find the part that starts with a keyword; what comes before it must
	// have a bounded width (an optional https://), the lead.
	lead := 0
	for i, sub := range subs {
		lit := strings.ToLower(leadingLiteral(sub))
		for _, k := range r.Keywords {
			if !strings.HasPrefix(lit, k) {
				continue
			}
			// One byte more than the lead, so that \b and other
			// look-behind assertions see the byte before the match.
			n := lead + 1
			fast, err := regexp.Compile(fmt.Sprintf(`^(?s:.{0,%d}?)(%s)`, n, r.Regex.String()))
			if err != nil {
				return nil
			}
			a := &anchored{re: fast, lead: n, atoms: atomsAfter(subs[i:], k), maxInput: windowAfter + n}
			if p, err := syntax.Parse(fast.String(), syntax.Perl); err == nil {
				if prog, err := syntax.Compile(p.Simplify()); err == nil {
					// regexp's maxBacktrackVector is 256 Kbit.
					a.maxInput = min(a.maxInput, 256*1024/len(prog.Inst)-1)
				}
			}
			a.run, a.litLen = runAfter(subs[i:])
			if a.run != nil && len(subs) > i+2 {
				if set := atoms(subs[i+2]); len(set) > 0 {
					a.atoms = set
				} else {
					a.run = nil
				}
			} else {
				a.run = nil
			}
			return a
		}
		w := maxWidth(sub)
		if w < 0 || lead+w > 64 {
			return nil
		}
		lead += w
	}
	return nil
}

// runAfter recognises a keyword literal followed by a repeated character
// class (clay[a-z0-9_.-]*?) and returns the class as a byte table, with the
// literal's length. Bytes of multi-byte characters count as in the class
// when it holds any non-ASCII character, so the table never rules out a
// match.
func runAfter(subs []*syntax.Regexp) (*[256]bool, int) {
	if len(subs) < 2 || subs[0].Op != syntax.OpLiteral {
		return nil, 0
	}
	lit := string(subs[0].Rune)
	for i := 0; i < len(lit); i++ {
		if lit[i] >= utf8.RuneSelf {
			return nil, 0
		}
	}
	rep := subs[1]
	switch rep.Op {
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
	default:
		return nil, 0
	}
	class := rep.Sub[0]
	if class.Op != syntax.OpCharClass {
		return nil, 0
	}
	var t [256]bool
	for j := 0; j+1 < len(class.Rune); j += 2 {
		lo, hi := class.Rune[j], class.Rune[j+1]
		for r := lo; r <= hi && r < utf8.RuneSelf; r++ {
			t[r] = true
		}
		if hi >= utf8.RuneSelf {
			for b := utf8.RuneSelf; b < 256; b++ {
				t[b] = true
			}
		}
	}
	return &t, len(lit)
}

// gate reports whether the regex could match at the keyword hit at, whose
// window ends at end.
func (a *anchored) gate(data []byte, at, end int) bool {
	if a.atoms == nil {
		return true
	}
	if a.run == nil {
		return containsAnyFold(data[at:end], a.atoms)
	}
	from := min(at+a.litLen, end)
	runEnd := from
	for runEnd < end && a.run[data[runEnd]] {
		runEnd++
	}
	for _, k := range a.atoms {
		if indexFold(data[from:min(end, runEnd+len(k))], k) >= 0 {
			return true
		}
	}
	return false
}

// maxWidth returns the most bytes re can match, or -1 when unbounded.
func maxWidth(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return 0
	case syntax.OpLiteral:
		return len(string(re.Rune))
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return utf8.UTFMax
	case syntax.OpCapture, syntax.OpQuest:
		return maxWidth(re.Sub[0])
	case syntax.OpRepeat:
		if w := maxWidth(re.Sub[0]); w >= 0 && re.Max >= 0 {
			return w * re.Max
		}
	case syntax.OpConcat, syntax.OpAlternate:
		total := 0
		for _, sub := range re.Sub {
			w := maxWidth(sub)
			if w < 0 {
				return -1
			}
			if re.Op == syntax.OpConcat {
				total += w
			} else {
				total = max(total, w)
			}
		}
		return total
	}
	return -1
}

// atomsAfter returns a set of literals (lowercase, three bytes or more) one
// of which every match holds after its leading keyword k, or nil; subs are
// the parts of the regex from the one that starts with k.
func atomsAfter(subs []*syntax.Regexp, k string) []string {
	var best []string
	for _, sub := range subs[1:] {
		set := atoms(sub)
		if len(set) == 0 || slices.ContainsFunc(set, func(a string) bool { return strings.Contains(k, a) }) {
			continue // always satisfied where k is
		}
		if best == nil || minLen(set) > minLen(best) {
			best = set
		}
	}
	return best
}

// atoms returns literals one of which every match of re contains, or nil
// when there is no such set of useful size.
func atoms(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if len(string(re.Rune)) >= 3 {
			return []string{strings.ToLower(string(re.Rune))}
		}
	case syntax.OpCapture, syntax.OpPlus:
		return atoms(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return atoms(re.Sub[0])
		}
	case syntax.OpConcat:
		var best []string
		for _, sub := range re.Sub {
			if set := atoms(sub); len(set) > 0 && (best == nil || minLen(set) > minLen(best)) {
				best = set
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			set := atoms(sub)
			if len(set) == 0 {
				return nil
			}
			all = append(all, set...)
		}
		if len(all) <= 16 {
			return all
		}
	}
	return nil
}

func minLen(set []string) int {
	n := -1
	for _, s := range set {
		if n < 0 || len(s) < n {
			n = len(s)
		}
	}
	return n
}

// leadingLiteral returns the literal text every match of re starts with,
// looking through captures and empty-width assertions (\b, ^).
func leadingLiteral(re *syntax.Regexp) string {
	switch re.Op {
	case syntax.OpLiteral:
		return string(re.Rune)
	case syntax.OpCapture:
		return leadingLiteral(re.Sub[0])
	case syntax.OpConcat:
		var b strings.Builder
		for _, sub := range re.Sub {
			switch sub.Op {
			case syntax.OpWordBoundary, syntax.OpBeginText, syntax.OpBeginLine, syntax.OpEmptyMatch:
				if b.Len() > 0 {
					return b.String()
				}
				continue
			case syntax.OpLiteral:
				b.WriteString(string(sub.Rune))
				continue
			}
			if b.Len() == 0 {
				return leadingLiteral(sub)
			}
			return b.String()
		}
		return b.String()
	}
	return ""
}

// buildAnchors picks the keywords that contain no other keyword and hangs
// every other keyword on one of them.
func buildAnchors(kws []string) []anchor {
	var as []anchor
	at := map[int]int{} // keyword index → anchor index
	for ki, k := range kws {
		minimal := true
		for kj, o := range kws {
			if kj != ki && len(o) < len(k) && strings.Contains(k, o) {
				minimal = false
				break
			}
		}
		if !minimal {
			continue
		}
		pos := rarestByte(k)
		a := anchor{kw: ki, pos: pos, bytes: []byte{k[pos]}}
		if c := k[pos]; 'a' <= c && c <= 'z' {
			a.bytes = append(a.bytes, c-'a'+'A')
		}
		at[ki] = len(as)
		as = append(as, a)
	}
	for ki, k := range kws {
		if _, ok := at[ki]; ok {
			continue
		}
		for aj, ai := range at {
			if i := strings.Index(k, kws[aj]); i >= 0 {
				as[ai].implied = append(as[ai].implied, implied{kw: ki, delta: i})
				break
			}
		}
	}
	// Map iteration above only picks which anchor carries a keyword; the
	// result does not depend on it beyond that, and findings are sorted.
	return as
}

// byteRarity orders lowercase letters from most to least common in text and
// code; rarestByte prefers the latest.
const byteRarity = "etaoinsrhldcumfpgwybvkxjqz"

// rarestByte returns the index of the keyword byte least likely to occur in
// ordinary text, so that IndexByte skips the most.
func rarestByte(k string) int {
	best, score := 0, -1
	for i := 0; i < len(k); i++ {
		if s := byteScore(k[i]); s > score {
			best, score = i, s
		}
	}
	return best
}

// byteScore is how rare c is in ordinary text, higher for rarer.
func byteScore(c byte) int {
	switch {
	case strings.IndexByte(byteRarity, c) >= 0:
		return strings.IndexByte(byteRarity, c)
	case c == ' ' || c == '_' || c == '.' || c == '-' || c == '/' || c == ':' || c == '"' || c == '\t':
		return 0
	case c >= 0x80:
		return 30
	}
	return 8 // digits and less common punctuation
}

// Rules returns the detector's rules in order.
func (d *Detector) Rules() []rules.Rule { return append([]rules.Rule(nil), d.rules...) }

// IsBinary reports whether data looks binary: a NUL byte in its first 8000
// bytes, git's own test, unless it is UTF-16 text (which the scan decodes,
// see DecodeText).
func IsBinary(data []byte) bool {
	head := data
	if len(head) > binarySniffLen {
		head = head[:binarySniffLen]
	}
	if bytes.IndexByte(head, 0) < 0 {
		return false
	}
	enc, _ := sniffUTF16(head)
	return enc == encUTF8
}

// hasPrefixFold reports whether b starts with the lowercase ASCII string k,
// ignoring ASCII case.
func hasPrefixFold(b []byte, k string) bool {
	if len(b) < len(k) {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != k[i] {
			return false
		}
	}
	return true
}

// indexFold returns the first index of the lowercase string k in b, ignoring
// ASCII case, or -1.
func indexFold(b []byte, k string) int {
	if k == "" {
		return 0
	}
	first := k[0]
	up := first
	if 'a' <= first && first <= 'z' {
		up = first - 'a' + 'A'
	}
	for off := 0; off+len(k) <= len(b); {
		i := bytes.IndexByte(b[off:len(b)-len(k)+1], first)
		if up != first {
			if j := bytes.IndexByte(b[off:len(b)-len(k)+1], up); j >= 0 && (i < 0 || j < i) {
				i = j
			}
		}
		if i < 0 {
			return -1
		}
		if hasPrefixFold(b[off+i:], k) {
			return off + i
		}
		off += i + 1
	}
	return -1
}

// lastIndexFold is indexFold from the end.
func lastIndexFold(b []byte, k string) int {
	for i := len(b) - len(k); i >= 0; i-- {
		if hasPrefixFold(b[i:], k) {
			return i
		}
	}
	return -1
}

type span struct{ start, end int }

type candidate struct {
	rule       int
	start, end int // secret, or the encoded text holding it
	title      string
	// decoded, for a secret found in encoded text, says how it was
	// decoded (see Finding.Decoded), and secret is the decoded secret.
	decoded string
	secret  string
	// rejected names the heuristic that dropped a match ("placeholder",
	// "entropy"): it is reported as suppressed when the run asks.
	rejected string
}

// Detect scans t.Data and calls emit for each finding, in offset order. It
// does not check for binary content; callers do (see IsBinary). Findings on
// lines outside t.Lines are dropped; findings on a line holding
// "clayscan:allow" are emitted with SuppressedBy "inline".
func (d *Detector) Detect(t *Target, emit func(Finding)) {
	d.detect(t, t.Data, 0, len(t.Data), textPos{1, 1}, false, func(f Finding, _ []byte) { emit(f) })
}

// textPos is a 1-based line and column (in characters).
type textPos struct{ line, col int }

// detect scans data, which starts at position at of t's content, and emits
// the findings whose secret starts in data[from:to], each with the data
// its offset (Finding.start) is relative to. The rest of data is context:
// a window of a stream (see DetectReader) overlaps its neighbours, and
// each finding belongs to exactly one window.
//
// With rejected, matches that a heuristic dropped (placeholders, low
// entropy) are emitted too, suppressed by "placeholder" or "entropy", so
// that every suppression is counted and can be listed (issue 11).
func (d *Detector) detect(t *Target, data []byte, from, to int, at textPos, rejected bool, emit func(Finding, []byte)) {
	if len(data) == 0 {
		return
	}
	cands, rejects := d.candidates(data, 0, rejected, t.Seen)
	if rejected && len(rejects) > 0 {
		cands = append(cands, rejects...)
		sort.SliceStable(cands, func(i, j int) bool { return cands[i].start < cands[j].start })
	}
	if len(cands) == 0 {
		return
	}
	lc := lineCounter{data: data, line: 1, col: 1, lineEnd: -1}
	for _, c := range cands {
		if c.start < from || c.start >= to {
			continue
		}
		line, col, _, _, allow := lc.locate(c.start)
		if line == 1 {
			col += at.col - 1
		}
		line += at.line - 1
		if !t.Lines.Has(line) {
			continue
		}
		r := &d.rules[c.rule]
		secret := c.secret
		if c.decoded == "" {
			secret = string(data[c.start:c.end])
		}
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
			Guidance:    r.GuidanceFor(c.title),
			Decoded:     c.decoded,
			raw:         secret,
			tracked:     t.Tracked,
			untracked:   t.Untracked,
			content:     true,
			order:       t.Order,
			start:       c.start,
		}
		if t.Commit != nil {
			f.Commit = t.Commit.Hash
			f.Author = t.Commit.Author
			f.Email = t.Commit.Email
			f.Date = formatDate(t.Commit.Date)
		}
		switch {
		case c.rejected != "":
			f.SuppressedBy = c.rejected
		case allow:
			f.SuppressedBy = "inline"
		}
		emit(f, data)
	}
}

// candidates finds the secrets in data, in offset order: the rules' matches
// and, below maxDecodeDepth, those in the encoded text it holds (see
// decode.go), located at the encoded text. With keep, rejects are the
// matches a heuristic dropped, where no accepted secret overlaps them;
// without it they are not built at all (Detect never reports them).
func (d *Detector) candidates(data []byte, depth int, keep bool, seen *Anchors) (cands, rejects []candidate) {
	// Windows per rule, from the hits of its keywords; anchored rules keep
	// the hits themselves.
	var perRule [][]span
	var state []ruleState
	hit := func(ki, at int) {
		for _, ri := range d.byKw[ki] {
			if a := d.start(ri); a != nil {
				if state == nil {
					state = make([]ruleState, len(d.rules))
					for i := range state {
						state[i].budget = hitBudget + len(data)/hitBudgetBytes
					}
				}
				st := &state[ri]
				if st.lastStart <= at && at < st.lastEnd {
					continue
				}
				if st.budget > 0 {
					st.budget--
					cands = d.matchAt(cands, ri, a, data, at, st, keep)
					continue
				}
			}
			w := lineWindow(data, at, at+len(d.keywords[ki]), d.rules[ri].Lines)
			if perRule == nil {
				perRule = make([][]span, len(d.rules))
			}
			perRule[ri] = append(perRule[ri], w)
		}
	}
	var enc encodedScan
	decode := depth < maxDecodeDepth
	var hitBuf [16]kwHit
	hits := hitBuf[:0]
	var pooled *[]kwHit
	if len(data) >= pooledHitsMin {
		// Text dense with keywords (a minified bundle, a settings file)
		// has thousands of hits: reuse one buffer rather than growing
		// a new one per file.
		pooled = hitPool.Get().(*[]kwHit)
		hits = (*pooled)[:0]
	}
	hits = d.scan(data, decode, &enc, hits)
	if seen != nil {
		for _, h := range hits {
			*seen |= anchorBit(int(h.anchor))
		}
	}
	// Replay the hits in the order of the byte search (scanBytes): per
	// group, by offset. The anchored rules' state (budget, last match)
	// then sees the same sequence whichever prefilter ran.
	lastG := int32(-1)
	for _, h := range hits {
		if h.g != lastG {
			lastG, enc.pctNext = h.g, 0
		}
		a, s := &d.anchors[h.anchor], h.s
		if decode && s >= enc.pctNext {
			enc.percentAt(data, s)
		}
		hit(a.kw, s)
		for _, im := range a.implied {
			if ks := s - im.delta; ks >= 0 && hasPrefixFold(data[ks:], d.keywords[im.kw]) {
				hit(im.kw, ks)
			}
		}
	}
	if pooled != nil && cap(hits) <= maxPooledHits {
		*pooled = hits[:0]
		hitPool.Put(pooled)
	}
	for ri, ws := range perRule {
		if len(ws) == 0 {
			continue
		}
		r := &d.rules[ri]
		for _, w := range mergeSpans(ws) {
			for _, m := range r.Regex.Regexp().FindAllSubmatchIndex(data[w.start:w.end], -1) {
				for i := range m {
					if m[i] >= 0 {
						m[i] += w.start
					}
				}
				if c, ok := d.accept(ri, data, m, keep); ok {
					cands = append(cands, c)
				}
			}
		}
	}
	if len(cands) == 0 && len(enc.runs) == 0 {
		return nil, nil
	}
	n := 0
	for _, c := range cands {
		if c.rejected == "" {
			cands[n] = c
			n++
		} else {
			rejects = append(rejects, c)
		}
	}
	cands = cands[:n]
	if len(cands) > 0 {
		cands = dropOverlaps(cands)
	}
	if len(enc.runs) > 0 {
		cands = d.decodeRuns(data, depth, cands, enc.runs)
	}
	if len(rejects) > 0 {
		rejects = dropOverlaps(rejects)
		n := 0
		for _, r := range rejects {
			if !slices.ContainsFunc(cands, func(c candidate) bool { return c.decoded == "" && c.start < r.end && r.start < c.end }) {
				rejects[n] = r
				n++
			}
		}
		rejects = rejects[:n]
	}
	return cands, rejects
}

// firstTry is how much of the line after a keyword an anchored rule reads
// first. Go's backtracker clears a bitmap of program size × input length on
// every call, so a short first try is much cheaper; only a match that runs
// to its end is tried again on the whole window.
const firstTry = 192

// matchAt tries rule ri's anchored regex at the keyword hit at.
func (d *Detector) matchAt(cands []candidate, ri int, a *anchored, data []byte, at int, st *ruleState, keep bool) []candidate {
	re, lo := a.re, max(0, at-a.lead)
	end := min(windowEnd(data, at, d.rules[ri].Lines), lo+a.maxInput)
	if !a.gate(data, at, end) {
		return cands
	}
	first := min(end, at+firstTry)
	m := re.FindSubmatchIndex(data[lo:first])
	if m != nil && lo+m[1] == first && first < end {
		m = re.FindSubmatchIndex(data[lo:end])
	}
	if m == nil {
		return cands
	}
	// Group 1 is the rule's own match; drop the lead.
	m = m[2:]
	st.lastStart, st.lastEnd = lo+m[0], lo+m[1]
	for i := range m {
		if m[i] >= 0 {
			m[i] += lo
		}
	}
	if c, ok := d.accept(ri, data, m, keep); ok {
		cands = append(cands, c)
	}
	return cands
}

// accept applies a rule's post-match checks to the match m (absolute
// offsets): entropy, placeholders, nearby context; and picks its title.
// A match the heuristics reject is a candidate only with keep.
func (d *Detector) accept(ri int, data []byte, m []int, keep bool) (candidate, bool) {
	r := &d.rules[ri]
	s, e := group(m, r.SecretGroup)
	if s < 0 || s == e {
		return candidate{}, false
	}
	cs, ce := s, e
	if r.CheckGroup > 0 {
		if cs, ce = group(m, r.CheckGroup); cs < 0 {
			return candidate{}, false
		}
	}
	check := string(data[cs:ce])
	near := r.NearBytes
	if near <= 0 {
		near = rules.DefaultNearBytes
	}
	lo, hi := max(0, s-near), min(len(data), e+near)
	// Context the rule requires is part of its match: without it there is
	// no candidate. What the heuristics drop is a suppression, counted
	// and listed with --verbose (issue 11).
	if len(r.Near) > 0 && !containsAnyFold(data[lo:hi], r.Near) {
		return candidate{}, false
	}
	if len(r.Hosts) > 0 && !nearestHostIs(data, s, e, lo, hi, r.Hosts) {
		return candidate{}, false
	}
	rejected := ""
	switch {
	case !r.KeepPlaceholders && (rules.IsPlaceholder(check, r.NameShapedValues) || rules.MaskedAfter(data[e:])):
		rejected = "placeholder"
	case r.MinEntropy > 0 && rules.Entropy(rules.SecretBody(check)) < r.MinEntropy:
		rejected = "entropy"
	}
	if rejected != "" && !keep {
		return candidate{}, false
	}
	title, best := r.Title, -1
	for _, t := range r.Titles {
		for _, n := range t.Near {
			dist := -1
			if i := lastIndexFold(data[lo:s], n); i >= 0 {
				dist = s - (lo + i)
			}
			if i := indexFold(data[e:hi], n); i >= 0 && (dist < 0 || i < dist) {
				dist = i
			}
			if dist >= 0 && (best < 0 || dist < best) {
				title, best = t.Title, dist
			}
		}
	}
	return candidate{rule: ri, start: s, end: e, title: title, rejected: rejected}, true
}

// nearestHostIs reports whether the host nearest [s, e) within [lo, hi) —
// a URL's (after "://") or one of hosts written bare — is one of hosts.
func nearestHostIs(data []byte, s, e, lo, hi int, hosts []string) bool {
	best, ok := -1, false
	consider := func(dist int, isHost bool) {
		if best < 0 || dist < best {
			best, ok = dist, isHost
		}
	}
	hostAt := func(i int) bool { // i: start of a host
		for _, h := range hosts {
			if hasPrefixFold(data[i:], h) && (i+len(h) == len(data) || !hostByte(data[i+len(h)])) {
				return true
			}
		}
		return false
	}
	// Before: the last "://" and the last bare host.
	if i := bytes.LastIndex(data[lo:s], []byte("://")); i >= 0 {
		consider(s-(lo+i), hostAt(lo+i+3))
	}
	for _, h := range hosts {
		if i := lastIndexFold(data[lo:s], h); i >= 0 {
			consider(s-(lo+i), hostAt(lo+i))
		}
	}
	// After: the first of each.
	if i := bytes.Index(data[e:hi], []byte("://")); i >= 0 {
		consider(i, hostAt(e+i+3))
	}
	for _, h := range hosts {
		if i := indexFold(data[e:hi], h); i >= 0 {
			consider(i, hostAt(e+i))
		}
	}
	return ok
}

func hostByte(c byte) bool {
	return c == '.' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

func containsAnyFold(b []byte, subs []string) bool {
	for _, s := range subs {
		if indexFold(b, s) >= 0 {
			return true
		}
	}
	return false
}

// group returns the offsets of capture group g in m; FirstGroup picks the
// first group that matched.
func group(m []int, g int) (int, int) {
	if g == rules.FirstGroup {
		for g := 1; 2*g+1 < len(m); g++ {
			if m[2*g] >= 0 {
				return m[2*g], m[2*g+1]
			}
		}
		return -1, -1
	}
	return m[2*g], m[2*g+1]
}

// lineWindow returns the part of the line around [s, e) that a regex
// inspects (and lines more after it), bounded by windowBefore and
// windowAfter.
func lineWindow(data []byte, s, e, lines int) span {
	lo := max(0, s-windowBefore)
	if i := bytes.LastIndexByte(data[lo:s], '\n'); i >= 0 {
		lo += i + 1
	}
	return span{lo, windowEnd(data, e, lines)}
}

// windowEnd returns where a window starting at e ends: at the end of its
// line, or of the extra lines a rule reads, and within windowAfter.
func windowEnd(data []byte, e, lines int) int {
	hi := min(len(data), e+windowAfter)
	for off := e; ; lines-- {
		i := bytes.IndexByte(data[off:hi], '\n')
		if i < 0 {
			return hi
		}
		if lines <= 0 {
			return off + i
		}
		off += i + 1
	}
}

// mergeSpans sorts and merges overlapping or touching spans, up to maxSpan
// bytes each. A span cut at the cap overlaps the next one by a whole
// window, so a match around any hit lies wholly in one span.
func mergeSpans(ws []span) []span {
	sort.Slice(ws, func(i, j int) bool { return ws[i].start < ws[j].start })
	out := ws[:1]
	for _, w := range ws[1:] {
		last := &out[len(out)-1]
		if w.start <= last.end && max(last.end, w.end)-last.start <= maxSpan {
			last.end = max(last.end, w.end)
			continue
		}
		if w.end <= last.end {
			continue // already inside
		}
		out = append(out, w)
	}
	return out
}

// dropOverlaps keeps one candidate per overlapping secret: the one from the
// earliest (most specific) rule, and of one rule's the longest (a match cut
// at a span's end is a prefix of the whole one). The result is in offset
// order.
func dropOverlaps(cs []candidate) []candidate {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].start != cs[j].start {
			return cs[i].start < cs[j].start
		}
		if cs[i].rule != cs[j].rule {
			return cs[i].rule < cs[j].rule
		}
		return cs[i].end > cs[j].end
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
	col       int // column of off
	// The current line's end and whether it holds clayscan:allow, found
	// once per line: a 300 KB line with thousands of findings must not be
	// rescanned for each.
	lineEnd int
	allow   bool
}

// locate returns pos's line and column, the line's bounds, and whether the
// line holds clayscan:allow. Each call costs only the bytes since the last.
func (lc *lineCounter) locate(pos int) (line, col, lineStart, lineEnd int, allow bool) {
	if pos < lc.off { // offsets go forward; start again rather than miscount
		lc.off, lc.line, lc.lineStart, lc.col, lc.lineEnd = 0, 1, 0, 1, -1
	}
	for {
		i := bytes.IndexByte(lc.data[lc.off:pos], '\n')
		if i < 0 {
			break
		}
		lc.off += i + 1
		lc.line++
		lc.lineStart, lc.col, lc.lineEnd = lc.off, 1, -1
	}
	lc.col += utf8.RuneCount(lc.data[lc.off:pos])
	lc.off = pos
	if lc.lineEnd < 0 {
		lc.lineEnd = len(lc.data)
		if i := bytes.IndexByte(lc.data[pos:], '\n'); i >= 0 {
			lc.lineEnd = pos + i
		}
		lc.allow = indexFold(lc.data[lc.lineStart:lc.lineEnd], inlineAllow) >= 0
	}
	return lc.line, lc.col, lc.lineStart, lc.lineEnd, lc.allow
}
