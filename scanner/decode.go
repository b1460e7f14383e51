package scanner

import (
	"bytes"
	"math/bits"
	"slices"
	"sort"
)

// Encoded keys (issue 11): a Kubernetes Secret holds its values in base64
// under neutral names (api-key: c2tfbGl2ZV8…), a key travels hex-encoded
// or percent-encoded in a URL. The detector decodes such text and scans
// the result with the same rules, reporting what it finds at the encoded
// text with how it was decoded.
//
// The cost on text with nothing encoded must stay near zero: the detector
// makes no extra pass over the data. A run of base64 or hex holds the
// prefilter's anchor bytes (y, k, b…) as often as any other character, so
// the anchors' own hits find runs; a hit is only looked at when the byte
// after it is an upper-case letter or a digit (or the anchor byte is
// one), which random base64 and hex often have and ordinary code seldom,
// and not for anchor bytes common in code (y; see byteGroup.encGate).
// A decoded run is scanned only when it holds a keyword. Percent-encoding
// hides the delimiters around a keyword, not the keyword, so it is looked
// for around keyword hits.

// maxDecodeDepth bounds nesting: base64 of base64 (or of percent-encoded
// text) is decoded, a third level is not.
const maxDecodeDepth = 2

// Plausible lengths: 20 base64 characters hold 15 bytes, 32 hex digits 16;
// a key with its prefix is longer than either.
const (
	minBase64Run = 20
	minHexRun    = 32
	// maxDecodedRun bounds one decoded run (a whole file in base64 is
	// decoded up to this much).
	maxDecodedRun = 1 << 20
	// maxPercentToken bounds how far a percent-encoded token is followed
	// either side of a keyword.
	maxPercentToken = 4 << 10
)

// Lookup tables, built once and never changed.
var (
	// b64Char: the standard and URL base64 alphabets together, and b64Val
	// each character's value in either.
	b64Char, b64Val = func() (ok [256]bool, val [256]byte) {
		const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		for i := 0; i < len(std); i++ {
			ok[std[i]], val[std[i]] = true, byte(i)
		}
		ok['-'], val['-'] = true, 62
		ok['_'], val['_'] = true, 63
		return ok, val
	}()
	// b64Bit is b64Char as 0 or 1.
	b64Bit = func() (t [256]uint8) {
		for c, ok := range b64Char {
			if ok {
				t[c] = 1
			}
		}
		return t
	}()
	// b64Strong: upper-case letters and digits.
	b64Strong = func() (t [256]bool) {
		for c := 'A'; c <= 'Z'; c++ {
			t[c] = true
		}
		for c := '0'; c <= '9'; c++ {
			t[c] = true
		}
		return t
	}()
	// hexVal is a hex digit's value, or -1.
	hexVal = func() (t [256]int8) {
		for i := range t {
			t[i] = -1
		}
		for i, c := range "0123456789abcdef" {
			t[c] = int8(i)
			if c >= 'a' {
				t[c-'a'+'A'] = int8(i)
			}
		}
		return t
	}()
	// tokenStop ends a percent-encoded token.
	tokenStop = func() (t [256]bool) {
		for _, c := range " \t\r\n\"'`<>()[]{},;\\|?&=#" {
			t[c] = true
		}
		return t
	}()
)

type encKind uint8

const (
	encBase64 encKind = iota + 1
	encPercent
)

type encRun struct {
	start, end int
	kind       encKind
}

// encodedScan collects the encoded runs one candidates call finds.
type encodedScan struct {
	next    int // hits before it are inside a run already looked at
	pctNext int
	runs    []encRun
}

// runAt looks at the run of base64 characters around p.
func (e *encodedScan) runAt(data []byte, p int) {
	if !b64Char[data[p]] {
		return
	}
	// Eight bytes at a time, a bit per byte, while whole words fit:
	// identifiers end after a dozen bytes or so, and a loop a byte at a
	// time mispredicts its exit at every one of them.
	s, end := p, p+1
	for s >= 8 {
		w := data[s-8 : s]
		m := b64Bit[w[7]] | b64Bit[w[6]]<<1 | b64Bit[w[5]]<<2 | b64Bit[w[4]]<<3 |
			b64Bit[w[3]]<<4 | b64Bit[w[2]]<<5 | b64Bit[w[1]]<<6 | b64Bit[w[0]]<<7
		if m != 0xff {
			s -= bits.TrailingZeros8(^m)
			goto back
		}
		s -= 8
	}
	for s > 0 && b64Char[data[s-1]] {
		s--
	}
back:
	for end+8 <= len(data) {
		w := data[end : end+8]
		m := b64Bit[w[0]] | b64Bit[w[1]]<<1 | b64Bit[w[2]]<<2 | b64Bit[w[3]]<<3 |
			b64Bit[w[4]]<<4 | b64Bit[w[5]]<<5 | b64Bit[w[6]]<<6 | b64Bit[w[7]]<<7
		if m != 0xff {
			end += bits.TrailingZeros8(^m)
			goto forward
		}
		end += 8
	}
	for end < len(data) && b64Char[data[end]] {
		end++
	}
forward:
	e.next = end
	if end-s < minBase64Run {
		return
	}
	for n := 0; n < 2 && end < len(data) && data[end] == '='; n++ {
		end++
	}
	e.runs = append(e.runs, encRun{s, end, encBase64})
}

