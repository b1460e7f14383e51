package scanner

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
)

// The pair prefilter (issue 14) must find every keyword occurrence and
// encoded run that the byte search finds, and the findings must not depend
// on which one ran. These tests compare the two with each other and with a
// plain reference: bytes.Index for every keyword in ASCII-lowercased data.

// pairDetectors returns a detector with the pair prefilter and one with the
// byte search, or skips where the pair prefilter cannot run.
func pairDetectors(t testing.TB) (pairs, byteSearch *Detector) {
	t.Helper()
	if !havePairScan {
		t.Skip("no vector pair scan on this CPU")
	}
	pairs = newTestDetector(t)
	byteSearch = newTestDetector(t)
	byteSearch.pairs = nil
	return pairs, byteSearch
}

// prefilterInput builds text dense with what the prefilter looks for:
// keywords and pieces of them in mixed case, code, keys, and keys in
// base64, hex and percent-encoding.
func prefilterInput(rng *rand.Rand) []byte {
	kws := []string{"api.clay.com/v", "pull-in-data-from-a-webhook-", "clay_ent_", "sk_live_", "x-clay-webhook-auth",
		"clay-api-key", "bearer", "api.clay.com", "clay", "cla", "lay", "ay", "be", "sk", "k-"}
	flip := func(s string) string {
		b := []byte(s)
		for i := range b {
			if rng.IntN(3) == 0 {
				if 'a' <= b[i] && b[i] <= 'z' {
					b[i] -= 'a' - 'A'
				} else if 'A' <= b[i] && b[i] <= 'Z' {
					b[i] += 'a' - 'A'
				}
			}
		}
		return string(b)
	}
	key := func() string {
		switch rng.IntN(5) {
		case 0:
			return fakeSkLive(rng.Uint64())
		case 1:
			return "CLAY_API_KEY=" + fakeToken(rng.Uint64(), 32)
		case 2:
			return "Authorization: Bearer " + fakeToken(rng.Uint64(), 40) + " https://api.clay.com/v1"
		case 3:
			return "clay_ent_" + fakeToken(rng.Uint64(), 32)
		}
		return "x-clay-webhook-auth: " + strings.ToLower(fakeToken(rng.Uint64(), 20))
	}
	var b strings.Builder
	for b.Len() < 200+rng.IntN(4000) {
		switch rng.IntN(10) {
		case 0, 1:
			k := kws[rng.IntN(len(kws))]
			if rng.IntN(2) == 0 {
				k = k[:rng.IntN(len(k)+1)]
			}
			b.WriteString(flip(k))
		case 2:
			b.WriteString(flip(key()))
		case 3:
			b.WriteString(base64.StdEncoding.EncodeToString([]byte(key())))
		case 4:
			b.WriteString(base64.RawURLEncoding.EncodeToString([]byte("v: " + base64.StdEncoding.EncodeToString([]byte(key())))))
		case 5:
			b.WriteString(hex.EncodeToString([]byte(key())))
		case 6:
			b.WriteString("?state=" + url.QueryEscape(`{"`+flip("clay_api_key")+`":"`+fakeToken(rng.Uint64(), 32)+`"}`))
		case 7:
			b.WriteString(fakeToken(rng.Uint64(), rng.IntN(40)))
		case 8:
			b.Write(codeText(50 + rng.IntN(200))[rng.IntN(40):])
		default:
			b.WriteString([]string{" ", "\n", "=", "\"", "-", "_", "\x00", "\xff", "é", "%", "%4"}[rng.IntN(11)])
		}
	}
	return []byte(b.String())
}

// referenceHits returns every keyword occurrence in data as "keyword@offset".
func referenceHits(d *Detector, data []byte) []string {
	lower := make([]byte, len(data))
	for i, c := range data {
		lower[i] = lowerASCII[c]
	}
	var out []string
	for _, k := range d.keywords {
		for off := 0; ; {
			i := bytes.Index(lower[off:], []byte(k))
			if i < 0 {
				break
			}
			out = append(out, fmt.Sprint(k, "@", off+i))
			off += i + 1
		}
	}
	slices.Sort(out)
	return out
}

// prefilterHits runs d's prefilter and returns the keyword hits (implied
// keywords included, as candidates expands them) and the encoded runs.
func prefilterHits(d *Detector, data []byte) (kws []string, runs []encRun, hits []kwHit) {
	var enc encodedScan
	hits = d.scan(data, true, &enc, nil)
	for _, h := range hits {
		a := &d.anchors[h.anchor]
		kws = append(kws, fmt.Sprint(d.keywords[a.kw], "@", h.s))
		for _, im := range a.implied {
			if ks := h.s - im.delta; ks >= 0 && hasPrefixFold(data[ks:], d.keywords[im.kw]) {
				kws = append(kws, fmt.Sprint(d.keywords[im.kw], "@", ks))
			}
		}
	}
	slices.Sort(kws)
	kws = slices.Compact(kws)
	runs = enc.runs
	slices.SortFunc(runs, compareRuns)
	return kws, slices.Compact(runs), hits
}

