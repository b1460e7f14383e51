package git

import (
	"errors"
	"fmt"
	"math"
)

// Inflater inflates zlib streams from mapped packs and loose object files,
// with the decoder of inflate.go. It is not safe for concurrent use: one
// per goroutine.
type Inflater struct {
	// delta is InflateDelta's buffer, reused from one delta to the next.
	delta []byte
	// t are the decode tables, made at the first stream.
	t *inflateTables
}

// maxReusedDelta bounds the delta buffer an inflater keeps between calls.
const maxReusedDelta = 1 << 20

// InflateDelta inflates a delta that is only needed until the next call,
// into a buffer the inflater reuses.
func (z *Inflater) InflateDelta(p *Pack, off, size int64) ([]byte, error) {
	d, err := z.Inflate(p, off, size, z.delta)
	if err == nil && cap(d) <= maxReusedDelta {
		z.delta = d
	}
	return d, err
}

// Inflate returns the size bytes that the zlib stream at offset off of p
// inflates to, in buf when it is large enough.
func (z *Inflater) Inflate(p *Pack, off, size int64, buf []byte) ([]byte, error) {
	return z.inflateSized(p.data[off:], size, buf)
}

// deltaTargetSize returns the target size declared by the header of the
// delta entry e, inflating only the header's bytes: a size check before
// reading the object must not inflate the whole delta a second time.
func (z *Inflater) deltaTargetSize(p *Pack, e EntryHeader) (int64, error) {
	// Two varints of at most 9 bytes each (DeltaSizes reads no more).
	var buf [18]byte
	head, _, _, err := z.tables().inflate(p.data[e.DataOff:], buf[:], int(max(min(e.Size, int64(len(buf))), 0)), false)
	if err != nil {
		return 0, err
	}
	_, dst, _, ok := DeltaSizes(head)
	if !ok {
		return 0, errors.New("bad delta header")
	}
	return dst, nil
}

// maxRatio is deflate's largest expansion: a stream of n bytes inflates to
// at most about 1032·n.
const maxRatio = 1032

// inflateSized returns the size bytes that the zlib stream at the start of
// src inflates to, in buf when it is large enough. The size comes from the
// object's header, which may lie: one the stream cannot hold is refused,
// and the output grows with what the stream delivers rather than being
// allocated at the claimed size up front (issue 12: a header claiming a
// terabyte was a terabyte allocation).
func (z *Inflater) inflateSized(src []byte, size int64, buf []byte) ([]byte, error) {
	if size < 0 || size > int64(len(src))*maxRatio+64 || size > math.MaxInt {
		return nil, fmt.Errorf("object claims %d bytes, more than its %d-byte stream can hold", size, len(src))
	}
	var out []byte
	if int64(cap(buf)) >= size {
		out = buf[:size]
	} else {
		const first = 8 << 20 // most objects: one allocation of the exact size
		out = make([]byte, min(size, first))
	}
	data, _, _, err := z.tables().inflate(src, out, int(size), true)
	return data, err
}

// DeltaSizes reads the source and target sizes at the start of a delta.
func DeltaSizes(delta []byte) (src, dst int64, rest []byte, ok bool) {
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

// ApplyDelta builds the target of a git delta from its base, in dst when
// it is large enough (dst must not overlap base).
func ApplyDelta(dst, base, delta []byte) ([]byte, error) {
	srcSize, dstSize, d, ok := DeltaSizes(delta)
	// Each command byte yields at most one copy of the base (or 127
	// inserted bytes): a target size beyond that is a lie, and is refused
	// before anything is allocated for it (issue 12).
	if !ok || srcSize != int64(len(base)) || dstSize < 0 || dstSize > int64(len(d))*max(int64(len(base)), 127) {
		return nil, errors.New("invalid delta header")
	}
	out := dst[:0]
	if int64(cap(out)) < dstSize {
		// Room for the usual target (about the base's size); append grows
		// it for a delta that repeats the base.
		out = make([]byte, 0, min(dstSize, int64(len(base))+int64(len(d))+64))
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
