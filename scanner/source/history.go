package source

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/clayscan/clayscan/internal/git"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

// History scans every commit reachable from the repository's refs, or a
// range of them. Each distinct blob is read and scanned once, and reported
// at the oldest commit (in ancestry order) that has it at that path.
//
// The sweep runs in two phases. The walk loads the commits, orders them
// parents first and walks their trees by hash, skipping trees already
// walked, to find each distinct blob's first (commit, path). The blob phase
// (history_blobs.go) then reads the blobs from the packs in parallel,
// inflating each entry once.
type History struct {
	Path string
	// Repo, when set, is the repository at Path, opened by the caller
	// (who closes it), so that a command opens it once.
	Repo *git.Repository
	// Range is "BASE..HEAD": commits reachable from HEAD but not from BASE,
	// second parents of merges included. Blobs that BASE's side already
	// has are not scanned, and in a file that BASE already had, lines BASE
	// had are not reported: a range scan reports what the range adds.
	Range string
	// SinceCommit is Range with HEAD implied.
	SinceCommit string
	// Branch limits the walk to one ref (or any revision).
	Branch string
	// AllObjects also scans unreachable blobs in the object database
	// (dropped stashes, rewritten history). Unreachable commits are walked
	// too, so a blob is reported with a commit whenever one is known.
	AllObjects  bool
	MaxFileSize int64
	// Workers is the number of goroutines reading and scanning blobs;
	// 0 means GOMAXPROCS.
	Workers int
	// Counters, when set, is updated as the sweep runs, for a progress bar.
	Counters *HistoryCounters

	keep bool       // KeepForRescan
	kept *keptSweep // what Rescan reads again
}

// HistoryCounters are a running sweep's counters, safe to read at any time.
type HistoryCounters struct {
	Commits   atomic.Int64 // commits loaded
	Walked    atomic.Int64 // commits whose trees have been walked
	Blobs     atomic.Int64 // distinct blobs to read (known once the walk ends)
	BlobsDone atomic.Int64 // blobs read (scanned or skipped)
	Bytes     atomic.Int64 // bytes of blob content read
}

// Errors a history scan returns; the CLI adds a hint for each.
var (
	// ErrNoCommits: the repository has no commits at all.
	ErrNoCommits = errors.New("the repository has no commits: there is no history to scan")
	// ErrShallowBase: a range's base is not in a shallow clone.
	ErrShallowBase = errors.New("the range's base commit is not in this shallow clone")
	// ErrUnknownRevision: a revision named by --range, --since-commit or
	// --branch does not exist.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrCorrupt: objects are missing or cannot be decoded.
	ErrCorrupt = git.ErrCorrupt
)

