package source

import (
	"bytes"
	"container/heap"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/scanner"
)

// commitNode is one commit of the walk. A sweep holds one per commit until
// it ends, so it keeps only what the walk and the findings need, in few
// bytes (issue 14): the author's name, email and zone are interned, and
// the scanner.Commit a target carries is built when a target needs it.
type commitNode struct {
	hash    hash
	tree    hash
	parents []hash
	when    int64 // committer time: breaks ties in the topological order
	order   int64
	author  string // interned
	email   string // interned
	date    int64  // author time (Unix seconds)
	zone    *time.Location
}

// info is the commit as targets and findings carry it.
func (c *commitNode) info() *scanner.Commit {
	return &scanner.Commit{Hash: c.hash.String(), Author: c.author, Email: c.email, Date: time.Unix(c.date, 0).In(c.zone)}
}

// tip is a commit the walk starts from, and the ref that named it.
type tip struct {
	ref  string
	hash hash
}

// preload parses, on every core, the commits stored whole in the packs, so
// that load finds them parsed: a sweep's commits are otherwise read one
// after another, each found through its child (issue 14). Commits no ref
// reaches are parsed too and dropped once load is done; a commit that
// cannot be read here is left to commit, which reports it.
func (w *walker) preload(workers int) {
	type span struct {
		p      *git.Pack
		lo, hi int
	}
	var spans []span
	for _, p := range w.db.Packs() {
		for lo := 0; lo < p.Len(); lo += 4096 {
			spans = append(spans, span{p, lo, min(p.Len(), lo+4096)})
		}
	}
	parts := make([][]*commitNode, len(spans))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var z git.Inflater
			var buf []byte
			for {
				k := int(next.Add(1)) - 1
				if k >= len(spans) {
					return
				}
				sp := spans[k]
				for i := sp.lo; i < sp.hi; i++ {
					off := sp.p.OffsetAt(i)
					if off < 0 {
						continue
					}
					e, err := sp.p.Header(off)
					if err != nil || e.Type != git.ObjCommit {
						continue
					}
					data, err := z.Inflate(sp.p, e.DataOff, e.Size, buf)
					if err != nil {
						continue
					}
					buf = data
					h := sp.p.HashAt(i)
					if c, err := parseCommitNode(h, data); err == nil {
						parts[k] = append(parts[k], c)
					}
				}
			}
		}()
	}
	wg.Wait()
	n := 0
	for _, part := range parts {
		n += len(part)
	}
	w.pre = make(map[hash]*commitNode, n)
	for _, part := range parts {
		for _, c := range part {
			if _, ok := w.pre[c.hash]; !ok {
				w.pre[c.hash] = c
			}
		}
	}
}

// parseCommitNode parses a commit without interning its strings (preload's
// workers run it in parallel; commit interns them).
func parseCommitNode(h hash, data []byte) (*commitNode, error) {
	c, err := git.ParseCommit(h, data)
	if err != nil {
		return nil, err
	}
	return &commitNode{hash: h, tree: c.Tree, parents: c.Parents, when: c.Committer.When.Unix(),
		author: c.Author.Name, email: c.Author.Email, date: c.Author.When.Unix(), zone: c.Author.When.Location()}, nil
}

// parseCommit reads a commit for the walk.
func (w *walker) parseCommit(h hash, data []byte) (*commitNode, error) {
	c, err := parseCommitNode(h, data)
	if err != nil {
		return nil, git.Corruptf(h, "decoding commit: %v", err)
	}
	return c, nil
}

// intern returns one copy of each distinct string (authors, emails).
func (w *walker) intern(s string) string {
	if v, ok := w.strings[s]; ok {
		return v
	}
	if w.strings == nil {
		w.strings = map[string]string{}
	}
	w.strings[s] = s
	return s
}

// zone returns one *time.Location per zone name and offset.
func (w *walker) zone(t time.Time) *time.Location {
	name, off := t.Zone()
	if t.Location() == time.UTC {
		return time.UTC
	}
	k := zoneKey{name, off}
	if z, ok := w.zones[k]; ok {
		return z
	}
	if w.zones == nil {
		w.zones = map[zoneKey]*time.Location{}
	}
	w.zones[k] = t.Location()
	return t.Location()
}

