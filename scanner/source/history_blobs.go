package source

import (
	"context"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/clayscan/clayscan/scanner"
)

// The blob phase reads every wanted blob exactly once. Packed blobs are
// grouped into delta families: a node's children are the entries stored
// as deltas against it. Workers take nodes from a shared LIFO stack,
// inflate each entry once, build a delta's target from the base its parent
// handed down, scan it if it is wanted, and push its children with the
// result. Depth-first order keeps only the bases of unfinished families in
// memory; the stack lets both cores share one large family.

// A sweep holds its delta families until the blob phase ends, so they are
// flat arrays of int32 indexes (issue 14): no heap object and no map entry
// per blob, and nothing for the collector to scan. Node i is the pack entry
// at families.off[i] in packs[families.pack[i]]; children are a linked
// list (child, next); the rare base outside the packs is looked up in
// blobPhase.ext.
type families struct {
	packs  []*git.Pack
	pack   []uint16
	off    []int64
	parent []int32 // -1: a root
	child  []int32 // first child, -1: none
	next   []int32 // next sibling, -1: none
	// blob is the node's blob number (blobTable), -1 for a base that is
	// only needed by its children.
	blob []int32
	// reached: a worker got to it (each node is set by one worker, and
	// read after the workers end).
	reached []bool
}

const none = int32(-1)

func (f *families) add(pack uint16, off int64) int32 {
	n := int32(len(f.off))
	f.pack = append(f.pack, pack)
	f.off = append(f.off, off)
	f.parent = append(f.parent, none)
	f.child = append(f.child, none)
	f.next = append(f.next, none)
	f.blob = append(f.blob, none)
	return n
}

func (f *families) loc(n int32) git.Loc {
	return git.Loc{Pack: f.packs[f.pack[n]], Off: f.off[n]}
}

type btask struct {
	n    int32
	base *blobBuf
}

// blobPhase scans the blobs in want.
type blobPhase struct {
	lfs      lfsStore // where LFS pointers' objects are (lfs.go)
	db       *git.ODB
	sink     scanner.Sink
	maxSize  int64
	counters *HistoryCounters

	blobs   *blobTable    // what to scan
	order   []*commitNode // the walk order, which blobs.commit indexes
	commits *commitStore
	fam     families
	bufs    bufPool

	mu      sync.Mutex
	cond    *sync.Cond
	stack   []btask
	active  int
	stopped bool
	errs    atomic.Int64
	// ext holds the REF_DELTA bases outside the packs (written before
	// the workers start).
	ext map[int32]hash

	// seen, when set, records each scanned blob's anchors (foldAnchors),
	// by blob number, for a Rescan. need, when not 0, is a Rescan's
	// filter: only the blobs whose filter entry shares a bit with it are
	// read.
	seen   []uint8
	filter []uint8
	need   uint8
}

// foldAnchors keeps a set of anchors in a byte: anchors 0-6 as themselves,
// every later one as bit 7 (a blob that holds any anchor a Rescan needs
// keeps a bit the filter shares).
func foldAnchors(a scanner.Anchors) uint8 {
	f := uint8(a & 0x7f)
	if a>>7 != 0 {
		f |= 0x80
	}
	return f
}

// recordSeen makes t record its anchors in bp.seen when the sink has
// scanned it; call the returned function then.
func (bp *blobPhase) recordSeen(t *scanner.Target, bi *blobInfo) func() {
	if bp.seen == nil {
		return func() {}
	}
	a := new(scanner.Anchors)
	t.Seen = a
	return func() { bp.seen[bi.num] = foldAnchors(*a) }
}

// info is node n's blob, nil for a base only.
func (bp *blobPhase) info(n int32) (hash, *blobInfo) {
	if b := bp.fam.blob[n]; b >= 0 {
		bi := bp.blobs.info(b, bp.order)
		return bp.blobs.hash(b), &bi
	}
	return hash{}, nil
}

// looseBlob is a wanted blob outside the packs, by number.
type looseBlob int32