// Scan implements scanner.Source.
func (h *History) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	info := scanner.SourceInfo{Kind: "history"}
	h.KeepForRescan(h.keep) // drops what an earlier Scan kept
	repo, release, err := openRepo(h.Repo, h.Path)
	if err != nil {
		return info, err
	}
	kept := false // the sweep's state stays for Rescan, which releases it
	defer func() {
		if !kept {
			release()
		}
	}()
	info.Root = repo.Root
	if info.Root == "" {
		info.Root = repo.GitDir
	}
	counters := h.Counters
	if counters == nil {
		counters = &HistoryCounters{}
	}

	shallowList, err := repo.Shallow()
	if err != nil {
		return info, fmt.Errorf("reading the shallow file: %w", err)
	}
	shallow := map[hash]bool{}
	for _, s := range shallowList {
		shallow[s] = true
	}
	info.Shallow = len(shallow) > 0

	db, err := repo.OpenObjects(true)
	if err != nil {
		return info, fmt.Errorf("opening the object database: %w", err)
	}
	defer func() {
		if !kept {
			db.Close()
		}
	}()

	countingSink := &errCounter{Sink: sink}
	nums := newObjNums(db)
	w := &walker{db: db, sink: countingSink, shallow: shallow, commits: map[int32]*commitNode{}, store: &commitStore{nums: nums}, onLoad: func() { counters.Commits.Add(1) }}

	// Which commits: a range, one ref, or every ref.
	var (
		commits  []*commitNode
		headTip  *commitNode // whose tree decides in_head
		boundary []*commitNode
		baseTip  *commitNode
	)
	base, head, isRange, err := h.rangeEnds()
	if err != nil {
		return info, err
	}
	switch {
	case isRange:
		headHash, err := resolve(repo, head)
		if err != nil {
			return info, err
		}
		baseHash, err := resolve(repo, base)
		if err != nil {
			if errors.Is(err, ErrUnknownRevision) && info.Shallow {
				return info, fmt.Errorf("%q: %w", base, ErrShallowBase)
			}
			return info, err
		}
		headRef := headHash // an annotated tag when head names one
		if headHash, _, err = w.peel(headHash); err != nil {
			return info, fmt.Errorf("%q: %w", head, ErrUnknownRevision)
		}
		if baseHash, _, err = w.peel(baseHash); err != nil {
			if info.Shallow {
				return info, fmt.Errorf("%q: %w", base, ErrShallowBase)
			}
			return info, fmt.Errorf("%q: %w", base, ErrUnknownRevision)
		}
		info.Refs = 1
		commits, boundary = w.rangeCommits(headHash, baseHash)
		if err := w.rangeTags(repo, commits, headRef); err != nil {
			countingSink.Error("refs", err)
		}
		headTip = w.loaded(headHash)
		baseTip = w.loaded(baseHash)
		if len(commits) == 0 && headHash != baseHash && w.missing == 0 {
			return info, fmt.Errorf("range %s selects no commits: %s is already part of %s's history (are the ends swapped?): %w",
				h.describeRange(), head, base, scanner.ErrNothingScanned)
		}
	default:
		tips, err := h.tips(repo)
		if err != nil {
			return info, err
		}
		info.Refs = len(tips)
		var starts []hash
		for _, t := range tips {
			w.peelTags(t.hash)
			c, typ, err := w.peel(t.hash)
			if err != nil {
				countingSink.Error("ref "+t.ref, err)
				continue
			}
			if typ == git.ObjCommit {
				starts = append(starts, c)
			}
		}
		if h.AllObjects {
			extra, err := allCommits(db)
			if err != nil {
				return info, err
			}
			starts = append(starts, extra...)
			// Unreachable annotated tags (a deleted tag's object) keep
			// their messages too (issue 11).
			tags, err := allOfType(db, git.ObjTag)
			if err != nil {
				return info, err
			}
			for _, t := range tags {
				w.peelTags(t)
			}
		}
		if len(tips) == 0 && len(starts) == 0 {
			return info, ErrNoCommits
		}
		if h.Branch == "" {
			// A full sweep reads every commit: parse them on every core.
			w.preload(h.workers())
		}
		commits = w.load(starts, nil)
		w.pre = nil // unreachable commits
		if h.Branch != "" && len(starts) > 0 {
			headTip = w.loaded(starts[0])
		} else if head, err := repo.Head(); err == nil {
			if hh, _, err := w.peel(head); err == nil {
				headTip = w.loaded(hh)
			}
		}
	}
	if len(commits) == 0 && !(isRange && w.missing == 0) {
		return info, fmt.Errorf("%d ref(s) but no commit could be read: %w", info.Refs, scanner.ErrNothingScanned)
	}
	order := topoOrder(commits, w.store)
	info.Commits = int64(len(order))
	workers := h.workers()

	// Trees: the range base first (its blobs are not scanned), then every
	// commit oldest first.
	blobs := newBlobTable(nums)
	tw := &treeWalk{w: w, blobs: blobs, want: sink.WantsPath, firstAt: map[string]*commitNode{}, links: map[hash]*linkInfo{}}
	if baseTip != nil {
		tw.seenTrees = newObjSet(db) // the one-goroutine walk's
	}
	if baseTip != nil {
		tw.paths = map[string]hash{}
		tw.walk(nums.hash(baseTip.tree), "", baseTip, true)
		basePaths := tw.paths
		tw.paths = nil
		for _, b := range boundary {
			tw.walk(nums.hash(b.tree), "", b, true)
		}
		tw.paths = basePaths
	}
	basePaths := tw.paths
	tw.paths = nil
	var ms *messageSeen
	if h.keep {
		ms = &messageSeen{rec: make([]uint8, len(order)+len(w.tags))}
	}
	// A full sweep reads the messages beside the tree walk, which leaves
	// part of the second core idle (its recorder is serial); a range
	// reads them after its blobs.
	var msgs sync.WaitGroup
	defer msgs.Wait() // before the object database closes
	if baseTip == nil {
		jobs := messageJobs(w, order, w.tags)
		msgs.Add(1)
		go func() {
			defer msgs.Done()
			runMessages(ctx, w, jobs, workers, ms)
		}()
	}
	if baseTip == nil {
		// A full sweep: every core reads trees (history_pwalk.go).
		if err := tw.walkParallel(ctx, order, workers, func(n int) { counters.Walked.Add(int64(n)) }); err != nil {
			return info, err
		}
	} else {
		for i, c := range order {
			if i&255 == 0 && ctx.Err() != nil {
				return info, ctx.Err()
			}
			tw.walk(nums.hash(c.tree), "", c, false)
			counters.Walked.Add(1)
		}
	}
	headPaths := w.headBlobs(headTip, blobs, sink.WantsPath)
	// Every wanted path once, at the oldest walked commit whose tree holds
	// it — even when its content first appeared at another path (an empty
	// .env, a copied template) and so never becomes a target. They are
	// reported before any blob is read, so an unreadable object later does
	// not lose them (issue 11).
	for p, c := range tw.firstAt {
		if c != nil { // nil: the range base has it
			_, still := headPaths[p]
			sink.Path(scanner.PathFact{
				PathFact: rules.PathFact{Path: p, Where: rules.InHistory, InHead: still},
				At:       w.store.info(c),
				Order:    c.order,
			})
		}
	}
	for lh, li := range tw.links {
		if !li.base {
			countingSink.Skip(li.skipped(lh, li.why))
		}
	}
	tw = nil
	db.DropCache()
	if h.AllObjects {
		orphans, err := allBlobs(db)
		if err != nil {
			return info, err
		}
		for _, b := range orphans {
			if o := blobs.num(b, -1); blobs.flags[o]&blobSeen == 0 {
				blobs.add(o, "(unreachable blob "+b.String()+")", nil, false)
			}
		}
	}
	blobs.pathIDs = nil // the walk is done
	var n int64
	for o := range blobs.flags {
		if !blobs.scanned(int32(o)) {
			continue
		}
		n++
		if basePaths != nil {
			bh := blobs.hash(int32(o))
			if prev, ok := basePaths[blobs.paths[blobs.path[o]]]; ok && prev != bh {
				if blobs.prev == nil {
					blobs.prev = map[int32]hash{}
				}
				blobs.prev[int32(o)] = prev
			}
		}
	}
	info.Blobs = n
	counters.Blobs.Store(n)

	bp := &blobPhase{lfs: newLFSStore(lfsObjectsDir(repo), h.MaxFileSize), db: db, sink: countingSink, maxSize: h.MaxFileSize, counters: counters, blobs: blobs, order: order, commits: w.store}
	if h.keep {
		bp.seen = make([]uint8, len(blobs.flags))
	}
	berr := bp.run(ctx, workers)
	if baseTip != nil {
		scanMessages(ctx, w, order, w.tags, workers, ms)
	}
	msgs.Wait()
	if ctx.Err() != nil {
		return info, ctx.Err()
	}
	if countingSink.n > 0 || berr != nil {
		return info, &incompleteError{fmt.Sprintf("%d object(s) could not be read, so part of the history was not scanned (first: %s)",
			countingSink.n, countingSink.first)}
	}
	if h.keep {
		kept = true
		h.kept = &keptSweep{
			release: func() { db.Close(); release() },
			db:      db, lfs: bp.lfs, maxSize: h.MaxFileSize, workers: workers,
			blobs: blobs, order: order, w: w, seen: bp.seen, msgSeen: ms.rec,
		}
	}
	return info, nil
}