type zoneKey struct {
	name string
	off  int
}

// peel follows annotated tags to the object they name; it returns the
// object's hash and type.
func (w *walker) peel(h hash) (hash, git.ObjectType, error) {
	h, typ, _, err := w.db.Peel(h)
	return h, typ, err
}

// walker holds the commit and tree walk's state.
type walker struct {
	db      *git.ODB
	sink    scanner.Sink
	shallow map[hash]bool
	commits map[hash]*commitNode
	missing int // commits that could not be read
	onLoad  func()
	// tags are the annotated tags the refs name (history_messages.go).
	tags    []tagRef
	tagSeen map[hash]bool
	strings map[string]string
	zones   map[zoneKey]*time.Location
	// pre holds the commits preload parsed that load has not reached.
	pre map[hash]*commitNode
}

// commit loads one commit; a commit that cannot be read is reported to the
// sink and nil is returned.
func (w *walker) commit(h hash) *commitNode {
	if c := w.commits[h]; c != nil {
		return c
	}
	c := w.pre[h]
	if c != nil {
		delete(w.pre, h)
	} else {
		typ, data, err := w.db.Get(h)
		if err == nil && typ != git.ObjCommit {
			err = git.Corruptf(h, "expected a commit, found a %s", typ)
		}
		if err == nil {
			c, err = w.parseCommit(h, data)
		}
		if err != nil {
			w.missing++
			w.sink.Error("commit "+h.String(), err)
			return nil
		}
	}
	c.author, c.email, c.zone = w.intern(c.author), w.intern(c.email), w.zone(time.Unix(c.date, 0).In(c.zone))
	w.commits[h] = c
	if w.onLoad != nil {
		w.onLoad()
	}
	return c
}

// rangeCommits returns the commits reachable from head but not from base,
// and the boundary: base-side commits that are parents of range commits.
// Like git rev-list, it walks both sides newest first and stops once only
// base-side commits are queued (plus a few more, as slop against clock
// skew), so a short range in a long history reads few commits. Skew can
// only make it include a base-side commit, never miss a range commit:
// commits are marked base-side by following parent links from base.
func (w *walker) rangeCommits(head, base hash) (in, boundary []*commitNode) {
	const (
		seen  = 1
		unint = 2 // reachable from base
	)
	flags := map[hash]uint8{}
	q := &newestHeap{}
	var popped []*commitNode
	// markUnint flags h and its already-loaded ancestors as base-side.
	markUnint := func(h hash) {
		stack := []hash{h}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if flags[x]&unint != 0 || flags[x]&seen == 0 {
				continue
			}
			flags[x] |= unint
			if c := w.commits[x]; c != nil && !w.shallow[x] {
				stack = append(stack, c.parents...)
			}
		}
	}
	add := func(h hash, u bool) {
		if flags[h]&seen != 0 {
			if u {
				markUnint(h)
			}
			return
		}
		c := w.commit(h)
		if c == nil {
			return
		}
		flags[h] = seen
		if u {
			flags[h] |= unint
		}
		heap.Push(q, c)
	}
	add(head, false)
	add(base, true)
	slop := 5
	for q.Len() > 0 {
		onlyBase := true
		for _, c := range *q {
			if flags[c.hash]&unint == 0 {
				onlyBase = false
				break
			}
		}
		if onlyBase {
			if slop--; slop <= 0 {
				break
			}
		} else {
			slop = 5
		}
		c := heap.Pop(q).(*commitNode)
		u := flags[c.hash]&unint != 0
		if !u {
			popped = append(popped, c)
		}
		if w.shallow[c.hash] {
			continue
		}
		for _, p := range c.parents {
			add(p, u)
		}
	}
	isBoundary := map[hash]bool{}
	for _, c := range popped {
		if flags[c.hash]&unint != 0 {
			continue
		}
		in = append(in, c)
		for _, p := range c.parents {
			if flags[p]&unint != 0 && !isBoundary[p] {
				isBoundary[p] = true
				boundary = append(boundary, w.commits[p])
			}
		}
	}
	return in, boundary
}

// newestHeap pops the most recently committed first.
type newestHeap []*commitNode

