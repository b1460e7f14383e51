package scanner

import (
	"bytes"
	"math/bits"
	"slices"
	"sync"
)

// The prefilter finds where the detector must look closer: where an
// anchor keyword occurs (see anchor) and where an encoded run may start
// (see decode.go). It is nearly all of the detector's time on content
// without a key, which is nearly all of history (issue 14).
//
// Searching for one byte per anchor (y of clay, b of bearer, k of sk_live_)
// with IndexByte reads the data once per byte and case, and real code holds
// those bytes every 40 bytes or so: each hit ends a vector search, costs a
// call and checks a keyword that is not there. Where the CPU has byte
// shuffles (SSSE3 on amd64), the prefilter instead looks at each position
// for a pair of adjacent bytes, in one pass over the data, 32 positions at
// a time: for each anchor the rarest pair of adjacent bytes of its keyword
// (ay of clay, be of bearer), and for encoded runs the anchor bytes that
// start one. A byte's classes are looked up by its two nibbles, as in
// Hyperscan's Teddy; a few other pairs pass the nibble test too, and every
// candidate position is checked exactly before anything is done with it.
// Pairs are ten times rarer than single bytes in code, and most 32-byte
// blocks are rejected with a dozen instructions.
//
// Elsewhere the prefilter searches for each anchor byte with IndexByte,
// one pass per byte (scanBytes). Both find the same keyword hits and
// encoded runs; candidates replays the hits in the byte-search order so
// that findings do not depend on which prefilter ran.

// Prefilter classes, up to eight (the bits of a byte): a position p is a
// candidate when first[data[p]] & second[data[p+1]] has a bit set.
const maxPairClasses = 8

type pairKind uint8

const (
	pairKeyword   pairKind = iota // an anchor's keyword pair
	pairRunAlways                 // a byte that starts an encoded-run check (K, B, Y)
	pairRunStrong                 // bytes that do when an upper-case letter or digit follows (k, b)
)

// pairItem is one thing the pair prefilter looks for.
type pairItem struct {
	kind   pairKind
	anchor int        // pairKeyword: anchor index
	off    int        // pairKeyword: index of the pair's first byte in the keyword
	c1, c2 byte       // pairKeyword: the pair, lowercase; pairRunAlways: c1
	single bool       // pairKeyword: a one-byte keyword (c2 unused)
	set    *[256]bool // pairRunStrong: the bytes
}

// pairFilter is the pair prefilter's tables, built once per detector.
type pairFilter struct {
	// first and second hold, for each byte value, the classes whose first
	// (second) byte it may be; endMask, the classes whose second byte may
	// be anything, also past the data's end.
	first, second [256]uint8
	endMask       uint8
	// runOnly holds the classes whose exact test above is an encoded-run
	// trigger and nothing else: a position in those only needs runAt.
	runOnly uint8
	// kwFirst is first without the classes that hold no keyword.
	kwFirst [256]uint8
	classes [maxPairClasses][]pairItem
	// nib is first and second by nibble, for the vector scan: lo1[c&15] &
	// hi1[c>>4] holds first[c] and perhaps more bits.
	nib nibbleTables
}

type nibbleTables struct{ lo1, hi1, lo2, hi2 [16]byte }

// lowerASCII maps A-Z to a-z and every other byte to itself.
var lowerASCII = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// buildPairFilter builds the pair prefilter for d's anchors and groups.
func buildPairFilter(d *Detector) *pairFilter {
	var items []pairItem
	for ai, a := range d.anchors {
		k := d.keywords[a.kw]
		if len(k) == 1 {
			items = append(items, pairItem{kind: pairKeyword, anchor: ai, c1: k[0], single: true})
			continue
		}
		best, score := 0, -1.0
		for i := 0; i+1 < len(k); i++ {
			if s := byteFreq(k[i]) * byteFreq(k[i+1]); score < 0 || s < score {
				best, score = i, s
			}
		}
		items = append(items, pairItem{kind: pairKeyword, anchor: ai, off: best, c1: k[best], c2: k[best+1]})
	}
	var strong *[256]bool
	for _, g := range d.groups {
		switch {
		case !g.encGate:
		case b64Strong[g.b]:
			items = append(items, pairItem{kind: pairRunAlways, c1: g.b})
		default:
			if strong == nil {
				strong = new([256]bool)
				items = append(items, pairItem{kind: pairRunStrong, set: strong})
			}
			strong[g.b] = true
		}
	}
	pf := &pairFilter{}
	for i, it := range items {
		c := i % maxPairClasses // more items than classes share them
		bit := uint8(1) << c
		pf.classes[c] = append(pf.classes[c], it)
		var first, second []byte
		anySecond := false
		switch it.kind {
		case pairKeyword:
			first = caseVariants(it.c1)
			if it.single {
				anySecond = true
			} else {
				second = caseVariants(it.c2)
			}
		case pairRunAlways:
			first, anySecond = []byte{it.c1}, true
		case pairRunStrong:
			for b := range 256 {
				if it.set[b] {
					first = append(first, byte(b))
				}
				if b64Strong[b] {
					second = append(second, byte(b))
				}
			}
		}
		for _, b := range first {
			pf.first[b] |= bit
			pf.nib.lo1[b&15] |= bit
			pf.nib.hi1[b>>4] |= bit
		}
		if anySecond {
			pf.endMask |= bit
			for b := range 256 {
				pf.second[b] |= bit
			}
			for n := range 16 {
				pf.nib.lo2[n] |= bit
				pf.nib.hi2[n] |= bit
			}
		}
		for _, b := range second {
			pf.second[b] |= bit
			pf.nib.lo2[b&15] |= bit
			pf.nib.hi2[b>>4] |= bit
		}
	}
	var kwMask uint8
	for c, its := range pf.classes {
		if slices.ContainsFunc(its, func(it pairItem) bool { return it.kind == pairKeyword }) {
			kwMask |= 1 << c
		}
	}
	for b := range pf.kwFirst {
		pf.kwFirst[b] = pf.first[b] & kwMask
	}
	for c, its := range pf.classes {
		exact := len(its) > 0
		for _, it := range its {
			exact = exact && it.kind != pairKeyword && (len(its) == 1 || it.kind == pairRunAlways)
		}
		if exact {
			pf.runOnly |= 1 << c
		}
	}
	return pf
}

