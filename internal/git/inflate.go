package git

import (
	"encoding/binary"
	"math/bits"
)

// A zlib (RFC 1950) and DEFLATE (RFC 1951) decoder for what git stores: a
// pack entry or loose object is one zlib stream whose inflated size its
// header declares, and the input is a mapped (or read) byte slice. So the
// whole stream is decoded straight into one output slice: no sliding
// window, no io.Reader, no byte-at-a-time interface calls. Bits come from
// a 64-bit buffer refilled eight bytes at a time, Huffman codes decode
// through tables in the style of zlib's inflate_fast and libdeflate (a
// primary table indexed by the next litBits bits, subtables for longer
// codes, and entries that hold a literal, or a length or distance base with
// its extra-bit count, so that one lookup decodes one symbol), and matches
// are copied eight bytes at a time. compress/flate, which this replaces on
// the history sweep's hot path, decodes through all of those.
//
// Corrupt input is an error (inflateError, which is ErrCorrupt), never a
// panic or a read outside the input: the checks below mirror
// compress/flate's (code completeness, distances, stored lengths), the
// adler32 trailer is verified as git's zlib does, and the output must be
// exactly the declared size.

// Table geometry: the primary tables' index widths. An 11-bit literal/length
// table holds every code of most blocks without a subtable; distances are
// fewer, and 8 bits keeps their table small.
const (
	litBits  = 11
	distBits = 8
	preBits  = 7 // code-length codes are at most 7 bits: no subtables

	// Room for the primary table and any subtables: a subtable has at most
	// 1<<(15-bits) entries and there is at most one per symbol (a generous
	// bound: zlib's "enough" counts are 2342 and 402).
	litTableSize  = 1<<litBits + 288<<(15-litBits)
	distTableSize = 1<<distBits + 32<<(15-distBits)

	litMask  = 1<<litBits - 1
	distMask = 1<<distBits - 1
)

// A table entry is one uint32:
//
//	bits 0-5    bits to consume: the code's length plus its extra bits
//	            (a subtable pointer: the primary table's width)
//	bit 6       a literal: the value is the byte
//	bit 7       exceptional: a subtable pointer, the end of the block or an
//	            invalid code
//	bits 8-13   the code's length, where the extra bits start (a subtable
//	            pointer: the subtable's index width)
//	bit 14      a subtable pointer: the value is the subtable's start
//	bit 15      the end of the block
//	bits 16-31  the value: a literal, a length or distance base, a start
const (
	entLiteral = 1 << 6
	entExcept  = 1 << 7
	entSub     = 1 << 14
	entEOB     = 1 << 15
)

