package source

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/clayscan/clayscan/scanner"
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
	Path        string
	MaxFileSize int64 // 0 means DefaultMaxFileSize
	// IndexFile, when set, is the index to read instead of the work tree's
	// own: git sets GIT_INDEX_FILE for hooks run by "git commit -a" and
	// "git commit PATH", which commit a temporary index. A relative path is
	// relative to the current directory, as git reads it.
	IndexFile string
	Workers   int // 0 means GOMAXPROCS
}

// IndexError is an index that cannot be read. It carries a hint saying
// what to do, because "cannot read the index" must never pass silently.
type IndexError struct {
	Path string
	Err  error
	hint string
}

func (e *IndexError) Error() string {
	return fmt.Sprintf("reading the index %q: %v", e.Path, e.Err)
}
func (e *IndexError) Unwrap() error { return e.Err }

// Hint says how to make the index readable.
func (e *IndexError) Hint() string { return e.hint }

// hinted is an error with a line saying what to do about it.
type hinted struct {
	err  error
	hint string
}

func (h *hinted) Error() string { return h.err.Error() }
func (h *hinted) Unwrap() error { return h.err }
func (h *hinted) Hint() string  { return h.hint }

// extensionsHint: go-git refuses repositories with extensions it does not
// know, such as extensions.worktreeConfig, which "git sparse-checkout" sets.
const extensionsHint = "the repository uses a git extension go-git cannot read (see 'git config --get-regexp ^extensions'; " +
	"'git sparse-checkout' sets extensions.worktreeConfig): scan a full clone, or remove the extension"

// ErrSplitIndex and ErrSparseIndex are index formats go-git cannot read.
var (
	ErrSplitIndex  = errors.New("the index is a split index (core.splitIndex), which clayscan cannot read")
	ErrSparseIndex = errors.New("the index is a sparse index (index.sparse), which clayscan cannot read")
)

// Scan implements scanner.Source.
func (s *Staged) Scan(ctx context.Context, sink scanner.Sink) (scanner.SourceInfo, error) {
	info := scanner.SourceInfo{Kind: "staged"}
	path := s.Path
	if path == "" {
		path = "."
	}
	repo, err := OpenRepo(path)
	if errors.Is(err, git.ErrUnsupportedExtensionRepositoryFormatVersion) {
		return info, &hinted{err: err, hint: extensionsHint}
	}
	if err != nil {
		return info, err
	}
	if repo.Root == "" {
		return info, fmt.Errorf("%q is a bare repository: it has no index to scan (use 'clayscan history'): %w", path, ErrBareRepository)
	}
	info.Root = repo.Root
	idxPath := s.IndexFile
	if idxPath == "" {
		idxPath = filepath.Join(repo.GitDir, "index")
	} else if idxPath, err = filepath.Abs(idxPath); err != nil {
		return info, fmt.Errorf("resolving GIT_INDEX_FILE: %w", err)
	}
	// HEAD's commit and root tree are read while the index is parsed:
	// the two are independent and a hook has two cores to use.
	objs := openStagedObjects(repo.Git.Storer, filepath.Join(stagedCommonDir(repo.GitDir), "objects"))
	defer objs.Close()
	type headResult struct {
		hash plumbing.Hash
		tree *object.Tree
		err  error
	}
	headc := make(chan headResult, 1)
	go func() {
		var r headResult
		r.hash, r.err = headTree(repo, objs)
		if r.err == nil && !r.hash.IsZero() {
			if r.tree, r.err = object.GetTree(objs, r.hash); r.err != nil {
				r.err = fmt.Errorf("reading HEAD's tree: %w", r.err)
			}
		}
		headc <- r
	}()
	idx, err := readIndex(idxPath)
	hr := <-headc
	if err != nil {
		return info, err
	}
	if hr.err != nil {
		return info, hr.err
	}
	head := hr.hash
	d := &stagedDiff{objs: objs, sink: sink, deleted: map[plumbing.Hash]bool{}, rootTree: hr.tree}
	if err := d.diffDir("", idx.entries, idx.cache, head); err != nil {
		return info, err
	}
	if err := d.resolveRenames(); err != nil {
		return info, err
	}
	return info, s.emit(ctx, d, sink)
}

// headTree returns the hash of HEAD's tree, or the zero hash on an unborn
// branch (the first commit adds everything).
func headTree(repo *Repo, objs storer.EncodedObjectStorer) (plumbing.Hash, error) {
	ref, err := repo.Git.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolving HEAD: %w", err)
	}
	c, err := object.GetCommit(objs, ref.Hash())
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading HEAD commit %s: %w", ref.Hash(), err)
	}
	return c.TreeHash, nil
}

