package git

// The index file (https://git-scm.com/docs/index-format), read for both
// the working-tree scan and the staged scan, so that the two see the same
// entries and fail with the same error.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"unsafe"

	"github.com/go-git/go-git/v5/plumbing/filemode"
)

// IndexEntry is one index entry, as far as clayscan needs it. It is kept
// small and points into the mapped file: git/git has 4,800 entries, and
// every fresh page of memory costs a pre-commit scan time.
type IndexEntry struct {
	// Name is the path, slash-separated; a sparse directory's ends in "/".
	Name string
	id   string // the object name's raw bytes
	Mode filemode.FileMode
	// Stage is 0, or 1–3 for an unmerged path.
	Stage uint8
	// IntentToAdd is a path added with "git add -N": known, nothing staged.
	IntentToAdd bool
	// SkipWorktree is a path the sparse checkout leaves out of the work
	// tree (a sparse directory is one too).
	SkipWorktree bool
}

// Hash returns the entry's object name (a blob; a tree for a sparse
// directory; a commit for a submodule).
func (e *IndexEntry) Hash() (h Hash) {
	copy(h[:], e.id)
	return h
}

// RawHash returns the object name's bytes (20 for SHA-1, 32 for SHA-256).
func (e *IndexEntry) RawHash() string { return e.id }

// IsSparseDir reports whether the entry is a sparse directory: a whole
// directory outside the sparse checkout, stored as its tree (index.sparse).
func (e *IndexEntry) IsSparseDir() bool { return e.Mode == filemode.Dir }

// CacheTree is a node of the cache-tree extension ("TREE"): the tree
// object git would write for a directory, while it is still valid. git
// invalidates the directories above every path it stages, so on a
// one-file change nearly every directory's hash is known without hashing
// anything.
type CacheTree struct {
	Name  string
	Valid bool
	Hash  Hash
	Kids  []*CacheTree
}

// Child returns the subdirectory called name, or nil.
func (c *CacheTree) Child(name string) *CacheTree {
	if c == nil {
		return nil
	}
	for _, k := range c.Kids {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Index is a parsed index file. Its entries point into the mapped file:
// copy what must outlive Close.
type Index struct {
	Version int
	Entries []IndexEntry
	// Tree is the cache tree; nil when the index has none (some tools
	// write none) or it cannot be read (it is only a shortcut).
	Tree *CacheTree
	// Sparse is set when Entries holds sparse directories.
	Sparse bool
	// Split is set when the entries came partly from a shared index
	// (core.splitIndex).
	Split bool
	// SkipHash is set when the file has no checksum (index.skipHash,
	// written by default with feature.manyFiles since git 2.40).
	SkipHash bool

	path     string
	hashSize int
	unmaps   []func() error
}

// HashSize is the size of the index's object names (20, or 32 for
// SHA-256).
func (idx *Index) HashSize() int { return idx.hashSize }

// Close unmaps the index file(s).
func (idx *Index) Close() error {
	for _, u := range idx.unmaps {
		_ = u()
	}
	idx.unmaps = nil
	return nil
}

// IndexError is an index that cannot be read. It names the file and
// carries a hint, because "cannot read the index" must never pass
// silently: a staged scan that saw nothing would let every key through.
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

const rebuildIndexHint = "run 'git status' to check the repository; 'git read-tree HEAD' rebuilds the index (it unstages changes)"

// ErrMalformedIndex is an index file that does not follow the format.
var ErrMalformedIndex = errors.New("malformed index")

func malformed(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformedIndex, fmt.Sprintf(format, args...))
}

// ErrUnknownIndexExtension is a mandatory index extension (its name does
// not start with a capital) that clayscan does not know: git stops on
// one, and so does clayscan, since the entries may depend on it.
var ErrUnknownIndexExtension = errors.New("unknown mandatory index extension")

// ReadIndex maps and parses the index file at path, and the shared index
// it links to when it is a split index (looked up in gitDir, then next to
// path, as git does). hashSize is the repository's object name size (20
// for SHA-1, 32 for SHA-256). A missing file is an empty index (a new
// repository). The caller closes the index.
//
// The format is read here rather than with go-git's index.Decoder: that
// decoder costs 6–11 ms on git/git's 4,800 entries (reflection per field,
// a collision-detecting SHA-1 over the file), half a pre-commit check's
// budget, it refuses a skipHash index, split and sparse indexes, and it
// drops the invalidated cache-tree entries that give the extension its
// structure.
//
// The file is mapped, not read: git/git's is 460 KB, and copying it onto
// fresh heap pages cost more than parsing it. git replaces the index by
// renaming a new file over it, never by rewriting it in place, so the
// mapping stays valid while it is read (git maps it the same way). The
// trailing checksum is not verified, as git does not verify it on a read
// (only "git fsck" does): hashing the file would cost as much as parsing.
func ReadIndex(path, gitDir string, hashSize int) (*Index, error) {
	idx, err := readIndexFile(path, hashSize, true)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &Index{Version: 2, hashSize: hashSize, path: path}, nil
		}
		return nil, err
	}
	if err := idx.mergeShared(path, gitDir); err != nil {
		return nil, err
	}
	return idx.Index, nil
}

