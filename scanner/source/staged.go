package source

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/go-git/go-git/v5/plumbing/filemode"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/ignore"
)

// SkipUnmerged counts index paths with conflict stages. Git refuses to
// commit while any path is unmerged, so they add nothing yet; once resolved
// and staged (stage 0) they are scanned like any other change.
const SkipUnmerged scanner.SkipReason = "unmerged"

// Staged scans what the next commit would add: the blobs in the index
// compared with HEAD's tree, limited to the lines the commit adds.
//
// It reads the staged content (the index blob), never the file on disk: a
// key that is staged but since removed from the working file is caught, and
// a key only in the unstaged working file does not block the commit. It
// does not hash the working tree or walk history, so it stays fast on large
// repositories.
type Staged struct {
	// Path is any directory inside the work tree (a subdirectory or a
	// linked worktree is fine). The whole index is scanned, as git commits
	// the whole index wherever it is run from.
	Path string
	// Repo, when set, is the repository holding Path, opened by the
	// caller (who closes it), so that a command opens it once.
	Repo        *git.Repository
	MaxFileSize int64 // skip files larger than this; 0 scans every file
	// IndexFile, when set, is the index to read instead of the
	// repository's (a relative path is relative to the current
	// directory). Without it, GIT_INDEX_FILE applies as git applies it: git
	// sets it for hooks run by "git commit -a" and "git commit PATH", which
	// commit a temporary index.
	IndexFile string
	Workers   int // 0 means GOMAXPROCS
}

// IndexError is an index that cannot be read, with a hint (the working
// tree and staged scans read the index alike, and fail alike).
type IndexError = git.IndexError

// Scan implements scanner.Source.
func (s *Staged) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	info := scanner.SourceInfo{Kind: "staged"}
	path := s.Path
	if path == "" {
		path = "."
	}
	repo, release, err := openRepo(s.Repo, path)
	if err != nil {
		return info, err
	}
	defer release()
	if repo.Root == "" {
		return info, fmt.Errorf("%q is a bare repository: it has no index to scan (use 'clayscan history'): %w", path, ErrBareRepository)
	}
	info.Root = repo.Root
	idxPath := repo.IndexFile() // GIT_INDEX_FILE when set, as git reads it
	if s.IndexFile != "" {
		if idxPath, err = filepath.Abs(s.IndexFile); err != nil {
			return info, fmt.Errorf("resolving the index file %q: %w", s.IndexFile, err)
		}
	}
	// HEAD's commit and root tree are read while the index is parsed:
	// the two are independent and a hook has two cores to use.
	db, err := repo.Objects()
	if err != nil {
		return info, err
	}
	type headResult struct {
		hash git.Hash
		tree []byte
		err  error
	}
	headc := make(chan headResult, 1)
	go func() {
		var r headResult
		r.hash, r.err = headTree(repo)
		if r.err == nil && !r.hash.IsZero() {
			if r.tree, r.err = db.Typed(r.hash, git.ObjTree, -1); r.err != nil {
				r.err = fmt.Errorf("reading HEAD's tree: %w", r.err)
			}
		}
		headc <- r
	}()
	idx, err := git.ReadIndex(idxPath, repo.GitDir, repo.HashSize())
	hr := <-headc
	if err != nil {
		return info, err
	}
	defer idx.Close()
	if hr.err != nil {
		return info, hr.err
	}
	head := hr.hash
	d := &stagedDiff{db: db, idx: idx, sink: sink, deleted: map[git.Hash]bool{}, rootTree: hr.tree}
	if err := d.diffDir("", idx.Entries, idx.Tree, head); err != nil {
		return info, err
	}
	if err := d.resolveRenames(); err != nil {
		return info, err
	}
	if err := stagedFacts(repo, d, sink); err != nil {
		return info, err
	}
	d.lfs = newLFSStore(lfsObjectsDir(repo), s.MaxFileSize)
	return info, s.emit(ctx, d, sink)
}

// stagedFacts reports each file the commit would add or modify that a path
// rule wants (the .env policy), with the ignore line that decides it: an
// ignored file was staged with git add -f, or was tracked already. The
// facts do not depend on the content, so an env file too large or
// unreadable to scan is still reported.
func stagedFacts(repo *git.Repository, d *stagedDiff, sink scanner.Sink) error {
	var m *ignore.Matcher
	for _, c := range d.changes {
		if c.mode == filemode.Submodule || c.mode == filemode.Symlink || !sink.WantsPath(c.path) {
			continue
		}
		if m == nil {
			var err error
			if m, err = ignore.ForRepo(repo); err != nil {
				return err
			}
		}
		sink.Path(scanner.PathFact{PathFact: rules.PathFact{
			Path:   c.path,
			Where:  rules.InStaged,
			Ignore: rules.IgnoreMatchOf(m.Match(c.path, false)),
		}})
	}
	return nil
}