// stagedCommonDir is where a linked worktree's git directory keeps the shared
// objects and refs ("commondir" file); the git directory itself otherwise.
func stagedCommonDir(gitDir string) string {
	data, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return gitDir
	}
	d := strings.TrimSpace(string(data))
	if !filepath.IsAbs(d) {
		d = filepath.Join(gitDir, d)
	}
	return filepath.Clean(d)
}

const (
	splitHint  = "run 'git config core.splitIndex false && git update-index --no-split-index', then try again"
	sparseHint = "run 'git sparse-checkout init --no-sparse-index' (or 'git config index.sparse false'), then try again"
)

const rebuildHint = "run 'git status' to check the repository; 'git read-tree HEAD' rebuilds the index (it unstages changes)"

// indexEntry is one index entry, as far as the staged scan needs it.
type indexEntry struct {
	name  string
	hash  plumbing.Hash
	mode  filemode.FileMode
	stage int  // 0, or 1–3 for an unmerged path
	ita   bool // intent-to-add (git add -N)
}

// cacheTree is a node of the index's cache-tree extension ("TREE"): the
// tree hash git would write for a directory, while it is still valid. git
// invalidates the directories above every path it stages, so on a one-file
// change nearly every directory's hash is known without hashing anything.
type cacheTree struct {
	name  string
	valid bool
	hash  plumbing.Hash
	kids  []*cacheTree
}

func (c *cacheTree) child(name string) *cacheTree {
	if c == nil {
		return nil
	}
	for _, k := range c.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

type stagedIndex struct {
	entries []indexEntry
	cache   *cacheTree
}

// readIndex reads the index file. A missing file is an empty index (a new
// repository). Formats it cannot read are errors with a hint: a staged scan
// that silently saw nothing would let every key through.
//
// The index format (versions 2–4, https://git-scm.com/docs/index-format) is
// read here rather than with go-git's index.Decoder: that decoder costs
// 6–11 ms on git/git's 4,800 entries (reflection per field, a collision-
// detecting SHA-1), half the whole command's budget, and it drops the
// invalidated cache-tree entries that give the extension its structure.
func readIndex(path string) (*stagedIndex, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &stagedIndex{}, nil
	}
	if err != nil {
		return nil, &IndexError{Path: path, Err: err, hint: "check the permissions of the index file"}
	}
	idx, err := parseIndex(data)
	if err != nil {
		ierr := &IndexError{Path: path, Err: err, hint: rebuildHint}
		switch {
		case errors.Is(err, ErrSplitIndex):
			ierr.hint = splitHint
		case errors.Is(err, ErrSparseIndex):
			ierr.hint = sparseHint
		}
		return nil, ierr
	}
	return idx, nil
}

// ErrMalformedIndex is an index file that does not follow the format.
var ErrMalformedIndex = errors.New("malformed index")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedIndex, fmt.Sprintf(format, args...))
}