// letterFreq is each letter's share of code and text in thousandths,
// either case.
var letterFreq = [26]float64{70, 15, 35, 35, 100, 20, 17, 30, 65, 2, 8, 40, 25, 60, 65, 25, 2, 60, 60, 80, 30, 10, 10, 5, 15, 1}

// byteFreq estimates how often c occurs in code, in thousandths: the pair
// of keyword bytes with the least product is searched for.
func byteFreq(c byte) float64 {
	switch c = lowerASCII[c]; {
	case 'a' <= c && c <= 'z':
		return letterFreq[c-'a']
	case c == ' ':
		return 150
	case c == '_' || c == '.' || c == '(' || c == ')' || c == ',' || c == '\n' || c == '\t':
		return 20
	case c >= 0x80:
		return 1
	}
	return 8 // digits and less common punctuation
}

// caseVariants returns the bytes that match the lowercase keyword byte c
// under hasPrefixFold.
func caseVariants(c byte) []byte {
	if 'a' <= c && c <= 'z' {
		return []byte{c, c - 'a' + 'A'}
	}
	return []byte{c}
}

// Hit buffers for data of pooledHitsMin bytes or more come from hitPool,
// and go back to it up to maxPooledHits hits.
const (
	pooledHitsMin = 4 << 10
	maxPooledHits = 256 << 10
)

var hitPool = sync.Pool{New: func() any { return new([]kwHit) }}

// kwHit is an anchor keyword at s, found by the search for the byte of
// group g at s+pos.
type kwHit struct {
	s         int
	g, anchor int32
}

// scan runs the prefilter over data: it collects the encoded runs in enc
// (when decode) and appends the anchor keyword hits to hits, ordered by
// group, then offset, then anchor.
func (d *Detector) scan(data []byte, decode bool, enc *encodedScan, hits []kwHit) []kwHit {
	if d.pairs == nil {
		return d.scanBytes(data, decode, enc, hits)
	}
	n0 := len(hits)
	hits = d.scanPairs(data, decode, enc, hits)
	if len(hits)-n0 > 1 {
		slices.SortFunc(hits[n0:], func(a, b kwHit) int {
			if a.g != b.g {
				return int(a.g - b.g)
			}
			if a.s != b.s {
				return a.s - b.s
			}
			return int(a.anchor - b.anchor)
		})
	}
	return hits
}

// scanBytes is the prefilter by IndexByte, one pass per group's byte.
func (d *Detector) scanBytes(data []byte, decode bool, enc *encodedScan, hits []kwHit) []kwHit {
	for gi := range d.groups {
		g := &d.groups[gi]
		enc.next = 0
		strong, gate := b64Strong[g.b], decode && g.encGate
		for off := 0; off < len(data); {
			i := bytes.IndexByte(data[off:], g.b)
			if i < 0 {
				break
			}
			p := off + i
			off += i + 1
			// An encoded run holds the anchor's byte as often as any
			// other: its hits find runs at no extra pass over data. Code
			// keeps a lowercase letter next to a lowercase one; random
			// base64 and hex seldom do.
			if gate && p >= enc.next && (strong || p+1 < len(data) && b64Strong[data[p+1]]) {
				enc.runAt(data, p)
			}
			for _, m := range g.members {
				s := p - m.pos
				if s >= 0 && hasPrefixFold(data[s:], m.kw) {
					hits = append(hits, kwHit{g: int32(gi), s: s, anchor: int32(m.anchor)})
				}
			}
		}
	}
	return hits
}