// fastMargin is the output room for which decodeBlock enters the fast
// loop: a few steps.
const fastMargin = 64

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint16{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	// codeOrder is the order of the code-length code lengths in a dynamic
	// block's header.
	codeOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

// inflateError is a corrupt or truncated stream; it is ErrCorrupt.
type inflateError string

func (e inflateError) Error() string        { return "zlib: " + string(e) }
func (e inflateError) Is(target error) bool { return target == ErrCorrupt }

const (
	errZlibHeader    = inflateError("invalid header")
	errZlibDict      = inflateError("preset dictionary not supported")
	errTruncated     = inflateError("stream ends early")
	errChecksum      = inflateError("invalid checksum")
	errBlockType     = inflateError("invalid block type")
	errStoredLen     = inflateError("invalid stored block lengths")
	errCodeLengths   = inflateError("invalid code lengths")
	errCode          = inflateError("invalid code")
	errDistance      = inflateError("invalid distance too far back")
	errTooLong       = inflateError("stream inflates to more than the declared size")
	errTooShort      = inflateError("stream inflates to less than the declared size")
	errTooManyCounts = inflateError("too many length or distance symbols")
)

// Symbol kinds, for symEntry.
const (
	kindLit = iota
	kindDist
	kindPre
)

// symEntry is the table entry of symbol sym of a code of the given kind,
// without its lengths: the value, the flags and the extra-bit count.
func symEntry(kind int, sym int) uint32 {
	switch kind {
	case kindLit:
		switch {
		case sym < 256:
			return uint32(sym)<<16 | entLiteral
		case sym == 256:
			return entExcept | entEOB
		case sym < 286:
			return uint32(lengthBase[sym-257])<<16 | uint32(lengthExtra[sym-257])
		}
		return entExcept // 286 and 287: invalid
	case kindDist:
		if sym < 30 {
			return uint32(distBase[sym])<<16 | uint32(distExtra[sym])
		}
		return entExcept // 30 and 31: invalid
	}
	return uint32(sym) << 16
}

// inflateTables are an inflater's decode tables, reused from one stream to
// the next.
type inflateTables struct {
	lit  [litTableSize]uint32
	dist [distTableSize]uint32
	pre  [1 << preBits]uint32
	lens [288 + 32]uint8

	fixedLit  [litTableSize]uint32
	fixedDist [distTableSize]uint32
}

// tables returns the inflater's decode tables, made at the first call.
func (z *Inflater) tables() *inflateTables {
	if z.t == nil {
		z.t = newInflateTables()
	}
	return z.t
}

// newInflateTables returns tables with the fixed codes built.
func newInflateTables() *inflateTables {
	t := new(inflateTables)
	var lens [288]uint8
	for i := range lens {
		switch {
		case i < 144:
			lens[i] = 8
		case i < 256:
			lens[i] = 9
		case i < 280:
			lens[i] = 7
		default:
			lens[i] = 8
		}
	}
	buildTable(t.fixedLit[:], litBits, lens[:], kindLit)
	for i := range 32 {
		lens[i] = 5
	}
	buildTable(t.fixedDist[:], distBits, lens[:32], kindDist)
	return t
}

// buildTable fills t with the decode table of the canonical Huffman code
// whose code lengths are lens (0: the symbol is unused): the primary table
// of 1<<tbits entries, then the subtables. It reports false for an
// over-subscribed or incomplete code, except as compress/flate and zlib
// allow: a code with no symbols (every lookup is then invalid) and one
// with a single code of length 1.
func buildTable(t []uint32, tbits uint, lens []uint8, kind int) bool {
	var count [16]int
	for _, l := range lens {
		count[l&15]++
	}
	count[0] = 0
	maxLen := 15
	for maxLen > 0 && count[maxLen] == 0 {
		maxLen--
	}
	primary := t[:1<<tbits]
	if maxLen == 0 {
		for i := range primary {
			primary[i] = entExcept
		}
		return true
	}
	left := 1
	for l := 1; l <= 15; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false // over-subscribed
		}
	}
	if left > 0 {
		if maxLen != 1 || count[1] != 1 {
			return false // incomplete
		}
		// One code, 0: the lookups that start with a 1 are invalid.
		for i := range primary {
			primary[i] = entExcept
		}
	}
	// Symbols sorted by code length, then by value: canonical order.
	var offs [16]int
	for l := 1; l < 15; l++ {
		offs[l+1] = offs[l] + count[l]
	}
	n := offs[15] + count[15]
	var sorted [288]uint16
	for s, l := range lens {
		if l != 0 {
			sorted[offs[l]] = uint16(s)
			offs[l]++
		}
	}
	// The primary table: codes of at most tbits bits, in canonical
	// order, each written once at its bit-reversed index in a table of
	// 1<<l entries that doubles (copying itself) as the length l grows,
	// as libdeflate builds it: mostly copies, not one store per entry.
	pos, codeword, end := 0, 0, 2
	for l := uint(1); ; l++ {
		for range count[l] {
			s := sorted[pos]
			pos++
			e := symEntry(kind, int(s))
			e |= uint32(l) << 8
			e += uint32(l)
			primary[codeword] = e
			if codeword == end-1 {
				// All ones: the last code, so the table is complete.
				for ; l < tbits; l++ {
					copy(primary[end:2*end], primary[:end])
					end <<= 1
				}
				return true
			}
			// The next code: add one to the bit-reversed codeword (a 1
			// at its lowest 0 from the top, zeros above).
			bit := 1 << (bits.Len(uint(codeword^(end-1))) - 1)
			codeword = codeword&(bit-1) | bit
		}
		if l == tbits {
			break
		}
		copy(primary[end:2*end], primary[:end])
		end <<= 1
	}
	// Longer codes go in subtables, one per tbits-bit prefix.
	var nextCode [16]uint32
	code := uint32(0)
	for l := 1; l <= 15; l++ {
		code = (code + uint32(count[l-1])) << 1
		nextCode[l] = code
	}
	remaining := count
	subStart, subBits, subPrefix := 0, uint(0), -1
	next := 1 << tbits // where the next subtable goes
	for _, s := range sorted[pos:n] {
		l := uint(lens[s])
		c := nextCode[l]
		nextCode[l]++
		rev := int(bits.Reverse16(uint16(c)) >> (16 - l))
		e := symEntry(kind, int(s))
		if prefix := rev & (1<<tbits - 1); prefix != subPrefix {
			// A new subtable, as wide as the codes under this prefix need
			// (zlib's inflate_table computes it the same way).
			sb := l - tbits
			room := 1 << sb
			for sb+tbits < uint(maxLen) {
				room -= remaining[sb+tbits]
				if room <= 0 {
					break
				}
				sb++
				room <<= 1
			}
			if next+1<<sb > len(t) {
				return false // cannot happen for a complete code
			}
			subStart, subBits, subPrefix = next, sb, prefix
			next += 1 << sb
			primary[prefix] = uint32(subStart)<<16 | entExcept | entSub | uint32(subBits)<<8 | uint32(tbits)
		}
		sl := l - tbits
		e |= uint32(sl) << 8
		e += uint32(sl)
		sub := t[subStart : subStart+1<<subBits]
		for i := rev >> tbits; i < len(sub); i += 1 << sl {
			sub[i] = e
		}
		remaining[l]--
	}
	return true
}