func parseIndex(data []byte) (*stagedIndex, error) {
	const hashLen = sha1.Size
	if len(data) < 12+hashLen || string(data[:4]) != "DIRC" {
		return nil, malformed("bad signature")
	}
	version := be32(data[4:])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("unsupported index version %d", version)
	}
	// The trailing checksum is not verified, as git itself does not on
	// every read (only "git fsck" does): hashing the file would cost as much
	// as parsing it. A damaged index still fails the structural checks.
	body := data[:len(data)-hashLen]
	n := int(be32(data[8:]))
	if n > len(body)/40 {
		return nil, malformed("entry count %d too large", n)
	}
	idx := &stagedIndex{entries: make([]indexEntry, 0, n)}
	// v2/v3 paths are substrings of the file's bytes, which nothing
	// modifies after the read: no copy, no allocation per path.
	names := unsafe.String(unsafe.SliceData(body), len(body))
	p := 12
	prev := ""
	for i := 0; i < n; i++ {
		if p+62 > len(body) {
			return nil, malformed("truncated entry")
		}
		e := body[p:]
		ent := indexEntry{mode: filemode.FileMode(be32(e[24:]))}
		copy(ent.hash[:], e[40:60])
		flags := uint16(e[60])<<8 | uint16(e[61])
		ent.stage = int(flags>>12) & 3
		hdr := 62
		if flags&0x4000 != 0 { // extended flags
			if version < 3 || p+64 > len(body) {
				return nil, malformed("bad extended flags")
			}
			ent.ita = e[62]&0x20 != 0
			hdr = 64
		}
		start := p + hdr
		if version == 4 {
			strip, q, ok := indexVarint(body, start)
			if !ok || strip > uint64(len(prev)) {
				return nil, malformed("bad path prefix")
			}
			end := bytes.IndexByte(body[q:], 0)
			if end < 0 {
				return nil, malformed("unterminated path")
			}
			ent.name = prev[:len(prev)-int(strip)] + string(body[q:q+end])
			p = q + end + 1
		} else {
			nl := int(flags & 0xfff)
			if nl == 0xfff {
				nl = bytes.IndexByte(body[start:], 0)
			}
			if nl < 0 || start+nl > len(body) {
				return nil, malformed("truncated path")
			}
			ent.name = names[start : start+nl]
			p += (hdr + nl + 8) &^ 7
		}
		if ent.mode == filemode.Dir {
			return nil, ErrSparseIndex // a sparse directory entry
		}
		prev = ent.name
		idx.entries = append(idx.entries, ent)
	}
	// git keeps entries sorted by path; the diff relies on it.
	if es := idx.entries; !sort.SliceIsSorted(es, func(i, j int) bool { return es[i].name < es[j].name }) {
		sort.SliceStable(es, func(i, j int) bool { return es[i].name < es[j].name })
	}
	for p+8 <= len(body) {
		sig := string(body[p : p+4])
		end := p + 8 + int(be32(body[p+4:]))
		if end > len(body) || end < p+8 {
			return nil, malformed("truncated extension %q", sig)
		}
		switch {
		case sig == "TREE":
			// Only a shortcut: without it, directories are hashed.
			idx.cache, _ = parseCacheTree(body[p+8 : end])
		case sig == "link":
			return nil, ErrSplitIndex
		case sig == "sdir":
			return nil, ErrSparseIndex
		case sig[0] < 'A' || sig[0] > 'Z':
			return nil, fmt.Errorf("the index uses extension %q, which clayscan cannot read", sig)
		}
		p = end
	}
	if p != len(body) {
		return nil, malformed("trailing bytes")
	}
	return idx, nil
}

// indexVarint decodes git's offset varint (index v4 path prefixes).
func indexVarint(b []byte, p int) (uint64, int, bool) {
	if p >= len(b) {
		return 0, p, false
	}
	c := b[p]
	p++
	v := uint64(c & 127)
	for c&128 != 0 {
		if p >= len(b) || v > 1<<56 {
			return 0, p, false
		}
		c = b[p]
		p++
		v = (v+1)<<7 | uint64(c&127)
	}
	return v, p, true
}

// parseCacheTree reads the TREE extension: each node is "path NUL count SP
// subtrees LF" and, when count >= 0 (valid), the tree's hash, followed by
// its subtrees.
func parseCacheTree(b []byte) (*cacheTree, error) {
	var parse func(depth int) (*cacheTree, error)
	parse = func(depth int) (*cacheTree, error) {
		nul := bytes.IndexByte(b, 0)
		if nul < 0 || depth > 4096 {
			return nil, ErrMalformedIndex
		}
		t := &cacheTree{name: string(b[:nul])}
		b = b[nul+1:]
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return nil, ErrMalformedIndex
		}
		count, err := strconv.Atoi(string(b[:sp]))
		if err != nil {
			return nil, ErrMalformedIndex
		}
		b = b[sp+1:]
		nl := bytes.IndexByte(b, '\n')
		if nl < 0 {
			return nil, ErrMalformedIndex
		}
		sub, err := strconv.Atoi(string(b[:nl]))
		if err != nil || sub < 0 || sub > len(b) {
			return nil, ErrMalformedIndex
		}
		b = b[nl+1:]
		if count >= 0 {
			if len(b) < sha1.Size {
				return nil, ErrMalformedIndex
			}
			copy(t.hash[:], b[:sha1.Size])
			b = b[sha1.Size:]
			t.valid = true
		}
		for range sub {
			k, err := parse(depth + 1)
			if err != nil {
				return nil, err
			}
			t.kids = append(t.kids, k)
		}
		return t, nil
	}
	return parse(0)
}

// stagedChange is one staged file the commit adds or modifies.
type stagedChange struct {
	path string
	hash plumbing.Hash // index blob
	old  plumbing.Hash // HEAD blob; zero for a new file
	mode filemode.FileMode
	// nothingAdded: a mode-only change or a pure rename, emitted so that
	// path checks see the path, with no lines to report.
	nothingAdded bool
}

