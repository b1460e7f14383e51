package git

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// ObjectType is a git object type, numbered as in a pack entry header.
type ObjectType int8

// Object types (the 3-bit type in a pack entry header).
const (
	ObjCommit   ObjectType = 1
	ObjTree     ObjectType = 2
	ObjBlob     ObjectType = 3
	ObjTag      ObjectType = 4
	ObjOfsDelta ObjectType = 6
	ObjRefDelta ObjectType = 7
)

var typeNames = [...]string{ObjCommit: "commit", ObjTree: "tree", ObjBlob: "blob", ObjTag: "tag"}

func (t ObjectType) String() string {
	if t > 0 && int(t) < len(typeNames) && typeNames[t] != "" {
		return typeNames[t]
	}
	return fmt.Sprintf("type %d", int(t))
}

// ErrCorrupt marks objects that are missing or cannot be decoded.
var ErrCorrupt = errors.New("corrupt or missing object")

// Corruptf returns an error naming the object; never its content.
func Corruptf(h Hash, format string, args ...any) error {
	return fmt.Errorf("object %s: %s: %w", h, fmt.Sprintf(format, args...), ErrCorrupt)
}

// Pack is one memory-mapped pack file and its index.
type Pack struct {
	name    string
	data    []byte
	idx     []byte
	n       int
	hashLen int    // 20 (SHA-1) or 32 (SHA-256)
	names   []byte // n × hashLen
	off32   []byte // n × 4
	off64   []byte
	unmaps  []func() error
}

