package git

import (
	"bytes"
	"compress/flate"
	"compress/zlib"
	"errors"
	"fmt"
	stdadler "hash/adler32"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// The inflater is differentially tested against compress/zlib, which it
// replaces on the object-reading paths: a decoder bug would leave content
// unscanned without a word, so every stream below must decode to exactly
// compress/zlib's output, and every stream compress/zlib refuses must be
// refused.

// zlibRef inflates src with compress/zlib, as the readers did before:
// its output (at most limit bytes), how many bytes of src the stream took
// (header, deflate data and checksum), and its error.
func zlibRef(src []byte, limit int) ([]byte, int, error) {
	br := bytes.NewReader(src)
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, 0, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err == nil && len(out) > limit {
		err = errors.New("over the limit")
	}
	return out, len(src) - br.Len(), err
}

// deflateLevel compresses data with compress/zlib at level.
func deflateLevel(t testing.TB, data []byte, level int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// checkStream inflates stream, which compress/zlib decodes to want, in
// every mode: exact into a buffer of the size, into a smaller one that
// must grow, with trailing bytes after the stream; prefixes; and a wrong
// declared size, which must fail.
func checkStream(t *testing.T, name string, stream, want []byte) {
	t.Helper()
	var z Inflater
	tail := append(append([]byte{}, stream...), "trailing bytes after the stream: a pack's next entry"...)
	for _, src := range [][]byte{stream, tail} {
		for _, buf := range [][]byte{make([]byte, len(want)), nil, make([]byte, len(want)/3)} {
			got, used, _, err := z.tables().inflate(src, buf, len(want), true)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("%s: output differs from compress/zlib's (%d bytes, want %d)", name, len(got), len(want))
			}
			if used != len(stream) {
				t.Fatalf("%s: stream took %d bytes, want %d", name, used, len(stream))
			}
		}
	}
	for _, size := range []int{len(want) + 1, len(want) - 1, len(want) + 300, 0} {
		if size < 0 || size == len(want) {
			continue
		}
		if _, _, _, err := z.tables().inflate(stream, nil, size, true); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("%s: declared size %d of %d: err = %v, want a corruption error", name, size, len(want), err)
		}
	}
	for _, k := range []int{0, 1, 7, 18, 64, len(want) / 2, len(want) - 1, len(want), len(want) + 5} {
		if k < 0 {
			continue
		}
		got, _, done, err := z.tables().inflate(tail, nil, k, false)
		if err != nil {
			t.Fatalf("%s: prefix %d: %v", name, k, err)
		}
		if !bytes.Equal(got, want[:min(k, len(want))]) || done != (k > len(want) || k == len(want) && done) {
			t.Fatalf("%s: prefix %d: got %d bytes (done %v), want %d", name, k, len(got), done, min(k, len(want)))
		}
	}
}

// corpus is data of many shapes: empty, one byte, text, random bytes,
// runs, matches at the maximum distance.
func corpus() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	var text strings.Builder
	words := strings.Fields("the quick brown fox jumps over a lazy dog while secret keys leak into git history func return if else for range")
	for text.Len() < 300_000 {
		text.WriteString(words[rng.IntN(len(words))])
		if rng.IntN(9) == 0 {
			text.WriteString(fmt.Sprintf(" %d\n", rng.IntN(100000)))
		} else {
			text.WriteByte(' ')
		}
	}
	far := random(32768)
	far = append(far, far...)                  // every match 32768 back
	far = append(far, random(100)...)          // then a little noise
	far = append(far, far[len(far)-32768:]...) // and again
	skewed := make([]byte, 200_000)            // long codes: subtables
	for i := range skewed {
		v := rng.ExpFloat64() * 12
		skewed[i] = byte(min(v, 255))
	}
	m := map[string][]byte{
		"empty":     {},
		"one byte":  {'x'},
		"two bytes": {0, 0xff},
		"text":      []byte(text.String()),
		"random":    random(100_000),
		"random 1k": random(1000),
		"zeros":     make([]byte, 1<<20),
		"run of a":  bytes.Repeat([]byte("a"), 70_000),
		"period 3":  bytes.Repeat([]byte("abc"), 30_000),
		"period 7":  bytes.Repeat([]byte("abcdefg"), 10_000),
		"period 9":  bytes.Repeat([]byte("abcdefghi"), 10_000),
		"far":       far,
		"skewed":    skewed,
	}
	for n := 1; n <= 300; n += 37 {
		m[fmt.Sprintf("text prefix %d", n)] = []byte(text.String()[:n])
	}
	return m
}

