package source

import (
	"bytes"
	"context"
	"encoding/binary"
	"sync"
	"sync/atomic"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/scanner"
)

// The full sweep's tree walk runs on every core (issue 14). Reading trees
// (inflating them, applying their deltas) is most of a walk's cost, and it
// does not depend on the order commits are walked in; recording each
// blob's first (commit, path) does, and is cheap. So the walk is split:
//
//   - workers diff each commit's tree against its first parent's, in
//     chunks of consecutive commits (in walk order), and list the entries
//     that differ: every entry a commit holds that its parent does not have
//     at the same path (files, symlinks, submodules, depth first);
//   - the calling goroutine takes the chunks in order and records each
//     entry with treeWalk.file and treeWalk.link, as the one-goroutine walk
//     does.
//
// The result is the same: an entry equal to the parent's at its path was
// met at the parent (walked earlier), so skipping it never skips a first
// occurrence, and entries are recorded in the same order (commits oldest
// first, trees depth first). Each worker keeps the last tree it read at
// each directory path, so in a linear stretch of history the parent's
// trees are at hand and every changed tree is read once.

// chunkCommits is the number of consecutive commits a worker diffs at a
// time.
const chunkCommits = 256

// entryKind is what a listed tree entry is.
type entryKind uint8

const (
	entryFile entryKind = iota
	entrySymlink
	entrySubmodule
)

// changedEntry is one entry of a commit's tree that its parent's tree does
// not have at the same path.
type changedEntry struct {
	h    hash
	path string
	kind entryKind
	// ord is a file's ordinal (git.ODB.Ordinal), looked up by the
	// worker; -1 when it is not packed.
	ord int32
}

// walkChunk is a worker's output for commits [lo, hi) of the walk order:
// ends[i] is where commit lo+i's entries end.
type walkChunk struct {
	lo, hi  int
	ends    []int
	entries []changedEntry
}

// treeDiffer is one worker's state.
type treeDiffer struct {
	db       *git.ODB
	r        *git.Reader
	hashSize int
	sink     scanner.Sink
	// last is the last tree read at each directory path ("" is the root).
	last map[string]lastTree
	// failed holds the trees that could not be read, shared by the
	// workers, so each is reported once.
	failed *sync.Map
	out    *walkChunk
}

type lastTree struct {
	h    hash
	data []byte
	// spare is the buffer data replaced last time: nothing refers to it
	// any more (each directory path is read at most twice per commit, the
	// parent's tree then the commit's), so the next read there reuses it
	// instead of allocating.
	spare []byte
}

// walkParallel walks the trees of order (a full sweep: no range base) with
// workers goroutines and records what they list. It returns early, with
// ctx's error, when ctx is done.
func (t *treeWalk) walkParallel(ctx context.Context, order []*commitNode, workers int, walked func(n int)) error {
	if workers < 1 {
		workers = 1
	}
	n := len(order)
	chunks := (n + chunkCommits - 1) / chunkCommits
	results := make([]chan *walkChunk, chunks)
	for i := range results {
		results[i] = make(chan *walkChunk, 1)
	}
	// At most window chunks are listed ahead of the recorder, so memory
	// does not grow with the history.
	window := make(chan struct{}, 2*workers)
	var next atomic.Int64
	stop := make(chan struct{})
	failed := &sync.Map{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := &treeDiffer{db: t.w.db, r: t.w.db.NewReader(), hashSize: t.w.db.HashSize(), sink: t.w.sink, last: map[string]lastTree{}, failed: failed}
			for {
				select {
				case window <- struct{}{}:
				case <-stop:
					return
				}
				k := int(next.Add(1)) - 1
				if k >= chunks {
					<-window
					return
				}
				lo, hi := k*chunkCommits, min(n, (k+1)*chunkCommits)
				out := &walkChunk{lo: lo, hi: hi, ends: make([]int, 0, hi-lo)}
				d.out = out
				for _, c := range order[lo:hi] {
					d.commit(t.w, c)
					out.ends = append(out.ends, len(out.entries))
				}
				results[k] <- out
			}
		}()
	}
	var err error
	for k := 0; k < chunks; k++ {
		if err = ctx.Err(); err != nil {
			break
		}
		out := <-results[k]
		start := 0
		for i, end := range out.ends {
			c := order[out.lo+i]
			for _, e := range out.entries[start:end] {
				switch e.kind {
				case entryFile:
					t.file(e.h, e.ord, e.path, c, false)
				default:
					t.link(e.h, e.path, e.kind == entrySubmodule, c, false)
				}
			}
			start = end
		}
		walked(out.hi - out.lo)
		<-window
	}
	close(stop) // workers waiting for a turn return
	wg.Wait()
	return err
}

// malformed keys a malformed tree in treeDiffer.failed.
type malformed hash

// commit lists the entries of c's tree that its first parent's tree (if
// the walk has that parent) does not have at the same path.
func (d *treeDiffer) commit(w *walker, c *commitNode) {
	nums := w.store.nums
	parentTree := int32(-1)
	if c.parent >= 0 && !w.shallow[c.hash] {
		if p := w.commits[c.parent]; p != nil {
			parentTree = p.tree
		}
	}
	if parentTree == c.tree {
		return
	}
	var old []byte
	if parentTree >= 0 {
		old, _ = d.read(nums.hash(parentTree), "", nil)
	}
	tree := nums.hash(c.tree)
	cur, ok := d.read(tree, "", c)
	if !ok {
		return
	}
	d.diff(old, cur, tree, "", c)
}