func (h newestHeap) Len() int { return len(h) }
func (h newestHeap) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when > h[j].when
	}
	return bytes.Compare(h[i].hash[:], h[j].hash[:]) < 0
}
func (h newestHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *newestHeap) Push(x any)   { *h = append(*h, x.(*commitNode)) }
func (h *newestHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// load reads the commits reachable from starts, not entering stop (which
// may be nil). It returns the commits it loaded, in no particular order.
func (w *walker) load(starts []hash, stop map[hash]*commitNode) []*commitNode {
	var out []*commitNode
	var queue []hash
	queued := map[hash]bool{}
	for _, h := range starts {
		if !queued[h] {
			queued[h] = true
			queue = append(queue, h)
		}
	}
	for len(queue) > 0 {
		h := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		if stop[h] != nil {
			continue
		}
		c := w.commit(h)
		if c == nil {
			continue
		}
		out = append(out, c)
		if w.shallow[h] {
			continue // its parents are beyond the shallow boundary
		}
		for _, p := range c.parents {
			if !queued[p] {
				queued[p] = true
				queue = append(queue, p)
			}
		}
	}
	return out
}

// topoOrder sorts commits parents first; among commits that are ready at the
// same time the older (by committer date, then hash) goes first. Parents
// outside the set are ignored.
func topoOrder(cs []*commitNode) []*commitNode {
	in := make(map[hash]*commitNode, len(cs))
	for _, c := range cs {
		in[c.hash] = c
	}
	pending := make(map[hash]int, len(cs))
	children := make(map[hash][]*commitNode, len(cs))
	ready := &commitHeap{}
	for _, c := range cs {
		n := 0
		seen := map[hash]bool{}
		for _, p := range c.parents {
			if in[p] != nil && !seen[p] {
				seen[p] = true
				n++
				children[p] = append(children[p], c)
			}
		}
		pending[c.hash] = n
		if n == 0 {
			heap.Push(ready, c)
		}
	}
	out := make([]*commitNode, 0, len(cs))
	for ready.Len() > 0 {
		c := heap.Pop(ready).(*commitNode)
		c.order = int64(len(out))
		out = append(out, c)
		for _, ch := range children[c.hash] {
			pending[ch.hash]--
			if pending[ch.hash] == 0 {
				heap.Push(ready, ch)
			}
		}
	}
	return out // a cycle (impossible with SHA-1 ids) would drop commits
}

type commitHeap []*commitNode

func (h commitHeap) Len() int { return len(h) }
func (h commitHeap) Less(i, j int) bool {
	if h[i].when != h[j].when {
		return h[i].when < h[j].when
	}
	return bytes.Compare(h[i].hash[:], h[j].hash[:]) < 0
}
func (h commitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *commitHeap) Push(x any)   { *h = append(*h, x.(*commitNode)) }
func (h *commitHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// blobInfo is what the walk knows about one distinct blob (blobTable.info
// builds it when a blob is read).
type blobInfo struct {
	commit *commitNode // where it first appears; nil when unknown
	path   string
	inHead bool
	// base: present in the range's base; not scanned.
	base bool
	// prev: in a range scan, the base's blob at the same path, whose lines
	// are not reported again.
	prev hash
}

// linkInfo is a symlink or submodule entry the walk met first at
// (commit, path).
type linkInfo struct {
	blobInfo
	why scanner.SkipReason
}

// treeWalk records the first (commit, path) of every blob, skipping trees
// it has already walked: a tree seen before only holds blobs seen before.
type treeWalk struct {
	w         *walker
	seenTrees *objSet
	blobs     *blobTable
	// head, when set, marks the blobs met as in_head instead of
	// recording them (headBlobs).
	head  bool
	trees int64
	// paths, when set, collects path → blob of the trees walked (the range
	// base's files).
	paths map[string]hash
	// want selects the paths path rules look at (Sink.WantsPath); firstAt
	// holds the first commit each was seen in (nil for the range base).
	want    func(path string) bool
	firstAt map[string]*commitNode
	// links, when set, collects the symlinks and submodules met, by id.
	links map[hash]*linkInfo
	// prev is the last tree walked at each directory path.
	prev map[string][]byte
}

func (t *treeWalk) walk(root hash, prefix string, c *commitNode, base bool) {
	if !t.seenTrees.add(root) {
		return
	}
	typ, data, err := t.w.db.Get(root)
	if err == nil && typ != git.ObjTree {
		err = git.Corruptf(root, "expected a tree, found a %s", typ)
	}
	if err != nil {
		where := prefix
		if where == "" {
			where = "/"
		}
		if c != nil {
			where += " in commit " + c.hash.String()
		}
		t.w.sink.Error(where, err)
		return
	}
	t.trees++
	// Entries unchanged since the last tree walked at this path were
	// handled then: comparing bytes with it is much cheaper than looking
	// every entry up in the seen sets.
	var prev []byte
	if t.prev == nil {
		t.prev = map[string][]byte{}
	}
	prev = t.prev[prefix]
	t.prev[prefix] = data
	for len(data) > 0 {
		e, rest, ok := git.NextEntry(data, t.w.db.HashSize())
		if !ok {
			t.w.sink.Error(prefix, git.Corruptf(root, "malformed tree"))
			return
		}
		data = rest
		if bytes.HasPrefix(prev, e.Raw) { // the common case: the same entry next
			prev = prev[len(e.Raw):]
			continue
		}
		for len(prev) > 0 {
			pe, prest, ok := git.NextEntry(prev, t.w.db.HashSize())
			if !ok {
				prev = nil
				break
			}
			if c := git.CompareEntries(pe, e); c < 0 {
				prev = prest
				continue
			} else if c == 0 && bytes.Equal(pe.Raw, e.Raw) {
				prev = prest
				e.Mode = nil // unchanged
			}
			break
		}
		switch {
		case e.Mode == nil:
		case e.IsTree():
			var h hash
			copy(h[:], e.Hash)
			t.walk(h, prefix+string(e.Name)+"/", c, base)
		case len(e.Mode) == 6 && e.Mode[0] == '1' && e.Mode[1] == '0': // 100644, 100755: a file
			var h hash
			copy(h[:], e.Hash)
			t.file(h, -1, prefix+string(e.Name), c, base)
		case t.links != nil && (string(e.Mode) == "120000" || string(e.Mode) == "160000"):
			var h hash
			copy(h[:], e.Hash)
			t.link(h, prefix+string(e.Name), e.Mode[0] == '1' && e.Mode[1] == '6', c, base)
		}
	}
}

// file records a file entry met at path in commit c: the blob's first
// (commit, path), and the first commit of a path Sink.WantsPath selects.
// Both walks call it in walk order (commits oldest first, each tree
// depth first). ord is h's ordinal when the caller has looked it up, or -1.
func (t *treeWalk) file(h hash, ord int32, p string, c *commitNode, base bool) {
	o := t.blobs.num(h, ord)
	if t.head {
		t.blobs.flags[o] |= blobInHead
	}
	if t.want != nil && t.want(p) {
		at, ok := t.firstAt[p]
		switch {
		case !ok && base:
			t.firstAt[p] = nil
		case !ok:
			t.firstAt[p] = c
		case at == nil && !base:
			// The range changes a path its base has: reported
			// unless the content is the base's again.
			if !t.blobs.isBase(o) {
				t.firstAt[p] = c
			}
		}
	}
	if t.paths != nil {
		if _, ok := t.paths[p]; !ok {
			t.paths[p] = h
		}
	}
	if !t.head {
		t.blobs.add(o, p, c, base)
	}
}

// link records a symlink or submodule entry: they hold no content of this
// repository, and are named as skipped, once each.
func (t *treeWalk) link(h hash, p string, submodule bool, c *commitNode, base bool) {
	if t.links == nil {
		return
	}
	if _, ok := t.links[h]; !ok {
		why := scanner.SkipSymlink
		if submodule {
			why = scanner.SkipSubmodule
		}
		t.links[h] = &linkInfo{blobInfo: blobInfo{commit: c, path: p, base: base}, why: why}
	}
}

// headBlobs marks the blobs in the tree of commit c as in_head in blobs,
// and returns the paths in it that want selects.
func (w *walker) headBlobs(c *commitNode, blobs *blobTable, want func(string) bool) map[string]*commitNode {
	if c == nil {
		return nil
	}
	t := &treeWalk{w: w, seenTrees: newObjSet(w.db), blobs: blobs, head: true, want: want, firstAt: map[string]*commitNode{}}
	t.walk(c.tree, "", c, false)
	return t.firstAt
}