// headTree returns the hash of HEAD's tree, or the zero hash on an unborn
// branch (the first commit adds everything).
func headTree(repo *git.Repository) (git.Hash, error) {
	head, err := repo.Head()
	if errors.Is(err, git.ErrRefNotFound) {
		return git.ZeroHash, nil
	}
	if err != nil {
		return git.ZeroHash, fmt.Errorf("resolving HEAD: %w", err)
	}
	c, err := repo.CommitObject(head)
	if err != nil {
		return git.ZeroHash, fmt.Errorf("reading HEAD commit %s: %w", head, err)
	}
	return c.Tree, nil
}

// stagedChange is one staged file the commit adds or modifies.
type stagedChange struct {
	path string
	hash git.Hash // index blob
	old  git.Hash // HEAD blob; zero for a new file
	mode filemode.FileMode
	// nothingAdded: a mode-only change or a pure rename, emitted so that
	// path checks see the path, with no lines to report.
	nothingAdded bool
}

type stagedDeletedTree struct {
	path string
	hash git.Hash
}

// stagedDiff compares the index with HEAD's tree.
type stagedDiff struct {
	lfs      lfsStore // where added LFS pointers' objects are (lfs.go)
	db       *git.ODB
	idx      *git.Index // for sparse directories, expanded where they differ
	sink     scanner.Sink
	changes  []stagedChange
	unmerged []string
	deleted  map[git.Hash]bool   // blobs of deleted files, for renames
	delTrees []stagedDeletedTree // deleted directories, expanded only if needed
	// renameFrom lists deleted blobs an added file may be an edited copy
	// of; renameData caches their content.
	renameFrom []git.Hash
	renameData map[git.Hash][]byte
	sawAdding  bool   // a new file exists, so renames matter
	rootTree   []byte // HEAD's, read ahead
}

// diffDir compares the index entries es, all under prefix and sorted, with
// HEAD tree head (zero: absent). It returns at once when the directory's
// tree hash — from the cache tree, or computed from the entries — equals
// HEAD's, so a one-file change reads only the trees on that file's path.
func (d *stagedDiff) diffDir(prefix string, es []git.IndexEntry, cache *git.CacheTree, head git.Hash) error {
	if len(es) == 1 && es[0].IsSparseDir() && es[0].Name == prefix {
		// A sparse directory: its tree is staged as a whole. Only a
		// different one is read, file by file.
		if es[0].Hash() == head {
			return nil
		}
		var err error
		if es, err = d.expand(&es[0]); err != nil {
			return err
		}
		cache = nil
	}
	if !head.IsZero() {
		switch {
		case cache != nil && cache.Valid:
			if cache.Hash == head {
				return nil
			}
		case cache != nil:
			// Invalidated: git staged something below, so descend.
		default:
			// No cache tree (some tools write none): hash the entries.
			if h, ok := entriesTreeHash(es, len(prefix), nil, d.idx.HashSize()); ok && h == head {
				return nil
			}
		}
	}
	var hs []byte // HEAD's entries, consumed as the merge goes
	if !head.IsZero() {
		hs = d.rootTree
		if prefix != "" || hs == nil {
			var err error
			if hs, err = d.db.Typed(head, git.ObjTree, -1); err != nil {
				return fmt.Errorf("reading HEAD tree %q: %w", prefix, err)
			}
		}
	}
	heads := git.TreeEntries{Rest: hs, HashSize: d.db.HashSize()}
	h, hok := heads.Next()
	i := 0
	for i < len(es) || hok {
		var name string
		var isDir bool
		end := i
		if i < len(es) {
			name, isDir, end = nextItem(es, i, len(prefix))
		}
		var c int
		switch {
		case i == len(es):
			c = 1
		case !hok:
			c = -1
		default:
			c = git.CompareTreeNames(name, isDir, h.Name, h.IsTree())
		}
		switch {
		case c < 0: // only in the index
			if isDir {
				if err := d.addedEntries(es[i:end]); err != nil {
					return err
				}
			} else {
				d.file(es[i:end], nil)
			}
			i = end
		case c > 0: // only in HEAD
			d.removed(prefix+string(h.Name), h)
		default:
			if isDir {
				if err := d.diffDir(prefix+name+"/", es[i:end], cache.Child(name), h.ObjectHash()); err != nil {
					return err
				}
			} else {
				d.file(es[i:end], &h)
			}
			i = end
		}
		if c >= 0 {
			h, hok = heads.Next()
		}
	}
	if heads.Malformed {
		return fmt.Errorf("reading HEAD tree %q: %w", prefix, git.Corruptf(head, "malformed tree"))
	}
	return nil
}

