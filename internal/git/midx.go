package git

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"
)

// The multi-pack-index (objects/pack/multi-pack-index, written by
// `git multi-pack-index write` and `git repack --write-midx`;
// Documentation/gitformat-pack.adoc): one sorted list of every object in
// several packs, with the pack and offset of each. git still keeps (and
// needs) each pack's own .idx; the midx makes a lookup one binary search
// instead of one per pack, which matters in a repository of many packs.

// midx is one mapped multi-pack-index.
type midx struct {
	data    []byte
	unmap   func() error
	hashLen int
	n       int
	packs   []*Pack // by pack-int-id
	fanout  []byte  // 256 × 4
	oids    []byte  // n × hashLen
	offs    []byte  // n × 8: pack-int-id, offset
	large   []byte  // 8-byte offsets, when some do not fit 31 bits
}

// openMIDX maps dir/pack/multi-pack-index, if there is one, and ties its
// packs to the ones already opened (by name). It returns nil, nil when
// there is none or it cannot be used (another hash, a pack it names is
// not there): the packs' own indexes are read instead, as git does.
func openMIDX(dir string, f Format, packs []*Pack) (*midx, error) {
	path := filepath.Join(dir, "pack", "multi-pack-index")
	data, unmap, err := MapFile(path)
	if err != nil {
		return nil, nil
	}
	m, err := parseMIDX(data, f, packs)
	if err != nil || m == nil {
		_ = unmap()
		return nil, err
	}
	m.unmap = unmap
	return m, nil
}

func parseMIDX(data []byte, f Format, packs []*Pack) (*midx, error) {
	bad := func(why string) error { return fmt.Errorf("multi-pack-index: %s", why) }
	if len(data) < 12 || string(data[:4]) != "MIDX" {
		return nil, bad("bad signature")
	}
	if v := data[4]; v != 1 && v != 2 {
		return nil, nil // a version we do not know: git warns and ignores it
	}
	if (data[5] == 1) != (f == SHA1) || (data[5] == 2) != (f == SHA256) {
		return nil, nil // another hash: git ignores it
	}
	if data[7] != 0 {
		return nil, nil // an incremental chain's layer: read the packs
	}
	chunks := int(data[6])
	npacks := int(binary.BigEndian.Uint32(data[8:]))
	m := &midx{data: data, hashLen: f.Size()}
	if 12+(chunks+1)*12 > len(data) {
		return nil, bad("truncated chunk table")
	}
	chunk := map[string][]byte{}
	for i := 0; i < chunks; i++ {
		e := data[12+i*12:]
		id := string(e[:4])
		start := binary.BigEndian.Uint64(e[4:])
		end := binary.BigEndian.Uint64(e[16:])
		if start > end || end > uint64(len(data)-m.hashLen) {
			return nil, bad("chunk " + fmt.Sprintf("%q", id) + " out of range")
		}
		chunk[id] = data[start:end]
	}
	names := chunk["PNAM"]
	m.fanout, m.oids, m.offs, m.large = chunk["OIDF"], chunk["OIDL"], chunk["OOFF"], chunk["LOFF"]
	if names == nil || len(m.fanout) != 256*4 {
		return nil, bad("missing chunks")
	}
	m.n = int(binary.BigEndian.Uint32(m.fanout[255*4:]))
	if len(m.oids) != m.n*m.hashLen || len(m.offs) != m.n*8 {
		return nil, bad("chunk sizes do not match the object count")
	}
	byName := map[string]*Pack{}
	for _, p := range packs {
		byName[p.name] = p
	}
	for i := 0; i < npacks; i++ {
		nul := bytes.IndexByte(names, 0)
		if nul < 0 {
			return nil, bad("truncated pack names")
		}
		name := strings.TrimSuffix(strings.TrimSuffix(string(names[:nul]), ".idx"), ".pack")
		names = names[nul+1:]
		p := byName[name]
		if p == nil {
			return nil, nil // a pack it names is gone: use the packs' indexes
		}
		m.packs = append(m.packs, p)
	}
	return m, nil
}

func (m *midx) close() {
	if m.unmap != nil {
		_ = m.unmap()
	}
}

// find returns where h is, when the midx lists it.
func (m *midx) find(h Hash) (Loc, bool) {
	hl := m.hashLen
	lo := 0
	if h[0] > 0 {
		lo = int(binary.BigEndian.Uint32(m.fanout[(int(h[0])-1)*4:]))
	}
	hi := int(binary.BigEndian.Uint32(m.fanout[int(h[0])*4:]))
	if hi > m.n || lo > hi {
		return Loc{}, false
	}
	for lo < hi {
		i := int(uint(lo+hi) >> 1)
		switch c := bytes.Compare(m.oids[i*hl:(i+1)*hl], h[:hl]); {
		case c < 0:
			lo = i + 1
		case c > 0:
			hi = i
		default:
			return m.loc(i)
		}
	}
	return Loc{}, false
}

// loc is the pack and offset of the midx's i-th object.
func (m *midx) loc(i int) (Loc, bool) {
	pid := int(binary.BigEndian.Uint32(m.offs[i*8:]))
	off := int64(binary.BigEndian.Uint32(m.offs[i*8+4:]))
	if pid >= len(m.packs) {
		return Loc{}, false
	}
	if m.large != nil && off&0x80000000 != 0 {
		j := int(off & 0x7fffffff)
		if (j+1)*8 > len(m.large) {
			return Loc{}, false
		}
		off = int64(binary.BigEndian.Uint64(m.large[j*8:]))
	}
	return Loc{Pack: m.packs[pid], Off: off}, true
}
