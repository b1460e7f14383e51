package source

import (
	"sync"

	"github.com/clayscan/clayscan/internal/git"
)

// A sweep keeps what the walk learns about each distinct blob until its
// blob phase ends. With a heap object and a map entry per blob (keyed by
// 32-byte ids, and scanned by the collector) that was the largest part of
// its memory, growing with the history (issue 14). blobTable keeps it in
// flat arrays indexed by the blob's object number: its ordinal in the
// packs (git.ODB.Ordinal), or for the few objects outside the packs a
// number past them, from a small map. About 9 bytes per object in the
// packs, and nothing for the collector to scan.
type blobTable struct {
	nums   *objNums
	packed int // ordinals; numbers from here on are loose objects'
	flags  []uint8
	// commit is the walk order + 1 of the blob's first commit (0: none,
	// as for the range base's blobs and unreachable ones).
	commit  []int32
	path    []int32 // index in paths
	paths   []string
	pathIDs map[string]int32
	// prev: in a range scan, the base's blob at the same path, whose
	// lines are not reported again (blobInfo.prev).
	prev map[int32]hash
}

const (
	blobSeen   = 1 << iota // the walk met it
	blobBase               // in the range's base: not scanned
	blobInHead             // in the tree that decides in_head
)

func newBlobTable(nums *objNums) *blobTable {
	n := nums.packed
	return &blobTable{nums: nums, packed: n, flags: make([]uint8, n), commit: make([]int32, n), path: make([]int32, n),
		pathIDs: map[string]int32{}}
}

// num returns h's number, from ord (its ordinal, or -1 when it is not
// packed or not yet looked up: then num looks).
func (t *blobTable) num(h hash, ord int32) int32 {
	o := ord
	if o < 0 {
		o = t.nums.num(h)
	}
	for int(o) >= len(t.flags) { // a loose object
		t.flags = append(t.flags, 0)
		t.commit = append(t.commit, 0)
		t.path = append(t.path, 0)
	}
	return o
}

// hash is the id of the object numbered o.
func (t *blobTable) hash(o int32) hash { return t.nums.hash(o) }

// objNums numbers objects: packed ones by their ordinal
// (git.ODB.Ordinal), the few others (loose, or missing) past them, from a
// map. Safe for concurrent use.
type objNums struct {
	db     *git.ODB
	packed int
	mu     sync.Mutex // guards loose and looseHashes
	loose  map[hash]int32
	// looseHashes[i] is the object numbered packed+i.
	looseHashes []hash
}

func newObjNums(db *git.ODB) *objNums {
	return &objNums{db: db, packed: db.PackedObjects(), loose: map[hash]int32{}}
}

// num returns h's number.
func (n *objNums) num(h hash) int32 {
	if o, ok := n.db.Ordinal(h); ok {
		return int32(o)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if o, ok := n.loose[h]; ok {
		return o
	}
	o := int32(n.packed + len(n.looseHashes))
	n.loose[h] = o
	n.looseHashes = append(n.looseHashes, h)
	return o
}

// hash is the id of the object numbered o.
func (n *objNums) hash(o int32) hash {
	if int(o) < n.packed {
		return n.db.OrdinalHash(int(o))
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.looseHashes[int(o)-n.packed]
}

// add records blob o's first (commit, path), unless the walk met it
// before.
func (t *blobTable) add(o int32, p string, c *commitNode, base bool) {
	if t.flags[o]&blobSeen != 0 {
		return
	}
	f := uint8(blobSeen)
	if base {
		f |= blobBase
	} else if c != nil {
		t.commit[o] = int32(c.order) + 1
	}
	t.flags[o] = f
	t.path[o] = t.pathID(p)
}

// isBase reports whether blob o is in the range's base.
func (t *blobTable) isBase(o int32) bool { return t.flags[o]&blobBase != 0 }

// pathID interns p: most blobs of a long history are versions of a few
// files.
func (t *blobTable) pathID(p string) int32 {
	if id, ok := t.pathIDs[p]; ok {
		return id
	}
	id := int32(len(t.paths))
	t.paths = append(t.paths, p)
	t.pathIDs[p] = id
	return id
}

// scanned reports whether blob o is one the blob phase reads.
func (t *blobTable) scanned(o int32) bool {
	return t.flags[o]&(blobSeen|blobBase) == blobSeen
}

// info is blob o as targets and skips name it; order is the walk order.
func (t *blobTable) info(o int32, order []*commitNode) blobInfo {
	bi := blobInfo{path: t.paths[t.path[o]], inHead: t.flags[o]&blobInHead != 0, base: t.isBase(o), num: o}
	if c := t.commit[o]; c > 0 {
		bi.commit = order[c-1]
	}
	if t.prev != nil {
		bi.prev = t.prev[o]
	}
	return bi
}

// objSet is a set of objects by number: a bitset over the ordinals, and a
// map for the objects outside the packs.
type objSet struct {
	db    *git.ODB
	bits  []uint64
	loose map[hash]struct{}
}

func newObjSet(db *git.ODB) *objSet {
	return &objSet{db: db, bits: make([]uint64, (db.PackedObjects()+63)/64), loose: map[hash]struct{}{}}
}

// add adds h and reports whether it was new.
func (s *objSet) add(h hash) bool {
	if o, ok := s.db.Ordinal(h); ok {
		w, b := o/64, uint64(1)<<(o%64)
		if s.bits[w]&b != 0 {
			return false
		}
		s.bits[w] |= b
		return true
	}
	if _, ok := s.loose[h]; ok {
		return false
	}
	s.loose[h] = struct{}{}
	return true
}