// bitReader is the bit-level state of a decode, for the code outside the
// fast loop (block headers, code lengths), which keeps its own copy in
// locals.
type bitReader struct {
	src []byte
	in  int    // next byte of src to load; may pass its end (zero bytes)
	buf uint64 // bits loaded, low bits first; above n, zeros or the stream's bits
	n   uint   // bits in buf, at most 63
}

// fill loads bytes until buf holds at least 56 bits, with zero bytes past
// the end of src: a truncated stream is found by where it ends (consumed).
func (b *bitReader) fill() {
	for b.n <= 55 {
		var c byte
		if b.in < len(b.src) {
			c = b.src[b.in]
		}
		b.buf |= uint64(c) << b.n
		b.in++
		b.n += 8
	}
}

// consumed is how many bytes of src the bits read so far took (a partly
// read byte counts).
func (b *bitReader) consumed() int { return b.in - int(b.n>>3) }

// readDynamic reads a dynamic block's code lengths and builds t.lit and
// t.dist from them.
func (t *inflateTables) readDynamic(b *bitReader) error {
	b.fill()
	nlit := int(b.buf&31) + 257
	ndist := int(b.buf>>5&31) + 1
	nclen := int(b.buf>>10&15) + 4
	b.buf >>= 14
	b.n -= 14
	if nlit > 286 || ndist > 30 {
		return errTooManyCounts
	}
	var clens [19]uint8
	for i := range nclen {
		if b.n < 3 {
			b.fill()
		}
		clens[codeOrder[i]] = uint8(b.buf & 7)
		b.buf >>= 3
		b.n -= 3
	}
	if !buildTable(t.pre[:], preBits, clens[:], kindPre) {
		return errCodeLengths
	}
	lens := t.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if b.n < 14 { // a code of at most 7 bits and at most 7 extra bits
			b.fill()
		}
		e := t.pre[b.buf&(1<<preBits-1)]
		if e&entExcept != 0 {
			return errCodeLengths
		}
		b.buf >>= e & 63
		b.n -= uint(e & 63)
		sym := e >> 16
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var val uint8
		switch sym {
		case 16:
			if i == 0 {
				return errCodeLengths
			}
			val = lens[i-1]
			rep = 3 + int(b.buf&3)
			b.buf >>= 2
			b.n -= 2
		case 17:
			rep = 3 + int(b.buf&7)
			b.buf >>= 3
			b.n -= 3
		default:
			rep = 11 + int(b.buf&127)
			b.buf >>= 7
			b.n -= 7
		}
		if i+rep > len(lens) {
			return errCodeLengths
		}
		for range rep {
			lens[i] = val
			i++
		}
	}
	if b.consumed() > len(b.src) {
		return errTruncated
	}
	if !buildTable(t.lit[:], litBits, lens[:nlit], kindLit) || !buildTable(t.dist[:], distBits, lens[nlit:], kindDist) {
		return errCodeLengths
	}
	return nil
}