// keptSweep is what Rescan needs of the last Scan: its object database,
// still open, and the blobs and messages it read (issue 14).
type keptSweep struct {
	release func() // closes db, and the repository if Scan opened it
	db      *git.ODB
	lfs     lfsStore
	maxSize int64
	workers int
	blobs   *blobTable
	order   []*commitNode
	w       *walker
	seen    []uint8 // each blob's anchors (blobPhase.seen)
	msgSeen []uint8 // each message's (messageSeen.rec)
}

// KeepForRescan makes every later Scan keep what Rescan needs to read the
// same blobs and messages again, when keep is true; false drops what was
// kept. scanner.Run calls it when it may make a second pass (linking).
func (h *History) KeepForRescan(keep bool) {
	h.keep = keep
	if !keep && h.kept != nil {
		h.kept.release()
		h.kept = nil
	}
}

// Rescan reads again, for sink, the blobs and messages the last Scan read,
// without walking refs, commits and trees again: the second pass of a
// sweep that found keys (scanner/link.go) cost as much as the first
// (issue 14). It reports false when no Scan kept them (KeepForRescan, or a
// sweep that did not complete). What was kept is dropped afterwards.
// With need != 0, only the blobs whose text held one of those anchors in
// the first pass are read again (and the messages likewise): a second pass for
// keys that all contain "sk_live_" reads the few blobs that hold it.
func (h *History) Rescan(ctx context.Context, sink scanner.Sink, need scanner.Anchors) bool {
	k := h.kept
	if k == nil {
		return false
	}
	h.kept = nil
	defer k.release()
	bp := &blobPhase{lfs: k.lfs, db: k.db, sink: sink, maxSize: k.maxSize, counters: &HistoryCounters{},
		blobs: k.blobs, order: k.order, commits: k.w.store, filter: k.seen, need: foldAnchors(need)}
	bp.run(ctx, k.workers) // errors were reported by the first pass
	w := *k.w
	w.sink = sink
	scanMessages(ctx, &w, k.order, w.tags, k.workers, &messageSeen{filter: k.msgSeen, need: foldAnchors(need)})
	return true
}

