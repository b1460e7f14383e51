package source

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
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
// (history_blobs.go). Loose objects go through go-git's objfile reader.

// Pack object types (the 3-bit type in a pack entry header).
const (
	objCommit   = 1
	objTree     = 2
	objBlob     = 3
	objTag      = 4
	objOfsDelta = 6
	objRefDelta = 7
)

var typeNames = [...]string{objCommit: "commit", objTree: "tree", objBlob: "blob", objTag: "tag"}

func typeName(t int) string {
	if t > 0 && t < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type %d", t)
}

type hash = plumbing.Hash

// errCorrupt marks objects that are missing or cannot be decoded.
var errCorrupt = errors.New("corrupt or missing object")

// corruptf returns an error naming the object; never its content.
func corruptf(h hash, format string, args ...any) error {
	return fmt.Errorf("object %s: %s: %w", h, fmt.Sprintf(format, args...), errCorrupt)
}

// pack is one memory-mapped pack file and its index.
type pack struct {
	name    string
	data    []byte
	idx     []byte
	n       int
	names   []byte // n × 20
	off32   []byte // n × 4
	off64   []byte
	unmaps  []func() error
	byOff   []int32 // entry numbers sorted by offset (built on demand)
	offOnce sync.Once
}

func openPack(idxPath string) (*pack, error) {
	p := &pack{name: filepath.Base(strings.TrimSuffix(idxPath, ".idx"))}
	idx, unmap, err := mapFile(idxPath)
	if err != nil {
		return nil, err
	}
	p.unmaps = append(p.unmaps, unmap)
	p.idx = idx
	if len(idx) < 8+256*4 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:]) != 2 {
		p.close()
		return nil, fmt.Errorf("%s: unsupported or corrupt pack index (only version 2 is read)", filepath.Base(idxPath))
	}
	p.n = int(binary.BigEndian.Uint32(idx[8+255*4:]))
	base := 8 + 256*4
	need := base + p.n*(20+4+4) + 40
	if len(idx) < need {
		p.close()
		return nil, fmt.Errorf("%s: truncated pack index", filepath.Base(idxPath))
	}
	p.names = idx[base : base+p.n*20]
	p.off32 = idx[base+p.n*24 : base+p.n*28]
	p.off64 = idx[base+p.n*28 : len(idx)-40]
	data, unmap, err := mapFile(strings.TrimSuffix(idxPath, ".idx") + ".pack")
	if err != nil {
		p.close()
		return nil, err
	}
	p.unmaps = append(p.unmaps, unmap)
	p.data = data
	if len(data) < 12+20 || string(data[:4]) != "PACK" {
		p.close()
		return nil, fmt.Errorf("%s.pack: not a pack file", p.name)
	}
	return p, nil
}

func (p *pack) close() {
	for _, u := range p.unmaps {
		_ = u()
	}
	p.unmaps = nil
}

func (p *pack) fanout(b byte) int {
	if b == 0 {
		return 0
	}
	return int(binary.BigEndian.Uint32(p.idx[8+(int(b)-1)*4:]))
}

func (p *pack) hashAt(i int) (h hash) {
	copy(h[:], p.names[i*20:])
	return h
}

func (p *pack) offsetAt(i int) int64 {
	o := binary.BigEndian.Uint32(p.off32[i*4:])
	if o&0x80000000 == 0 {
		return int64(o)
	}
	j := int(o & 0x7fffffff)
	if (j+1)*8 > len(p.off64) {
		return -1
	}
	return int64(binary.BigEndian.Uint64(p.off64[j*8:]))
}

// find returns the offset of h in the pack.
func (p *pack) find(h hash) (int64, bool) {
	lo, hi := p.fanout(h[0]), int(binary.BigEndian.Uint32(p.idx[8+int(h[0])*4:]))
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(p.names[m*20:m*20+20], h[:]); {
		case c < 0:
			lo = m + 1
		case c > 0:
			hi = m
		default:
			return p.offsetAt(m), true
		}
	}
	return 0, false
}

// entryHeader is a pack entry's header.
type entryHeader struct {
	typ      int
	size     int64 // inflated size of the entry (of the delta, for deltas)
	dataOff  int64 // where the zlib stream starts
	baseOff  int64 // objOfsDelta: offset of the base in this pack
	baseHash hash  // objRefDelta
}