// percentAt looks for a percent-encoded token around the keyword at s.
func (e *encodedScan) percentAt(data []byte, s int) {
	lo := s
	for lo > 0 && s-lo < maxPercentToken && !tokenStop[data[lo-1]] {
		lo--
	}
	hi := s
	for hi < len(data) && hi-s < maxPercentToken && !tokenStop[data[hi]] {
		hi++
	}
	e.pctNext = hi
	tok := data[lo:hi]
	for i := bytes.IndexByte(tok, '%'); i >= 0 && i+2 < len(tok); {
		if hexVal[tok[i+1]] >= 0 && hexVal[tok[i+2]] >= 0 {
			e.runs = append(e.runs, encRun{lo, hi, encPercent})
			return
		}
		j := bytes.IndexByte(tok[i+1:], '%')
		if j < 0 {
			return
		}
		i += 1 + j
	}
}

// compareRuns orders runs by start, kind and end: a total order, so that
// the runs decode in one order whichever order the prefilter found them in.
func compareRuns(a, b encRun) int {
	if a.start != b.start {
		return a.start - b.start
	}
	if a.kind != b.kind {
		return int(a.kind) - int(b.kind)
	}
	return a.end - b.end
}

// decodeRuns decodes the runs, scans what holds a keyword, and merges the
// secrets found into cands (in offset order). A decoded secret that a rule
// already found in plain text over the same bytes is not reported twice.
func (d *Detector) decodeRuns(data []byte, depth int, cands []candidate, runs []encRun) []candidate {
	slices.SortFunc(runs, compareRuns)
	var found []candidate
	var buf []byte
	last := encRun{start: -1}
	for _, r := range runs {
		if r == last {
			continue
		}
		last = r
		text := data[r.start:r.end]
		if len(text) > maxDecodedRun {
			text = text[:maxDecodedRun]
		}
		try := func(decoded []byte, label string) {
			if !d.worthDecoding(decoded, depth+1 < maxDecodeDepth) {
				return
			}
			inner, _ := d.candidates(decoded, depth+1, false, nil)
			for _, c := range inner {
				secret := c.secret
				how := label
				if c.decoded == "" {
					secret = string(decoded[c.start:c.end])
				} else {
					how += "," + c.decoded
				}
				found = append(found, candidate{rule: c.rule, start: r.start, end: r.end, title: c.title, decoded: how, secret: secret})
			}
		}
		switch r.kind {
		case encBase64:
			if len(text) >= minHexRun && len(text)%2 == 0 && isHex(text) {
				buf = decodeHex(buf[:0], text)
				try(buf, "hex")
			}
			buf = decodeBase64(buf[:0], text)
			try(buf, "base64")
		case encPercent:
			buf = decodePercent(buf[:0], text)
			try(buf, "percent")
		}
	}
	if len(found) == 0 {
		return cands
	}
	out := cands
	for _, f := range found {
		dup := false
		for _, c := range cands {
			if c.rule == f.rule && c.start < f.end && f.start < c.end && string(data[c.start:c.end]) == f.secret {
				dup = true
				break
			}
		}
		for _, o := range out[len(cands):] {
			if o.rule == f.rule && o.start == f.start && o.secret == f.secret {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// looksEncoded reports whether decoded text may itself hold encoded text
// (base64 of base64): a base64 run of plausible length, or a %XX.
func looksEncoded(b []byte) bool {
	run := 0
	for i, c := range b {
		if b64Char[c] {
			if run++; run >= minBase64Run {
				return true
			}
			continue
		}
		run = 0
		if c == '%' && i+2 < len(b) && hexVal[b[i+1]] >= 0 && hexVal[b[i+2]] >= 0 {
			return true
		}
	}
	return false
}

func isHex(b []byte) bool {
	for _, c := range b {
		if hexVal[c] < 0 {
			return false
		}
	}
	return true
}

func decodeHex(dst, src []byte) []byte {
	for i := 0; i+1 < len(src); i += 2 {
		dst = append(dst, byte(hexVal[src[i]])<<4|byte(hexVal[src[i+1]]))
	}
	return dst
}

// decodeBase64 decodes standard or URL base64, padded or not, leniently:
// a trailing partial group keeps its whole bytes.
func decodeBase64(dst, src []byte) []byte {
	src = bytes.TrimRight(src, "=")
	dst = slices.Grow(dst, len(src)/4*3+2)
	// Whole groups of four characters first, three bytes each.
	i := 0
	for ; i+4 <= len(src); i += 4 {
		a, b, c, d := src[i], src[i+1], src[i+2], src[i+3]
		if !b64Char[a] || !b64Char[b] || !b64Char[c] || !b64Char[d] {
			break
		}
		v := uint32(b64Val[a])<<18 | uint32(b64Val[b])<<12 | uint32(b64Val[c])<<6 | uint32(b64Val[d])
		dst = append(dst, byte(v>>16), byte(v>>8), byte(v))
	}
	var acc uint32
	bits := 0
	for _, c := range src[i:] {
		if !b64Char[c] {
			break
		}
		acc = acc<<6 | uint32(b64Val[c])
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>bits))
		}
	}
	return dst
}

func decodePercent(dst, src []byte) []byte {
	for i := 0; i < len(src); i++ {
		if src[i] == '%' && i+2 < len(src) && hexVal[src[i+1]] >= 0 && hexVal[src[i+2]] >= 0 {
			dst = append(dst, byte(hexVal[src[i+1]])<<4|byte(hexVal[src[i+2]]))
			i += 2
			continue
		}
		dst = append(dst, src[i])
	}
	return dst
}