// workers is the number of goroutines that read objects.
func (h *History) workers() int {
	if h.Workers > 0 {
		return h.Workers
	}
	return runtime.GOMAXPROCS(0)
}

// errCounter counts the read errors the sweep reports and keeps the first,
// so the run's error can name an object even when no report is printed.
type errCounter struct {
	scanner.Sink
	mu    sync.Mutex
	n     int
	first string
}

func (e *errCounter) Error(path string, err error) {
	e.mu.Lock()
	if e.n == 0 {
		e.first = fmt.Sprintf("%s: %v", path, err)
	}
	e.n++
	e.mu.Unlock()
	e.Sink.Error(path, err)
}

// incompleteError is ErrCorrupt with a message that already names the
// first object (whose own error says "corrupt or missing object").
type incompleteError struct{ msg string }

func (e *incompleteError) Error() string        { return e.msg }
func (e *incompleteError) Is(target error) bool { return target == git.ErrCorrupt }

// rangeEnds reads Range or SinceCommit.
func (h *History) rangeEnds() (base, head string, ok bool, err error) {
	switch {
	case h.Range != "" && h.SinceCommit != "":
		return "", "", false, errors.New("use either a range or --since-commit, not both")
	case h.Range != "":
		if strings.Contains(h.Range, "...") {
			return "", "", false, fmt.Errorf("range %q: use BASE..HEAD (two dots)", h.Range)
		}
		b, hd, found := strings.Cut(h.Range, "..")
		if !found || b == "" {
			return "", "", false, fmt.Errorf("range %q: expected BASE..HEAD", h.Range)
		}
		if hd == "" {
			hd = "HEAD"
		}
		return b, hd, true, nil
	case h.SinceCommit != "":
		return h.SinceCommit, "HEAD", true, nil
	}
	return "", "", false, nil
}

func (h *History) describeRange() string {
	if h.Range != "" {
		return h.Range
	}
	return h.SinceCommit + "..HEAD"
}

func resolve(repo *git.Repository, rev string) (hash, error) {
	if hh, ok := git.ParseHash(strings.ToLower(rev)); ok {
		return hh, nil
	}
	r, err := repo.ResolveRevision(rev)
	if err != nil {
		return hash{}, fmt.Errorf("%q: %w", rev, ErrUnknownRevision)
	}
	return r, nil
}

// tips returns the commits the walk starts from: one revision with
// --branch, otherwise what `git log --all` starts from in every worktree
// (git.Repository.Tips: every ref under refs/, detached HEADs, other
// worktrees' HEADs and per-worktree refs, the stash's reflog). A ref that
// cannot be read is an error naming it, not a smaller scan (issue 10).
func (h *History) tips(repo *git.Repository) ([]tip, error) {
	if h.Branch != "" {
		hh, err := resolve(repo, h.Branch)
		if err != nil {
			return nil, err
		}
		return []tip{{ref: h.Branch, hash: hh}}, nil
	}
	refTips, err := repo.Tips()
	if err != nil {
		return nil, err
	}
	tips := make([]tip, 0, len(refTips))
	for _, t := range refTips {
		tips = append(tips, tip{ref: t.Name, hash: t.Hash})
	}
	return tips, nil
}

// allCommits lists every commit in the object database.
func allCommits(db *git.ODB) ([]hash, error) {
	return allOfType(db, git.ObjCommit)
}

// allBlobs lists every blob in the object database.
func allBlobs(db *git.ODB) ([]hash, error) {
	return allOfType(db, git.ObjBlob)
}

func allOfType(db *git.ODB, want git.ObjectType) ([]hash, error) {
	var out []hash
	seen := map[hash]bool{}
	for _, p := range db.Packs() {
		memo := map[git.Loc]git.ObjectType{}
		for i := 0; i < p.Len(); i++ {
			h := p.HashAt(i)
			if seen[h] {
				continue
			}
			typ, err := db.TypeOf(git.Loc{Pack: p, Off: p.OffsetAt(i)}, memo)
			if err != nil {
				return nil, fmt.Errorf("object %s: %v: %w", h, err, git.ErrCorrupt)
			}
			if typ == want {
				seen[h] = true
				out = append(out, h)
			}
		}
	}
	for _, h := range db.LooseHashes() {
		if seen[h] {
			continue
		}
		p := db.LoosePath(h)
		typ, _, _, err := db.ReadLoose(p, h, 0)
		if err != nil {
			return nil, err
		}
		if typ == want {
			seen[h] = true
			out = append(out, h)
		}
	}
	sort.Slice(out, func(i, j int) bool { return string(out[i][:]) < string(out[j][:]) })
	return out, nil
}