// TestInflateDifferential compares the inflater with compress/zlib on the
// corpus at every compression level of compress/flate (0: stored blocks;
// 1-9: fixed and dynamic blocks; HuffmanOnly: no matches).
func TestInflateDifferential(t *testing.T) {
	for name, data := range corpus() {
		for _, level := range []int{flate.HuffmanOnly, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9} {
			stream := deflateLevel(t, data, level)
			want, used, err := zlibRef(stream, 1<<30)
			if err != nil || !bytes.Equal(want, data) || used != len(stream) {
				t.Fatalf("%s level %d: compress/zlib does not round-trip: %v", name, level, err)
			}
			checkStream(t, fmt.Sprintf("%s level %d", name, level), stream, want)
		}
	}
}

// TestInflateBlockTypes covers the block types one at a time, with
// hand-made streams: a stored block, a fixed block, empty final blocks of
// each type, stored blocks after Huffman blocks (the byte alignment) and a
// sync flush between blocks.
func TestInflateBlockTypes(t *testing.T) {
	zlibWrap := func(deflate []byte, data []byte) []byte {
		s := append([]byte{0x78, 0x01}, deflate...)
		sum := stdadler.Checksum(data)
		return append(s, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
	}
	cases := map[string]struct{ deflate, data []byte }{
		"empty stored":      {[]byte{1, 0, 0, 0xff, 0xff}, nil},
		"stored":            {[]byte{1, 3, 0, 0xfc, 0xff, 'a', 'b', 'c'}, []byte("abc")},
		"two stored":        {[]byte{0, 1, 0, 0xfe, 0xff, 'a', 1, 1, 0, 0xfe, 0xff, 'b'}, []byte("ab")},
		"empty fixed":       {[]byte{3, 0}, nil},
		"fixed a":           {[]byte{0x4b, 0x04, 0x00}, []byte("a")},
		"empty dynamic-ish": {[]byte{3, 0}, nil},
	}
	for name, c := range cases {
		stream := zlibWrap(c.deflate, c.data)
		want, _, err := zlibRef(stream, 1<<20)
		if err != nil || !bytes.Equal(want, c.data) {
			t.Fatalf("%s: compress/zlib: %q, %v", name, want, err)
		}
		checkStream(t, name, stream, want)
	}
	// Huffman blocks, then a stored one, then Huffman again: flate's
	// writer emits an empty stored block at each Flush.
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, 6)
	var all []byte
	for i := range 20 {
		chunk := bytes.Repeat([]byte(fmt.Sprintf("chunk %d of a flushed stream\n", i)), i*7+1)
		all = append(all, chunk...)
		w.Write(chunk)
		w.Flush()
	}
	w.Close()
	checkStream(t, "flushed", b.Bytes(), all)
	checkStream(t, "empty preset dictionary", []byte{0x78, 0x20, 0, 0, 0, 1, 3, 0, 0, 0, 0, 1}, nil)
	// Headers: a preset dictionary (git never writes one), a window over
	// 32 KiB, another method, a bad check value.
	var z Inflater
	for _, h := range [][]byte{{0x78, 0x20, 0, 0, 0, 2, 3, 0}, {0x78, 0x20, 0, 0, 0}, {0x88, 0x1c, 3, 0}, {0x79, 0x1b, 3, 0}, {0x78, 0x9d, 3, 0}, {0x78}, {}} {
		if _, err := zlib.NewReader(bytes.NewReader(h)); err == nil {
			t.Fatalf("compress/zlib accepts header %x", h)
		}
		if _, _, _, err := z.tables().inflate(h, nil, 0, true); !errors.Is(err, ErrCorrupt) {
			t.Fatalf("header %x: err = %v", h, err)
		}
	}
}

