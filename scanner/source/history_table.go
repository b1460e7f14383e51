package source

import "github.com/clayscan/clayscan/internal/git"

// A sweep keeps what the walk learns about each distinct blob until its
// blob phase ends. With a heap object and a map entry per blob (keyed by
// 32-byte ids, and scanned by the collector) that was the largest part of
// its memory, growing with the history (issue 14). blobTable keeps it in
// flat arrays indexed by the blob's object number: its ordinal in the
// packs (git.ODB.Ordinal), or for the few objects outside the packs a
// number past them, from a small map. About 9 bytes per object in the
// packs, and nothing for the collector to scan.
type blobTable struct {
	db     *git.ODB
	packed int // ordinals; numbers from here on are loose objects'
	flags  []uint8
	// commit is the walk order + 1 of the blob's first commit (0: none,
	// as for the range base's blobs and unreachable ones).
	commit []int32
	path   []int32 // index in paths
	// loose numbers the objects outside the packs.
	loose       map[hash]int32
	looseHashes []hash
	paths       []string
	pathIDs     map[string]int32
	// prev: in a range scan, the base's blob at the same path, whose
	// lines are not reported again (blobInfo.prev).
	prev map[int32]hash
}

const (
	blobSeen   = 1 << iota // the walk met it
	blobBase               // in the range's base: not scanned
	blobInHead             // in the tree that decides in_head
)

func newBlobTable(db *git.ODB) *blobTable {
	n := db.PackedObjects()
	return &blobTable{db: db, packed: n, flags: make([]uint8, n), commit: make([]int32, n), path: make([]int32, n),
		loose: map[hash]int32{}, pathIDs: map[string]int32{}}
}

// num returns h's number, from ord (its ordinal, or -1 when it is not
// packed or not yet looked up: then num looks).
func (t *blobTable) num(h hash, ord int32) int32 {
	if ord >= 0 {
		return ord
	}
	if o, ok := t.db.Ordinal(h); ok {
		return int32(o)
	}
	if o, ok := t.loose[h]; ok {
		return o
	}
	o := int32(t.packed + len(t.looseHashes))
	t.loose[h] = o
	t.looseHashes = append(t.looseHashes, h)
	t.flags = append(t.flags, 0)
	t.commit = append(t.commit, 0)
	t.path = append(t.path, 0)
	return o
}

// hash is the id of the object numbered o.
func (t *blobTable) hash(o int32) hash {
	if int(o) >= t.packed {
		return t.looseHashes[int(o)-t.packed]
	}
	return t.db.OrdinalHash(int(o))
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
	bi := blobInfo{path: t.paths[t.path[o]], inHead: t.flags[o]&blobInHead != 0, base: t.isBase(o)}
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
