package source

// Reading the index file for the staged scan.

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"unsafe"

	"github.com/clayscan/clayscan/internal/git"
	"github.com/go-git/go-git/v5/plumbing/filemode"
)

const (
	splitHint  = "run 'git config core.splitIndex false && git update-index --no-split-index', then try again"
	sparseHint = "run 'git sparse-checkout init --no-sparse-index' (or 'git config index.sparse false'), then try again"
)

const rebuildHint = "run 'git status' to check the repository; 'git read-tree HEAD' rebuilds the index (it unstages changes)"

// indexEntry is one index entry, as far as the staged scan needs it. It
// points into the mapped index file and is kept small: git/git has 4,800
// entries, and every fresh page of memory costs a pre-commit scan time.
type indexEntry struct {
	name  string // in the mapped file (v2, v3) or built (v4)
	hash  *git.Hash
	mode  filemode.FileMode
	stage uint8 // 0, or 1–3 for an unmerged path
	ita   bool  // intent-to-add (git add -N)
}

// cacheTree is a node of the index's cache-tree extension ("TREE"): the
// tree hash git would write for a directory, while it is still valid. git
// invalidates the directories above every path it stages, so on a one-file
// change nearly every directory's hash is known without hashing anything.
type cacheTree struct {
	name  string
	valid bool
	hash  git.Hash
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

// stagedIndex is a parsed index. Its entries' names and hashes point into
// the mapped file: copy what must outlive close.
type stagedIndex struct {
	entries []indexEntry
	cache   *cacheTree
	unmap   func() error
}

func (idx *stagedIndex) close() {
	if idx.unmap != nil {
		_ = idx.unmap()
		idx.unmap = nil
	}
}

// readIndex maps and parses the index file; the caller closes it. A
// missing file is an empty index (a new repository). Formats it cannot
// read are errors with a hint: a staged scan that silently saw nothing
// would let every key through.
//
// The index format (versions 2–4, https://git-scm.com/docs/index-format) is
// read here rather than with go-git's index.Decoder: that decoder costs
// 6–11 ms on git/git's 4,800 entries (reflection per field, a collision-
// detecting SHA-1), half the whole command's budget, and it drops the
// invalidated cache-tree entries that give the extension its structure.
//
// The file is mapped, not read: git/git's is 460 KB, and copying it onto
// fresh heap pages cost more than parsing it. git replaces the index by
// renaming a new file over it, never by rewriting it in place, so the
// mapping stays valid while it is read (git maps it the same way).
func readIndex(path string) (*stagedIndex, error) {
	data, unmap, err := git.MapFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &stagedIndex{}, nil
	}
	if err != nil {
		return nil, &IndexError{Path: path, Err: err, hint: "check the permissions of the index file"}
	}
	idx, err := parseIndex(data)
	if err == nil {
		idx.unmap = unmap
		return idx, nil
	}
	_ = unmap()
	ierr := &IndexError{Path: path, Err: err, hint: rebuildHint}
	switch {
	case errors.Is(err, ErrSplitIndex):
		ierr.hint = splitHint
	case errors.Is(err, ErrSparseIndex):
		ierr.hint = sparseHint
	}
	return nil, ierr
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
	version := binary.BigEndian.Uint32(data[4:])
	if version < 2 || version > 4 {
		return nil, fmt.Errorf("unsupported index version %d", version)
	}
	// The trailing checksum is not verified, as git itself does not on
	// every read (only "git fsck" does): hashing the file would cost as much
	// as parsing it. A damaged index still fails the structural checks.
	body := data[:len(data)-hashLen]
	n := int(binary.BigEndian.Uint32(data[8:]))
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
		ent := indexEntry{mode: filemode.FileMode(binary.BigEndian.Uint32(e[24:]))}
		ent.hash = (*git.Hash)(e[40:60])
		flags := uint16(e[60])<<8 | uint16(e[61])
		ent.stage = uint8(flags>>12) & 3
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
		end := p + 8 + int(binary.BigEndian.Uint32(body[p+4:]))
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