// TestInflateCorrupt: every truncation and every single-bit flip of some
// streams is refused exactly when compress/zlib refuses it, and never
// panics.
func TestInflateCorrupt(t *testing.T) {
	data := corpus()
	var z Inflater
	for _, name := range []string{"text prefix 260", "random 1k", "period 7", "one byte", "empty"} {
		for _, level := range []int{0, 1, 9, flate.HuffmanOnly} {
			d := data[name]
			if len(d) > 2000 {
				d = d[:2000]
			}
			stream := deflateLevel(t, d, level)
			for n := range len(stream) {
				if _, _, _, err := z.tables().inflate(stream[:n], nil, len(d), true); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s level %d cut at %d of %d: err = %v", name, level, n, len(stream), err)
				}
			}
			for bit := range len(stream) * 8 {
				s := bytes.Clone(stream)
				s[bit/8] ^= 1 << (bit % 8)
				compareWithZlib(t, &z, s)
			}
		}
	}
	// Long streams, where most damage is met by the fast loop: random
	// flips of one to three bits, and random cuts.
	rng := rand.New(rand.NewPCG(5, 6))
	for _, name := range []string{"text", "skewed", "far", "period 9"} {
		for _, level := range []int{1, 6, 9} {
			stream := deflateLevel(t, data[name], level)
			for range 300 {
				s := bytes.Clone(stream)
				for range 1 + rng.IntN(3) {
					s[rng.IntN(len(s))] ^= 1 << rng.IntN(8)
				}
				compareWithZlib(t, &z, s)
			}
			for range 30 {
				n := rng.IntN(len(stream))
				if _, _, _, err := z.tables().inflate(stream[:n], nil, len(data[name]), true); !errors.Is(err, ErrCorrupt) {
					t.Fatalf("%s level %d cut at %d of %d: err = %v", name, level, n, len(stream), err)
				}
			}
		}
	}
}

// compareWithZlib checks the inflater against compress/zlib on any bytes:
// the same output when compress/zlib accepts them, an error when it does
// not.
func compareWithZlib(t *testing.T, z *Inflater, src []byte) {
	t.Helper()
	const limit = 1 << 20
	want, used, refErr := zlibRef(src, limit)
	if refErr != nil {
		size := len(want)
		if size > limit {
			return // compress/zlib stopped at the limit, not at an error
		}
		got, _, _, err := z.tables().inflate(src, nil, size, true)
		if err == nil {
			t.Fatalf("compress/zlib refuses %x (%v) but the inflater returns %d bytes", src, refErr, len(got))
		}
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error %v is not ErrCorrupt", err)
		}
		return
	}
	got, gotUsed, _, err := z.tables().inflate(src, nil, len(want), true)
	if err != nil {
		t.Fatalf("compress/zlib inflates %x to %d bytes but the inflater fails: %v", src, len(want), err)
	}
	if !bytes.Equal(got, want) || gotUsed != used {
		t.Fatalf("%x: inflater output (%d bytes, took %d) differs from compress/zlib (%d bytes, took %d)", src, len(got), gotUsed, len(want), used)
	}
	for _, size := range []int{len(want) - 1, len(want) + 1} {
		if size < 0 {
			continue
		}
		if _, _, _, err := z.tables().inflate(src, nil, size, true); err == nil {
			t.Fatalf("%x: declared size %d of %d accepted", src, size, len(want))
		}
	}
	for _, k := range []int{0, 1, len(want) / 2, len(want)} {
		got, _, _, err := z.tables().inflate(src, nil, k, false)
		if err != nil || !bytes.Equal(got, want[:min(k, len(want))]) {
			t.Fatalf("%x: prefix %d: %d bytes, %v", src, k, len(got), err)
		}
	}
}

