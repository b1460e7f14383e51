package scanner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
)

// chunkReader returns its data in chunks of random sizes, as pipes and
// inflaters do.
type chunkReader struct {
	data []byte
	rng  *rand.Rand
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(len(p), len(c.data), 1+c.rng.IntN(9000))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

type located struct {
	rule, secret string
	line, col    int
	end          int
}

func locate(fs []Finding) []located {
	var out []located
	for _, f := range fs {
		out = append(out, located{f.RuleID, f.Raw(), f.Line, f.Column, f.EndColumn})
	}
	return out
}

// streamed runs detectStream with the given window and returns what it
// found.
func streamed(t *testing.T, d *Detector, data []byte, window int, seed uint64) []Finding {
	t.Helper()
	var fs []Finding
	tg := &Target{Path: "big.json"}
	err := d.detectStream(tg, &chunkReader{data: data, rng: rand.New(rand.NewPCG(seed, 1))}, window, false, func(f Finding, w []byte) {
		if got := string(w[f.start:min(len(w), f.start+len(f.Raw()))]); f.Decoded == "" && got != f.Raw() {
			t.Errorf("finding offset %d does not point at its secret in its window", f.start)
		}
		fs = append(fs, f)
	})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// Streaming finds what a scan of the whole content finds, once each, at
// the same lines and columns, whatever the window size: keys across window
// edges, multi-byte characters cut by an edge, a line longer than a
// window, settings spread over lines (issue 11).
func TestDetectStreamMatchesWhole(t *testing.T) {
	d := newTestDetector(t)
	var b strings.Builder
	rng := rand.New(rand.NewPCG(11, 12))
	for i := 0; b.Len() < 600<<10; i++ {
		switch rng.IntN(6) {
		case 0:
			fmt.Fprintf(&b, "CLAY_API_KEY=%s\n", fakeToken(uint64(i), 32))
		case 1:
			fmt.Fprintf(&b, `{"k%d": "日本語 ✓ %s", "n": %d}`+"\n", i, fakeSkLive(uint64(i)), i)
		case 2:
			fmt.Fprintf(&b, "clay:\n  region: eu\n  api_key: %s\n", fakeToken(uint64(i), 40))
		case 3:
			// a long line with keys spread along it
			for j := 0; j < 200; j++ {
				fmt.Fprintf(&b, `"é%d":"%s",`, j, fakeToken(uint64(i*1000+j), 12))
				if j%50 == 7 {
					b.WriteString(fakeSkLive(uint64(i*1000 + j)))
				}
			}
			b.WriteString("\n")
		default:
			fmt.Fprintf(&b, "// line %d: ordinary text, clay tables, Bearer tokens elsewhere ünïcödé\n", i)
		}
	}
	data := []byte(b.String())
	want := locate(detectAll(d, &Target{Path: "big.json", Data: data}))
	if len(want) < 100 {
		t.Fatalf("only %d findings in the fixture", len(want))
	}
	for _, window := range []int{64, 1000, 4093, 40 << 10, streamWindow} {
		got := locate(streamed(t, d, data, window, uint64(window)))
		if len(got) != len(want) {
			t.Errorf("window %d: %d findings, want %d", window, len(got), len(want))
		}
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("window %d: finding %d is %+v, want %+v", window, i, got[i], want[i])
				break
			}
		}
	}
}

// One line of 3 MB (generated JSON) with keys at its start, across the
// first window's edge and at its end: columns are counted from the line's
// start across windows.
func TestDetectStreamOneLine(t *testing.T) {
	d := newTestDetector(t)
	k1, k2, k3 := fakeSkLive(21), fakeSkLive(22), fakeSkLive(23)
	var b bytes.Buffer
	b.WriteString(`{"key":"` + k1 + `","rows":[`)
	for b.Len() < streamWindow+streamContext+10 {
		b.WriteString(`{"id":1,"name":"ïtem"},`)
	}
	b.Truncate(streamWindow + streamContext - 20)
	b.WriteString(`"` + k2 + `",`)
	for b.Len() < 3<<20 {
		b.WriteString(`{"id":2,"name":"item"},`)
	}
	b.WriteString(`"` + k3 + `"]}`)
	data := b.Bytes()
	want := locate(detectAll(d, &Target{Data: data}))
	got := locate(streamed(t, d, data, streamWindow, 5))
	if len(want) != 3 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("streamed %+v, want %+v (3 findings)", got, want)
	}
	if want[0].col != 9 || want[2].line != 1 {
		t.Errorf("whole scan: %+v", want)
	}
}

