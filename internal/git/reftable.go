package git

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// The reftable ref storage (git init --ref-format=reftable, git >= 2.45;
// Documentation/technical/reftable.adoc): a stack of tables listed in
// reftable/tables.list, oldest first. Each table holds ref blocks ('r'),
// then optional index ('i'), object ('o') and log ('g') blocks, and a
// footer. Records in a block are prefix-compressed against the record
// before; restart points (records stored whole) are listed at the block's
// end. A later table's record for a name overrides an earlier one's, and a
// deletion record removes it. go-git has no reftable reader; this one
// reads whole tables, which are small (git compacts the stack
// geometrically), and keeps the merged view.

// errReftable marks a reftable that cannot be read.
var errReftable = errors.New("malformed reftable")

// reftableBackend is one worktree's view of a reftable repository: the
// common stack and, in a linked worktree, the worktree's own stack for its
// per-worktree refs.
type reftableBackend struct {
	shared map[string]Ref // from the common stack
	own    map[string]Ref // per-worktree refs (from the worktree's stack)
	logs   map[string][]Hash
	ownLog map[string][]Hash
}

func openReftableBackend(gitDir, commonDir string, f Format) (*reftableBackend, error) {
	main, err := readReftableStack(filepath.Join(commonDir, "reftable"), f)
	if err != nil {
		return nil, err
	}
	b := &reftableBackend{shared: main.refs, own: main.refs, logs: main.logs, ownLog: main.logs}
	if !sameDir(gitDir, commonDir) {
		wt, err := readReftableStack(filepath.Join(gitDir, "reftable"), f)
		if err != nil {
			return nil, err
		}
		b.own, b.ownLog = wt.refs, wt.logs
	}
	return b, nil
}

func (b *reftableBackend) mapFor(name string) map[string]Ref {
	if isPerWorktree(name) {
		return b.own
	}
	return b.shared
}

func (b *reftableBackend) read(name string) (Ref, bool, error) {
	r, ok := b.mapFor(name)[name]
	return r, ok, nil
}

func (b *reftableBackend) list() ([]Ref, error) {
	all := map[string]Ref{}
	for n, r := range b.shared {
		if strings.HasPrefix(n, "refs/") && !isPerWorktree(n) {
			all[n] = r
		}
	}
	for n, r := range b.own {
		if strings.HasPrefix(n, "refs/") && isPerWorktree(n) {
			all[n] = r
		}
	}
	return sortedRefs(all), nil
}

func (b *reftableBackend) perWorktree() ([]Ref, error) {
	all := map[string]Ref{}
	for n, r := range b.own {
		if isPerWorktree(n) && (n == "HEAD" || strings.HasPrefix(n, "refs/")) {
			all[n] = r
		}
	}
	return sortedRefs(all), nil
}

func (b *reftableBackend) reflog(name string) ([]Hash, error) {
	if isPerWorktree(name) {
		return b.ownLog[name], nil
	}
	return b.logs[name], nil
}

// reftableStack is the merged content of one stack.
type reftableStack struct {
	refs map[string]Ref
	logs map[string][]Hash // new values, oldest first
}

