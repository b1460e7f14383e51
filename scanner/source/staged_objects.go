package source

// Reading the objects a staged scan needs from loose files and packs.

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/objfile"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

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