type stagedDeletedTree struct {
	path string
	hash plumbing.Hash
}

// stagedDiff compares the index with HEAD's tree.
type stagedDiff struct {
	objs      *stagedObjects
	sink      scanner.Sink
	changes   []stagedChange
	unmerged  []string
	deleted   map[plumbing.Hash]bool // blobs of deleted files, for renames
	delTrees  []stagedDeletedTree    // deleted directories, expanded only if needed
	sawAdding bool                   // a new file exists, so renames matter
	rootTree  *object.Tree           // HEAD's, read ahead
}

// diffDir compares the index entries es, all under prefix and sorted, with
// HEAD tree head (zero: absent). It returns at once when the directory's
// tree hash — from the cache tree, or computed from the entries — equals
// HEAD's, so a one-file change reads only the trees on that file's path.
func (d *stagedDiff) diffDir(prefix string, es []indexEntry, cache *cacheTree, head plumbing.Hash) error {
	if !head.IsZero() {
		switch {
		case cache != nil && cache.valid:
			if cache.hash == head {
				return nil
			}
		case cache != nil:
			// Invalidated: git staged something below, so descend.
		default:
			// No cache tree (some tools write none): hash the entries.
			if h, ok := entriesTreeHash(es, len(prefix), nil); ok && h == head {
				return nil
			}
		}
	}
	var hs []object.TreeEntry
	if !head.IsZero() {
		t := d.rootTree
		var err error
		if prefix != "" || t == nil {
			t, err = object.GetTree(d.objs, head)
		}
		if err != nil {
			return fmt.Errorf("reading HEAD tree %q: %w", prefix, err)
		}
		hs = t.Entries
	}
	i, j := 0, 0
	for i < len(es) || j < len(hs) {
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
		case j == len(hs):
			c = -1
		default:
			c = compareTreeNames(name, isDir, hs[j].Name, hs[j].Mode == filemode.Dir)
		}
		switch {
		case c < 0: // only in the index
			if isDir {
				d.addedEntries(es[i:end])
			} else {
				d.file(es[i:end], nil)
			}
			i = end
		case c > 0: // only in HEAD
			d.removed(prefix+hs[j].Name, hs[j])
			j++
		default:
			if isDir {
				if err := d.diffDir(prefix+name+"/", es[i:end], cache.child(name), hs[j].Hash); err != nil {
					return err
				}
			} else {
				d.file(es[i:end], &hs[j])
			}
			i, j = end, j+1
		}
	}
	return nil
}

// nextItem returns the name of the file or directory at es[i] (relative to
// the directory at off), and the end of its entries: a directory's whole
// range, found by binary search, or a file's stages.
func nextItem(es []indexEntry, i, off int) (name string, isDir bool, end int) {
	rest := es[i].name[off:]
	if k := strings.IndexByte(rest, '/'); k >= 0 {
		p := es[i].name[:off+k+1]
		n := sort.Search(len(es)-i, func(m int) bool { return !strings.HasPrefix(es[i+m].name, p) })
		return rest[:k], true, i + n
	}
	end = i + 1
	for end < len(es) && es[end].name == es[i].name {
		end++
	}
	return rest, false, end
}

// entriesTreeHash is the object name of the tree git would write for the
// entries es of the directory at off, taking subdirectory hashes from the
// cache tree where valid. ok is false when the directory holds unmerged
// entries (git cannot write a tree for it).
func entriesTreeHash(es []indexEntry, off int, cache *cacheTree) (h plumbing.Hash, ok bool) {
	var b []byte
	for i := 0; i < len(es); {
		name, isDir, end := nextItem(es, i, off)
		var mode filemode.FileMode
		var eh plumbing.Hash
		switch {
		case isDir:
			mode = filemode.Dir
			if c := cache.child(name); c != nil && c.valid {
				eh = c.hash
			} else if eh, ok = entriesTreeHash(es[i:end], off+len(name)+1, c); !ok {
				return h, false
			}
		case es[i].stage != 0:
			return h, false
		case es[i].ita:
			i = end // git write-tree leaves intent-to-add entries out
			continue
		default:
			mode, eh = es[i].mode, es[i].hash
		}
		b = strconv.AppendUint(b, uint64(mode), 8)
		b = append(b, ' ')
		b = append(b, name...)
		b = append(b, 0)
		b = append(b, eh[:]...)
		i = end
	}
	sum := sha1.New()
	var hdr [32]byte
	sum.Write(strconv.AppendInt(append(hdr[:0], "tree "...), int64(len(b)), 10))
	sum.Write([]byte{0})
	sum.Write(b)
	sum.Sum(h[:0])
	return h, true
}