func (p *pack) header(off int64) (entryHeader, error) {
	var e entryHeader
	if off < 12 || off >= int64(len(p.data))-20 {
		return e, fmt.Errorf("offset %d outside %s.pack", off, p.name)
	}
	d := p.data[off:]
	c := d[0]
	e.typ = int(c>>4) & 7
	e.size = int64(c & 15)
	i, shift := 1, 4
	for c&0x80 != 0 {
		if i >= len(d) || shift > 60 {
			return e, fmt.Errorf("bad entry header at %d in %s.pack", off, p.name)
		}
		c = d[i]
		e.size |= int64(c&0x7f) << shift
		shift += 7
		i++
	}
	switch e.typ {
	case objOfsDelta:
		if i >= len(d) {
			return e, fmt.Errorf("bad delta header at %d in %s.pack", off, p.name)
		}
		c = d[i]
		i++
		rel := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= len(d) || rel > 1<<55 {
				return e, fmt.Errorf("bad delta offset at %d in %s.pack", off, p.name)
			}
			c = d[i]
			i++
			rel = ((rel + 1) << 7) | int64(c&0x7f)
		}
		e.baseOff = off - rel
		if e.baseOff < 12 || rel <= 0 {
			return e, fmt.Errorf("bad delta base offset at %d in %s.pack", off, p.name)
		}
	case objRefDelta:
		if i+20 > len(d) {
			return e, fmt.Errorf("bad delta header at %d in %s.pack", off, p.name)
		}
		copy(e.baseHash[:], d[i:i+20])
		i += 20
	case objCommit, objTree, objBlob, objTag:
	default:
		return e, fmt.Errorf("unknown entry type %d at %d in %s.pack", e.typ, off, p.name)
	}
	e.dataOff = off + int64(i)
	return e, nil
}

// inflater inflates zlib streams from a mapped pack. One per goroutine.
type inflater struct {
	br bytes.Reader
	zr io.ReadCloser
	// delta is inflateDelta's buffer, reused from one delta to the next.
	delta []byte
}

// maxReusedDelta bounds the delta buffer an inflater keeps between calls.
const maxReusedDelta = 1 << 20

// inflateDelta inflates a delta that is only needed until the next call,
// into a buffer the inflater reuses.
func (z *inflater) inflateDelta(p *pack, off, size int64) ([]byte, error) {
	d, err := z.inflate(p, off, size, z.delta)
	if err == nil && cap(d) <= maxReusedDelta {
		z.delta = d
	}
	return d, err
}

// reader returns the inflater's zlib reader, reset to the stream at the
// start of src.
func (z *inflater) reader(src []byte) (io.Reader, error) {
	z.br.Reset(src)
	var err error
	if z.zr == nil {
		z.zr, err = zlib.NewReader(&z.br)
	} else {
		err = z.zr.(zlib.Resetter).Reset(&z.br, nil)
	}
	return z.zr, err
}

