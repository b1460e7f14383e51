package scanner

import (
	"bytes"
	"fmt"
	"math/rand"
	"testing"
)

// naiveLinkHits is the search linkIndex replaces: value by value, every
// start position (issue 14).
func naiveLinkHits(vals []linked, data []byte) []linkHit {
	var out []linkHit
	for vi, v := range vals {
		for off := 0; ; {
			i := bytes.Index(data[off:], v.secret)
			if i < 0 {
				break
			}
			out = append(out, linkHit{vi, off + i})
			off += i + 1
		}
	}
	return out
}

func checkLinkIndex(t *testing.T, vals []linked, data []byte) {
	t.Helper()
	ix := newLinkIndex(vals)
	if ix == nil {
		return
	}
	got, want := ix.find(vals, data, nil), naiveLinkHits(vals, data)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("index found %v, value by value %v (values %d)", got, want, len(vals))
	}
}

// Values of several lengths, overlapping and repeated occurrences, values
// that are prefixes of others, at the data's very start and end.
func TestLinkIndexMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewSource(14))
	alpha := []byte("ab")
	for iter := 0; iter < 3000; iter++ {
		nv := 1 + r.Intn(6)
		var vals []linked
		for range nv {
			n := minLinkedSecret + r.Intn(30)
			v := make([]byte, n)
			for i := range v {
				v[i] = alpha[r.Intn(len(alpha))]
			}
			if r.Intn(4) == 0 && len(vals) > 0 { // a prefix or extension of another
				prev := vals[r.Intn(len(vals))].secret
				v = append(append([]byte{}, prev...), v[:r.Intn(8)]...)
			}
			vals = append(vals, linked{secret: v})
		}
		data := make([]byte, r.Intn(400))
		for i := range data {
			data[i] = alpha[r.Intn(len(alpha))]
		}
		for k := r.Intn(5); k > 0 && len(data) > 0; k-- {
			v := vals[r.Intn(len(vals))].secret
			p := r.Intn(len(data))
			data = append(data[:p], append(append([]byte{}, v...), data[p:]...)...)
		}
		if r.Intn(3) == 0 {
			data = append(append([]byte{}, vals[0].secret...), data...)
			data = append(data, vals[len(vals)-1].secret...)
		}
		checkLinkIndex(t, vals, data)
	}
}

func FuzzLinkIndex(f *testing.F) {
	f.Add([]byte("q8Zr2Xk9Lp4Tm7Wv3Nb6"), []byte("Hc5Ty8Ua1Pd4Sg7Jk0Wm"), []byte("x = q8Zr2Xk9Lp4Tm7Wv3Nb6Hc5Ty8Ua1Pd4Sg7Jk0Wm\n"))
	f.Add([]byte("aaaaaaaaaaaa"), []byte("aaaaaaaaaaaaaaaaa"), bytes.Repeat([]byte("a"), 100))
	f.Fuzz(func(t *testing.T, a, b, data []byte) {
		var vals []linked
		for _, v := range [][]byte{a, b} {
			if len(v) >= minLinkedSecret {
				vals = append(vals, linked{secret: v})
			}
		}
		if len(vals) == 0 {
			return
		}
		checkLinkIndex(t, vals, data)
	})
}

// anchorsOf names, for each value, an anchor keyword it contains (any
// case), and gives up (0: read everything) when a value contains none
// (issue 14).
func TestAnchorsOf(t *testing.T) {
	d := newTestDetector(t)
	bit := func(kw string) Anchors {
		for i, a := range d.anchors {
			if d.keywords[a.kw] == kw {
				return anchorBit(i)
			}
		}
		t.Fatalf("no anchor %q", kw)
		return 0
	}
	live := "sk_" + "live_" + "Hq7Lm2Pz9Rt4Vw8Nb3Kd6Hs1"
	for _, c := range []struct {
		vals []string
		want Anchors
	}{
		{[]string{live}, bit("sk_live_")},
		{[]string{live, "Zq4Rt8ClaYWm2Xp6"}, bit("sk_live_") | bit("clay")},
		{[]string{"xBEARERx0123456789"}, bit("bearer")},
		{[]string{live, "Zq4Rt8Wm2Xp6Lk9Nv3"}, 0},
	} {
		var vals []linked
		for _, v := range c.vals {
			vals = append(vals, linked{secret: []byte(v)})
		}
		if got := d.anchorsOf(vals); got != c.want {
			t.Errorf("anchorsOf(%d values) = %b, want %b", len(vals), got, c.want)
		}
	}
}
