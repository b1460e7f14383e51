package source

import (
	"bytes"
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
	"sync"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
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
	idx, err := readIndex(idxPath)
	if err != nil {
		return info, err
	}
	head, err := headTree(repo)
	if err != nil {
		return info, err
	}
	d := &stagedDiff{objs: repo.Git.Storer, sink: sink, deleted: map[plumbing.Hash]bool{}}
	root, err := buildIndexTree(idx)
	if err != nil {
		return info, &IndexError{Path: idxPath, Err: err, hint: sparseHint}
	}
	if err := d.diffDir("", root, head); err != nil {
		return info, err
	}
	if err := d.resolveRenames(); err != nil {
		return info, err
	}
	return info, s.emit(ctx, d, sink)
}

// headTree returns the hash of HEAD's tree, or the zero hash on an unborn
// branch (the first commit adds everything).
func headTree(repo *Repo) (plumbing.Hash, error) {
	ref, err := repo.Git.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolving HEAD: %w", err)
	}
	c, err := object.GetCommit(repo.Git.Storer, ref.Hash())
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading HEAD commit %s: %w", ref.Hash(), err)
	}
	return c.TreeHash, nil
}

const (
	splitHint  = "run 'git config core.splitIndex false && git update-index --no-split-index', then try again"
	sparseHint = "run 'git sparse-checkout init --no-sparse-index' (or 'git config index.sparse false'), then try again"
)

// readIndex decodes the index file with go-git. A missing file is an empty
// index (a new repository). Formats go-git cannot read are errors with a
// hint: a staged scan that silently saw nothing would let every key through.
func readIndex(path string) (*index.Index, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &index.Index{}, nil
	}
	if err != nil {
		return nil, &IndexError{Path: path, Err: err, hint: "check the permissions of the index file"}
	}
	// index.skipHash (set by feature.manyFiles) writes a zero trailer
	// instead of the checksum; supply it so go-git's decoder accepts it.
	const hashLen = sha1.Size
	if len(data) > hashLen && zeroBytes(data[len(data)-hashLen:]) {
		sum := sha1.Sum(data[:len(data)-hashLen])
		data = append(data[:len(data)-hashLen:len(data)-hashLen], sum[:]...)
	}
	idx := &index.Index{}
	if err := index.NewDecoder(bytes.NewReader(data)).Decode(idx); err != nil {
		ierr := &IndexError{Path: path, Err: err, hint: "run 'git status' to check the repository, or 'git read-tree HEAD' to rebuild the index (this unstages changes)"}
		switch {
		case errors.Is(err, index.ErrUnknownExtension) && hasExtension(data, "link"):
			ierr.Err, ierr.hint = ErrSplitIndex, splitHint
		case errors.Is(err, index.ErrUnknownExtension) && hasExtension(data, "sdir"):
			ierr.Err, ierr.hint = ErrSparseIndex, sparseHint
		case errors.Is(err, index.ErrUnknownExtension):
			ierr.hint = "the index uses an extension clayscan cannot read; " + splitHint
		}
		return nil, ierr
	}
	return idx, nil
}

// hasExtension reports whether the index bytes hold extension sig. It is
// only used to name an extension go-git already refused, so a loose search
// for the signature followed by a plausible length is enough.
func hasExtension(data []byte, sig string) bool {
	for off := 12; ; {
		i := bytes.Index(data[off:], []byte(sig))
		if i < 0 {
			return false
		}
		p := off + i + 4
		if p+4 <= len(data) {
			n := int(data[p])<<24 | int(data[p+1])<<16 | int(data[p+2])<<8 | int(data[p+3])
			if p+4+n+sha1.Size <= len(data) {
				return true
			}
		}
		off += i + 1
	}
}

