package git

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// The staged and history sources read objects straight from the pack files
// (the git pack and index v2 formats that go-git's plumbing/format/packfile
// and idxfile implement) instead of through go-git's object storer. The
// storer is not safe for concurrent use on one Repository, resolves every
// delta chain from scratch, and at the first delta maps every object of a
// pack: a full sweep of redis ran several times slower than
// `git cat-file --batch-all-objects`, and a pre-commit scan of git/git spent
// 300 ms before reading its first blob. Here each pack and index is
// memory-mapped (pages are read only when touched), any goroutine can read
// any offset, alternates are followed, and the history blob phase inflates
// each object once, resolving deltas from bases it already holds
// (scanner/source/history_blobs.go).

// ODB reads objects from an objects directory and its alternates.
type ODB struct {
	format Format
	packs  []*Pack
	dirs   []string // objects directories, for loose objects
	// midxs are the multi-pack-indexes found; lone are the packs none of
	// them covers, looked up by their own index.
	midxs []*midx
	lone  []*Pack

	cache *baseCache // cache.go
	// keepBases caches the objects built while resolving delta chains
	// (the history walk); a one-shot reader (the staged scan) keeps none.
	keepBases bool
	zmu       sync.Mutex // guards z
	z         Inflater

	// Ordinals (ordinal.go): the first ordinal of each pack, and each
	// pack's number, computed once.
	ordOnce  sync.Once
	firstOrd []int
	packNum  map[*Pack]int
}