// nextItem returns the name of the file or directory at es[i] (relative to
// the directory at off), and the end of its entries: a directory's whole
// range, found by binary search, or a file's stages.
func nextItem(es []git.IndexEntry, i, off int) (name string, isDir bool, end int) {
	rest := es[i].Name[off:]
	if k := strings.IndexByte(rest, '/'); k >= 0 {
		p := es[i].Name[:off+k+1]
		n := sort.Search(len(es)-i, func(m int) bool { return !strings.HasPrefix(es[i+m].Name, p) })
		return rest[:k], true, i + n
	}
	end = i + 1
	for end < len(es) && es[end].Name == es[i].Name {
		end++
	}
	return rest, false, end
}

// entriesTreeHash is the object name of the tree git would write for the
// entries es of the directory at off, taking subdirectory hashes from the
// cache tree where valid, and a sparse directory's from its entry. ok is
// false when the directory holds unmerged entries (git cannot write a tree
// for it). hashSize is the object name size (20, or 32 for SHA-256).
func entriesTreeHash(es []git.IndexEntry, off int, cache *git.CacheTree, hashSize int) (h git.Hash, ok bool) {
	var b []byte
	for i := 0; i < len(es); {
		name, isDir, end := nextItem(es, i, off)
		var mode filemode.FileMode
		var eh git.Hash
		switch {
		case isDir:
			mode = filemode.Dir
			if c := cache.Child(name); c != nil && c.Valid {
				eh = c.Hash
			} else if end == i+1 && es[i].IsSparseDir() {
				eh = es[i].Hash()
			} else if eh, ok = entriesTreeHash(es[i:end], off+len(name)+1, c, hashSize); !ok {
				return h, false
			}
		case es[i].Stage != 0:
			return h, false
		case es[i].IntentToAdd:
			i = end // git write-tree leaves intent-to-add entries out
			continue
		default:
			mode, eh = es[i].Mode, es[i].Hash()
		}
		b = strconv.AppendUint(b, uint64(mode), 8)
		b = append(b, ' ')
		b = append(b, name...)
		b = append(b, 0)
		b = append(b, eh[:hashSize]...)
		i = end
	}
	sum := sha1.New()
	if hashSize == sha256.Size {
		sum = sha256.New()
	}
	var hdr [32]byte
	sum.Write(strconv.AppendInt(append(hdr[:0], "tree "...), int64(len(b)), 10))
	sum.Write([]byte{0})
	sum.Write(b)
	sum.Sum(h[:0])
	return h, true
}

// file handles the entries of one path (several stages when unmerged)
// against HEAD entry h (nil: none). Paths are copied out of the mapped
// index: findings keep them.
func (d *stagedDiff) file(es []git.IndexEntry, h *git.TreeEntry) {
	k := &es[0]
	if k.Stage != 0 {
		d.unmerged = append(d.unmerged, strings.Clone(k.Name))
		return
	}
	c := stagedChange{hash: k.Hash(), mode: k.Mode}
	var hh git.Hash
	var hm filemode.FileMode
	if h != nil {
		hh, hm = h.ObjectHash(), h.FileMode()
	}
	switch {
	case k.IntentToAdd:
		return // git add -N: the path is known but nothing is staged yet.
	case h == nil:
		d.sawAdding = true
	case hh == c.hash && hm == c.mode:
		return // unchanged
	case hh == c.hash:
		c.nothingAdded = true
	case hm == filemode.Submodule || hm == filemode.Symlink:
		d.sawAdding = true
	default:
		c.old = hh
	}
	c.path = strings.Clone(k.Name)
	d.changes = append(d.changes, c)
}

// addedEntries records every path in es as new, a sparse directory's
// files included.
func (d *stagedDiff) addedEntries(es []git.IndexEntry) error {
	for i := 0; i < len(es); {
		if es[i].IsSparseDir() {
			kids, err := d.expand(&es[i])
			if err != nil {
				return err
			}
			if err := d.addedEntries(kids); err != nil {
				return err
			}
			i++
			continue
		}
		end := i + 1
		for end < len(es) && es[end].Name == es[i].Name {
			end++
		}
		d.file(es[i:end], nil)
		i = end
	}
	return nil
}