// rawIndex is one file's parse: a split index's entries before the merge.
type rawIndex struct {
	*Index
	link *linkExt
	// trailer is the file's checksum (a shared index's name).
	trailer string
}

type linkExt struct {
	base    string // the shared index's checksum, raw
	deleted []byte // EWAH bitmaps, checked for size (index_split.go)
	replace []byte
}

func readIndexFile(path string, hashSize int, top bool) (*rawIndex, error) {
	data, unmap, err := MapFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		return nil, &IndexError{Path: path, Err: err, hint: "check the permissions of the index file"}
	}
	r, err := parseIndex(data, hashSize, top)
	if err != nil {
		_ = unmap()
		ierr := &IndexError{Path: path, Err: err, hint: rebuildIndexHint}
		if errors.Is(err, ErrUnknownIndexExtension) {
			ierr.hint = "a newer git wrote this index: run 'git status' with that git and report it to clayscan, or rebuild the index with 'git read-tree HEAD' (it unstages changes)"
		}
		return nil, ierr
	}
	r.unmaps = append(r.unmaps, unmap)
	r.path = path
	return r, nil
}

// parseIndex reads one index file. top is false for a shared index,
// whose entries are never reordered.
func parseIndex(data []byte, hashSize int, top bool) (*rawIndex, error) {
	if len(data) < 12+hashSize || string(data[:4]) != "DIRC" {
		return nil, malformed("bad signature")
	}
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("unsupported index version %d", version)
	}
	body := data[:len(data)-hashSize]
	r := &rawIndex{Index: &Index{Version: int(version), hashSize: hashSize}, trailer: string(data[len(body):])}
	r.SkipHash = allZero(data[len(body):])
	n := int(binary.BigEndian.Uint32(data[8:]))
	if n > len(body)/(hashSize+22) {
		return nil, malformed("entry count %d too large", n)
	}
	r.Entries = make([]IndexEntry, 0, n)
	// v2/v3 paths are substrings of the file's bytes, which nothing
	// modifies after the read: no copy, no allocation per path.
	str := unsafe.String(unsafe.SliceData(body), len(body))
	// An entry is 40 bytes of stat data, the object name, 16 bits of
	// flags, 16 more when extended, then the path.
	idOff := 40
	flagsOff := idOff + hashSize
	minEntry := flagsOff + 2
	p := 12
	prev := ""
	sorted := true
	for i := 0; i < n; i++ {
		if p+minEntry > len(body) {
			return nil, malformed("truncated entry")
		}
		e := body[p:]
		ent := IndexEntry{Mode: filemode.FileMode(binary.BigEndian.Uint32(e[24:]))}
		ent.id = str[p+idOff : p+flagsOff]
		flags := binary.BigEndian.Uint16(e[flagsOff:])
		ent.Stage = uint8(flags>>12) & 3
		hdr := minEntry
		if flags&0x4000 != 0 { // extended flags
			if version < 3 || p+minEntry+2 > len(body) {
				return nil, malformed("bad extended flags")
			}
			ext := binary.BigEndian.Uint16(e[minEntry:])
			if ext&^0x6000 != 0 {
				return nil, malformed("unknown index entry format 0x%08x", uint32(ext)<<16)
			}
			ent.IntentToAdd = ext&0x2000 != 0
			ent.SkipWorktree = ext&0x4000 != 0
			hdr += 2
		}
		start := p + hdr
		if version == 4 {
			strip, rest, ok := varint(body[start:])
			q := len(body) - len(rest)
			if !ok || strip > uint64(len(prev)) {
				return nil, malformed("bad path prefix")
			}
			end := bytes.IndexByte(body[q:], 0)
			if end < 0 {
				return nil, malformed("unterminated path")
			}
			ent.Name = prev[:len(prev)-int(strip)] + string(body[q:q+end])
			p = q + end + 1
		} else {
			nl := int(flags & 0xfff)
			if nl == 0xfff {
				nl = bytes.IndexByte(body[start:], 0)
			}
			if nl < 0 || start+nl > len(body) {
				return nil, malformed("truncated path")
			}
			ent.Name = str[start : start+nl]
			p += (hdr + nl + 8) &^ 7
		}
		if ent.Mode == filemode.Dir {
			r.Sparse = true
		}
		if sorted && i > 0 && compareIndexEntries(&r.Entries[i-1], &ent) > 0 {
			sorted = false
		}
		prev = ent.Name
		r.Entries = append(r.Entries, ent)
	}
	// git keeps entries sorted by path and stage, and the staged diff
	// relies on it; a split index's own entries are sorted after the
	// merge.
	if !sorted && top {
		es := r.Entries
		sort.SliceStable(es, func(i, j int) bool { return compareIndexEntries(&es[i], &es[j]) < 0 })
	}
	for p+8 <= len(body) {
		sig := string(body[p : p+4])
		size := binary.BigEndian.Uint32(body[p+4:])
		if uint64(size) > uint64(len(body)-p-8) {
			return nil, malformed("truncated extension %q", sig)
		}
		ext := body[p+8 : p+8+int(size)]
		switch {
		case sig == "TREE":
			// Only a shortcut: without it, directories are hashed.
			r.Tree, _ = parseCacheTree(ext, hashSize)
		case sig == "link":
			var err error
			if r.link, err = parseLink(ext, hashSize); err != nil {
				return nil, err
			}
		case sig == "sdir":
			// A marker: sparse directories are entries.
		case sig[0] < 'A' || sig[0] > 'Z':
			return nil, fmt.Errorf("%w: the index uses extension %q, which clayscan does not understand", ErrUnknownIndexExtension, sig)
		}
		p += 8 + int(size)
	}
	if p != len(body) {
		return nil, malformed("trailing bytes")
	}
	return r, nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// compareIndexEntries orders entries as git does: by path bytes, then
