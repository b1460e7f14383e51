package scanner

import (
	"bytes"
	"encoding/binary"
	"sort"
)

// The second pass looks for up to maxLinkedSecrets values in every byte
// the first pass read: with one bytes.Index per value, a history with
// twenty findings was searched twenty times over (on a 200,000-commit
// history, a fifth of the sweep's CPU; issue 14). linkIndex finds every
// occurrence of every value in one pass that reads one 8-byte word every
// stride bytes.
//
// Every value is at least minLen bytes long. An occurrence at p covers the
// positions p..p+minLen-1; with stride = minLen-gram+1, exactly one
// multiple of stride, q, lies in [p, p+stride), and the gram-byte word at q
// lies inside the occurrence, at offset j = q-p < stride. So the index
// holds, for each value, its words at offsets 0..stride-1; a word read at q
// that matches one names a candidate start q-j, which is then compared in
// full. Each occurrence is met at exactly one q, so none is reported twice.

const linkGram = 8 // bytes per word

// linkFilterBits is the size of the filter that rejects most words before
// the map is asked: 2^linkFilterBits bits.
const linkFilterBits = 18

type linkEntry struct {
	val int32 // index into linkSink.vals
	off int32 // j: where the word starts in the value
}

type linkIndex struct {
	stride int
	filter []uint64
	words  map[uint64][]linkEntry
}

func linkWordHash(w uint64) uint64 { return (w * 0x9E3779B97F4A7C15) >> (64 - linkFilterBits) }

func newLinkIndex(vals []linked) *linkIndex {
	minLen := 0
	for i, v := range vals {
		if i == 0 || len(v.secret) < minLen {
			minLen = len(v.secret)
		}
	}
	if minLen < linkGram {
		return nil // the caller searches value by value
	}
	ix := &linkIndex{stride: minLen - linkGram + 1, filter: make([]uint64, 1<<linkFilterBits/64), words: map[uint64][]linkEntry{}}
	for vi, v := range vals {
		for j := 0; j < ix.stride; j++ {
			w := binary.LittleEndian.Uint64(v.secret[j:])
			h := linkWordHash(w)
			ix.filter[h/64] |= 1 << (h % 64)
			ix.words[w] = append(ix.words[w], linkEntry{int32(vi), int32(j)})
		}
	}
	return ix
}

// linkHit is one occurrence: value vals[val] at offset at.
type linkHit struct{ val, at int }

// find appends to hits every occurrence in data of every value, ordered by
// value, then offset (the order a search value by value gives).
func (ix *linkIndex) find(vals []linked, data []byte, hits []linkHit) []linkHit {
	n0 := len(hits)
	filter := ix.filter
	for q := 0; q+linkGram <= len(data); q += ix.stride {
		w := binary.LittleEndian.Uint64(data[q:])
		h := linkWordHash(w)
		if filter[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, e := range ix.words[w] {
			p := q - int(e.off)
			v := vals[e.val].secret
			if p >= 0 && p+len(v) <= len(data) && bytes.Equal(data[p:p+len(v)], v) {
				hits = append(hits, linkHit{int(e.val), p})
			}
		}
	}
	found := hits[n0:]
	if len(found) > 1 {
		sort.Slice(found, func(i, j int) bool {
			if found[i].val != found[j].val {
				return found[i].val < found[j].val
			}
			return found[i].at < found[j].at
		})
	}
	return hits
}
