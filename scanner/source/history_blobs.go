package source

import (
	"context"
	"fmt"
	"io"
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

// A sweep holds one bnode per blob until the blob phase ends, so it is kept
// small (issue 14): children are a linked list, and the rare base outside
// the packs is looked up in blobPhase.ext.
type bnode struct {
	loc    git.Loc
	info   *blobInfo // nil for a base that is only needed by its children
	parent *bnode
	child  *bnode // first child
	next   *bnode // next sibling
	h      hash   // zero for a base that is not itself wanted
	hasExt bool   // a REF_DELTA base outside the packs (loose): ext[node]
	// reached: a worker got to it (set once, read after the workers end)
	reached bool
}

type btask struct {
	n    *bnode
	base []byte
}

// blobPhase scans the blobs in want.
type blobPhase struct {
	lfs      lfsStore // where LFS pointers' objects are (lfs.go)
	db       *git.ODB
	sink     scanner.Sink
	maxSize  int64
	counters *HistoryCounters

	mu      sync.Mutex
	cond    *sync.Cond
	stack   []btask
	active  int
	stopped bool
	errs    atomic.Int64
	// ext holds the REF_DELTA bases outside the packs (written before
	// the workers start).
	ext map[*bnode]hash
}

func (bp *blobPhase) run(ctx context.Context, want map[hash]*blobInfo, workers int) error {
	nodes := map[git.Loc]*bnode{}
	bp.ext = map[*bnode]hash{}
	type looseBlob struct {
		h  hash
		bi *blobInfo
	}
	var loose []looseBlob
	// ensure adds the entry at loc and the chain of bases under it.
	ensure := func(loc git.Loc) error {
		var chain []*bnode
		var top *bnode
		for {
			if n, ok := nodes[loc]; ok {
				top = n
				break
			}
			n := &bnode{loc: loc}
			nodes[loc] = n
			chain = append(chain, n)
			e, err := loc.Pack.Header(loc.Off)
			if err != nil {
				for _, c := range chain {
					delete(nodes, c.loc)
				}
				return err
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
				bp.ext[n], n.hasExt = e.BaseHash, true
			}
			break
		}
		for i := len(chain) - 1; i >= 0; i-- {
			if top != nil {
				chain[i].parent = top
				chain[i].next, top.child = top.child, chain[i]
			}
			top = chain[i]
		}
		return nil
	}
	hashes := make([]hash, 0, len(want))
	for h, bi := range want {
		if !bi.base {
			hashes = append(hashes, h)
		}
	}
	sort.Slice(hashes, func(i, j int) bool { return string(hashes[i][:]) < string(hashes[j][:]) })
	wanted := make([]*bnode, 0, len(hashes))
	for _, h := range hashes {
		loc, ok := bp.db.Locate(h)
		if !ok {
			loose = append(loose, looseBlob{h, want[h]})
			continue
		}
		if err := ensure(loc); err != nil {
			bp.fail(want[h], h, err)
			continue
		}
		n := nodes[loc]
		n.h, n.info = h, want[h]
		wanted = append(wanted, n)
	}
	hashes = nil
	// Roots in pack order: neighbouring entries share pages.
	var roots []*bnode
	for _, n := range nodes {
		if n.parent == nil {
			roots = append(roots, n)
		}
	}
	// The families are built: the lookup tables go before the blobs are
	// read (want is the caller's, which lets it go too).
	nodes, want = nil, nil
	sort.Slice(roots, func(i, j int) bool {
		a, b := roots[i].loc, roots[j].loc
		if a.Pack != b.Pack {
			return a.Pack.Name() < b.Pack.Name()
		}
		return a.Off > b.Off // popped from the end: lowest offset first
	})
	bp.cond = sync.NewCond(&bp.mu)
	for _, r := range roots {
		bp.stack = append(bp.stack, btask{n: r})
	}
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
				bp.loose(l.h, l.bi)
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
	for _, n := range wanted {
		if n.info != nil && !n.reached {
			// Only a delta cycle (a corrupt pack) leaves a node unreached.
			bp.fail(n.info, n.h, fmt.Errorf("delta chain never reaches a base"))
		}
	}
	if n := bp.errs.Load(); n > 0 {
		return fmt.Errorf("%d object(s) could not be read: %w", n, git.ErrCorrupt)
	}
	return nil
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

func (bp *blobPhase) done(first *bnode, data []byte) {
	bp.mu.Lock()
	for ch := first; ch != nil; ch = ch.next {
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
		if data == nil {
			bp.done(nil, nil) // children cannot be built without it
			for ch := t.n.child; ch != nil; ch = ch.next {
				bp.abandon(ch)
			}
			continue
		}
		bp.done(t.n.child, data)
	}
}

// abandon reports the wanted blobs under a base that could not be read.
func (bp *blobPhase) abandon(n *bnode) {
	n.reached = true
	if n.info != nil {
		bp.fail(n.info, n.h, fmt.Errorf("delta base at offset %d in %s.pack could not be read", n.parent.loc.Off, n.loc.Pack.Name()))
	}
	for ch := n.child; ch != nil; ch = ch.next {
		bp.abandon(ch)
	}
}

// materialize builds the content of t.n, scans it if wanted, and returns it
// (nil when it could not be built, or was too large and nobody needs it).
func (bp *blobPhase) materialize(z *git.Inflater, t btask) []byte {
	n := t.n
	n.reached = true
	e, err := n.loc.Pack.Header(n.loc.Off)
	if err != nil {
		bp.fail(n.info, n.h, err)
		return nil
	}
	tooLarge := func(size int64) bool { return bp.maxSize > 0 && size > bp.maxSize }
	var data []byte
	switch e.Type {
	case git.ObjOfsDelta, git.ObjRefDelta:
		base := t.base
		if n.hasExt {
			_, base, err = bp.db.Get(bp.ext[n])
			if err != nil {
				bp.fail(n.info, n.h, err)
				return nil
			}
		}
		if base == nil {
			bp.fail(n.info, n.h, fmt.Errorf("delta without base"))
			return nil
		}
		delta, err := z.InflateDelta(n.loc.Pack, e.DataOff, e.Size)
		if err != nil {
			bp.fail(n.info, n.h, err)
			return nil
		}
		if _, dst, _, ok := git.DeltaSizes(delta); ok && tooLarge(dst) && n.child == nil {
			bp.skipLarge(n, dst)
			return nil
		}
		data, err = git.ApplyDelta(nil, base, delta)
		if err != nil {
			bp.fail(n.info, n.h, err)
			return nil
		}
	default:
		if e.Type != git.ObjBlob {
			bp.fail(n.info, n.h, fmt.Errorf("expected a blob, found a %s", e.Type))
			return nil
		}
		if tooLarge(e.Size) && n.child == nil {
			bp.skipLarge(n, e.Size)
			return nil
		}
		if n.info != nil && n.child == nil && e.Size > scanner.StreamThreshold {
			bp.stream(n.h, n.info, e.Size) // nobody needs it whole
			return nil
		}
		data, err = z.Inflate(n.loc.Pack, e.DataOff, e.Size, nil)
		if err != nil {
			bp.fail(n.info, n.h, err)
			return nil
		}
	}
	if n.info != nil {
		if tooLarge(int64(len(data))) {
			bp.skipLarge(n, int64(len(data)))
		} else {
			bp.scan(n.h, n.info, data)
		}
	}
	return data
}

func (bp *blobPhase) skipLarge(n *bnode, size int64) {
	if n.info == nil {
		return
	}
	bp.sink.Skip(n.info.skipped(n.h, scanner.SkipTooLarge))
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
		t.Commit = bi.commit.info()
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