// growOut makes room in out for need more bytes at o, up to size bytes in
// all, doubling rather than allocating the declared size up front: a
// header may lie about the size (issue 12). It reports false when o+need
// is over size.
func growOut(out []byte, o, need, size int) ([]byte, bool) {
	if o+need > size {
		return out, false
	}
	n := min(size, max(2*len(out), o+need, 4096))
	grown := make([]byte, n)
	copy(grown, out[:o])
	return grown, true
}

// inflate decodes the zlib stream at the start of src into out, growing it
// (see growOut) up to size bytes. With exact, the stream must inflate to
// exactly size bytes and end with a valid checksum; it returns the output
// and how many bytes of src the stream took. Without, it stops once size
// bytes are out and returns them, with done false; a stream that ends
// first is checked as with exact, and returned with done true.
func (t *inflateTables) inflate(src, out []byte, size int, exact bool) (res []byte, used int, done bool, err error) {
	if len(src) < 2 {
		return nil, 0, false, errTruncated
	}
	cmf, flg := src[0], src[1]
	if cmf&15 != 8 || cmf>>4 > 7 || (uint(cmf)<<8|uint(flg))%31 != 0 {
		return nil, 0, false, errZlibHeader
	}
	in := 2
	if flg&0x20 != 0 {
		// A preset dictionary: git never uses one. compress/zlib takes the
		// empty one (its adler32 is 1), which changes nothing.
		if len(src) < 6 || binary.BigEndian.Uint32(src[2:]) != 1 {
			return nil, 0, false, errZlibDict
		}
		in = 6
	}
	if len(out) > size {
		out = out[:size]
	}
	if !exact && len(out) < size {
		out = make([]byte, size)
	}
	br := bitReader{src: src, in: in}
	o := 0
	for final := false; !final; {
		if br.n < 3 {
			br.fill()
		}
		final = br.buf&1 != 0
		typ := br.buf >> 1 & 3
		br.buf >>= 3
		br.n -= 3
		var lt *[litTableSize]uint32
		var dt *[distTableSize]uint32
		switch typ {
		case 0:
			// Stored: the bits up to the next byte are dropped, and the
			// whole bytes in the buffer given back.
			in := br.consumed()
			br.buf, br.n = 0, 0
			if in+4 > len(src) {
				return nil, 0, false, errTruncated
			}
			n := int(binary.LittleEndian.Uint16(src[in:]))
			if uint16(n) != ^binary.LittleEndian.Uint16(src[in+2:]) {
				return nil, 0, false, errStoredLen
			}
			in += 4
			if n > len(src)-in {
				return nil, 0, false, errTruncated
			}
			if o+n > len(out) {
				var ok bool
				if out, ok = growOut(out, o, n, size); !ok {
					if !exact {
						copy(out[o:], src[in:])
						return out, 0, false, nil
					}
					return nil, 0, false, errTooLong
				}
			}
			copy(out[o:], src[in:in+n])
			o += n
			br.in = in + n
			continue
		case 1:
			lt, dt = &t.fixedLit, &t.fixedDist
		case 2:
			if err := t.readDynamic(&br); err != nil {
				return nil, 0, false, err
			}
			lt, dt = &t.lit, &t.dist
		default:
			return nil, 0, false, errBlockType
		}
		var stop bool
		out, o, stop, err = decodeBlock(&br, lt, dt, out, o, size, exact)
		if err != nil {
			return nil, 0, false, err
		}
		if stop {
			return out, 0, false, nil
		}
	}
	in = br.consumed()
	if in+4 > len(src) {
		return nil, 0, false, errTruncated
	}
	if exact && o != size {
		return nil, 0, false, errTooShort
	}
	if binary.BigEndian.Uint32(src[in:]) != adler32(out[:o]) {
		return nil, 0, false, errChecksum
	}
	return out[:o], in + 4, true, nil
}