func (bp *blobPhase) run(ctx context.Context, workers int) error {
	f := &bp.fam
	f.packs = bp.db.Packs()
	packIdx := make(map[*git.Pack]uint16, len(f.packs))
	for i, p := range f.packs {
		packIdx[p] = uint16(i)
	}
	// nodes finds a node by pack and offset while the families are built.
	nodes := map[uint64]int32{}
	key := func(loc git.Loc) uint64 { return uint64(packIdx[loc.Pack])<<48 | uint64(loc.Off) }
	bp.ext = map[int32]hash{}
	var loose []looseBlob
	// ensure adds the entry at loc and the chain of bases under it, and
	// returns its node.
	ensure := func(loc git.Loc) (int32, error) {
		var chain []int32
		top := none
		for {
			if n, ok := nodes[key(loc)]; ok {
				top = n
				break
			}
			n := f.add(packIdx[loc.Pack], loc.Off)
			nodes[key(loc)] = n
			chain = append(chain, n)
			e, err := loc.Pack.Header(loc.Off)
			if err != nil {
				for _, c := range chain {
					delete(nodes, key(f.loc(c)))
				}
				// The nodes stay in the arrays, unlinked and unreached by
				// anything: roots are taken from the wanted blobs' chains.
				for _, c := range chain {
					f.parent[c] = -2
				}
				return none, err
			}
			if e.Type == git.ObjOfsDelta {
				loc = git.Loc{Pack: loc.Pack, Off: e.BaseOff}
				continue
			}
			if e.Type == git.ObjRefDelta {
				if bl, ok := bp.db.Locate(e.BaseHash); ok {
					loc = bl
					continue
				}
				bp.ext[n] = e.BaseHash
			}
			break
		}
		for i := len(chain) - 1; i >= 0; i-- {
			c := chain[i]
			if top != none {
				f.parent[c] = top
				f.next[c], f.child[top] = f.child[top], c
			}
			top = c
		}
		return chain0(chain, top), nil
	}
	// In number order: each pack's blobs in hash order.
	var wantedNodes []int32
	for o := range bp.blobs.flags {
		b := int32(o)
		if !bp.blobs.scanned(b) {
			continue
		}
		if bp.need != 0 && bp.filter[o]&bp.need == 0 {
			continue // a Rescan's: it cannot hold what is looked for
		}
		if o >= bp.blobs.packed {
			loose = append(loose, looseBlob(b))
			continue
		}
		loc, _ := bp.db.OrdinalLoc(o) // a bad offset fails in ensure
		n, err := ensure(loc)
		if err != nil {
			bi := bp.blobs.info(b, bp.order)
			bp.fail(&bi, bp.blobs.hash(b), err)
			continue
		}
		f.blob[n] = b
		wantedNodes = append(wantedNodes, n)
	}
	// The families are built: the lookup table goes before the blobs are
	// read.
	nodes = nil
	f.reached = make([]bool, len(f.off))
	// Roots in pack order: neighbouring entries share pages.
	var roots []int32
	for n := range f.parent {
		if f.parent[n] == none {
			roots = append(roots, int32(n))
		}
	}
	sort.Slice(roots, func(i, j int) bool {
		a, b := f.loc(roots[i]), f.loc(roots[j])
		if a.Pack != b.Pack {
			return a.Pack.Name() < b.Pack.Name()
		}
		return a.Off > b.Off // popped from the end: lowest offset first
	})
	bp.cond = sync.NewCond(&bp.mu)
	bp.stack = make([]btask, 0, len(roots))
	for _, r := range roots {
		bp.stack = append(bp.stack, btask{n: r})
	}
	roots = nil
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bp.worker(ctx)
		}()
	}
	// Loose blobs: few, read directly.
	var lw sync.WaitGroup
	lch := make(chan looseBlob)
	for i := 0; i < workers; i++ {
		lw.Add(1)
		go func() {
			defer lw.Done()
			for l := range lch {
				bi := bp.blobs.info(int32(l), bp.order)
				bp.loose(bp.blobs.hash(int32(l)), &bi)
			}
		}()
	}
	for _, l := range loose {
		if ctx.Err() != nil {
			break
		}
		lch <- l
	}
	close(lch)
	lw.Wait()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, n := range wantedNodes {
		if !f.reached[n] {
			// Only a delta cycle (a corrupt pack) leaves a node unreached.
			h, bi := bp.info(n)
			bp.fail(bi, h, fmt.Errorf("delta chain never reaches a base"))
		}
	}
	if n := bp.errs.Load(); n > 0 {
		return fmt.Errorf("%d object(s) could not be read: %w", n, git.ErrCorrupt)
	}
	return nil
}

