package git

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
)

// Inflater inflates zlib streams from mapped packs and loose object files.
// It is not safe for concurrent use: one per goroutine.
type Inflater struct {
	br bytes.Reader
	zr io.ReadCloser
	// delta is InflateDelta's buffer, reused from one delta to the next.
	delta []byte
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