// decodeBlock decodes the symbols of one Huffman block into out from o,
// up to its end-of-block code. stop reports that out reached size without
// exact (the caller wants only a prefix).
func decodeBlock(br *bitReader, lt *[litTableSize]uint32, dt *[distTableSize]uint32, out []byte, o, size int, exact bool) (_ []byte, _ int, stop bool, err error) {
	src := br.src
	in, bitbuf, nbits := br.in, br.buf, br.n
	for {
		var length, dist int
		if in <= len(src)-16 && o <= len(out)-fastMargin {
			var eob bool
			in, bitbuf, nbits, o, length, dist, eob, err = fastLoop(src, in, bitbuf, nbits, out, o, lt, dt)
			if err != nil {
				return nil, 0, false, err
			}
			if eob {
				break
			}
		}
		if length == 0 {
			// The careful loop, one symbol at a time, near the end of
			// the input or of the output.
			for nbits <= 55 {
				var c byte
				if in < len(src) {
					c = src[in]
				}
				bitbuf |= uint64(c) << nbits
				in++
				nbits += 8
			}
			if in-int(nbits>>3) > len(src) {
				return nil, 0, false, errTruncated
			}
			e := lt[bitbuf&litMask]
			if e&entSub != 0 {
				bitbuf >>= litBits
				nbits -= litBits
				e = lt[e>>16+uint32(bitbuf)&(1<<(e>>8&63)-1)]
			}
			if e&entLiteral != 0 {
				if o >= len(out) {
					var ok bool
					if out, ok = growOut(out, o, 1, size); !ok {
						if !exact {
							return out, o, true, nil // the check above covers the bits read
						}
						return nil, 0, false, errTooLong
					}
				}
				bitbuf >>= e & 63
				nbits -= uint(e & 63)
				out[o] = byte(e >> 16)
				o++
				continue
			}
			if e&entExcept != 0 {
				if e&entEOB != 0 {
					bitbuf >>= e & 63
					nbits -= uint(e & 63)
					break
				}
				return nil, 0, false, errCode
			}
			saved := bitbuf
			bitbuf >>= e & 63
			nbits -= uint(e & 63)
			length = int(e>>16) + int(saved&(1<<(e&63)-1)>>(e>>8&63))
			d := dt[bitbuf&distMask]
			if d&entSub != 0 {
				bitbuf >>= distBits
				nbits -= distBits
				d = dt[d>>16+uint32(bitbuf)&(1<<(d>>8&63)-1)]
			}
			if d&entExcept != 0 {
				return nil, 0, false, errCode
			}
			saved = bitbuf
			bitbuf >>= d & 63
			nbits -= uint(d & 63)
			dist = int(d>>16) + int(saved&(1<<(d&63)-1)>>(d>>8&63))
			if dist > o {
				return nil, 0, false, errDistance
			}
		}
		// A match the fast loop left (too near the end of the output for
		// its word copies), or the careful loop's.
		if o+length > len(out) {
			var ok bool
			if out, ok = growOut(out, o, length, size); !ok {
				if !exact {
					length = len(out) - o
					stop = true
				} else {
					return nil, 0, false, errTooLong
				}
			}
		}
		if dist >= length {
			copy(out[o:o+length], out[o-dist:])
		} else {
			for i := range length {
				out[o+i] = out[o-dist+i]
			}
		}
		o += length
		if stop {
			if in-int(nbits>>3) > len(src) {
				return nil, 0, false, errTruncated
			}
			return out, o, true, nil
		}
	}
	br.in, br.buf, br.n = in, bitbuf, nbits
	return out, o, false, nil
}