// scanPairs is the pair prefilter: the vector scan over whole blocks,
// then the tail a byte at a time.
func (d *Detector) scanPairs(data []byte, decode bool, enc *encodedScan, hits []kwHit) []kwHit {
	pf := d.pairs
	i := 0
	for len(data)-i > pairBlock {
		off, mask := pairScan(data[i:], &pf.nib)
		i += off
		if mask == 0 {
			break
		}
		for ; mask != 0; mask &= mask - 1 {
			p := i + bits.TrailingZeros32(mask)
			c := pf.first[data[p]] & pf.second[data[p+1]]
			switch {
			case c == 0:
			case c&^pf.runOnly == 0:
				// Upper-case K, B, Y in identifiers, mostly: each
				// run is looked at once.
				if decode && p >= enc.next {
					enc.runAt(data, p)
				}
			default:
				hits = d.visitPair(data, p, c, decode, enc, hits)
			}
		}
		i += pairBlock
	}
	for p := i; p < len(data); p++ {
		second := pf.endMask
		if p+1 < len(data) {
			second = pf.second[data[p+1]]
		}
		if c := pf.first[data[p]] & second; c != 0 {
			hits = d.visitPair(data, p, c, decode, enc, hits)
		}
	}
	return hits
}

// visitPair checks the items of classes c exactly at p, where the pair
// prefilter found a candidate.
func (d *Detector) visitPair(data []byte, p int, c uint8, decode bool, enc *encodedScan, hits []kwHit) []kwHit {
	run := false
	for ; c != 0; c &= c - 1 {
		for _, it := range d.pairs.classes[bits.TrailingZeros8(c)] {
			switch it.kind {
			case pairKeyword:
				if lowerASCII[data[p]] != it.c1 || !it.single && (p+1 >= len(data) || lowerASCII[data[p+1]] != it.c2) {
					continue
				}
				a := &d.anchors[it.anchor]
				k := d.keywords[a.kw]
				s := p - it.off
				if s < 0 || !hasPrefixFold(data[s:], k) {
					continue
				}
				hits = append(hits, kwHit{g: int32(d.groupOf[data[s+a.pos]]), s: s, anchor: int32(it.anchor)})
			case pairRunAlways:
				run = run || data[p] == it.c1
			case pairRunStrong:
				run = run || it.set[data[p]] && p+1 < len(data) && b64Strong[data[p+1]]
			}
		}
	}
	if run && decode && p >= enc.next {
		enc.runAt(data, p)
	}
	return hits
}

// hasKeyword reports whether b holds one of the detector's keywords.
func (d *Detector) hasKeyword(b []byte) bool {
	for i := range d.anchors {
		if indexFold(b, d.keywords[d.anchors[i].kw]) >= 0 {
			return true
		}
	}
	return false
}

// worthDecoding reports whether decoded text may hold a finding: whether it
// holds a keyword or, with nested, looks encoded itself (looksEncoded).
// Nearly every decoded run is an identifier or a path decoded to noise, a
// few dozen bytes: one pass with the pair tables answers both questions
// for those, not a pass for each and two IndexByte calls per keyword.
func (d *Detector) worthDecoding(b []byte, nested bool) bool {
	pf := d.pairs
	if pf == nil || len(b) > 256 {
		return d.hasKeyword(b) || nested && looksEncoded(b)
	}
	run := 0
	for p, c := range b {
		if nested {
			if b64Char[c] {
				if run++; run >= minBase64Run {
					return true
				}
			} else {
				run = 0
				if c == '%' && p+2 < len(b) && hexVal[b[p+1]] >= 0 && hexVal[b[p+2]] >= 0 {
					return true
				}
			}
		}
		k := pf.kwFirst[c]
		if k == 0 {
			continue
		}
		if p+1 < len(b) {
			k &= pf.second[b[p+1]]
		} else {
			k &= pf.endMask
		}
		for ; k != 0; k &= k - 1 {
			for _, it := range pf.classes[bits.TrailingZeros8(k)] {
				if it.kind != pairKeyword {
					continue
				}
				if s := p - it.off; s >= 0 && hasPrefixFold(b[s:], d.keywords[d.anchors[it.anchor].kw]) {
					return true
				}
			}
		}
	}
	return false
}

// pairBlock is how many positions pairScan looks at at once (one bit of its mask each).
const pairBlock = 32

// pairScanGo is pairScan a byte at a time: the reference for the vector
// scan, which tests compare it with.
func pairScanGo(data []byte, t *nibbleTables) (off int, mask uint32) {
	for ; len(data)-off > pairBlock; off += pairBlock {
		for j := range pairBlock {
			a, b := data[off+j], data[off+j+1]
			if t.lo1[a&15]&t.hi1[a>>4]&t.lo2[b&15]&t.hi2[b>>4] != 0 {
				mask |= 1 << j
			}
		}
		if mask != 0 {
			return off, mask
		}
	}
	return off, 0
}
