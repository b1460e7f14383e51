package source

import (
	"bytes"
	"container/heap"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/scanner"
)

// commitNode is one commit of the walk. A sweep holds one per commit until
// it ends, so it is small and holds no pointer (issue 14): nodes are
// allocated in chunks the collector does not scan, the tree and parents
// are object numbers (objNums), the author, email and zone one interned
// signer, and the scanner.Commit a target carries is built when a target
// needs it (commitStore.info).
type commitNode struct {
	hash  hash
	when  int64 // committer time: breaks ties in the topological order
	order int64
	date  int64 // author time (Unix seconds)
	tree  int32 // object number
	// parent is the first parent's object number (-1: none); a merge's
	// other parents are commitStore.more[more] (-1: none).
	parent int32
	more   int32
	who    int32 // commitStore.signers
}

// commitStore holds what commit nodes refer to: object numbers, signers,
// merges' other parents. preload's workers add to it at once.
type commitStore struct {
	nums    *objNums
	mu      sync.Mutex
	signers []signer
	ids     map[signerKey]int32
	more    [][]int32
}

// signer is an author: name, email and zone, interned.
type signer struct {
	name, email string
	zone        *time.Location
}

type signerKey struct {
	name, email, zone string
	off               int
	utc               bool
}

// commitSlab allocates commit nodes in chunks, for one goroutine.
type commitSlab struct{ chunk []commitNode }

func (s *commitSlab) alloc() *commitNode {
	if len(s.chunk) == cap(s.chunk) {
		s.chunk = make([]commitNode, 0, 1024)
	}
	s.chunk = s.chunk[:len(s.chunk)+1]
	return &s.chunk[len(s.chunk)-1]
}

// info is the commit as targets and findings carry it.
func (s *commitStore) info(c *commitNode) *scanner.Commit {
	s.mu.Lock()
	who := s.signers[c.who]
	s.mu.Unlock()
	return &scanner.Commit{Hash: c.hash.String(), Author: who.name, Email: who.email, Date: time.Unix(c.date, 0).In(who.zone)}
}

// parents appends c's parents to buf.
func (s *commitStore) parents(c *commitNode, buf []hash) []hash {
	if c.parent < 0 {
		return buf
	}
	buf = append(buf, s.nums.hash(c.parent))
	if c.more >= 0 {
		s.mu.Lock()
		more := s.more[c.more]
		s.mu.Unlock()
		for _, p := range more {
			buf = append(buf, s.nums.hash(p))
		}
	}
	return buf
}

// node fills a node from a parsed commit.
func (s *commitStore) node(c *commitNode, pc *git.Commit) {
	*c = commitNode{hash: pc.Hash, when: pc.Committer.When.Unix(), date: pc.Author.When.Unix(),
		tree: s.nums.num(pc.Tree), parent: -1, more: -1}
	if len(pc.Parents) > 0 {
		c.parent = s.nums.num(pc.Parents[0])
	}
	var more []int32
	for _, p := range pc.Parents[min(1, len(pc.Parents)):] {
		more = append(more, s.nums.num(p))
	}
	a := pc.Author
	zname, off := a.When.Zone()
	k := signerKey{name: a.Name, email: a.Email, zone: zname, off: off, utc: a.When.Location() == time.UTC}
	s.mu.Lock()
	defer s.mu.Unlock()
	if more != nil {
		c.more = int32(len(s.more))
		s.more = append(s.more, more)
	}
	id, ok := s.ids[k]
	if !ok {
		if s.ids == nil {
			s.ids = map[signerKey]int32{}
		}
		id = int32(len(s.signers))
		s.signers = append(s.signers, signer{name: a.Name, email: a.Email, zone: a.When.Location()})
		s.ids[k] = id
	}
	c.who = id
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
			var slab commitSlab
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
					if pc, err := git.ParseCommit(h, data); err == nil {
						c := slab.alloc()
						w.store.node(c, pc)
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

// parseCommit reads a commit for the walk.
func (w *walker) parseCommit(h hash, data []byte) (*commitNode, error) {
	pc, err := git.ParseCommit(h, data)
	if err != nil {
		return nil, git.Corruptf(h, "decoding commit: %v", err)
	}
	c := w.slab.alloc()
	w.store.node(c, pc)
	return c, nil
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
	// commits are the commits loaded, by object number (objNums): a
	// 4-byte key where an id takes 32 (issue 14).
	commits map[int32]*commitNode
	missing int // commits that could not be read
	onLoad  func()
	// tags are the annotated tags the refs name (history_messages.go).
	tags    []tagRef
	tagSeen map[hash]bool
	store   *commitStore
	slab    commitSlab
	// pre holds the commits preload parsed that load has not reached.
	pre map[hash]*commitNode
}

// loaded returns commit h if it has been loaded.
func (w *walker) loaded(h hash) *commitNode {
	return w.commits[w.store.nums.num(h)]
}

// commit loads one commit; a commit that cannot be read is reported to the
// sink and nil is returned.
func (w *walker) commit(h hash) *commitNode {
	num := w.store.nums.num(h)
	if c := w.commits[num]; c != nil {
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
	w.commits[num] = c
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
			if c := w.loaded(x); c != nil && !w.shallow[x] {
				stack = w.store.parents(c, stack)
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
		for _, p := range w.store.parents(c, nil) {
			add(p, u)
		}
	}
	isBoundary := map[hash]bool{}
	for _, c := range popped {
		if flags[c.hash]&unint != 0 {
			continue
		}
		in = append(in, c)
		for _, p := range w.store.parents(c, nil) {
			if flags[p]&unint != 0 && !isBoundary[p] {
				isBoundary[p] = true
				boundary = append(boundary, w.loaded(p))
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
	var queue, parents []hash
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
		parents = w.store.parents(c, parents[:0])
		for _, p := range parents {
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
func topoOrder(cs []*commitNode, store *commitStore) []*commitNode {
	in := make(map[hash]*commitNode, len(cs))
	for _, c := range cs {
		in[c.hash] = c
	}
	pending := make(map[hash]int, len(cs))
	children := make(map[hash][]*commitNode, len(cs))
	ready := &commitHeap{}
	var parents []hash
	for _, c := range cs {
		n := 0
		parents = store.parents(c, parents[:0])
		for i, p := range parents {
			if in[p] != nil && !slices.Contains(parents[:i], p) {
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
	// num is the blob's number in the blob table (blobTable.info).
	num int32
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
	t.walk(w.store.nums.hash(c.tree), "", c, false)
	return t.firstAt
}