// fastLoop decodes symbols while sixteen bytes of input and of output are
// left, so that refills and copies need no checks of their own. It returns
// at the end of the block (eob), at an invalid code, when the margins run
// out, or with a match (length > 0) too long to copy by words within the
// output's margin, for the caller to copy. One refill leaves at least 56 bits, enough for
// three literals or one length (15+5 bits) and its distance (15+13).
func fastLoop(src []byte, in int, bitbuf uint64, nbits uint, out []byte, o int, lt *[litTableSize]uint32, dt *[distTableSize]uint32) (_ int, _ uint64, _ uint, _ int, length, dist int, eob bool, err error) {
	inLimit, outLimit := len(src)-16, len(out)-16
	for in <= inLimit && o <= outLimit {
		bitbuf |= binary.LittleEndian.Uint64(src[in:]) << (nbits & 63)
		in += int((63 - nbits) >> 3)
		nbits |= 56
		e := lt[bitbuf&litMask]
		if e&entLiteral != 0 {
			bitbuf >>= e & 63
			nbits -= uint(e & 63)
			out[o] = byte(e >> 16)
			o++
			e = lt[bitbuf&litMask]
			if e&entLiteral != 0 {
				bitbuf >>= e & 63
				nbits -= uint(e & 63)
				out[o] = byte(e >> 16)
				o++
				e = lt[bitbuf&litMask]
				if e&entLiteral != 0 {
					bitbuf >>= e & 63
					nbits -= uint(e & 63)
					out[o] = byte(e >> 16)
					o++
				}
			}
			continue
		}
		if e&entExcept != 0 {
			if e&entSub != 0 {
				bitbuf >>= litBits
				nbits -= litBits
				e = lt[e>>16+uint32(bitbuf)&(1<<(e>>8&63)-1)]
				if e&entLiteral != 0 {
					bitbuf >>= e & 63
					nbits -= uint(e & 63)
					out[o] = byte(e >> 16)
					o++
					continue
				}
			}
			if e&entExcept != 0 {
				if e&entEOB != 0 {
					bitbuf >>= e & 63
					nbits -= uint(e & 63)
					return in, bitbuf, nbits, o, 0, 0, true, nil
				}
				return in, bitbuf, nbits, o, 0, 0, false, errCode
			}
		}
		saved := bitbuf
		bitbuf >>= e & 63
		nbits -= uint(e & 63)
		length = int(e>>16) + int(saved&(1<<(e&63)-1)>>(e>>8&63))
		d := dt[bitbuf&distMask]
		if d&entExcept != 0 {
			if d&entSub == 0 {
				return in, bitbuf, nbits, o, 0, 0, false, errCode
			}
			bitbuf >>= distBits
			nbits -= distBits
			d = dt[d>>16+uint32(bitbuf)&(1<<(d>>8&63)-1)]
			if d&entExcept != 0 {
				return in, bitbuf, nbits, o, 0, 0, false, errCode
			}
		}
		saved = bitbuf
		bitbuf >>= d & 63
		nbits -= uint(d & 63)
		dist = int(d>>16) + int(saved&(1<<(d&63)-1)>>(d>>8&63))
		if dist > o {
			return in, bitbuf, nbits, o, 0, 0, false, errDistance
		}
		if o+length > outLimit {
			// Too near the end of the output for copies by words: the
			// caller copies it.
			return in, bitbuf, nbits, o, length, dist, false, nil
		}
		from := o - dist
		// Sixteen bytes a step (o+length is 16 bytes from the end of out
		// at most, so the last step may pass the match's end), as two
		// words, each read after the one before it is written: with
		// dist >= 8 every word read was written before, even when the
		// match overlaps itself.
		switch {
		case dist >= 8:
			d, s := (*[16]byte)(out[o:o+16]), (*[16]byte)(out[from:from+16])
			binary.LittleEndian.PutUint64(d[:8], binary.LittleEndian.Uint64(s[:8]))
			binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:]))
			for i := 16; i < length; i += 16 {
				d, s := (*[16]byte)(out[o+i:o+i+16]), (*[16]byte)(out[from+i:from+i+16])
				binary.LittleEndian.PutUint64(d[:8], binary.LittleEndian.Uint64(s[:8]))
				binary.LittleEndian.PutUint64(d[8:], binary.LittleEndian.Uint64(s[8:]))
			}
		case dist == 1:
			v := uint64(out[from]) * 0x0101010101010101
			for i := 0; i < length; i += 16 {
				d := (*[16]byte)(out[o+i : o+i+16])
				binary.LittleEndian.PutUint64(d[:8], v)
				binary.LittleEndian.PutUint64(d[8:], v)
			}
		default:
			for i := range length {
				out[o+i] = out[from+i]
			}
		}
		o += length
		continue
	}
	return in, bitbuf, nbits, o, 0, 0, false, nil
}