// checkPrefilter compares the pair prefilter, the byte search and the
// reference on data, and the findings of both prefilters.
func checkPrefilter(t *testing.T, pairs, byteSearch *Detector, data []byte) {
	t.Helper()
	pk, pr, ph := prefilterHits(pairs, data)
	bk, br, bh := prefilterHits(byteSearch, data)
	if ref := referenceHits(pairs, data); !slices.Equal(pk, ref) {
		t.Fatalf("pair prefilter keyword hits\n%v\nreference (bytes.Index)\n%v", pk, ref)
	}
	if !slices.Equal(ph, bh) {
		t.Fatalf("pair prefilter hits in another order than the byte search's:\n%v\n%v", ph, bh)
	}
	if !slices.Equal(pk, bk) {
		t.Fatalf("byte search keyword hits\n%v\nreference\n%v", bk, pk)
	}
	if !slices.Equal(pr, br) {
		t.Fatalf("pair prefilter encoded runs %v, byte search %v", pr, br)
	}
	find := func(d *Detector) []string {
		var out []string
		tg := &Target{Path: "p", Data: data}
		d.detect(tg, data, 0, len(data), textPos{1, 1}, true, func(f Finding, _ []byte) {
			out = append(out, fmt.Sprintf("%s %d:%d-%d %q %q %s %s", f.RuleID, f.Line, f.Column, f.EndColumn, f.Raw(), f.Decoded, f.SuppressedBy, f.Title))
		})
		return out
	}
	if pf, bf := find(pairs), find(byteSearch); !slices.Equal(pf, bf) {
		t.Fatalf("findings with the pair prefilter\n%v\nwith the byte search\n%v", strings.Join(pf, "\n"), strings.Join(bf, "\n"))
	}
}

func TestPrefilterMatchesReference(t *testing.T) {
	pairs, byteSearch := pairDetectors(t)
	rng := rand.New(rand.NewPCG(14, 1))
	found := 0
	for range 2000 {
		data := prefilterInput(rng)
		checkPrefilter(t, pairs, byteSearch, data)
		found += len(detectAll(pairs, &Target{Data: data}))
	}
	if found < 2000 {
		t.Errorf("only %d findings in the inputs: they test too little", found)
	}
	for _, data := range [][]byte{nil, []byte("y"), []byte("clay"), []byte("CLAY"), []byte("sK"), codeText(64 << 10), nearMissText(64 << 10), []byte(minified(64 << 10))} {
		checkPrefilter(t, pairs, byteSearch, data)
	}
}

// pairScan is pairScanGo, block by block, on every alignment and length.
func TestPairScanMatchesGo(t *testing.T) {
	pairs, _ := pairDetectors(t)
	rng := rand.New(rand.NewPCG(14, 2))
	for range 3000 {
		data := prefilterInput(rng)
		data = data[rng.IntN(min(len(data), 40)):]
		for i := 0; ; {
			off, mask := pairScan(data[i:], &pairs.pairs.nib)
			goOff, goMask := pairScanGo(data[i:], &pairs.pairs.nib)
			if off != goOff || mask != goMask {
				t.Fatalf("pairScan at %d: %d %016b, pairScanGo %d %016b", i, off, mask, goOff, goMask)
			}
			if mask == 0 {
				break
			}
			i += off + pairBlock
		}
	}
}

func FuzzPrefilter(f *testing.F) {
	rng := rand.New(rand.NewPCG(14, 3))
	for range 20 {
		f.Add(prefilterInput(rng))
	}
	pairs, byteSearch := pairDetectors(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkPrefilter(t, pairs, byteSearch, data)
	})
}

// runAt finds the run a byte-at-a-time loop finds, at every position of
// text mixing base64 runs of every length with other bytes.
func TestRunAtMatchesLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 5))
	const alpha = "AZaz09+/-_=. \n\x00\xff"
	for range 300 {
		data := make([]byte, rng.IntN(200))
		for i := range data {
			if rng.IntN(12) == 0 {
				data[i] = alpha[rng.IntN(len(alpha))]
			} else {
				data[i] = "Kk7b/Q_"[rng.IntN(7)]
			}
		}
		for p := range data {
			var e encodedScan
			e.runAt(data, p)
			want := encodedScan{}
			if b64Char[data[p]] {
				s, end := p, p+1
				for s > 0 && b64Char[data[s-1]] {
					s--
				}
				for end < len(data) && b64Char[data[end]] {
					end++
				}
				want.next = end
				if end-s >= minBase64Run {
					for n := 0; n < 2 && end < len(data) && data[end] == '='; n++ {
						end++
					}
					want.runs = []encRun{{s, end, encBase64}}
				}
			}
			if e.next != want.next || !slices.Equal(e.runs, want.runs) {
				t.Fatalf("runAt(%q, %d): next %d runs %v, want %d %v", data, p, e.next, e.runs, want.next, want.runs)
			}
		}
	}
}