// chain0 is the first node of chain (the entry ensure was asked for), or
// top when the entry was already a node.
func chain0(chain []int32, top int32) int32 {
	if len(chain) > 0 {
		return chain[0]
	}
	return top
}

func (bp *blobPhase) fail(bi *blobInfo, h hash, err error) {
	bp.errs.Add(1)
	path := "(unknown path)"
	if bi != nil {
		path = bi.path
	}
	bp.sink.Error(path, fmt.Errorf("object %s: %v: %w", h, err, git.ErrCorrupt))
}

func (bp *blobPhase) pop(ctx context.Context) (btask, bool) {
	bp.mu.Lock()
	defer bp.mu.Unlock()
	for len(bp.stack) == 0 && bp.active > 0 && !bp.stopped {
		bp.cond.Wait()
	}
	if len(bp.stack) == 0 || bp.stopped {
		bp.cond.Broadcast()
		return btask{}, false
	}
	if ctx.Err() != nil {
		bp.stopped = true
		bp.cond.Broadcast()
		return btask{}, false
	}
	t := bp.stack[len(bp.stack)-1]
	bp.stack[len(bp.stack)-1] = btask{}
	bp.stack = bp.stack[:len(bp.stack)-1]
	bp.active++
	return t, true
}

func (bp *blobPhase) done(first int32, data *blobBuf) {
	bp.mu.Lock()
	for ch := first; ch != none; ch = bp.fam.next[ch] {
		bp.stack = append(bp.stack, btask{n: ch, base: data})
	}
	bp.active--
	bp.mu.Unlock()
	bp.cond.Broadcast()
}

func (bp *blobPhase) worker(ctx context.Context) {
	var z git.Inflater
	for {
		t, ok := bp.pop(ctx)
		if !ok {
			return
		}
		data := bp.materialize(&z, t)
		bp.bufs.release(t.base) // this child is built
		if data == nil {
			bp.done(none, nil) // children cannot be built without it
			for ch := bp.fam.child[t.n]; ch != none; ch = bp.fam.next[ch] {
				bp.abandon(ch)
			}
			continue
		}
		k := int32(0)
		for ch := bp.fam.child[t.n]; ch != none; ch = bp.fam.next[ch] {
			k++
		}
		if k == 0 {
			bp.bufs.put(data)
			bp.done(none, nil)
			continue
		}
		data.refs.Store(k) // each child releases it once built
		bp.done(bp.fam.child[t.n], data)
	}
}

// abandon reports the wanted blobs under a base that could not be read.
func (bp *blobPhase) abandon(n int32) {
	f := &bp.fam
	f.reached[n] = true
	if h, bi := bp.info(n); bi != nil {
		bp.fail(bi, h, fmt.Errorf("delta base at offset %d in %s.pack could not be read", f.off[f.parent[n]], f.loc(n).Pack.Name()))
	}
	for ch := f.child[n]; ch != none; ch = f.next[ch] {
		bp.abandon(ch)
	}
}