// expand returns the files of a sparse directory, read from its tree.
func (d *stagedDiff) expand(e *git.IndexEntry) ([]git.IndexEntry, error) {
	return d.idx.ExpandDir(e, func(raw string) ([]byte, error) {
		var h git.Hash
		copy(h[:], raw)
		return d.db.Typed(h, git.ObjTree, -1)
	})
}

func (d *stagedDiff) removed(path string, h git.TreeEntry) {
	switch {
	case h.IsTree():
		d.delTrees = append(d.delTrees, stagedDeletedTree{path: path, hash: h.ObjectHash()})
	case h.FileMode().IsFile():
		d.deleted[h.ObjectHash()] = true
	}
}

// resolveRenames marks new files whose blob was deleted elsewhere as pure
// renames: they add no lines.
func (d *stagedDiff) resolveRenames() error {
	if !d.sawAdding || (len(d.deleted) == 0 && len(d.delTrees) == 0) {
		return nil
	}
	for len(d.delTrees) > 0 {
		dt := d.delTrees[len(d.delTrees)-1]
		d.delTrees = d.delTrees[:len(d.delTrees)-1]
		t, err := d.db.Typed(dt.hash, git.ObjTree, -1)
		if err != nil {
			return fmt.Errorf("reading HEAD tree %q: %w", dt.path, err)
		}
		it := git.TreeEntries{Rest: t, HashSize: d.db.HashSize()}
		for e, ok := it.Next(); ok; e, ok = it.Next() {
			d.removed(dt.path+"/"+string(e.Name), e)
		}
		if it.Malformed {
			return fmt.Errorf("reading HEAD tree %q: %w", dt.path, git.Corruptf(dt.hash, "malformed tree"))
		}
	}
	used := map[git.Hash]bool{}
	fresh := 0
	for i := range d.changes {
		c := &d.changes[i]
		switch {
		case !c.old.IsZero() || c.nothingAdded:
		case d.deleted[c.hash]:
			c.nothingAdded = true
			used[c.hash] = true
		default:
			fresh++
		}
	}
	// A file renamed and edited: diff it against the most similar deleted
	// blob, as "git diff -M" would, when there are few enough pairs.
	for h := range d.deleted {
		if !used[h] {
			d.renameFrom = append(d.renameFrom, h)
		}
	}
	if fresh*len(d.renameFrom) > maxRenamePairs {
		d.renameFrom = nil
	}
	sort.Slice(d.renameFrom, func(i, j int) bool { return d.renameFrom[i].String() < d.renameFrom[j].String() })
	return nil
}

// maxRenamePairs bounds the similarity search for edited renames (git's
// own diff.renameLimit bounds the same search).
const maxRenamePairs = 100

// renameSource finds, among the deleted blobs, the one that data is an
// edited copy of: the fewest added lines, at most half of data's lines
// (git's default similarity threshold is 50%). It returns the lines data
// adds relative to it.
func (d *stagedDiff) renameSource(data []byte, limit int64) (git.Hash, scanner.LineSet, bool) {
	total := bytes.Count(data, []byte{'\n'})
	if len(data) > 0 && data[len(data)-1] != '\n' {
		total++
	}
	var best git.Hash
	var bestLines scanner.LineSet
	bestN := -1
	for _, h := range d.renameFrom {
		old, ok := d.renameData[h]
		if !ok {
			var err error
			if old, err = d.db.Typed(h, git.ObjBlob, limit); err != nil || scanner.IsBinary(old) {
				old = nil
			}
			if d.renameData == nil {
				d.renameData = map[git.Hash][]byte{}
			}
			d.renameData[h] = old
		}
		if old == nil {
			continue
		}
		lines := AddedLines(old, data)
		n := 0
		for _, r := range lines {
			n += r.End - r.Start + 1
		}
		if bestN < 0 || n < bestN {
			best, bestLines, bestN = h, lines, n
		}
	}
	if bestN < 0 || 2*bestN > total {
		return git.ZeroHash, nil, false
	}
	return best, bestLines, true
}

