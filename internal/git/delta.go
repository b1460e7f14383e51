package git

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Inflater inflates zlib streams from mapped packs and loose object files.
// It is not safe for concurrent use: one per goroutine.
type Inflater struct {
	br bytes.Reader
	zr io.ReadCloser
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

// reader returns the inflater's zlib reader, reset to the stream at the
// start of src.
func (z *Inflater) reader(src []byte) (io.Reader, error) {
	z.br.Reset(src)
	var err error
	if z.zr == nil {
		z.zr, err = zlib.NewReader(&z.br)
	} else {
		err = z.zr.(zlib.Resetter).Reset(&z.br, nil)
	}
	return z.zr, err
}

// Inflate returns the size bytes that the zlib stream at offset off of p
// inflates to, in buf when it is large enough.
func (z *Inflater) Inflate(p *Pack, off, size int64, buf []byte) ([]byte, error) {
	if _, err := z.reader(p.data[off:]); err != nil {
		return nil, err
	}
	return readSized(z.zr, buf, size, len(p.data)-int(off))
}

// deltaTargetSize returns the target size declared by the header of the
// delta entry e, inflating only the header's bytes: a size check before
// reading the object must not inflate the whole delta a second time.
func (z *Inflater) deltaTargetSize(p *Pack, e EntryHeader) (int64, error) {
	r, err := z.reader(p.data[e.DataOff:])
	if err != nil {
		return 0, err
	}
	// Two varints of at most 9 bytes each (DeltaSizes reads no more).
	var head [18]byte
	n, err := io.ReadFull(r, head[:max(min(e.Size, int64(len(head))), 0)])
	if err != nil {
		return 0, err
	}
	_, dst, _, ok := DeltaSizes(head[:n])
	if !ok {
		return 0, errors.New("bad delta header")
	}
	return dst, nil
}

// maxRatio is deflate's largest expansion: a stream of n bytes inflates to
// at most about 1032·n.
const maxRatio = 1032

// readSized reads exactly size bytes from the zlib stream r, whose
// compressed form is at most srcLen bytes, into buf when it is large
// enough. The size comes from the object's header, which may lie: one the
// stream cannot hold is refused, and the buffer grows with what the stream
// delivers rather than being allocated at the claimed size up front (issue
// 12: a header claiming a terabyte was a terabyte allocation).
func readSized(r io.Reader, buf []byte, size int64, srcLen int) ([]byte, error) {
	if size < 0 || size > int64(srcLen)*maxRatio+64 {
		return nil, fmt.Errorf("object claims %d bytes, more than its %d-byte stream can hold", size, srcLen)
	}
	if int64(cap(buf)) >= size {
		buf = buf[:size]
		_, err := io.ReadFull(r, buf)
		return buf, err
	}
	const first = 8 << 20 // most objects: one allocation of the exact size
	out := make([]byte, 0, min(size, first))
	for int64(len(out)) < size {
		if len(out) == cap(out) {
			out = slices.Grow(out, int(min(size-int64(len(out)), int64(cap(out)))))
		}
		n, err := r.Read(out[len(out):min(int64(cap(out)), size)])
		out = out[:len(out)+n]
		if err == io.EOF && int64(len(out)) < size {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil && err != io.EOF {
			return nil, err
		}
	}
	return out, nil
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
