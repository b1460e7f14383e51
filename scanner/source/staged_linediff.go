package source

// The line diff that tells which lines a staged change adds.

import (
	"bytes"
	"sort"

	"github.com/clayscan/clayscan/scanner"
)

// AddedLines returns the lines of next (1-based, inclusive ranges) that a
// line diff from prev to next adds. Unchanged leading and trailing lines are
// trimmed on bytes first; the rest is diffed over interned line numbers with
// Myers' algorithm, falling back to anchoring on lines unique to both sides
// when a region is too costly. Where it cannot align lines it counts them as
// added: an imprecise diff may report an old key, never miss a new one.
func AddedLines(prev, next []byte) scanner.LineSet {
	// Common prefix, cut back to a line start.
	n := min(len(prev), len(next))
	p := 0
	for p < n && prev[p] == next[p] {
		p++
	}
	if p == len(prev) && p == len(next) {
		return scanner.LineSet{}
	}
	p = bytes.LastIndexByte(prev[:p], '\n') + 1
	// Common suffix (not overlapping the prefix), moved to a line start.
	s := 0
	for s < n-p && prev[len(prev)-1-s] == next[len(next)-1-s] {
		s++
	}
	sa, sb := len(prev)-s, len(next)-s
	if !(lineStartAt(prev, sa) && lineStartAt(next, sb)) {
		k := bytes.IndexByte(prev[sa:], '\n')
		if k < 0 {
			sa, sb = len(prev), len(next)
		} else {
			sa, sb = sa+k+1, sb+k+1
		}
	}
	first := bytes.Count(next[:p], []byte{'\n'}) // lines before the middle
	al, bl := diffLines(prev[p:sa]), diffLines(next[p:sb])

	ids := make(map[string]int32, len(al))
	ax := make([]int32, len(al))
	for i, l := range al {
		id, ok := ids[string(l)]
		if !ok {
			id = int32(len(ids))
			ids[string(l)] = id
		}
		ax[i] = id
	}
	bx := make([]int32, len(bl))
	for i, l := range bl {
		id, ok := ids[string(l)]
		if !ok {
			id = -1 // only in next: certainly added
		}
		bx[i] = id
	}
	var added []int
	diffIDs(ax, bx, 0, &added)
	sort.Ints(added)
	set := scanner.LineSet{}
	for _, j := range added {
		line := first + j + 1
		if k := len(set) - 1; k >= 0 && set[k].End == line-1 {
			set[k].End = line
			continue
		}
		set = append(set, scanner.LineRange{Start: line, End: line})
	}
	return set
}

func lineStartAt(b []byte, i int) bool { return i == 0 || b[i-1] == '\n' }

// diffLines splits b after each '\n'; a last line without one counts.
func diffLines(b []byte) [][]byte {
	if len(b) == 0 {
		return nil
	}
	out := make([][]byte, 0, bytes.Count(b, []byte{'\n'})+1)
	for len(b) > 0 {
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			out = append(out, b)
			break
		}
		out = append(out, b[:i+1])
		b = b[i+1:]
	}
	return out
}

// Myers' cost limits: beyond them a region is split on unique lines.
const (
	myersMaxD    = 1024
	myersMaxWork = 20_000_000
)

// diffIDs appends to out the indices (offset by boff) of b's lines that are
// not matched to a's.
func diffIDs(a, b []int32, boff int, out *[]int) {
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b, boff = a[1:], b[1:], boff+1
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(b) == 0 {
		return
	}
	if len(a) == 0 {
		for j := range b {
			*out = append(*out, boff+j)
		}
		return
	}
	if myers(a, b, boff, out) {
		return
	}
	anchors := uniqueAnchors(a, b)
	if len(anchors) == 0 {
		for j := range b {
			*out = append(*out, boff+j)
		}
		return
	}
	pa, pb := 0, 0
	for _, an := range anchors {
		diffIDs(a[pa:an[0]], b[pb:an[1]], boff+pb, out)
		pa, pb = an[0]+1, an[1]+1
	}
	diffIDs(a[pa:], b[pb:], boff+pb, out)
}

// myers runs the greedy O((N+M)·D) algorithm and, on success, appends the
// inserted b indices. It gives up (false) past myersMaxD edits or
// myersMaxWork steps, leaving out unchanged.
func myers(a, b []int32, boff int, out *[]int) bool {
	n, m := len(a), len(b)
	maxD := min(n+m, myersMaxD)
	off := maxD + 1
	v := make([]int32, 2*maxD+3)
	var trace [][]int32 // trace[d]: v[-d-1 .. d+1] before step d
	work := 0
	for d := 0; d <= maxD; d++ {
		trace = append(trace, append([]int32(nil), v[off-d-1:off+d+2]...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = int(v[off+k+1])
			} else {
				x = int(v[off+k-1]) + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			work += 1 + x - int(v[off+k])
			v[off+k] = int32(x)
			if x >= n && y >= m {
				backtrack(trace, d, n, m, boff, out)
				return true
			}
		}
		if work > myersMaxWork {
			return false
		}
	}
	return false
}

func backtrack(trace [][]int32, dEnd, x, y, boff int, out *[]int) {
	for d := dEnd; d > 0; d-- {
		v := trace[d]
		at := func(k int) int { return int(v[k+d+1]) }
		k := x - y
		var pk int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			pk = k + 1 // came down: inserted b[py]
		} else {
			pk = k - 1 // came right: deleted a[px]
		}
		px := at(pk)
		py := px - pk
		if pk == k+1 {
			*out = append(*out, boff+py)
		}
		x, y = px, py
	}
}

// uniqueAnchors returns pairs (i, j) with a[i] == b[j] for lines that occur
// once in a and once in b, the longest run increasing in both (patience).
func uniqueAnchors(a, b []int32) [][2]int {
	type occ struct{ na, nb, ia, ib int }
	seen := map[int32]*occ{}
	for i, x := range a {
		o := seen[x]
		if o == nil {
			o = &occ{}
			seen[x] = o
		}
		o.na++
		o.ia = i
	}
	for j, x := range b {
		if o := seen[x]; o != nil {
			o.nb++
			o.ib = j
		}
	}
	var pairs [][2]int
	for _, o := range seen {
		if o.na == 1 && o.nb == 1 {
			pairs = append(pairs, [2]int{o.ia, o.ib})
		}
	}
	sort.Slice(pairs, func(i, j int) bool { return pairs[i][0] < pairs[j][0] })
	// Longest increasing subsequence of the b positions.
	var tails []int // indices into pairs
	prev := make([]int, len(pairs))
	for i, p := range pairs {
		lo, hi := 0, len(tails)
		for lo < hi {
			mid := (lo + hi) / 2
			if pairs[tails[mid]][1] < p[1] {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if lo > 0 {
			prev[i] = tails[lo-1]
		} else {
			prev[i] = -1
		}
		if lo == len(tails) {
			tails = append(tails, i)
		} else {
			tails[lo] = i
		}
	}
	if len(tails) == 0 {
		return nil
	}
	out := make([][2]int, len(tails))
	for i, k := len(tails)-1, tails[len(tails)-1]; i >= 0; i, k = i-1, prev[k] {
		out[i] = pairs[k]
	}
	return out
}