// OpenODB opens objectsDir and its alternates (objects/info/alternates,
// then the directories in extra, as GIT_ALTERNATE_OBJECT_DIRECTORIES names
// them). keepBases caches the delta bases that reads build, for a reader
// that will pass through them again.
// The cache holds cacheBytes (cache.go).
func OpenODB(objectsDir string, f Format, keepBases bool, extra ...string) (*ODB, error) {
	db := &ODB{format: f, cache: newBaseCache(), keepBases: keepBases}
	seen := map[string]bool{}
	var add func(dir string, depth int) error
	add = func(dir string, depth int) error {
		dir = filepath.Clean(dir)
		if seen[dir] || depth > 5 {
			return nil
		}
		seen[dir] = true
		db.dirs = append(db.dirs, dir)
		idxs, _ := filepath.Glob(filepath.Join(dir, "pack", "*.idx"))
		// Newest packs first: after a repack they hold most objects.
		sort.Slice(idxs, func(i, j int) bool {
			a, _ := os.Stat(idxs[i])
			b, _ := os.Stat(idxs[j])
			if a == nil || b == nil {
				return idxs[i] < idxs[j]
			}
			return a.ModTime().After(b.ModTime())
		})
		var dirPacks []*Pack
		for _, ip := range idxs {
			if _, err := os.Stat(strings.TrimSuffix(ip, ".idx") + ".pack"); err != nil {
				continue // a pack being written or removed
			}
			p, err := openPack(ip, f)
			if err != nil {
				return err
			}
			dirPacks = append(dirPacks, p)
		}
		db.packs = append(db.packs, dirPacks...)
		m, err := openMIDX(dir, f, dirPacks)
		if err != nil {
			return err
		}
		covered := map[*Pack]bool{}
		if m != nil {
			db.midxs = append(db.midxs, m)
			for _, p := range m.packs {
				covered[p] = true
			}
		}
		for _, p := range dirPacks {
			if !covered[p] {
				db.lone = append(db.lone, p)
			}
		}
		f, err := os.Open(filepath.Join(dir, "info", "alternates"))
		if err != nil {
			return nil
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" || line[0] == '#' {
				continue
			}
			if !filepath.IsAbs(line) {
				line = filepath.Join(dir, line)
			}
			if err := add(line, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := add(objectsDir, 0); err != nil {
		db.Close()
		return nil, err
	}
	for _, dir := range extra {
		if err := add(dir, 1); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// Close unmaps the packs. A closed ODB must not be used again.
func (db *ODB) Close() {
	for _, m := range db.midxs {
		m.close()
	}
	for _, p := range db.packs {
		p.close()
	}
}

// Format is the object format the ODB reads.
func (db *ODB) Format() Format { return db.format }

// HashSize is the length of an object name in bytes (in trees, indexes).
func (db *ODB) HashSize() int { return db.format.size }

// Packs are the packs of the objects directory and its alternates, newest
// first.
func (db *ODB) Packs() []*Pack { return db.packs }

// Locate finds h in the packs; ok is false when it is not packed (it may
// be loose).
func (db *ODB) Locate(h Hash) (Loc, bool) {
	for _, m := range db.midxs {
		if loc, ok := m.find(h); ok {
			return loc, true
		}
	}
	for _, p := range db.lone {
		if off, ok := p.Find(h); ok {
			return Loc{p, off}, true
		}
	}
	return Loc{}, false
}

// Get reads any object by hash, through the delta-base cache. It is used
// for commits, trees and tags (the walk) and for the odd blob whose base is
// outside the pack it is in.
func (db *ODB) Get(h Hash) (ObjectType, []byte, error) {
	if loc, ok := db.Locate(h); ok {
		typ, data, err := db.readPacked(loc)
		if err != nil {
			return 0, nil, Corruptf(h, "%v", err)
		}
		return typ, data, nil
	}
	if p := db.LoosePath(h); p != "" {
		typ, _, data, err := db.ReadLoose(p, h, -1)
		return typ, data, err
	}
	return 0, nil, Corruptf(h, "not found")
}

// Reader reads objects for one goroutine: it inflates with its own
// inflater, so readers on several goroutines do not wait for each other,
// and can build an object in a buffer the caller recycles. The delta-base
// cache is the ODB's, shared.
type Reader struct {
	db *ODB
	z  Inflater
	s  readScratch
}

// readScratch is what a read needs only while it runs, kept by a Reader
// for its next read: the history walk reads every tree through a delta
// chain, and these were most of its garbage after the objects themselves
// (issue 14).
type readScratch struct {
	chain []chainLink
	delta []byte
}

// NewReader returns a Reader of db for one goroutine.
func (db *ODB) NewReader() *Reader { return &Reader{db: db} }

// Get reads object h as ODB.Get does, building it in dst when dst is large
// enough (the result is then dst's memory: the caller must not reuse dst
// while it holds the result).
func (r *Reader) Get(h Hash, dst []byte) (ObjectType, []byte, error) {
	if loc, ok := r.db.Locate(h); ok {
		typ, data, err := r.db.readPackedWith(&r.z, &r.s, loc, dst)
		if err != nil {
			return 0, nil, Corruptf(h, "%v", err)
		}
		return typ, data, nil
	}
	return r.db.Get(h)
}

// ErrBlobTooLarge is returned by Read for an object over its size limit.
var ErrBlobTooLarge = errors.New("blob too large")

// Read returns object h, as Get does, unless limit >= 0 and the object is
// larger: then it returns ErrBlobTooLarge without building it.
func (db *ODB) Read(h Hash, limit int64) (ObjectType, []byte, error) {
	if limit < 0 {
		return db.Get(h)
	}
	if loc, ok := db.Locate(h); ok {
		size, err := db.packedSize(loc)
		if err != nil {
			return 0, nil, Corruptf(h, "%v", err)
		}
		if size > limit {
			return 0, nil, ErrBlobTooLarge
		}
		typ, data, err := db.readPacked(loc)
		if err != nil {
			return 0, nil, Corruptf(h, "%v", err)
		}
		return typ, data, nil
	}
	if p := db.LoosePath(h); p != "" {
		typ, _, data, err := db.ReadLoose(p, h, limit)
		if err == nil && data == nil {
			return typ, nil, ErrBlobTooLarge
		}
		return typ, data, err
	}
	return 0, nil, Corruptf(h, "not found")
}

// Typed reads object h, as Read does, and checks that it is a want.
func (db *ODB) Typed(h Hash, want ObjectType, limit int64) ([]byte, error) {
	typ, data, err := db.Read(h, limit)
	if err != nil {
		return nil, err
	}
	if typ != want {
		return nil, Corruptf(h, "expected a %s, found a %s", want, typ)
	}
	return data, nil
}

// packedSize is the size of the object at loc once built: the entry's size,
// or for a delta the target size its header declares.
func (db *ODB) packedSize(loc Loc) (int64, error) {
	e, err := loc.Pack.Header(loc.Off)
	if err != nil {
		return 0, err
	}
	if !e.IsDelta() {
		return e.Size, nil
	}
	db.zmu.Lock()
	defer db.zmu.Unlock()
	return db.z.deltaTargetSize(loc.Pack, e)
}

// chainLink is one delta of a chain being resolved, outermost first.
type chainLink struct {
	loc Loc
	e   EntryHeader
}

// maxDeltaChain bounds a delta chain (git's default depth is 50): a loop
// in a corrupt pack must end in an error.
const maxDeltaChain = 10000

// readPacked builds the object at loc. It follows the delta chain down to
// a base it has (a full entry, a cached base, or a base stored outside the
// pack), then applies the deltas back up.
//
// With keepBases, every object built on the way is cached for the next
// chain through it: the history walk reads successive versions of the same
// trees. Without, nothing is cached and the intermediate objects take turns
// in two buffers: git/git's root tree is 14 deltas of 22 KB deep, and a
// pre-commit scan pays for every fresh page it touches.
func (db *ODB) readPacked(loc Loc) (ObjectType, []byte, error) {
	return db.readPackedWith(nil, nil, loc, nil)
}

// readPackedWith is readPacked with the inflater z (nil: the ODB's shared
// one, under its lock), the scratch buffers of s (nil: none), and dst as
// the buffer of the object asked for when it is large enough.
func (db *ODB) readPackedWith(z *Inflater, s *readScratch, loc Loc, dst []byte) (ObjectType, []byte, error) {
	inflate := db.inflate
	if z != nil {
		inflate = z.Inflate
	}
	var chain []chainLink
	var delta []byte // never part of what is returned
	if s != nil {
		chain, delta = s.chain[:0], s.delta
		defer func() {
			s.chain = chain[:0]
			if cap(delta) <= maxReusedDelta {
				s.delta = delta
			}
		}()
	}
	var typ ObjectType
	var base []byte
	owned := true // base is this call's to overwrite (not a cached object)
	for {
		if len(chain) > maxDeltaChain {
			return 0, nil, errors.New("delta chain too long")
		}
		if len(chain) > 0 {
			if t, data, ok := db.cached(loc); ok {
				typ, base, owned = t, data, false
				break
			}
		}
		e, err := loc.Pack.Header(loc.Off)
		if err != nil {
			return 0, nil, err
		}
		switch e.Type {
		case ObjOfsDelta:
			chain = append(chain, chainLink{loc, e})
			loc = Loc{loc.Pack, e.BaseOff}
			continue
		case ObjRefDelta:
			chain = append(chain, chainLink{loc, e})
			if bl, ok := db.Locate(e.BaseHash); ok {
				loc = bl
				continue
			}
			p := db.LoosePath(e.BaseHash)
			if p == "" {
				return 0, nil, fmt.Errorf("delta base %s not found", e.BaseHash)
			}
			if typ, _, base, err = db.ReadLoose(p, e.BaseHash, -1); err != nil {
				return 0, nil, err
			}
		default:
			var buf []byte
			if len(chain) == 0 {
				buf = dst
			}
			if base, err = inflate(loc.Pack, e.DataOff, e.Size, buf); err != nil {
				return 0, nil, err
			}
			typ = e.Type
			if len(chain) > 0 && db.keepBases {
				db.remember(loc, typ, base)
				owned = false
			}
		}
		break
	}
	var spare []byte
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		var err error
		if delta, err = inflate(l.loc.Pack, l.e.DataOff, l.e.Size, delta); err != nil {
			return 0, nil, err
		}
		out := dst // the object asked for (i == 0) gets dst, or its own buffer
		if i > 0 {
			out = spare
		}
		out, err = ApplyDelta(out, base, delta)
		if err != nil {
			return 0, nil, err
		}
		spare = nil
		if owned {
			spare = base
		}
		base, owned = out, true
		if i > 0 && db.keepBases {
			db.remember(l.loc, typ, out)
			owned = false
		}
	}
	return typ, base, nil
}

func (db *ODB) inflate(p *Pack, off, size int64, buf []byte) ([]byte, error) {
	db.zmu.Lock()
	defer db.zmu.Unlock()
	return db.z.Inflate(p, off, size, buf)
}

// TypeOf returns the object type of the pack entry at loc by following
// delta headers to the base, memoising in memo.
func (db *ODB) TypeOf(loc Loc, memo map[Loc]ObjectType) (ObjectType, error) {
	var chain []Loc
	var typ ObjectType
	for {
		if t, ok := memo[loc]; ok {
			typ = t
			break
		}
		e, err := loc.Pack.Header(loc.Off)
		if err != nil {
			return 0, err
		}
		chain = append(chain, loc)
		if e.Type == ObjOfsDelta {
			loc = Loc{loc.Pack, e.BaseOff}
			continue
		}
		if e.Type == ObjRefDelta {
			bl, ok := db.Locate(e.BaseHash)
			if !ok {
				p := db.LoosePath(e.BaseHash)
				if p == "" {
					return 0, fmt.Errorf("delta base %s not found", e.BaseHash)
				}
				t, _, _, err := db.ReadLoose(p, e.BaseHash, 0)
				if err != nil {
					return 0, err
				}
				typ = t
				break
			}
			loc = bl
			continue
		}
		typ = e.Type
		break
	}
	for _, l := range chain {
		memo[l] = typ
	}
	return typ, nil
}

// HashesWithPrefix lists the objects whose hex name starts with prefix (at
// least 2 lowercase hex digits), from the pack indexes and the loose
// object directories, without reading any object.
func (db *ODB) HashesWithPrefix(prefix string) []Hash {
	var out []Hash
	seen := map[Hash]bool{}
	addIf := func(h Hash) {
		if !seen[h] && strings.HasPrefix(h.String(), prefix) {
			seen[h] = true
			out = append(out, h)
		}
	}
	lo, _ := hex.DecodeString(prefix[:len(prefix)&^1])
	for _, p := range db.packs {
		i := sort.Search(p.n, func(i int) bool {
			return bytes.Compare(p.names[i*p.hashLen:i*p.hashLen+len(lo)], lo) >= 0
		})
		for ; i < p.n && bytes.HasPrefix(p.names[i*p.hashLen:(i+1)*p.hashLen], lo); i++ {
			addIf(p.HashAt(i))
		}
	}
	for _, d := range db.dirs {
		files, _ := os.ReadDir(filepath.Join(d, prefix[:2]))
		for _, f := range files {
			if h, ok := ParseHash(prefix[:2] + f.Name()); ok && h.Len() == db.format.size {
				addIf(h)
			}
		}
	}
	return out
}