// FuzzInflate compares the inflater with compress/zlib on any bytes.
func FuzzInflate(f *testing.F) {
	for _, s := range []string{"", "x", "hello, hello, hello world\n", strings.Repeat("abcdefgh", 300)} {
		for _, level := range []int{0, 1, 6, 9, flate.HuffmanOnly} {
			stream := deflateLevel(f, []byte(s), level)
			f.Add(stream)
			f.Add(stream[:len(stream)/2])
		}
	}
	f.Add([]byte{0x78, 0x01, 3, 0, 0, 0, 0, 1})
	f.Add([]byte{0x78, 0x20, 0, 0, 0, 1, 3, 0})
	f.Add([]byte{0x78, 0x9c, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, src []byte) {
		var z Inflater
		compareWithZlib(t, &z, src)
	})
}

// TestAdler32 checks the checksum against hash/adler32 at lengths around
// its word and chunk boundaries.
func TestAdler32(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	b := make([]byte, 3<<20+17)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	ff := bytes.Repeat([]byte{0xff}, 3<<20+9) // the largest sums
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 119, 120, 121, 239, 240, 5552, 5553, 1 << 20, 1<<20 + 1, 2<<20 + 7, 3<<20 + 9} {
		for _, p := range [][]byte{b[:n], ff[:n]} {
			if got, want := adler32(p), stdadler.Checksum(p); got != want {
				t.Fatalf("adler32 of %d bytes = %08x, want %08x", n, got, want)
			}
		}
	}
}

// bitWriter writes a DEFLATE bit stream, for hand-made blocks.
type bitWriter struct {
	out  []byte
	acc  uint64
	nacc uint
}

// bits writes the n low bits of v, low bit first (header fields, extra
// bits).
func (w *bitWriter) bits(v uint64, n uint) {
	w.acc |= v << w.nacc
	w.nacc += n
	for w.nacc >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nacc -= 8
	}
}

// code writes a Huffman code of n bits, high bit first.
func (w *bitWriter) code(c uint64, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.bits(c>>uint(i)&1, 1)
	}
}

// fixedLit writes literal/length symbol s with the fixed code.
func (w *bitWriter) fixedLit(s int) {
	switch {
	case s < 144:
		w.code(uint64(0x30+s), 8)
	case s < 256:
		w.code(uint64(0x190+s-144), 9)
	case s < 280:
		w.code(uint64(s-256), 7)
	default:
		w.code(uint64(0xc0+s-280), 8)
	}
}

// zlibStream wraps the bits written in a zlib header and the checksum of
// data (flushing the last byte).
func (w *bitWriter) zlibStream(data []byte) []byte {
	if w.nacc > 0 {
		w.bits(0, 8-w.nacc)
	}
	s := append([]byte{0x78, 0x01}, w.out...)
	sum := stdadler.Checksum(data)
	return append(s, byte(sum>>24), byte(sum>>16), byte(sum>>8), byte(sum))
}