// file handles the entries of one path (several stages when unmerged)
// against HEAD entry h (nil: none).
func (d *stagedDiff) file(es []indexEntry, h *object.TreeEntry) {
	k := &es[0]
	if k.stage != 0 {
		d.unmerged = append(d.unmerged, k.name)
		return
	}
	switch {
	case k.ita:
		// git add -N: the path is known but nothing is staged yet.
	case h == nil:
		d.sawAdding = true
		d.changes = append(d.changes, stagedChange{path: k.name, hash: k.hash, mode: k.mode})
	case h.Hash == k.hash && h.Mode == k.mode:
		// unchanged
	case h.Hash == k.hash:
		d.changes = append(d.changes, stagedChange{path: k.name, hash: k.hash, mode: k.mode, nothingAdded: true})
	case h.Mode == filemode.Submodule || h.Mode == filemode.Symlink:
		d.sawAdding = true
		d.changes = append(d.changes, stagedChange{path: k.name, hash: k.hash, mode: k.mode})
	default:
		d.changes = append(d.changes, stagedChange{path: k.name, hash: k.hash, old: h.Hash, mode: k.mode})
	}
}

// addedEntries records every path in es as new.
func (d *stagedDiff) addedEntries(es []indexEntry) {
	for i := 0; i < len(es); {
		end := i + 1
		for end < len(es) && es[end].name == es[i].name {
			end++
		}
		d.file(es[i:end], nil)
		i = end
	}
}

func (d *stagedDiff) removed(path string, h object.TreeEntry) {
	switch {
	case h.Mode == filemode.Dir:
		d.delTrees = append(d.delTrees, stagedDeletedTree{path: path, hash: h.Hash})
	case h.Mode.IsFile():
		d.deleted[h.Hash] = true
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
		t, err := object.GetTree(d.objs, dt.hash)
		if err != nil {
			return fmt.Errorf("reading HEAD tree %q: %w", dt.path, err)
		}
		for _, e := range t.Entries {
			d.removed(dt.path+"/"+e.Name, e)
		}
	}
	for i := range d.changes {
		c := &d.changes[i]
		if c.old.IsZero() && d.deleted[c.hash] {
			c.nothingAdded = true
		}
	}
	return nil
}

// compareTreeNames orders entries as git trees do: a directory sorts as if
// its name ended in '/'.
func compareTreeNames(a string, aDir bool, b string, bDir bool) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	ca, cb := byte(0), byte(0)
	if len(a) > n {
		ca = a[n]
	} else if aDir {
		ca = '/'
	}
	if len(b) > n {
		cb = b[n]
	} else if bDir {
		cb = '/'
	}
	switch {
	case ca < cb:
		return -1
	case ca > cb:
		return 1
	}
	return 0
}

// stagedJob is a change read and ready for diffing and scanning.
type stagedJob struct {
	c        stagedChange
	data     []byte
	old      []byte
	allAdded bool // the HEAD side was too large to diff: every line counts
}