func openPack(idxPath string, f Format) (*Pack, error) {
	p := &Pack{name: filepath.Base(strings.TrimSuffix(idxPath, ".idx")), hashLen: f.Size()}
	hl := p.hashLen
	idx, unmap, err := MapFile(idxPath)
	if err != nil {
		return nil, err
	}
	p.unmaps = append(p.unmaps, unmap)
	p.idx = idx
	if len(idx) < 8+256*4 || !bytes.Equal(idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(idx[4:]) != 2 {
		p.close()
		return nil, fmt.Errorf("%s: unsupported or corrupt pack index (only version 2 is read)", filepath.Base(idxPath))
	}
	// The fan-out table must not decrease: Find bisects between two of
	// its entries, which must lie within the n names (issue 12: a corrupt
	// index made Find slice past them).
	for i, prev := 0, uint32(0); i < 256; i++ {
		v := binary.BigEndian.Uint32(idx[8+i*4:])
		if v < prev {
			p.close()
			return nil, fmt.Errorf("%s: corrupt pack index (fan-out table decreases)", filepath.Base(idxPath))
		}
		prev = v
	}
	p.n = int(binary.BigEndian.Uint32(idx[8+255*4:]))
	base := 8 + 256*4
	need := base + p.n*(hl+4+4) + 2*hl
	if len(idx) < need {
		p.close()
		return nil, fmt.Errorf("%s: truncated pack index", filepath.Base(idxPath))
	}
	p.names = idx[base : base+p.n*hl]
	p.off32 = idx[base+p.n*(hl+4) : base+p.n*(hl+8)]
	p.off64 = idx[base+p.n*(hl+8) : len(idx)-2*hl]
	data, unmap, err := MapFile(strings.TrimSuffix(idxPath, ".idx") + ".pack")
	if err != nil {
		p.close()
		return nil, err
	}
	p.unmaps = append(p.unmaps, unmap)
	p.data = data
	if len(data) < 12+hl || string(data[:4]) != "PACK" {
		p.close()
		return nil, fmt.Errorf("%s.pack: not a pack file", p.name)
	}
	return p, nil
}

func (p *Pack) close() {
	for _, u := range p.unmaps {
		_ = u()
	}
	p.unmaps = nil
}

// Name is the pack's file name without its extension.
func (p *Pack) Name() string { return p.name }

// Len is the number of objects in the pack.
func (p *Pack) Len() int { return p.n }

func (p *Pack) fanout(b byte) int {
	if b == 0 {
		return 0
	}
	return int(binary.BigEndian.Uint32(p.idx[8+(int(b)-1)*4:]))
}

// HashAt is the name of the pack's i-th object (in hash order).
func (p *Pack) HashAt(i int) (h Hash) {
	copy(h[:], p.names[i*p.hashLen:(i+1)*p.hashLen])
	return h
}

// OffsetAt is the offset of the pack's i-th object, -1 when the index
// points outside its 64-bit offset table.
func (p *Pack) OffsetAt(i int) int64 {
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

// Find returns the offset of h in the pack.
//
// Object ids are uniformly distributed, so within h's fanout bucket an
// interpolation search on the id's next eight bytes lands next to h in two
// or three probes, where a binary search over a million objects takes
// thirteen (the history walk looks up every tree and blob it reads).
func (p *Pack) Find(h Hash) (int64, bool) {
	if i, ok := p.FindIndex(h); ok {
		return p.OffsetAt(i), true
	}
	return 0, false
}

// FindIndex returns h's position in the pack's index (hash order).
func (p *Pack) FindIndex(h Hash) (int, bool) {
	lo, hi := p.fanout(h[0]), int(binary.BigEndian.Uint32(p.idx[8+int(h[0])*4:]))
	key := binary.BigEndian.Uint64(h[1:9])
	// klo and khi bound the keys (bytes 1-8) of [lo, hi): the probes'
	// own keys, so that interpolating reads no entry but the probe (reading
	// the range's ends at every probe cost two more cache misses each, on
	// a 32 MB index; issue 14).
	klo, khi := uint64(0), ^uint64(0)
	for probes := 0; lo < hi; probes++ {
		m := int(uint(lo+hi) >> 1)
		if probes < 4 && hi-lo > 8 && klo < khi && klo <= key && key <= khi {
			// Object ids are uniform: interpolate within the bounds.
			m = lo + int(float64(key-klo)/float64(khi-klo)*float64(hi-lo))
			m = min(max(m, lo), hi-1)
		}
		name := p.names[m*p.hashLen : (m+1)*p.hashLen]
		k := binary.BigEndian.Uint64(name[1:9])
		c := 0
		if k != key {
			c = -1
			if k > key {
				c = 1
			}
		} else {
			c = bytes.Compare(name, h[:p.hashLen])
		}
		switch {
		case c < 0:
			lo, klo = m+1, k
		case c > 0:
			hi, khi = m, k
		default:
			return m, true
		}
	}
	return 0, false
}

// EntryHeader is a pack entry's header.
type EntryHeader struct {
	Type     ObjectType
	Size     int64 // inflated size of the entry (of the delta, for deltas)
	DataOff  int64 // where the zlib stream starts
	BaseOff  int64 // ObjOfsDelta: offset of the base in this pack
	BaseHash Hash  // ObjRefDelta
}

// IsDelta reports whether the entry is a delta against another object.
func (e EntryHeader) IsDelta() bool { return e.Type == ObjOfsDelta || e.Type == ObjRefDelta }

// Header reads the header of the entry at off.
func (p *Pack) Header(off int64) (EntryHeader, error) {
	var e EntryHeader
	if off < 12 || off >= int64(len(p.data)-p.hashLen) {
		return e, fmt.Errorf("offset %d outside %s.pack", off, p.name)
	}
	d := p.data[off:]
	c := d[0]
	e.Type = ObjectType(c>>4) & 7
	e.Size = int64(c & 15)
	i, shift := 1, 4
	for c&0x80 != 0 {
		if i >= len(d) || shift > 60 {
			return e, fmt.Errorf("bad entry header at %d in %s.pack", off, p.name)
		}
		c = d[i]
		e.Size |= int64(c&0x7f) << shift
		shift += 7
		i++
	}
	switch e.Type {
	case ObjOfsDelta:
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
		e.BaseOff = off - rel
		if e.BaseOff < 12 || rel <= 0 {
			return e, fmt.Errorf("bad delta base offset at %d in %s.pack", off, p.name)
		}
	case ObjRefDelta:
		if i+p.hashLen > len(d) {
			return e, fmt.Errorf("bad delta header at %d in %s.pack", off, p.name)
		}
		copy(e.BaseHash[:], d[i:i+p.hashLen])
		i += p.hashLen
	case ObjCommit, ObjTree, ObjBlob, ObjTag:
	default:
		return e, fmt.Errorf("unknown entry type %d at %d in %s.pack", e.Type, off, p.name)
	}
	e.DataOff = off + int64(i)
	return e, nil
}

// Loc is where an object lives: a pack entry, or loose (Pack == nil).
type Loc struct {
	Pack *Pack
	Off  int64
}