// A read error ends the scan with that error, after the findings read
// before it.
func TestDetectReaderError(t *testing.T) {
	d := newTestDetector(t)
	boom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("CLAY_API_KEY="+fakeToken(31, 32)+"\n"), iotestErr{boom})
	var n int
	err := d.DetectReader(&Target{}, r, func(Finding) { n++ })
	if !errors.Is(err, boom) || n != 1 {
		t.Errorf("err %v, %d findings; want boom and 1", err, n)
	}
}

type iotestErr struct{ err error }

func (e iotestErr) Read([]byte) (int, error) { return 0, e.err }

func utf16Bytes(s string, be, bom bool) []byte {
	var out []byte
	put := func(u uint16) {
		if be {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return out
}

// UTF-16 text, LE or BE, with or without a byte-order mark, is decoded and
// scanned, in memory and streamed; lines and columns are the decoded
// text's. Before issue 11 it was counted as binary.
func TestUTF16(t *testing.T) {
	d := newTestDetector(t)
	key := fakeSkLive(41)
	text := "# written by PowerShell 5\r\n$env:Näme = 'x'\r\nCLAY_API_KEY=" + key + "\r\n"
	for _, c := range []struct {
		name    string
		be, bom bool
	}{{"le-bom", false, true}, {"be-bom", true, true}, {"le", false, false}, {"be", true, false}} {
		data := utf16Bytes(text, c.be, c.bom)
		if IsBinary(data) {
			t.Errorf("%s: IsBinary", c.name)
		}
		for _, stream := range []bool{false, true} {
			tg := Target{Path: "out.txt", Data: data}
			if stream {
				tg = Target{Path: "out.txt", Reader: bytes.NewReader(data)}
			}
			res := runTargets(t, d, tg)
			if len(res.Findings) != 1 || res.Summary.Skipped[SkipBinary] != 0 {
				t.Fatalf("%s (stream %v): %d findings, skipped %v", c.name, stream, len(res.Findings), res.Summary.Skipped)
			}
			if f := res.Findings[0]; f.Line != 3 || f.Column != 14 || f.Raw() != key {
				t.Errorf("%s (stream %v): line %d column %d secret %q, want 3:14", c.name, stream, f.Line, f.Column, f.Raw())
			}
		}
	}
	// Binary stays binary, streamed or not.
	bin := append([]byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 0, 0, 0, 0, 0}, "CLAY_API_KEY="+fakeToken(42, 32)...)
	for _, tg := range []Target{{Path: "a.out", Data: bin}, {Path: "a.out", Reader: bytes.NewReader(bin)}} {
		if res := runTargets(t, d, tg); len(res.Findings) != 0 || res.Summary.Skipped[SkipBinary] != 1 {
			t.Errorf("binary: %d findings, skipped %v", len(res.Findings), res.Summary.Skipped)
		}
	}
}

// Surrogate pairs, unpaired surrogates and a trailing odd byte decode the
// same in one piece and across reads.
func TestUTF16Decoder(t *testing.T) {
	raw := utf16Bytes("a😀b", false, false)
	raw = append(raw, 0x00, 0xD8, 'c', 0, 0x00, 0xDC, 'x') // lone high, c, lone low, odd byte
	whole, ok := decodeText(append([]byte{0xFF, 0xFE}, raw...))
	if !ok || string(whole) != "a😀b\uFFFDc\uFFFD\uFFFD" {
		t.Fatalf("decoded %q", whole)
	}
	for step := 1; step < 5; step++ {
		var got []byte
		r := newUTF16Reader(&chunkReader{data: raw, rng: rand.New(rand.NewPCG(uint64(step), 0))}, false)
		got, _ = io.ReadAll(r)
		if string(got) != string(whole) {
			t.Errorf("streamed %q, want %q", got, whole)
		}
	}
}

// sliceSource emits fixed targets.
type sliceSource []Target

func (s sliceSource) Scan(_ context.Context, sink Sink) (SourceInfo, error) {
	for _, t := range s {
		sink.Scan(t)
	}
	return SourceInfo{Kind: "worktree"}, nil
}

func runTargets(t *testing.T, d *Detector, ts ...Target) *Result {
	t.Helper()
	res, err := Run(context.Background(), sliceSource(ts), d, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A streamed target with Prev keeps only findings on lines that Prev does
// not hold as often: the staged diff for files too large to diff in memory.
func TestStreamPrev(t *testing.T) {
	d := newTestDetector(t)
	old1, old2, added := fakeSkLive(51), fakeSkLive(52), fakeSkLive(53)
	prev := "a\nK=" + old1 + "\nK=" + old2 + "\n"
	next := "K=" + old1 + "\nb\nK=" + added + "\nK=" + old2 + "\nK=" + old2 + "\n"
	opened := 0
	res := runTargets(t, d, Target{Path: "x", Reader: strings.NewReader(next), Prev: func() (io.ReadCloser, error) {
		opened++
		return io.NopCloser(strings.NewReader(prev)), nil
	}})
	var got []string
	for _, f := range res.Findings {
		got = append(got, fmt.Sprintf("%d:%s", f.Line, f.Raw()))
	}
	want := []string{"3:" + added, "4:" + old2, "5:" + old2} // old2 is there twice now, once before
	if fmt.Sprint(got) != fmt.Sprint(want) || opened != 1 {
		t.Errorf("got %v (prev opened %d times), want %v", got, opened, want)
	}
	// No finding: Prev is never opened.
	opened = 0
	runTargets(t, d, Target{Path: "x", Reader: strings.NewReader("nothing\n"), Prev: func() (io.ReadCloser, error) {
		opened++
		return nil, errors.New("unused")
	}})
	if opened != 0 {
		t.Error("prev opened for a target without findings")
	}
}

// genReader yields n bytes of generated JSON lines without holding them.
type genReader struct {
	n, i int
	line []byte
	off  int
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	w := 0
	for w < len(p) && g.n > 0 {
		if g.off == len(g.line) {
			g.i++
			g.line = append(strconv.AppendInt(append(g.line[:0], `{"id":`...), int64(g.i), 10), `,"name":"row","score":7.5},`+"\n"...)
			g.off = 0
		}
		c := copy(p[w:min(len(p), w+g.n)], g.line[g.off:])
		w, g.off, g.n = w+c, g.off+c, g.n-c
	}
	return w, nil
}

// Memory does not grow with the content: 64 MB streamed allocate about one
// window, not the content's size (issue 11).
func TestDetectReaderMemoryBounded(t *testing.T) {
	d := newTestDetector(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	if err := d.DetectReader(&Target{}, &genReader{n: 64 << 20}, func(Finding) { n++ }); err != nil || n != 0 {
		t.Fatalf("err %v, %d findings", err, n)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("streaming 64 MB allocated %d bytes", alloc)
	}
}

// The second pass finds a linked value across a stream window's edge, once.
func TestLinkSearchStream(t *testing.T) {
	v := []byte("q8Zr2Xk9Lp4Tm7Wv3Nb6")
	l := &linkSink{vals: []linked{{secret: v, first: &Finding{}}}}
	data := bytes.Repeat([]byte("x"), 3*streamWindow)
	at := []int{5, streamWindow - 40, streamWindow + 10, 2*streamWindow + 15, len(data) - len(v)} // two across edges
	for _, p := range at {
		copy(data[p:], v)
	}
	var got []int
	base, prevAt := 0, textPos{1, 1}
	l.searchStream(bytes.NewReader(data), func(w []byte, prevEnd int, pos textPos) {
		if pos != prevAt {
			base += pos.col - prevAt.col
			prevAt = pos
		}
		for off := 0; ; {
			i := bytes.Index(w[off:], v)
			if i < 0 {
				break
			}
			if off+i+len(v) > prevEnd {
				got = append(got, base+off+i)
			}
			off += i + 1
		}
	})
	if fmt.Sprint(got) != fmt.Sprint(at) {
		t.Errorf("found at %v, want %v", got, at)
	}
}

// The second pass locates each occurrence of several values, whose
// occurrences interleave, at its own line and column.
func TestLinkPositions(t *testing.T) {
	a, b := "q8Zr2Xk9Lp4Tm7Wv3Nb6", "Hc5Ty8Ua1Pd4Sg7Jk0Wm"
	l := &linkSink{vals: []linked{{secret: []byte(a), first: &Finding{}}, {secret: []byte(b), first: &Finding{}}}, known: map[string][]span{}}
	data := "x = " + b + "\né " + a + "\n\n  " + b + " " + a + "\n"
	l.Scan(Target{Path: "p", Data: []byte(data)})
	var got []string
	for _, f := range l.found {
		got = append(got, fmt.Sprintf("%d:%d-%d", f.Line, f.Column, f.EndColumn))
	}
	sort.Strings(got)
	want := "[1:5-25 2:3-23 4:24-44 4:3-23]"
	if fmt.Sprint(got) != want {
		t.Errorf("found at %v, want %s", got, want)
	}
}