// stagedJob is a change read and ready for diffing and scanning.
type stagedJob struct {
	c        stagedChange
	data     []byte
	old      []byte
	allAdded bool // the HEAD side was too large to diff: every line counts
	// lines, when set, are the added lines already known (an edited rename)
	lines     scanner.LineSet
	haveLines bool
	// stream: the blob is too large to hold; the worker streams it, and
	// its HEAD version only when there are findings (Target.Prev).
	stream bool
}

// emit reads the changed blobs (sequentially: the object reader reuses
// one inflater) and diffs and scans them in workers.
func (s *Staged) emit(ctx context.Context, d *stagedDiff, sink scanner.Sink) error {
	for _, p := range d.unmerged {
		sink.Skip(scanner.Skipped{Path: p, Reason: SkipUnmerged})
	}
	limit := s.MaxFileSize
	if limit <= 0 {
		limit = -1 // no limit
	}
	workers := s.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, len(d.changes))
	jobs := make(chan stagedJob, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				scanStaged(d.db, d.lfs, j, sink)
			}
		}()
	}
	var err error
	for _, c := range d.changes {
		if err = ctx.Err(); err != nil {
			break
		}
		switch c.mode {
		case filemode.Submodule:
			sink.Skip(scanner.Skipped{Path: c.path, Reason: scanner.SkipSubmodule})
			continue
		case filemode.Symlink:
			sink.Skip(scanner.Skipped{Path: c.path, Reason: scanner.SkipSymlink})
			continue
		}
		j := stagedJob{c: c}
		var rerr error
		// Blobs over StreamThreshold are streamed by the worker, never
		// held whole.
		readLimit := int64(scanner.StreamThreshold)
		if limit >= 0 {
			readLimit = min(readLimit, limit)
		}
		j.data, rerr = d.db.Typed(c.hash, git.ObjBlob, readLimit)
		if errors.Is(rerr, git.ErrBlobTooLarge) {
			typ, size, serr := d.db.ObjectSize(c.hash)
			switch {
			case serr != nil:
				sink.Error(c.path, serr)
			case typ != git.ObjBlob:
				sink.Error(c.path, git.Corruptf(c.hash, "expected a blob, found a %s", typ))
			case limit >= 0 && size > limit:
				sink.Skip(scanner.Skipped{Path: c.path, Reason: scanner.SkipTooLarge})
			default:
				j.stream = true
				jobs <- j
			}
			continue
		}
		if rerr != nil {
			sink.Error(c.path, rerr)
			continue
		}
		if c.old.IsZero() && !c.nothingAdded && len(d.renameFrom) > 0 && !scanner.IsBinary(j.data) {
			if _, lines, ok := d.renameSource(j.data, readLimit); ok {
				j.lines, j.haveLines = lines, true
			}
		}
		if !c.old.IsZero() && !c.nothingAdded && !scanner.IsBinary(j.data) {
			j.old, rerr = d.db.Typed(c.old, git.ObjBlob, max(readLimit, 4*int64(len(j.data))))
			switch {
			case errors.Is(rerr, git.ErrBlobTooLarge):
				j.allAdded = true
			case rerr != nil:
				sink.Error(c.path, fmt.Errorf("reading the HEAD version: %w", rerr))
				continue
			}
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
	return err
}

func scanStaged(db *git.ODB, lfs lfsStore, j stagedJob, sink scanner.Sink) {
	if j.stream {
		_, _, rc, err := db.Open(j.c.hash)
		if err != nil {
			sink.Error(j.c.path, err)
			return
		}
		defer rc.Close()
		t := scanner.Target{Path: j.c.path, Reader: rc}
		switch {
		case j.c.nothingAdded:
			t.Lines = scanner.LineSet{}
		case !j.c.old.IsZero():
			old := j.c.old
			t.Prev = func() (io.ReadCloser, error) {
				_, _, rc, err := db.Open(old)
				return rc, err
			}
		}
		sink.Scan(t)
		return
	}
	t := scanner.Target{Path: j.c.path, Data: j.data}
	if !j.c.nothingAdded && lfs.redirect(sink, t) {
		return // an LFS pointer: its object was scanned (or named as missing)
	}
	switch {
	case j.c.nothingAdded:
		t.Lines = scanner.LineSet{}
	case j.haveLines:
		t.Lines = j.lines
	case j.c.old.IsZero() || j.allAdded || scanner.IsBinary(j.data):
		// a new file: every line is added (Lines nil)
	default:
		// Diff what the scan reads (UTF-16 decoded), so lines agree.
		t.Lines = AddedLines(scanner.DecodeText(j.old), scanner.DecodeText(j.data))
	}
	sink.Scan(t)
}