// materialize builds the content of t.n in a buffer from the pool, scans it
// if wanted, and returns it (nil when it could not be built, or was too
// large and nobody needs it).
func (bp *blobPhase) materialize(z *git.Inflater, t btask) *blobBuf {
	f := &bp.fam
	n := t.n
	f.reached[n] = true
	h, bi := bp.info(n)
	loc := f.loc(n)
	leaf := f.child[n] == none
	e, err := loc.Pack.Header(loc.Off)
	if err != nil {
		bp.fail(bi, h, err)
		return nil
	}
	tooLarge := func(size int64) bool { return bp.maxSize > 0 && size > bp.maxSize }
	var data []byte
	var buf *blobBuf
	switch e.Type {
	case git.ObjOfsDelta, git.ObjRefDelta:
		var base []byte
		if t.base != nil {
			base = t.base.b
		}
		if eh, ok := bp.ext[n]; ok {
			_, base, err = bp.db.Get(eh)
			if err != nil {
				bp.fail(bi, h, err)
				return nil
			}
		}
		if base == nil {
			bp.fail(bi, h, fmt.Errorf("delta without base"))
			return nil
		}
		delta, err := z.InflateDelta(loc.Pack, e.DataOff, e.Size)
		if err != nil {
			bp.fail(bi, h, err)
			return nil
		}
		_, dst, _, ok := git.DeltaSizes(delta)
		if ok && tooLarge(dst) && leaf {
			bp.skipLarge(h, bi, dst)
			return nil
		}
		if ok {
			// A lying header gets at most a 64 MiB buffer, then
			// ApplyDelta's refusal (issue 12).
			buf = bp.bufs.get(dst)
		}
		data, err = git.ApplyDelta(buf.bytes(), base, delta)
		if err != nil {
			bp.bufs.put(buf)
			bp.fail(bi, h, err)
			return nil
		}
	default:
		if e.Type != git.ObjBlob {
			bp.fail(bi, h, fmt.Errorf("expected a blob, found a %s", e.Type))
			return nil
		}
		if tooLarge(e.Size) && leaf {
			bp.skipLarge(h, bi, e.Size)
			return nil
		}
		if bi != nil && leaf && e.Size > scanner.StreamThreshold {
			bp.stream(h, bi, e.Size) // nobody needs it whole
			return nil
		}
		buf = bp.bufs.get(e.Size) // at most 64 MiB for a lying header
		data, err = z.Inflate(loc.Pack, e.DataOff, e.Size, buf.bytes())
		if err != nil {
			bp.bufs.put(buf)
			bp.fail(bi, h, err)
			return nil
		}
	}
	buf = bp.bufs.wrap(buf, data)
	if bi != nil {
		if tooLarge(int64(len(data))) {
			bp.skipLarge(h, bi, int64(len(data)))
		} else {
			bp.scan(h, bi, data)
		}
	}
	return buf
}

// blobBuf is a blob's content, from bufPool. Once built it is read only:
// by the sink, then by the delta children built from it, each of which
// releases it; the last one returns it to the pool.
type blobBuf struct {
	b    []byte
	refs atomic.Int32
}

// bytes is the buffer to build into (nil for none).
func (b *blobBuf) bytes() []byte {
	if b == nil {
		return nil
	}
	return b.b[:0]
}

// bufPool recycles the blob phase's buffers by size class (powers of two),
// so that a sweep allocates little per blob: every blob's content was a
// fresh allocation, most of the sweep's garbage, collector work and page
// faults (issue 14). Buffers above maxPooled are not kept.
type bufPool struct {
	classes [maxPooledLog + 1]sync.Pool
}

const (
	minPooledLog = 12 // 4 KiB
	maxPooledLog = 26 // 64 MiB
)

// get returns a buffer with room for size bytes, nil when size is too
// large to pool.
func (p *bufPool) get(size int64) *blobBuf {
	k := max(bits.Len64(uint64(max(size, 1)-1)), minPooledLog)
	if k > maxPooledLog {
		return nil
	}
	if b, _ := p.classes[k].Get().(*blobBuf); b != nil {
		return b
	}
	return &blobBuf{b: make([]byte, 0, 1<<k)}
}

// wrap returns the buffer that holds data: buf, or a new one when data was
// built elsewhere (too large for buf).
func (p *bufPool) wrap(buf *blobBuf, data []byte) *blobBuf {
	if buf != nil && cap(data) > 0 && cap(buf.b) > 0 && &buf.b[:1][0] == &data[:1][0] {
		buf.b = data
		return buf
	}
	p.put(buf)
	return &blobBuf{b: data}
}

// put returns b to the pool.
func (p *bufPool) put(b *blobBuf) {
	if b == nil {
		return
	}
	k := bits.Len64(uint64(cap(b.b))) - 1 // cap >= 1<<k
	if k < minPooledLog || k > maxPooledLog {
		return
	}
	b.b = b.b[:0]
	p.classes[k].Put(b)
}

// release drops one child's hold on b.
func (p *bufPool) release(b *blobBuf) {
	if b != nil && b.refs.Add(-1) == 0 {
		p.put(b)
	}
}

func (bp *blobPhase) skipLarge(h hash, bi *blobInfo, size int64) {
	if bi == nil {
		return
	}
	bp.sink.Skip(bi.skipped(h, scanner.SkipTooLarge))
	if bp.counters != nil {
		bp.counters.BlobsDone.Add(1)
	}
}