func zeroBytes(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// indexNode is a directory or file of the index, with the tree hash git would
// write for a directory.
type indexNode struct {
	name  string // last path component
	path  string // full path, for files
	mode  filemode.FileMode
	hash  plumbing.Hash
	kids  []*indexNode // directories: children in tree order
	dir   bool
	stage index.Stage
	ita   bool // intent-to-add: nothing staged yet
	// dirty marks a directory holding unmerged or intent-to-add entries:
	// its hash is not a tree git would write, so it is always compared.
	dirty bool
}

// buildIndexTree groups the stage entries into directories and computes each
// directory's tree hash, so that the diff with HEAD only descends where the
// hashes differ (the index's own cache-tree extension cannot be used:
// go-git drops its invalidated entries, which loses the structure).
func buildIndexTree(idx *index.Index) (*indexNode, error) {
	es := idx.Entries
	if !sort.SliceIsSorted(es, func(i, j int) bool { return es[i].Name < es[j].Name }) {
		es = append([]*index.Entry(nil), es...)
		sort.SliceStable(es, func(i, j int) bool { return es[i].Name < es[j].Name })
	}
	for _, e := range es {
		if e.Mode == filemode.Dir {
			return nil, ErrSparseIndex
		}
	}
	root := &indexNode{dir: true}
	var buf []byte
	buildDir(root, es, 0, &buf)
	return root, nil
}

func buildDir(n *indexNode, es []*index.Entry, off int, buf *[]byte) {
	for i := 0; i < len(es); {
		e := es[i]
		rest := e.Name[off:]
		slash := strIndexByte(rest, '/')
		if slash < 0 {
			k := &indexNode{name: rest, path: e.Name, mode: e.Mode, hash: e.Hash, stage: e.Stage, ita: e.IntentToAdd}
			if e.Stage != 0 || e.IntentToAdd {
				n.dirty = true
			}
			n.kids = append(n.kids, k)
			i++
			continue
		}
		name := rest[:slash]
		j := i + 1
		for j < len(es) && len(es[j].Name) > off+slash && es[j].Name[off:off+slash+1] == rest[:slash+1] {
			j++
		}
		k := &indexNode{name: name, mode: filemode.Dir, dir: true}
		buildDir(k, es[i:j], off+slash+1, buf)
		if k.dirty {
			n.dirty = true
		}
		n.kids = append(n.kids, k)
		i = j
	}
	if !n.dirty {
		n.hash = treeHash(n.kids, buf)
	}
}

func strIndexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// treeHash is the object name of the tree git would write for kids.
func treeHash(kids []*indexNode, buf *[]byte) plumbing.Hash {
	b := (*buf)[:0]
	for _, k := range kids {
		b = strconv.AppendUint(b, uint64(k.mode), 8)
		b = append(b, ' ')
		b = append(b, k.name...)
		b = append(b, 0)
		b = append(b, k.hash[:]...)
	}
	*buf = b
	h := sha1.New()
	h.Write([]byte("tree "))
	h.Write(strconv.AppendInt(nil, int64(len(b)), 10))
	h.Write([]byte{0})
	h.Write(b)
	var out plumbing.Hash
	h.Sum(out[:0])
	return out
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

// stagedDiff compares the index tree with HEAD's.
type stagedDiff struct {
	objs      storer.EncodedObjectStorer
	sink      scanner.Sink
	changes   []stagedChange
	unmerged  []string
	deleted   map[plumbing.Hash]bool // blobs of deleted files, for renames
	delTrees  []stagedDeletedTree    // deleted directories, expanded only if needed
	sawAdding bool                   // a new file exists, so renames matter
}

// diffDir compares index directory n with HEAD tree head (zero: absent).
func (d *stagedDiff) diffDir(prefix string, n *indexNode, head plumbing.Hash) error {
	if !head.IsZero() && !n.dirty && n.hash == head {
		return nil
	}
	var hs []object.TreeEntry
	if !head.IsZero() {
		t, err := object.GetTree(d.objs, head)
		if err != nil {
			return fmt.Errorf("reading HEAD tree %q: %w", prefix, err)
		}
		hs = t.Entries
	}
	ks := n.kids
	i, j := 0, 0
	for i < len(ks) || j < len(hs) {
		var c int
		switch {
		case i == len(ks):
			c = 1
		case j == len(hs):
			c = -1
		default:
			c = compareTreeNames(ks[i].name, ks[i].dir, hs[j].Name, hs[j].Mode == filemode.Dir)
		}
		switch {
		case c < 0: // only in the index
			if !ks[i].dir {
				i = d.file(ks, i, nil)
				continue
			}
			if err := d.addedDir(ks[i]); err != nil {
				return err
			}
			i++
		case c > 0: // only in HEAD
			d.removed(prefix+hs[j].Name, hs[j])
			j++
		default:
			k, h := ks[i], hs[j]
			if k.dir {
				if err := d.diffDir(prefix+k.name+"/", k, h.Hash); err != nil {
					return err
				}
			} else {
				i = d.file(ks, i, &h)
				j++
				continue
			}
			i++
			j++
		}
	}
	return nil
}

// file handles the index file entries at ks[i] (several when unmerged)
// against HEAD entry h (nil: none) and returns the next index position.
func (d *stagedDiff) file(ks []*indexNode, i int, h *object.TreeEntry) int {
	k := ks[i]
	if k.stage != 0 {
		d.unmerged = append(d.unmerged, k.path)
		for i++; i < len(ks) && ks[i].name == k.name; i++ {
		}
		return i
	}
	switch {
	case k.ita:
		// git add -N: the path is known but nothing is staged yet.
	case h == nil:
		d.sawAdding = true
		d.changes = append(d.changes, stagedChange{path: k.path, hash: k.hash, mode: k.mode})
	case h.Hash == k.hash && h.Mode == k.mode:
		// unchanged
	case h.Hash == k.hash:
		d.changes = append(d.changes, stagedChange{path: k.path, hash: k.hash, mode: k.mode, nothingAdded: true})
	case h.Mode == filemode.Submodule || h.Mode == filemode.Symlink:
		d.sawAdding = true
		d.changes = append(d.changes, stagedChange{path: k.path, hash: k.hash, mode: k.mode})
	default:
		d.changes = append(d.changes, stagedChange{path: k.path, hash: k.hash, old: h.Hash, mode: k.mode})
	}
	return i + 1
}

// addedDir records everything under n as new.
func (d *stagedDiff) addedDir(n *indexNode) error {
	for i := 0; i < len(n.kids); {
		k := n.kids[i]
		if k.dir {
			if err := d.addedDir(k); err != nil {
				return err
			}
			i++
			continue
		}
		i = d.file(n.kids, i, nil)
	}
	return nil
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

func readStagedBlob(objs storer.EncodedObjectStorer, h plumbing.Hash, limit int64) ([]byte, error) {
	o, err := objs.EncodedObject(plumbing.BlobObject, h)
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	if o.Size() > limit {
		return nil, errBlobTooLarge
	}
	r, err := o.Reader()
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
	}
	defer r.Close()
	data := make([]byte, o.Size())
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", h, err)
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