// stage.
func compareIndexEntries(a, b *IndexEntry) int {
	switch {
	case a.Name < b.Name:
		return -1
	case a.Name > b.Name:
		return 1
	}
	return int(a.Stage) - int(b.Stage)
}

// parseCacheTree reads the TREE extension: each node is "path NUL count SP
// subtrees LF" and, when count >= 0 (valid), the tree's name, followed by
// its subtrees.
func parseCacheTree(b []byte, hashSize int) (*CacheTree, error) {
	var parse func(depth int) (*CacheTree, error)
	parse = func(depth int) (*CacheTree, error) {
		nul := bytes.IndexByte(b, 0)
		if nul < 0 || depth > 4096 {
			return nil, ErrMalformedIndex
		}
		t := &CacheTree{Name: string(b[:nul])}
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
			if len(b) < hashSize {
				return nil, ErrMalformedIndex
			}
			copy(t.Hash[:], b[:hashSize])
			b = b[hashSize:]
			t.Valid = true
		}
		for range sub {
			k, err := parse(depth + 1)
			if err != nil {
				return nil, err
			}
			t.Kids = append(t.Kids, k)
		}
		return t, nil
	}
	return parse(0)
}

// IndexPath returns the index file git uses: GIT_INDEX_FILE when set,
// else the git directory's "index". git reads a relative GIT_INDEX_FILE
// after moving to the top of the work tree, so it is relative to root
// (to the current directory when there is no work tree).
func IndexPath(gitDir, root string, env Env) (string, error) {
	p, ok := env.get("GIT_INDEX_FILE")
	if !ok || p == "" {
		return filepath.Join(gitDir, "index"), nil
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p), nil
	}
	if root != "" {
		return filepath.Join(root, p), nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("resolving GIT_INDEX_FILE %q: %w", p, err)
	}
	return abs, nil
}