// readReftableStack reads dir/tables.list and merges its tables in order.
// A missing stack (a worktree that has written no ref yet) is empty.
func readReftableStack(dir string, f Format) (*reftableStack, error) {
	st := &reftableStack{refs: map[string]Ref{}, logs: map[string][]Hash{}}
	list, err := os.ReadFile(filepath.Join(dir, "tables.list"))
	if errors.Is(err, fs.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the reftable stack: %w", err)
	}
	type logKey struct {
		name string
		idx  uint64
	}
	logs := map[logKey]*Hash{} // nil: deleted
	for line := range strings.SplitSeq(string(list), "\n") {
		name := strings.TrimSpace(line)
		if name == "" {
			continue
		}
		if strings.ContainsAny(name, `/\`) {
			return nil, fmt.Errorf("reftable/tables.list names %q: %w", name, errReftable)
		}
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("reading reftable %s: %w", name, err)
		}
		t, err := parseReftable(data, f)
		if err != nil {
			return nil, fmt.Errorf("reftable %s: %w", name, err)
		}
		for _, r := range t.refs {
			if r.deleted {
				delete(st.refs, r.ref.Name)
			} else {
				st.refs[r.ref.Name] = r.ref
			}
		}
		for _, l := range t.logs {
			k := logKey{l.name, l.updateIndex}
			if l.deleted {
				logs[k] = nil
			} else {
				h := l.newHash
				logs[k] = &h
			}
		}
	}
	keys := make([]logKey, 0, len(logs))
	for k := range logs {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].idx < keys[j].idx })
	for _, k := range keys {
		if h := logs[k]; h != nil && !h.IsZero() {
			st.logs[k.name] = append(st.logs[k.name], *h)
		}
	}
	return st, nil
}

type reftableRef struct {
	ref     Ref
	deleted bool
}

type reftableLog struct {
	name        string
	updateIndex uint64
	newHash     Hash
	deleted     bool
}

type reftable struct {
	refs []reftableRef
	logs []reftableLog
}

// parseReftable reads every ref and log record of one table.
func parseReftable(data []byte, f Format) (*reftable, error) {
	if len(data) < 24 || string(data[:4]) != "REFT" {
		return nil, fmt.Errorf("no reftable header: %w", errReftable)
	}
	version := data[4]
	hdrLen, footLen := 24, 68
	switch version {
	case 1:
		if f != SHA1 {
			return nil, fmt.Errorf("a version 1 table in a %s repository: %w", f, errReftable)
		}
	case 2:
		hdrLen, footLen = 28, 72
		if len(data) < hdrLen {
			return nil, fmt.Errorf("truncated header: %w", errReftable)
		}
		id := string(data[24:28])
		if (id == "sha1" && f != SHA1) || (id == "s256" && f != SHA256) || (id != "sha1" && id != "s256") {
			return nil, fmt.Errorf("hash id %q does not match the repository's %s: %w", id, f, errReftable)
		}
	default:
		return nil, fmt.Errorf("unsupported reftable version %d: %w", version, errReftable)
	}
	if len(data) < hdrLen+footLen {
		return nil, fmt.Errorf("truncated table: %w", errReftable)
	}
	foot := data[len(data)-footLen:]
	if !bytes.Equal(foot[:hdrLen], data[:hdrLen]) {
		return nil, fmt.Errorf("footer does not repeat the header: %w", errReftable)
	}
	if crc32.ChecksumIEEE(foot[:footLen-4]) != binary.BigEndian.Uint32(foot[footLen-4:]) {
		return nil, fmt.Errorf("footer checksum mismatch: %w", errReftable)
	}
	blockSize := int(uint24(data[5:]))
	minIdx := binary.BigEndian.Uint64(data[8:])
	logPos := int(binary.BigEndian.Uint64(foot[hdrLen+24:]))
	end := len(data) - footLen
	t := &reftable{}
	p := tableParser{data: data[:end], f: f, minIdx: minIdx}

	// Ref blocks, from the first block (which holds the header) until a
	// block of another type.
	off := 0
	for first := true; off < end; first = false {
		hdr := off
		if first {
			hdr = hdrLen
		}
		if hdr+4 > end {
			break
		}
		typ := data[hdr]
		if typ != 'r' {
			break
		}
		blen := int(uint24(data[hdr+1:]))
		if blen < hdr-off+4+2 || off+blen > end {
			return nil, fmt.Errorf("ref block at %d: bad length: %w", off, errReftable)
		}
		if err := p.refBlock(data[off:off+blen], hdr-off+4, t); err != nil {
			return nil, fmt.Errorf("ref block at %d: %w", off, err)
		}
		if blockSize > 0 {
			off += blockSize
		} else {
			off += blen
		}
	}
	if logPos == 0 {
		if len(data) >= hdrLen+4 && data[hdrLen] == 'g' && end > hdrLen {
			logPos = hdrLen // a log-only table: its first log block follows the header
		} else {
			return t, nil
		}
	}
	// Log blocks: deflated, unaligned, one after another.
	off = logPos
	for off+4 <= end && data[off] == 'g' {
		// The first block of a log-only table shares the file's first
		// block: its length and restart offsets count the file header.
		headerOff := 0
		if off == hdrLen {
			headerOff = hdrLen
		}
		blen := int(uint24(data[off+1:]))
		if blen < headerOff+4+2 {
			return nil, fmt.Errorf("log block at %d: bad length: %w", off, errReftable)
		}
		br := bytes.NewReader(data[off+4 : end])
		zr, err := zlib.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("log block at %d: %v: %w", off, err, errReftable)
		}
		block := make([]byte, blen)
		copy(block, data[off-headerOff:off+4])
		if _, err := io.ReadFull(zr, block[headerOff+4:]); err != nil {
			return nil, fmt.Errorf("log block at %d: %v: %w", off, err, errReftable)
		}
		// Read to the end of the stream so that br stops past its checksum.
		if _, err := io.Copy(io.Discard, zr); err != nil {
			return nil, fmt.Errorf("log block at %d: %v: %w", off, err, errReftable)
		}
		if err := p.logBlock(block, headerOff+4, t); err != nil {
			return nil, fmt.Errorf("log block at %d: %w", off, err)
		}
		off = end - br.Len()
	}
	return t, nil
}

func uint24(b []byte) uint32 { return uint32(b[0])<<16 | uint32(b[1])<<8 | uint32(b[2]) }

// tableParser decodes the records of one table's blocks.
type tableParser struct {
	data   []byte
	f      Format
	minIdx uint64
}

// records splits a block into its record area, checking the restart
// table at its end: restart_count uint16 after that many uint24 offsets,
// each the offset (from the block's start) of a record stored whole.
func records(block []byte, start int) ([]byte, error) {
	if len(block) < start+2 {
		return nil, fmt.Errorf("block too short: %w", errReftable)
	}
	n := int(binary.BigEndian.Uint16(block[len(block)-2:]))
	rt := len(block) - 2 - 3*n
	if n == 0 || rt < start {
		return nil, fmt.Errorf("bad restart table: %w", errReftable)
	}
	prev := 0
	for i := 0; i < n; i++ {
		o := int(uint24(block[rt+3*i:]))
		if o < start || o >= rt || o < prev {
			return nil, fmt.Errorf("restart offset out of range: %w", errReftable)
		}
		prev = o
	}
	return block[:rt], nil
}

// varint reads git's offset varint (each continuation adds one before
// shifting): reftable records and index v4 path prefixes use it.
func varint(b []byte) (uint64, []byte, bool) {
	if len(b) == 0 {
		return 0, nil, false
	}
	c := b[0]
	v := uint64(c & 0x7f)
	i := 1
	for c&0x80 != 0 {
		if i >= len(b) || v > 1<<56 {
			return 0, nil, false
		}
		c = b[i]
		i++
		v = ((v + 1) << 7) | uint64(c&0x7f)
	}
	return v, b[i:], true
}

// key decodes a record's prefix-compressed key against the previous one;
// it returns the key, the 3 extra bits and the rest.
func key(b []byte, prev []byte) (k []byte, extra uint8, rest []byte, err error) {
	prefix, b, ok1 := varint(b)
	sx, b, ok2 := varint(b)
	suffix := sx >> 3
	if !ok1 || !ok2 || prefix > uint64(len(prev)) || suffix > uint64(len(b)) {
		return nil, 0, nil, fmt.Errorf("bad record key: %w", errReftable)
	}
	k = make([]byte, 0, int(prefix+suffix))
	k = append(append(k, prev[:prefix]...), b[:suffix]...)
	return k, uint8(sx & 7), b[suffix:], nil
}

func (p *tableParser) hash(b []byte) (Hash, []byte, bool) {
	n := p.f.Size()
	if len(b) < n {
		return ZeroHash, nil, false
	}
	return HashFromBytes(b[:n]), b[n:], true
}

func (p *tableParser) refBlock(block []byte, start int, t *reftable) error {
	recs, err := records(block, start)
	if err != nil {
		return err
	}
	b := recs[start:]
	var prev []byte
	for len(b) > 0 {
		k, typ, rest, err := key(b, prev)
		if err != nil {
			return err
		}
		prev = k
		if _, rest, ok := varint(rest); !ok { // update_index delta
			return fmt.Errorf("bad update index: %w", errReftable)
		} else {
			b = rest
		}
		name := string(k)
		r := reftableRef{ref: Ref{Name: name}}
		var ok bool
		switch typ {
		case 0:
			r.deleted = true
		case 1:
			r.ref.Hash, b, ok = p.hash(b)
		case 2:
			if r.ref.Hash, b, ok = p.hash(b); ok {
				_, b, ok = p.hash(b) // the peeled object: the walk peels itself
			}
		case 3:
			var n uint64
			if n, b, ok = varint(b); ok && n <= uint64(len(b)) && n > 0 {
				r.ref.Target, b = string(b[:n]), b[n:]
			} else {
				ok = false
			}
		default:
			return fmt.Errorf("ref %s: unknown value type %d: %w", name, typ, errReftable)
		}
		if typ != 0 && !ok {
			return fmt.Errorf("ref %s: truncated value: %w", name, errReftable)
		}
		t.refs = append(t.refs, r)
	}
	return nil
}

func (p *tableParser) logBlock(block []byte, start int, t *reftable) error {
	recs, err := records(block, start)
	if err != nil {
		return err
	}
	b := recs[start:]
	var prev []byte
	for len(b) > 0 {
		k, typ, rest, err := key(b, prev)
		if err != nil {
			return err
		}
		prev, b = k, rest
		nul := bytes.IndexByte(k, 0)
		if nul < 0 || len(k) != nul+9 {
			return fmt.Errorf("bad log key: %w", errReftable)
		}
		l := reftableLog{name: string(k[:nul]), updateIndex: ^binary.BigEndian.Uint64(k[nul+1:])}
		switch typ {
		case 0:
			l.deleted = true
		case 1:
			var ok bool
			if _, b, ok = p.hash(b); !ok { // old value
				return fmt.Errorf("log %s: truncated: %w", l.name, errReftable)
			}
			if l.newHash, b, ok = p.hash(b); !ok {
				return fmt.Errorf("log %s: truncated: %w", l.name, errReftable)
			}
			// name, email, time, tz (2 bytes), message
			for i := 0; i < 4; i++ {
				n, rest, ok := varint(b)
				if !ok {
					return fmt.Errorf("log %s: truncated: %w", l.name, errReftable)
				}
				b = rest
				switch i {
				case 0, 1:
					if n > uint64(len(b)) {
						return fmt.Errorf("log %s: truncated: %w", l.name, errReftable)
					}
					b = b[n:]
				case 2:
					if len(b) < 2 {
						return fmt.Errorf("log %s: truncated: %w", l.name, errReftable)
					}
					b = b[2:] // tz_offset
				case 3:
					if n > uint64(len(b)) {
						return fmt.Errorf("log %s: truncated: %w", l.name, errReftable)
					}
					b = b[n:]
				}
			}
		default:
			return fmt.Errorf("log %s: unknown type %d: %w", l.name, typ, errReftable)
		}
		t.logs = append(t.logs, l)
	}
	return nil
}