// inflate returns the size bytes that the zlib stream at p.data[off:]
// inflates to, in buf when it is large enough.
func (z *inflater) inflate(p *pack, off, size int64, buf []byte) ([]byte, error) {
	if _, err := z.reader(p.data[off:]); err != nil {
		return nil, err
	}
	if int64(cap(buf)) >= size {
		buf = buf[:size]
	} else {
		buf = make([]byte, size)
	}
	if _, err := io.ReadFull(z.zr, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// deltaSizes reads the source and target sizes at the start of a delta.
func deltaSizes(delta []byte) (src, dst int64, rest []byte, ok bool) {
	var v [2]int64
	for k := range v {
		var shift uint
		for {
			if len(delta) == 0 || shift > 56 {
				return 0, 0, nil, false
			}
			c := delta[0]
			delta = delta[1:]
			v[k] |= int64(c&0x7f) << shift
			shift += 7
			if c&0x80 == 0 {
				break
			}
		}
	}
	return v[0], v[1], delta, true
}

// applyDelta builds the target of a git delta from its base, in dst when
// it is large enough (dst must not overlap base).
func applyDelta(dst, base, delta []byte) ([]byte, error) {
	srcSize, dstSize, d, ok := deltaSizes(delta)
	if !ok || srcSize != int64(len(base)) || dstSize < 0 || dstSize > 1<<40 {
		return nil, errors.New("invalid delta header")
	}
	out := dst[:0]
	if int64(cap(out)) < dstSize {
		out = make([]byte, 0, dstSize)
	}
	for len(d) > 0 {
		cmd := d[0]
		d = d[1:]
		if cmd&0x80 != 0 {
			var off, n uint64
			for k := uint(0); k < 4; k++ {
				if cmd&(1<<k) != 0 {
					if len(d) == 0 {
						return nil, errors.New("truncated delta")
					}
					off |= uint64(d[0]) << (8 * k)
					d = d[1:]
				}
			}
			for k := uint(0); k < 3; k++ {
				if cmd&(0x10<<k) != 0 {
					if len(d) == 0 {
						return nil, errors.New("truncated delta")
					}
					n |= uint64(d[0]) << (8 * k)
					d = d[1:]
				}
			}
			if n == 0 {
				n = 0x10000
			}
			if off+n > uint64(len(base)) || int64(len(out))+int64(n) > dstSize {
				return nil, errors.New("delta copy out of range")
			}
			out = append(out, base[off:off+n]...)
		} else if cmd != 0 {
			n := int(cmd)
			if n > len(d) || int64(len(out)+n) > dstSize {
				return nil, errors.New("delta insert out of range")
			}
			out = append(out, d[:n]...)
			d = d[n:]
		} else {
			return nil, errors.New("reserved delta command")
		}
	}
	if int64(len(out)) != dstSize {
		return nil, errors.New("delta result has the wrong size")
	}
	return out, nil
}

// objLoc is where an object lives: a pack entry, or loose (p == nil).
type objLoc struct {
	p   *pack
	off int64
}

// odb reads objects from an objects directory and its alternates.
type odb struct {
	packs []*pack
	dirs  []string // objects directories, for loose objects

	mu        sync.Mutex
	cache     map[objLoc]*cacheEntry
	cacheHead *cacheEntry // most recently used
	cacheSize int64
	cacheMax  int64
	// keepBases caches the objects built while resolving delta chains
	// (the history walk); a one-shot reader (the staged scan) keeps none.
	keepBases bool
	zmu       sync.Mutex // guards z
	z         inflater
}

type cacheEntry struct {
	key        objLoc
	typ        int
	data       []byte
	prev, next *cacheEntry
}

// openODB opens objectsDir and its alternates. keepBases caches the delta
// bases that reads build, for a reader that will pass through them again.
func openODB(objectsDir string, keepBases bool) (*odb, error) {
	db := &odb{cache: map[objLoc]*cacheEntry{}, cacheMax: 96 << 20, keepBases: keepBases}
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
		for _, ip := range idxs {
			if _, err := os.Stat(strings.TrimSuffix(ip, ".idx") + ".pack"); err != nil {
				continue // a pack being written or removed
			}
			p, err := openPack(ip)
			if err != nil {
				return err
			}
			db.packs = append(db.packs, p)
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
		db.close()
		return nil, err
	}
	return db, nil
}

func (db *odb) close() {
	for _, p := range db.packs {
		p.close()
	}
}

// locate finds h in the packs; ok is false when it is not packed (it may be
// loose).
func (db *odb) locate(h hash) (objLoc, bool) {
	for _, p := range db.packs {
		if off, ok := p.find(h); ok {
			return objLoc{p, off}, true
		}
	}
	return objLoc{}, false
}

func (db *odb) loosePath(h hash) string {
	s := h.String()
	for _, d := range db.dirs {
		p := filepath.Join(d, s[:2], s[2:])
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// readLoose reads a loose object, through the odb's shared inflater.
func (db *odb) readLoose(path string, h hash, maxSize int64) (typ int, size int64, data []byte, err error) {
	db.zmu.Lock()
	defer db.zmu.Unlock()
	return db.z.readLoose(path, h, maxSize)
}

// looseTypes maps a loose object header's type name to its pack type.
var looseTypes = map[string]int{"commit": objCommit, "tree": objTree, "blob": objBlob, "tag": objTag}

// readLoose reads a loose object: a zlib stream of "<type> <size>\0"
// and the content. maxSize < 0 means no limit; an object over it returns
// its type and size and nil data. Like git, it does not hash the content
// to check it (git fsck does): go-git's objfile reader did, with a
// collision-detecting SHA-1, on every blob a pre-commit scan reads.
func (z *inflater) readLoose(path string, h hash, maxSize int64) (typ int, size int64, data []byte, err error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, nil, corruptf(h, "%v", err)
	}
	r, err := z.reader(raw)
	if err != nil {
		return 0, 0, nil, corruptf(h, "%v", err)
	}
	// The header is at most "commit " and a 20-digit size and a NUL.
	var buf [64]byte
	n, nul := 0, -1
	for nul < 0 && n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		nul = bytes.IndexByte(buf[:n], 0)
		if err != nil && nul < 0 {
			return 0, 0, nil, corruptf(h, "loose object header: %v", err)
		}
	}
	name, sizeText, ok := strings.Cut(string(buf[:max(nul, 0)]), " ")
	typ = looseTypes[name]
	size, serr := strconv.ParseInt(sizeText, 10, 64)
	if nul < 0 || !ok || typ == 0 || serr != nil || size < 0 {
		return 0, 0, nil, corruptf(h, "malformed loose object header")
	}
	if maxSize >= 0 && size > maxSize {
		return typ, size, nil, nil
	}
	data = make([]byte, size)
	got := copy(data, buf[nul+1:n])
	if _, err := io.ReadFull(r, data[got:]); err != nil {
		return 0, 0, nil, corruptf(h, "%v", err)
	}
	return typ, size, data, nil
}

// get reads any object by hash, through the delta-base cache. It is used
// for commits, trees and tags (the walk) and for the odd blob whose base is
// outside the pack it is in.
func (db *odb) get(h hash) (int, []byte, error) {
	if loc, ok := db.locate(h); ok {
		typ, data, err := db.readPacked(loc)
		if err != nil {
			return 0, nil, corruptf(h, "%v", err)
		}
		return typ, data, nil
	}
	if p := db.loosePath(h); p != "" {
		typ, _, data, err := db.readLoose(p, h, -1)
		return typ, data, err
	}
	return 0, nil, corruptf(h, "not found")
}

// errBlobTooLarge is returned by read for an object over its size limit.
var errBlobTooLarge = errors.New("blob too large")

// read returns object h, as get does, unless limit >= 0 and the object is
// larger: then it returns errBlobTooLarge without building it.
func (db *odb) read(h hash, limit int64) (int, []byte, error) {
	if limit < 0 {
		return db.get(h)
	}
	if loc, ok := db.locate(h); ok {
		size, err := db.packedSize(loc)
		if err != nil {
			return 0, nil, corruptf(h, "%v", err)
		}
		if size > limit {
			return 0, nil, errBlobTooLarge
		}
		return db.get(h)
	}
	if p := db.loosePath(h); p != "" {
		typ, _, data, err := db.readLoose(p, h, limit)
		if err == nil && data == nil {
			return typ, nil, errBlobTooLarge
		}
		return typ, data, err
	}
	return 0, nil, corruptf(h, "not found")
}

// typed reads object h, as read does, and checks that it is a want.
func (db *odb) typed(h hash, want int, limit int64) ([]byte, error) {
	typ, data, err := db.read(h, limit)
	if err != nil {
		return nil, err
	}
	if typ != want {
		return nil, corruptf(h, "expected a %s, found a %s", typeName(want), typeName(typ))
	}
	return data, nil
}

// packedSize is the size of the object at loc once built: the entry's size,
// or for a delta the target size its header declares.
func (db *odb) packedSize(loc objLoc) (int64, error) {
	e, err := loc.p.header(loc.off)
	if err != nil {
		return 0, err
	}
	if e.typ != objOfsDelta && e.typ != objRefDelta {
		return e.size, nil
	}
	delta, err := db.inflate(loc.p, e.dataOff, e.size, nil)
	if err != nil {
		return 0, err
	}
	_, dst, _, ok := deltaSizes(delta)
	if !ok {
		return 0, errors.New("bad delta header")
	}
	return dst, nil
}

// chainLink is one delta of a chain being resolved, outermost first.
type chainLink struct {
	loc objLoc
	e   entryHeader
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
func (db *odb) readPacked(loc objLoc) (int, []byte, error) {
	var chain []chainLink
	var typ int
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
		e, err := loc.p.header(loc.off)
		if err != nil {
			return 0, nil, err
		}
		switch e.typ {
		case objOfsDelta:
			chain = append(chain, chainLink{loc, e})
			loc = objLoc{loc.p, e.baseOff}
			continue
		case objRefDelta:
			chain = append(chain, chainLink{loc, e})
			if bl, ok := db.locate(e.baseHash); ok {
				loc = bl
				continue
			}
			p := db.loosePath(e.baseHash)
			if p == "" {
				return 0, nil, fmt.Errorf("delta base %s not found", e.baseHash)
			}
			if typ, _, base, err = db.readLoose(p, e.baseHash, -1); err != nil {
				return 0, nil, err
			}
		default:
			if base, err = db.inflate(loc.p, e.dataOff, e.size, nil); err != nil {
				return 0, nil, err
			}
			typ = e.typ
			if len(chain) > 0 && db.keepBases {
				db.remember(loc, typ, base)
				owned = false
			}
		}
		break
	}
	var spare, delta []byte
	for i := len(chain) - 1; i >= 0; i-- {
		l := chain[i]
		var err error
		if delta, err = db.inflate(l.loc.p, l.e.dataOff, l.e.size, delta); err != nil {
			return 0, nil, err
		}
		var dst []byte
		if i > 0 {
			dst = spare // the object asked for (i == 0) gets its own buffer
		}
		out, err := applyDelta(dst, base, delta)
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

func (db *odb) inflate(p *pack, off, size int64, buf []byte) ([]byte, error) {
	db.zmu.Lock()
	defer db.zmu.Unlock()
	return db.z.inflate(p, off, size, buf)
}

// cached returns the base cached for loc, if any.
func (db *odb) cached(loc objLoc) (int, []byte, bool) {
	db.mu.Lock()
	defer db.mu.Unlock()
	ce, ok := db.cache[loc]
	if !ok {
		return 0, nil, false
	}
	db.touch(ce)
	return ce.typ, ce.data, true
}

// remember caches data as the object at loc, evicting the least recently
// used bases over the cache's size. Cached data is never modified.
func (db *odb) remember(loc objLoc, typ int, data []byte) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if _, ok := db.cache[loc]; ok || int64(len(data)) >= db.cacheMax/4 {
		return
	}
	ce := &cacheEntry{key: loc, typ: typ, data: data}
	db.cache[loc] = ce
	db.cacheSize += int64(len(data))
	db.touch(ce)
	for db.cacheSize > db.cacheMax && db.cacheHead != nil {
		last := db.cacheHead.prev
		db.unlink(last)
		delete(db.cache, last.key)
		db.cacheSize -= int64(len(last.data))
	}
}

// dropCache frees the delta-base cache once the walk no longer needs it.
func (db *odb) dropCache() {
	db.mu.Lock()
	db.cache = map[objLoc]*cacheEntry{}
	db.cacheHead, db.cacheSize = nil, 0
	db.cacheMax = 16 << 20
	db.mu.Unlock()
}

// touch moves ce to the front of the LRU ring (db.mu held).
func (db *odb) touch(ce *cacheEntry) {
	if db.cacheHead == ce {
		return
	}
	if ce.next != nil {
		db.unlink(ce)
	}
	if db.cacheHead == nil {
		ce.prev, ce.next = ce, ce
	} else {
		h := db.cacheHead
		ce.next, ce.prev = h, h.prev
		h.prev.next = ce
		h.prev = ce
	}
	db.cacheHead = ce
}

func (db *odb) unlink(ce *cacheEntry) {
	if ce.next == ce {
		db.cacheHead = nil
	} else {
		ce.prev.next = ce.next
		ce.next.prev = ce.prev
		if db.cacheHead == ce {
			db.cacheHead = ce.next
		}
	}
	ce.prev, ce.next = nil, nil
}

// looseHashes lists the loose objects' hashes, for --all-objects.
func (db *odb) looseHashes() []hash {
	var out []hash
	for _, d := range db.dirs {
		subs, _ := os.ReadDir(d)
		for _, s := range subs {
			if len(s.Name()) != 2 || !s.IsDir() {
				continue
			}
			files, _ := os.ReadDir(filepath.Join(d, s.Name()))
			for _, f := range files {
				if h, ok := parseHash(s.Name() + f.Name()); ok {
					out = append(out, h)
				}
			}
		}
	}
	return out
}

func parseHash(s string) (hash, bool) {
	if len(s) != 40 {
		return hash{}, false
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return hash{}, false
		}
	}
	return plumbing.NewHash(s), true
}

// typeOf returns the object type of the pack entry at loc by following
// delta headers to the base, memoising in memo.
func (db *odb) typeOf(loc objLoc, memo map[objLoc]int8) (int, error) {
	var chain []objLoc
	typ := 0
	for {
		if t, ok := memo[loc]; ok {
			typ = int(t)
			break
		}
		e, err := loc.p.header(loc.off)
		if err != nil {
			return 0, err
		}
		chain = append(chain, loc)
		if e.typ == objOfsDelta {
			loc = objLoc{loc.p, e.baseOff}
			continue
		}
		if e.typ == objRefDelta {
			bl, ok := db.locate(e.baseHash)
			if !ok {
				p := db.loosePath(e.baseHash)
				if p == "" {
					return 0, fmt.Errorf("delta base %s not found", e.baseHash)
				}
				t, _, _, err := db.readLoose(p, e.baseHash, 0)
				if err != nil {
					return 0, err
				}
				typ = t
				break
			}
			loc = bl
			continue
		}
		typ = e.typ
		break
	}
	for _, l := range chain {
		memo[l] = int8(typ)
	}
	return typ, nil
}