// adler32 is the zlib checksum of p, as hash/adler32 computes it but
// about 3.5 times faster: the sums of 120-byte blocks are gathered in
// 16-bit lanes of 64-bit words (bytes 0, 2, 4, 6 of each 8 in one word,
// bytes 1, 3, 5, 7 in another, and the running total of both, from which
// the position-weighted sum follows), and folded into 64-bit sums that need
// reducing only once a megabyte.
func adler32(p []byte) uint32 {
	const (
		mod   = 65521
		block = 120 // 15 words: the running total's lanes stay under 1<<16
		lanes = 0x00ff00ff00ff00ff
	)
	s1, s2 := uint64(1), uint64(0)
	for len(p) >= block {
		chunk := p[:min(len(p), 1<<20)/block*block]
		p = p[len(chunk):]
		for ; len(chunk) >= block; chunk = chunk[block:] {
			c := (*[block]byte)(chunk)
			var even, odd, run uint64
			step := func(w uint64) {
				even += w & lanes
				odd += w >> 8 & lanes
				run += even + odd
			}
			step(binary.LittleEndian.Uint64(c[0:8]))
			step(binary.LittleEndian.Uint64(c[8:16]))
			step(binary.LittleEndian.Uint64(c[16:24]))
			step(binary.LittleEndian.Uint64(c[24:32]))
			step(binary.LittleEndian.Uint64(c[32:40]))
			step(binary.LittleEndian.Uint64(c[40:48]))
			step(binary.LittleEndian.Uint64(c[48:56]))
			step(binary.LittleEndian.Uint64(c[56:64]))
			step(binary.LittleEndian.Uint64(c[64:72]))
			step(binary.LittleEndian.Uint64(c[72:80]))
			step(binary.LittleEndian.Uint64(c[80:88]))
			step(binary.LittleEndian.Uint64(c[88:96]))
			step(binary.LittleEndian.Uint64(c[96:104]))
			step(binary.LittleEndian.Uint64(c[104:112]))
			step(binary.LittleEndian.Uint64(c[112:120]))
			// Each byte at position 8k+j of the block weighs
			// block-(8k+j) in s2: 8 per word to the block's end (the
			// running total) less j (the lanes, weighted by multiplying
			// into the top lane).
			run = run&0x0000ffff0000ffff + run>>16&0x0000ffff0000ffff
			run = run&0xffffffff + run>>32
			weighted := (even*0x0000000200040006)>>48 + (odd*0x0001000300050007)>>48
			s2 += block*s1 + 8*run - weighted
			s1 += (even*0x0001000100010001)>>48 + (odd*0x0001000100010001)>>48
		}
		s1 %= mod
		s2 %= mod
	}
	for _, c := range p {
		s1 += uint64(c)
		s2 += s1
	}
	return uint32(s2%mod<<16 | s1%mod)
}