// emit reads the changed blobs (sequentially: go-git's object storage is
// not meant for concurrent reads) and diffs and scans them in workers.
func (s *Staged) emit(ctx context.Context, d *stagedDiff, sink scanner.Sink) error {
	for _, p := range d.unmerged {
		sink.Skip(p, SkipUnmerged)
	}
	limit := s.MaxFileSize
	if limit <= 0 {
		limit = DefaultMaxFileSize
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
				scanStaged(j, sink)
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
			sink.Skip(c.path, scanner.SkipSubmodule)
			continue
		case filemode.Symlink:
			sink.Skip(c.path, scanner.SkipSymlink)
			continue
		}
		j := stagedJob{c: c}
		var rerr error
		j.data, rerr = readStagedBlob(d.objs, c.hash, limit)
		if errors.Is(rerr, errBlobTooLarge) {
			sink.Skip(c.path, scanner.SkipTooLarge)
			continue
		}
		if rerr != nil {
			sink.Error(c.path, rerr)
			continue
		}
		if !c.old.IsZero() && !c.nothingAdded && !scanner.IsBinary(j.data) {
			j.old, rerr = readStagedBlob(d.objs, c.old, limit)
			switch {
			case errors.Is(rerr, errBlobTooLarge):
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

func scanStaged(j stagedJob, sink scanner.Sink) {
	t := scanner.Target{Path: j.c.path, Data: j.data}
	switch {
	case j.c.nothingAdded:
		t.Lines = scanner.LineSet{}
	case j.c.old.IsZero() || j.allAdded || scanner.IsBinary(j.data):
		// a new file: every line is added (Lines nil)
	default:
		t.Lines = AddedLines(j.old, j.data)
	}
	sink.Scan(t)
}

var errBlobTooLarge = errors.New("blob too large")

func readStagedBlob(objs *stagedObjects, h plumbing.Hash, limit int64) ([]byte, error) {
	t, data, err := objs.read(h, limit)
	if err != nil {
		return nil, err
	}
	if t != plumbing.BlobObject {
		return nil, fmt.Errorf("object %s is a %s, not a blob", h, t)
	}
	return data, nil
}

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

// stagedObjects reads the few objects a staged scan needs. go-git's
// filesystem storer loads every pack index into memory and, at the first
// delta, builds a map from offset to hash of every object in the pack:
// about 300 ms on git/git, fifteen times the budget of a pre-commit hook.
// Here a lookup reads one fanout bucket of the pack's .idx on disk, and a
// delta chain is followed by offset, each delta applied with go-git's
// packfile.PatchDelta. Anything not found (alternates, a pack index
// version it does not know) goes to go-git's own storer.
type stagedObjects struct {
	storer.EncodedObjectStorer // the fallback
	dir                        string
	idxs                       []*diskIdx
	packs                      []*os.File
	z                          io.ReadCloser // reused zlib reader
	br                         *bufio.Reader // and its input buffer
}

func openStagedObjects(fallback storer.EncodedObjectStorer, objectsDir string) *stagedObjects {
	o := &stagedObjects{EncodedObjectStorer: fallback, dir: objectsDir}
	names, _ := filepath.Glob(filepath.Join(objectsDir, "pack", "pack-*.idx"))
	for _, name := range names {
		idx, err := openDiskIdx(name)
		if err != nil {
			continue // the fallback reads it
		}
		f, err := os.Open(strings.TrimSuffix(name, ".idx") + ".pack")
		if err != nil {
			idx.Close()
			continue
		}
		o.idxs = append(o.idxs, idx)
		o.packs = append(o.packs, f)
	}
	return o
}

func (o *stagedObjects) Close() {
	for i := range o.idxs {
		o.idxs[i].Close()
		o.packs[i].Close()
	}
}

// EncodedObject implements storer.EncodedObjectStorer's lookup, for
// go-git's object decoders.
func (o *stagedObjects) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	typ, data, err := o.read(h, -1)
	if err != nil {
		return nil, err
	}
	if t != plumbing.AnyObject && typ != t {
		return nil, plumbing.ErrObjectNotFound
	}
	return &stagedObject{h: h, t: typ, data: data}, nil
}

// stagedObject is an object read in full, handed to go-git's decoders
// without the copy plumbing.MemoryObject makes.
type stagedObject struct {
	h    plumbing.Hash
	t    plumbing.ObjectType
	data []byte
}

func (o *stagedObject) Hash() plumbing.Hash           { return o.h }
func (o *stagedObject) Type() plumbing.ObjectType     { return o.t }
func (o *stagedObject) SetType(t plumbing.ObjectType) { o.t = t }
func (o *stagedObject) Size() int64                   { return int64(len(o.data)) }
func (o *stagedObject) SetSize(int64)                 {}
func (o *stagedObject) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}
func (o *stagedObject) Writer() (io.WriteCloser, error) { return nil, errors.New("read-only object") }

// read returns object h: loose, then packed, then through go-git's
// storer. With limit >= 0, an object larger than limit is not inflated:
// errBlobTooLarge.
func (o *stagedObjects) read(h plumbing.Hash, limit int64) (plumbing.ObjectType, []byte, error) {
	hex := h.String()
	if f, err := os.Open(filepath.Join(o.dir, hex[:2], hex[2:])); err == nil {
		defer f.Close()
		t, data, err := readLooseObject(f, limit)
		if err != nil && !errors.Is(err, errBlobTooLarge) {
			err = fmt.Errorf("object %s: %w", h, err)
		}
		return t, data, err
	}
	for i, idx := range o.idxs {
		pos, ok, err := idx.find(h)
		if err != nil {
			return 0, nil, fmt.Errorf("object %s: %w", h, err)
		}
		if !ok {
			continue
		}
		off, err := idx.offsetAt(pos)
		if err != nil {
			return 0, nil, fmt.Errorf("object %s: %w", h, err)
		}
		t, data, err := o.readPacked(i, off, limit, 0)
		if err != nil && !errors.Is(err, errBlobTooLarge) {
			err = fmt.Errorf("object %s: %w", h, err)
		}
		return t, data, err
	}
	obj, err := o.EncodedObjectStorer.EncodedObject(plumbing.AnyObject, h)
	if err != nil {
		return 0, nil, fmt.Errorf("object %s: %w", h, err)
	}
	if limit >= 0 && obj.Size() > limit {
		return obj.Type(), nil, errBlobTooLarge
	}
	r, err := obj.Reader()
	if err != nil {
		return 0, nil, fmt.Errorf("object %s: %w", h, err)
	}
	defer r.Close()
	data := make([]byte, obj.Size())
	if _, err := io.ReadFull(r, data); err != nil {
		return 0, nil, fmt.Errorf("object %s: %w", h, err)
	}
	return obj.Type(), data, nil
}

func readLooseObject(f *os.File, limit int64) (plumbing.ObjectType, []byte, error) {
	r, err := objfile.NewReader(f)
	if err != nil {
		return 0, nil, err
	}
	defer r.Close()
	t, size, err := r.Header()
	if err != nil {
		return 0, nil, err
	}
	if limit >= 0 && size > limit {
		return t, nil, errBlobTooLarge
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(r, data); err != nil {
		return 0, nil, err
	}
	return t, data, nil
}

// Pack entry types (https://git-scm.com/docs/pack-format).
const (
	packOfsDelta = 6
	packRefDelta = 7
)

var errBadPackEntry = errors.New("malformed pack entry")

// readPacked reads the entry at off in pack i, following its delta chain.
func (o *stagedObjects) readPacked(i int, off, limit int64, depth int) (plumbing.ObjectType, []byte, error) {
	if depth > 10_000 {
		return 0, nil, fmt.Errorf("%w: delta chain too deep", errBadPackEntry)
	}
	var hdr [64]byte
	n, err := o.packs[i].ReadAt(hdr[:], off)
	if n == 0 {
		return 0, nil, fmt.Errorf("reading pack: %w", err)
	}
	b := hdr[:n]
	c := b[0]
	typ := int(c>>4) & 7
	size := int64(c & 15)
	p, shift := 1, 4
	for c&0x80 != 0 {
		if p >= len(b) || shift > 56 {
			return 0, nil, errBadPackEntry
		}
		c = b[p]
		p++
		size |= int64(c&0x7f) << shift
		shift += 7
	}
	switch typ {
	case packOfsDelta:
		if p >= len(b) {
			return 0, nil, errBadPackEntry
		}
		c = b[p]
		p++
		rel := int64(c & 127)
		for c&128 != 0 {
			if p >= len(b) || rel > 1<<48 {
				return 0, nil, errBadPackEntry
			}
			c = b[p]
			p++
			rel = (rel+1)<<7 | int64(c&127)
		}
		if rel <= 0 || rel > off {
			return 0, nil, errBadPackEntry
		}
		delta, err := o.inflate(i, off+int64(p), size)
		if err != nil {
			return 0, nil, err
		}
		if err := checkDeltaTarget(delta, limit); err != nil {
			return 0, nil, err
		}
		bt, base, err := o.readPacked(i, off-rel, -1, depth+1)
		if err != nil {
			return 0, nil, err
		}
		data, err := packfile.PatchDelta(base, delta)
		return bt, data, err
	case packRefDelta:
		if p+20 > len(b) {
			return 0, nil, errBadPackEntry
		}
		var bh plumbing.Hash
		copy(bh[:], b[p:p+20])
		delta, err := o.inflate(i, off+int64(p+20), size)
		if err != nil {
			return 0, nil, err
		}
		if err := checkDeltaTarget(delta, limit); err != nil {
			return 0, nil, err
		}
		bt, base, err := o.read(bh, -1)
		if err != nil {
			return 0, nil, err
		}
		data, err := packfile.PatchDelta(base, delta)
		return bt, data, err
	case int(plumbing.CommitObject), int(plumbing.TreeObject), int(plumbing.BlobObject), int(plumbing.TagObject):
		if limit >= 0 && size > limit {
			return plumbing.ObjectType(typ), nil, errBlobTooLarge
		}
		data, err := o.inflate(i, off+int64(p), size)
		return plumbing.ObjectType(typ), data, err
	}
	return 0, nil, fmt.Errorf("%w: type %d", errBadPackEntry, typ)
}

// checkDeltaTarget reads the result size at the start of a delta.
func checkDeltaTarget(delta []byte, limit int64) error {
	if limit < 0 {
		return nil
	}
	var size int64
	p := 0
	for k := 0; k < 2; k++ { // source size, then target size
		size = 0
		for shift := 0; ; shift += 7 {
			if p >= len(delta) || shift > 56 {
				return errBadPackEntry
			}
			c := delta[p]
			p++
			size |= int64(c&0x7f) << shift
			if c&0x80 == 0 {
				break
			}
		}
	}
	if size > limit {
		return errBlobTooLarge
	}
	return nil
}

// inflate decompresses size bytes of zlib data at off in pack i.
func (o *stagedObjects) inflate(i int, off, size int64) ([]byte, error) {
	if size > 1<<40 {
		return nil, errBadPackEntry
	}
	sec := io.NewSectionReader(o.packs[i], off, 1<<62)
	if o.br == nil {
		o.br = bufio.NewReaderSize(sec, 16<<10)
	} else {
		o.br.Reset(sec)
	}
	src := o.br
	var err error
	if o.z == nil {
		o.z, err = zlib.NewReader(src)
	} else {
		err = o.z.(zlib.Resetter).Reset(src, nil)
	}
	if err != nil {
		return nil, fmt.Errorf("inflating pack entry: %w", err)
	}
	data := make([]byte, size)
	if _, err := io.ReadFull(o.z, data); err != nil {
		return nil, fmt.Errorf("inflating pack entry: %w", err)
	}
	return data, nil
}

// diskIdx is a version 2 pack index read in place: a lookup reads one
// fanout bucket of object names and one offset.
type diskIdx struct {
	f      *os.File
	n      int64
	fanout [256]uint32
	buf    []byte // reused: a fanout bucket is ~66 KB on git/git
}

const idxHeader = 8 + 256*4

func openDiskIdx(path string) (*diskIdx, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var hdr [idxHeader]byte
	if _, err := f.ReadAt(hdr[:], 0); err != nil {
		f.Close()
		return nil, err
	}
	if !bytes.Equal(hdr[:8], []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}) {
		f.Close()
		return nil, errors.New("not a version 2 pack index")
	}
	d := &diskIdx{f: f}
	for i := range d.fanout {
		d.fanout[i] = be32(hdr[8+4*i:])
	}
	d.n = int64(d.fanout[255])
	return d, nil
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (d *diskIdx) Close() error { return d.f.Close() }

func (d *diskIdx) readAt(n int, off int64) ([]byte, error) {
	if cap(d.buf) < n {
		d.buf = make([]byte, n)
	}
	b := d.buf[:n]
	if _, err := d.f.ReadAt(b, off); err != nil {
		return nil, fmt.Errorf("reading pack index: %w", err)
	}
	return b, nil
}

// find returns h's position in the index.
func (d *diskIdx) find(h plumbing.Hash) (int64, bool, error) {
	lo := int64(0)
	if h[0] > 0 {
		lo = int64(d.fanout[h[0]-1])
	}
	hi := int64(d.fanout[h[0]])
	if hi <= lo {
		return 0, false, nil
	}
	names, err := d.readAt(int(hi-lo)*20, idxHeader+lo*20)
	if err != nil {
		return 0, false, err
	}
	i := sort.Search(int(hi-lo), func(i int) bool { return bytes.Compare(names[i*20:i*20+20], h[:]) >= 0 })
	if i < int(hi-lo) && bytes.Equal(names[i*20:i*20+20], h[:]) {
		return lo + int64(i), true, nil
	}
	return 0, false, nil
}

// offsetAt returns the pack offset of the object at position pos.
func (d *diskIdx) offsetAt(pos int64) (int64, error) {
	b, err := d.readAt(4, idxHeader+d.n*24+pos*4)
	if err != nil {
		return 0, err
	}
	v := be32(b)
	if v&0x80000000 == 0 {
		return int64(v), nil
	}
	b, err = d.readAt(8, idxHeader+d.n*28+int64(v&0x7fffffff)*8)
	if err != nil {
		return 0, err
	}
	return int64(be32(b))<<32 | int64(be32(b[4:])), nil
}