// read returns tree h, found at directory path prefix, from the worker's
// last trees or the object database. A tree that cannot be read is
// reported (once, and only when c is set: a parent's tree is reported when
// its own commit is walked).
func (d *treeDiffer) read(h hash, prefix string, c *commitNode) ([]byte, bool) {
	lt, ok := d.last[prefix]
	if ok && lt.h == h {
		return lt.data, true
	}
	if _, bad := d.failed.Load(h); bad {
		return nil, false
	}
	typ, data, err := d.r.Get(h, lt.spare)
	if err == nil && typ != git.ObjTree {
		err = git.Corruptf(h, "expected a tree, found a %s", typ)
	}
	if err != nil {
		if c != nil {
			if _, dup := d.failed.LoadOrStore(h, true); !dup {
				where := prefix
				if where == "" {
					where = "/"
				}
				d.sink.Error(where+" in commit "+c.hash.String(), err)
			}
		}
		return nil, false
	}
	d.last[prefix] = lastTree{h: h, data: data, spare: lt.data}
	return data, true
}

// diff lists the entries of cur (tree curHash, at prefix in commit c) that
// old (the parent's tree there, or nil) does not have, depth first.
func (d *treeDiffer) diff(old, cur []byte, curHash hash, prefix string, c *commitNode) {
	for len(cur) > 0 {
		// Skip the entries both trees share from here on at memory speed:
		// a commit changes one or two entries of a directory's hundreds,
		// and parsing and comparing each of them was a third of the
		// walk's CPU on the synthetic history (issue 14).
		if n := sharedEntries(old, cur, d.hashSize); n > 0 {
			old, cur = old[n:], cur[n:]
			if len(cur) == 0 {
				break
			}
		}
		e, rest, ok := git.NextEntry(cur, d.hashSize)
		if !ok {
			if _, dup := d.failed.LoadOrStore(malformed(curHash), true); !dup {
				d.sink.Error(prefix, git.Corruptf(curHash, "malformed tree"))
			}
			return
		}
		cur = rest
		if bytes.HasPrefix(old, e.Raw) { // the common case: the same entry next
			old = old[len(e.Raw):]
			continue
		}
		var match git.TreeEntry
		matched := false
		for len(old) > 0 {
			pe, prest, ok := git.NextEntry(old, d.hashSize)
			if !ok {
				old = nil
				break
			}
			cmp := git.CompareEntries(pe, e)
			if cmp < 0 {
				old = prest
				continue
			}
			if cmp == 0 {
				old = prest
				match, matched = pe, true
			}
			break
		}
		if matched && bytes.Equal(match.Raw, e.Raw) {
			continue // unchanged
		}
		var h hash
		copy(h[:], e.Hash)
		switch {
		case e.IsTree():
			sub := prefix + string(e.Name) + "/"
			var oldSub []byte
			if matched && match.IsTree() {
				var oh hash
				copy(oh[:], match.Hash)
				oldSub, _ = d.read(oh, sub, nil)
			}
			if data, ok := d.read(h, sub, c); ok {
				d.diff(oldSub, data, h, sub, c)
			}
		case len(e.Mode) == 6 && e.Mode[0] == '1' && e.Mode[1] == '0': // 100644, 100755: a file
			ord := int32(-1)
			if o, ok := d.db.Ordinal(h); ok {
				ord = int32(o)
			}
			d.out.entries = append(d.out.entries, changedEntry{h: h, path: prefix + string(e.Name), kind: entryFile, ord: ord})
		case string(e.Mode) == "120000":
			d.out.entries = append(d.out.entries, changedEntry{h: h, path: prefix + string(e.Name), kind: entrySymlink, ord: -1})
		case string(e.Mode) == "160000":
			d.out.entries = append(d.out.entries, changedEntry{h: h, path: prefix + string(e.Name), kind: entrySubmodule, ord: -1})
		}
	}
}

// sharedEntries returns the length of the longest run of whole entries
// that old and cur both start with, byte for byte: those entries are the
// same in both trees. An entry is counted only when git.NextEntry would
// parse it the same way (a space before its name's NUL, room for its id),
// so a malformed tree is still reported where the entry-by-entry loop
// would report it.
func sharedEntries(old, cur []byte, hashSize int) int {
	limit := commonPrefix(old, cur)
	p := 0
	for {
		nul := bytes.IndexByte(cur[p:limit], 0)
		if nul < 0 || bytes.IndexByte(cur[p:p+nul], ' ') < 0 {
			return p
		}
		next := p + nul + 1 + hashSize
		if next > limit {
			return p
		}
		p = next
	}
}

// commonPrefix returns how many leading bytes a and b share.
func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+64 <= n && bytes.Equal(a[i:i+64], b[i:i+64]) {
		i += 64
	}
	for i+8 <= n && binary.LittleEndian.Uint64(a[i:]) == binary.LittleEndian.Uint64(b[i:]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}