// decodeBase64 decodes as a byte-at-a-time decoder does, on valid and
// broken input.
func TestDecodeBase64Groups(t *testing.T) {
	ref := func(src []byte) []byte {
		var dst []byte
		src = bytes.TrimRight(src, "=")
		var acc uint32
		n := 0
		for _, c := range src {
			if !b64Char[c] {
				break
			}
			acc = acc<<6 | uint32(b64Val[c])
			if n += 6; n >= 8 {
				n -= 8
				dst = append(dst, byte(acc>>n))
			}
		}
		return dst
	}
	rng := rand.New(rand.NewPCG(14, 6))
	for range 5000 {
		src := []byte(base64.StdEncoding.EncodeToString([]byte(fakeToken(rng.Uint64(), rng.IntN(60)))))
		if rng.IntN(2) == 0 && len(src) > 0 {
			src[rng.IntN(len(src))] = "=.-_ \xff"[rng.IntN(6)]
		}
		src = src[:rng.IntN(len(src)+1)]
		pre := []byte("x")
		if got, want := decodeBase64(pre[:1:1], src)[1:], ref(src); !bytes.Equal(got, want) {
			t.Fatalf("decodeBase64(%q) = %q, want %q", src, got, want)
		}
	}
}

// With custom rules there are more anchors and anchor bytes than the pair
// prefilter has classes, and keywords of one byte, of punctuation and of
// non-ASCII bytes: classes are shared, and every hit and run is still
// found, finding for finding.
func TestPrefilterManyKeywords(t *testing.T) {
	if !havePairScan {
		t.Skip("no vector pair scan on this CPU")
	}
	rs := rules.Default()
	custom := []struct{ kw, re string }{
		{"ghp_", `ghp_([A-Za-z0-9]{20,})`},
		{"xoxb-", `xoxb-([0-9a-z-]{12,})`},
		{"akia", `(?i)(akia[0-9a-z]{16})`},
		{"q", `q=([0-9]{8,})`},
		{"-", `-{3}(key[0-9]{4})`},
		{"s3cr3t", `s3cr3t[:=]\s*([a-z0-9]{10,})`},
		{"jé", `jé:([a-z]{10,})`},
		{"zz_top", `zz_top_([a-z0-9]{10,})`},
		{"vault:", `vault:v1:([a-z0-9]{10,})`},
		{"glpat-", `glpat-([a-z0-9_-]{20})`},
	}
	var kws []string
	for i, c := range custom {
		rs = append(rs, rules.Rule{ID: fmt.Sprintf("custom-%d", i), Title: "custom", Severity: rules.High,
			Keywords: []string{c.kw}, Regex: rules.MustPattern(c.re), SecretGroup: 1})
		kws = append(kws, c.kw)
	}
	pairs, err := NewDetector(rs)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, cs := range pairs.pairs.classes {
		n += len(cs)
	}
	if n <= maxPairClasses {
		t.Fatalf("%d prefilter items: the test does not share classes", n)
	}
	byteSearch := *pairs
	byteSearch.pairs = nil
	byteSearch.starts = make([]lazyAnchored, len(pairs.starts))
	rng := rand.New(rand.NewPCG(14, 7))
	found := 0
	for range 1000 {
		data := prefilterInput(rng)
		var b []byte
		for len(data) > 0 {
			i := rng.IntN(len(data) + 1)
			b = append(b, data[:i]...)
			data = data[i:]
			k := []byte(kws[rng.IntN(len(kws))])
			if rng.IntN(2) == 0 {
				k = bytes.ToUpper(k)
			}
			b = append(b, k...)
			b = append(b, []byte(strings.ToLower(fakeToken(rng.Uint64(), 24)))...)
		}
		checkPrefilter(t, pairs, &byteSearch, b)
		found += len(detectAll(pairs, &Target{Data: b}))
	}
	if found < 1000 {
		t.Errorf("only %d findings in the inputs: they test too little", found)
	}
}

// worthDecoding answers as hasKeyword and looksEncoded do, on decoded
// noise, text with keywords and nested encodings.
func TestWorthDecoding(t *testing.T) {
	pairs, _ := pairDetectors(t)
	rng := rand.New(rand.NewPCG(14, 8))
	for range 20000 {
		src := prefilterInput(rng)
		var b []byte
		switch rng.IntN(3) {
		case 0: // noise, as identifiers decode to
			b = decodeBase64(nil, []byte(fakeToken(rng.Uint64(), 20+rng.IntN(300))))
		case 1:
			i := rng.IntN(len(src))
			b = src[i:min(len(src), i+rng.IntN(300))]
		default:
			b = make([]byte, rng.IntN(64))
			for i := range b {
				b[i] = "%4aClAyBeSk_-0"[rng.IntN(14)]
			}
		}
		for _, nested := range []bool{false, true} {
			want := pairs.hasKeyword(b) || nested && looksEncoded(b)
			if got := pairs.worthDecoding(b, nested); got != want {
				t.Fatalf("worthDecoding(%q, %v) = %v, want %v", b, nested, got, want)
			}
		}
	}
}