func (bp *blobPhase) loose(h hash, bi *blobInfo) {
	p := bp.db.LoosePath(h)
	if p == "" {
		bp.fail(bi, h, fmt.Errorf("not found"))
		return
	}
	limit := int64(scanner.StreamThreshold) // larger ones are streamed
	if bp.maxSize > 0 {
		limit = min(limit, bp.maxSize)
	}
	typ, size, data, err := bp.db.ReadLoose(p, h, limit)
	if err != nil {
		bp.fail(bi, h, err)
		return
	}
	if typ != git.ObjBlob {
		bp.fail(bi, h, fmt.Errorf("expected a blob, found a %s", typ))
		return
	}
	if data == nil && size > 0 {
		if bp.maxSize > 0 && size > bp.maxSize {
			bp.sink.Skip(bi.skipped(h, scanner.SkipTooLarge))
		} else {
			bp.stream(h, bi, size)
		}
		return
	}
	bp.scan(h, bi, data)
}

// skipped names the blob h for the skipped list.
func (bi *blobInfo) skipped(h hash, why scanner.SkipReason) scanner.Skipped {
	s := scanner.Skipped{Path: bi.path, Blob: h.String(), Reason: why}
	if bi.commit != nil {
		s.Commit = bi.commit.hash.String()
	}
	return s
}

func (bp *blobPhase) scan(h hash, bi *blobInfo, data []byte) {
	t := bp.target(h, bi)
	t.Data = data
	defer bp.recordSeen(&t, bi)()
	if bp.lfs.redirect(bp.sink, t) {
		// An LFS pointer: its object was scanned at the pointer's path
		// (or named as missing).
		if bp.counters != nil {
			bp.counters.BlobsDone.Add(1)
		}
		return
	}
	if !bi.prev.IsZero() {
		if _, old, err := bp.db.Get(bi.prev); err == nil {
			t.Lines = addedLines(scanner.DecodeText(old), scanner.DecodeText(data))
		}
	}
	bp.sink.Scan(t)
	if bp.counters != nil {
		bp.counters.BlobsDone.Add(1)
		bp.counters.Bytes.Add(int64(len(data)))
	}
}

func (bp *blobPhase) target(h hash, bi *blobInfo) scanner.Target {
	t := scanner.Target{Path: bi.path, InHead: bi.inHead, Blob: h.String()}
	if bi.commit != nil {
		t.Commit = bp.commits.info(bi.commit)
		t.Order = bi.commit.order
	}
	return t
}

// stream scans a blob too large to hold whole (a full pack entry that is
// no delta's base) as it inflates; in a range scan, its version at the
// base is read only when it has findings (Target.Prev).
func (bp *blobPhase) stream(h hash, bi *blobInfo, size int64) {
	_, _, rc, err := bp.db.Open(h)
	if err != nil {
		bp.fail(bi, h, err)
		return
	}
	defer rc.Close()
	t := bp.target(h, bi)
	t.Reader = rc
	defer bp.recordSeen(&t, bi)()
	if prev := bi.prev; !prev.IsZero() {
		t.Prev = func() (io.ReadCloser, error) {
			_, _, rc, err := bp.db.Open(prev)
			return rc, err
		}
	}
	bp.sink.Scan(t)
	if bp.counters != nil {
		bp.counters.BlobsDone.Add(1)
		bp.counters.Bytes.Add(size)
	}
}

// addedLines returns the lines of data whose text does not appear anywhere
// in old: in a range scan, a key that the base already had at this path is
// not something the range adds.
func addedLines(old, data []byte) scanner.LineSet {
	have := map[string]struct{}{}
	for _, l := range splitLines(old) {
		have[string(l)] = struct{}{}
	}
	set := scanner.LineSet{}
	for i, l := range splitLines(data) {
		if _, ok := have[string(l)]; ok {
			continue
		}
		line := i + 1
		if k := len(set); k > 0 && set[k-1].End == line-1 {
			set[k-1].End = line
		} else {
			set = append(set, scanner.LineRange{Start: line, End: line})
		}
	}
	return set
}

func splitLines(b []byte) [][]byte {
	var out [][]byte
	for len(b) > 0 {
		i := 0
		for i < len(b) && b[i] != '\n' {
			i++
		}
		l := b[:i]
		if len(l) > 0 && l[len(l)-1] == '\r' {
			l = l[:len(l)-1]
		}
		out = append(out, l)
		if i < len(b) {
			i++
		}
		b = b[i:]
	}
	return out
}