// TestInflateFixedEdges: hand-made fixed blocks with the codes no encoder
// writes (literal/length 286 and 287, distances 30 and 31), distances too
// far back, a distance of exactly the output so far, and matches at the
// maximum distance, each met in the fast loop (much output and input
// left) and in the careful one (at the end).
func TestInflateFixedEdges(t *testing.T) {
	lits := func(w *bitWriter, n int) []byte {
		var data []byte
		for i := range n {
			c := byte('a' + i%23)
			w.fixedLit(int(c))
			data = append(data, c)
		}
		return data
	}
	type match struct {
		lsym  int
		lext  uint64
		lbits uint
		dsym  uint64
		dext  uint64
		dbits uint
	}
	// build writes before literals, the match m (of length length and
	// distance dist, when they are valid), after literals.
	build := func(before int, m match, length, dist, after int) ([]byte, []byte) {
		var w bitWriter
		w.bits(1, 1) // final
		w.bits(1, 2) // fixed
		data := lits(&w, before)
		w.fixedLit(m.lsym)
		w.bits(m.lext, m.lbits)
		w.code(m.dsym, 5)
		w.bits(m.dext, m.dbits)
		if dist > 0 && dist <= len(data) {
			for range length {
				data = append(data, data[len(data)-dist])
			}
		}
		data = append(data, lits(&w, after)...)
		w.fixedLit(256)
		return w.zlibStream(data), data
	}
	var z Inflater
	for _, before := range []int{1, 5, 100, 40000} {
		for _, m := range []match{
			{lsym: 286, dsym: 0},
			{lsym: 287, dsym: 0},
			{lsym: 257, dsym: 30},
			{lsym: 257, dsym: 31},
		} {
			stream, _ := build(before, m, 0, 0, 1000)
			for _, size := range []int{before + 1003, before + 100000} {
				if _, _, _, err := z.tables().inflate(stream, nil, size, true); !errors.Is(err, errCode) {
					t.Fatalf("%d literals, then %+v: err = %v, want %v", before, m, err, errCode)
				}
			}
			compareWithZlib(t, &z, stream)
		}
		// Distance code 29 is 24577 + 13 extra bits: 24577..32768.
		for _, dist := range []int{before, before + 1, 24577, 32768} {
			if dist > 32768 {
				continue
			}
			var m match
			if dist >= 24577 {
				m = match{lsym: 285, dsym: 29, dext: uint64(dist - 24577), dbits: 13}
			} else {
				// Any distance below 24577 through its code.
				code := 0
				for code < 29 && int(distBase[code+1]) <= dist {
					code++
				}
				m = match{lsym: 285, dsym: uint64(code), dext: uint64(dist - int(distBase[code])), dbits: uint(distExtra[code])}
			}
			stream, data := build(before, m, 258, dist, 500)
			if dist > before {
				if _, _, _, err := z.tables().inflate(stream, nil, before+258+500, true); !errors.Is(err, errDistance) {
					t.Fatalf("%d literals, then distance %d: err = %v, want %v", before, dist, err, errDistance)
				}
				compareWithZlib(t, &z, stream)
				continue
			}
			want, _, err := zlibRef(stream, 1<<20)
			if err != nil {
				t.Fatalf("%d literals, distance %d: compress/zlib: %v", before, dist, err)
			}
			if !bytes.Equal(want, data) || len(want) != before+258+500 {
				t.Fatal("hand-made stream is not what it should be")
			}
			checkStream(t, fmt.Sprintf("%d literals, distance %d", before, dist), stream, want)
		}
	}
}

func BenchmarkAdler32(b *testing.B) {
	p := make([]byte, 64<<10)
	for i := range p {
		p[i] = byte(i * 7)
	}
	b.Run("ours", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for range b.N {
			adler32(p)
		}
	})
	b.Run("hash/adler32", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for range b.N {
			stdadler.Checksum(p)
		}
	})
}

// TestInflateLyingSize: a header that claims more than its stream holds
// (but not more than deflate's ratio allows) is refused, and the output
// grows with what the stream delivers rather than being allocated at the
// claimed size (issue 12, kept by the inflater of issue 14).
func TestInflateLyingSize(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	data := make([]byte, 200_000)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	stream := deflateLevel(t, data, 0)
	var z Inflater
	z.tables()
	for _, claim := range []int64{int64(len(data)) + 1, 100 << 20, int64(len(stream)) * maxRatio} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := z.inflateSized(stream, claim, nil)
		runtime.ReadMemStats(&after)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("claim %d for %d bytes: err = %v", claim, len(data), err)
		}
		if got := after.TotalAlloc - before.TotalAlloc; got > 9<<20 {
			t.Fatalf("claim %d for %d bytes: allocated %d bytes", claim, len(data), got)
		}
	}
	if _, err := z.inflateSized(stream, int64(len(stream))*maxRatio+65, nil); err == nil {
		t.Fatal("a claim over deflate's ratio is accepted")
	}
}
