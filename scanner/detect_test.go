package scanner

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/clayscan/clayscan/rules"
)

// Fake keys are built at test time so the repository never holds one.
func fakeToken(seed uint64, n int) string {
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	rng := rand.New(rand.NewPCG(seed, 99))
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[rng.IntN(len(alnum))]
	}
	return string(b)
}

func fakeSkLive(seed uint64) string { return "sk_" + "live_" + fakeToken(seed, 24) }

func newTestDetector(t testing.TB) *Detector {
	t.Helper()
	d, err := NewDetector(rules.Default())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func detectAll(d *Detector, tg *Target) []Finding {
	var fs []Finding
	d.Detect(tg, func(f Finding) { fs = append(fs, f) })
	return fs
}

func TestDetectCRLF(t *testing.T) {
	d := newTestDetector(t)
	tok, key := fakeToken(1, 32), fakeSkLive(2)
	data := "A=1\r\nCLAY_API_KEY=" + tok + "\r\nB=2\r\nclay_secret: \"" + key + "\"\r\n"
	fs := detectAll(d, &Target{Path: "win.env", Data: []byte(data)})
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want 2: %+v", len(fs), fs)
	}
	if f := fs[0]; f.Line != 2 || f.Column != 14 || f.Raw() != tok || f.EndColumn != 14+32 {
		t.Errorf("first: line %d col %d end %d secret %q, want line 2 col 14 end 46 without \\r", f.Line, f.Column, f.EndColumn, f.Raw())
	}
	if f := fs[1]; f.Line != 4 || f.Column != 15 || f.Raw() != key || f.RuleID != "clay-sk-live-key" {
		t.Errorf("second: %s line %d col %d secret %q, want clay-sk-live-key line 4 col 15", f.RuleID, f.Line, f.Column, f.Raw())
	}
}

// Columns count characters: a valid multi-byte character is one column, and
// so is each invalid byte (Latin-1 text read as UTF-8).
func TestDetectInvalidUTF8Columns(t *testing.T) {
	d := newTestDetector(t)
	key := fakeSkLive(3)
	for _, c := range []struct {
		prefix string
		col    int
	}{
		{"caf\xe9 \xff ", 8},          // two invalid bytes: one column each
		{"café ", 6},                  // é is two bytes, one column
		{"\xe2\x82 ", 4},              // a truncated three-byte sequence: two columns
		{"日本 \xc3\x28 \x80\x80 ", 10}, // mixed
	} {
		data := c.prefix + key + " \xe9\xff\n"
		fs := detectAll(d, &Target{Data: []byte(data)})
		if len(fs) != 1 {
			t.Fatalf("%q: %d findings, want 1", c.prefix, len(fs))
		}
		if fs[0].Column != c.col || fs[0].Raw() != key || fs[0].EndColumn != c.col+utf8.RuneCountInString(key) {
			t.Errorf("%q: column %d end %d secret %q, want column %d", c.prefix, fs[0].Column, fs[0].EndColumn, fs[0].Raw(), c.col)
		}
	}
	// Invalid bytes hugging the key do not hide it.
	data := "\xff\xfeCLAY_API_KEY=" + fakeToken(4, 32) + "\xff"
	if fs := detectAll(d, &Target{Data: []byte(data)}); len(fs) != 1 || fs[0].Column != 16 {
		t.Errorf("invalid bytes around an assignment: %+v", fs)
	}
}

// minified returns one line of about n bytes of minified JS with
// near-misses in it but no key.
func minified(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, `var a%d=function(e,t){return e.clay%d?t.sk_x(e):void 0},b%d={url:"https://api.clay.com/v1/x",h:{Authorization:"Bearer "+t}};`, i, i, i)
	}
	return b.String()
}

// A 300 KB single line (a minified bundle) with keys in the middle and at
// the very end: both found, at the right columns. Speed on such lines is
// measured by BenchmarkDetectMinified.
func TestDetectLongLine(t *testing.T) {
	d := newTestDetector(t)
	k1, k2 := fakeSkLive(5), fakeSkLive(6)
	half := minified(150 << 10)
	data := half + `;var k="` + k1 + `";` + half + `;K="` + k2
	fs := detectAll(d, &Target{Path: "bundle.min.js", Data: []byte(data)})
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want 2", len(fs))
	}
	if fs[0].Raw() != k1 || fs[0].Line != 1 || fs[0].Column != strings.Index(data, k1)+1 {
		t.Errorf("middle key: %q at %d:%d", fs[0].Raw(), fs[0].Line, fs[0].Column)
	}
	if fs[1].Raw() != k2 || fs[1].Column != len(data)-len(k2)+1 {
		t.Errorf("end key: %q at %d:%d", fs[1].Raw(), fs[1].Line, fs[1].Column)
	}
}

// A value longer than the first, short regex try is still found whole.
func TestDetectLongValue(t *testing.T) {
	d := newTestDetector(t)
	long := fakeToken(7, 400)
	fs := detectAll(d, &Target{Data: []byte("CLAY_API_KEY=" + long + "\n")})
	if len(fs) != 1 || fs[0].Raw() != long {
		t.Fatalf("got %d findings (%v), want the whole 400-character value", len(fs), fs)
	}
}

func TestIsBinary(t *testing.T) {
	text := bytes.Repeat([]byte("a"), 10000)
	if IsBinary(text) {
		t.Error("text without NUL is binary")
	}
	for _, c := range []struct {
		at   int
		want bool
	}{{0, true}, {7999, true}, {8000, false}, {9999, false}} {
		b := slices.Clone(text)
		b[c.at] = 0
		if got := IsBinary(b); got != c.want {
			t.Errorf("NUL at %d: IsBinary = %v, want %v", c.at, got, c.want)
		}
	}
	if IsBinary(nil) {
		t.Error("empty content is binary")
	}
}

func TestDetectEmpty(t *testing.T) {
	d := newTestDetector(t)
	for _, data := range [][]byte{nil, {}, []byte("\n"), []byte("\r\n\r\n"), []byte("clay"), []byte("sk_live_"), []byte("Bearer")} {
		if fs := detectAll(d, &Target{Data: data}); len(fs) != 0 {
			t.Errorf("%q: %d findings", data, len(fs))
		}
	}
}

func TestDetectManyKeys(t *testing.T) {
	d := newTestDetector(t)
	var b strings.Builder
	var want []string
	for i := range 500 {
		k := fakeSkLive(uint64(100 + i))
		want = append(want, k)
		fmt.Fprintf(&b, "KEY_%d=%s\n", i, k)
		if i%3 == 0 {
			fmt.Fprintf(&b, "# filler line %d\n", i)
		}
	}
	fs := detectAll(d, &Target{Data: []byte(b.String())})
	if len(fs) != len(want) {
		t.Fatalf("got %d findings, want %d", len(fs), len(want))
	}
	lines := strings.Split(b.String(), "\n")
	for i, f := range fs {
		if f.Raw() != want[i] || !strings.Contains(lines[f.Line-1], want[i]) || f.Column != len(fmt.Sprintf("KEY_%d=", i))+1 {
			t.Fatalf("finding %d: %q at %d:%d", i, f.Raw(), f.Line, f.Column)
		}
		if i > 0 && f.Line <= fs[i-1].Line {
			t.Fatalf("findings out of order at %d", i)
		}
	}
}

func TestDetectInlineAllow(t *testing.T) {
	d := newTestDetector(t)
	k1, k2 := fakeSkLive(8), fakeSkLive(9)
	data := "CLAY_API_KEY=" + k1 + " # clayscan:allow test fixture\nCLAY_SECRET=" + k2 + "\n"
	fs := detectAll(d, &Target{Data: []byte(data)})
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want 2 (suppressed ones are still emitted)", len(fs))
	}
	if fs[0].SuppressedBy != "inline" || fs[1].SuppressedBy != "" {
		t.Errorf("SuppressedBy = %q, %q; want inline, empty", fs[0].SuppressedBy, fs[1].SuppressedBy)
	}
}

func TestDetectLinesFilter(t *testing.T) {
	d := newTestDetector(t)
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, "K%d=%s\n", i, fakeSkLive(uint64(20+i)))
	}
	fs := detectAll(d, &Target{Data: []byte(b.String()), Lines: LineSet{{2, 3}, {6, 6}}})
	var got []int
	for _, f := range fs {
		got = append(got, f.Line)
	}
	if !slices.Equal(got, []int{2, 3, 6}) {
		t.Errorf("lines %v, want [2 3 6]", got)
	}
	if fs := detectAll(d, &Target{Data: []byte(b.String()), Lines: LineSet{}}); len(fs) != 0 {
		t.Errorf("an empty (non-nil) line set kept %d findings", len(fs))
	}
}

func TestDetectKeywordCase(t *testing.T) {
	d := newTestDetector(t)
	tok := fakeToken(30, 32)
	for _, line := range []string{
		`curl -H "AUTHORIZATION: BEARER ` + tok + `" HTTPS://API.CLAY.COM/v1/me`,
		`Clay_Api_Key = "` + tok + `"`,
		`X-CLAY-WEBHOOK-AUTH: ` + tok,
	} {
		if fs := detectAll(d, &Target{Data: []byte(line)}); len(fs) != 1 || fs[0].Raw() != tok {
			t.Errorf("%q: %d findings", line, len(fs))
		}
	}
}

func TestDetectCommitFields(t *testing.T) {
	d := newTestDetector(t)
	c := &Commit{Hash: "abc123", Author: "A", Email: "a@example.com"}
	fs := detectAll(d, &Target{Path: "x", Commit: c, Data: []byte("k=" + fakeSkLive(31))})
	if len(fs) != 1 || fs[0].Commit != "abc123" || fs[0].Author != "A" || fs[0].Email != "a@example.com" || fs[0].Path != "x" {
		t.Fatalf("findings %+v", fs)
	}
	if strings.Contains(fs[0].Secret, fs[0].Raw()) {
		t.Error("Secret is not masked")
	}
}

// The detector is immutable: many goroutines share one and all get the
// same answer. Run with -race.
func TestDetectConcurrent(t *testing.T) {
	d := newTestDetector(t)
	var inputs [][]byte
	for i := range 8 {
		inputs = append(inputs, []byte(fmt.Sprintf("x\nCLAY_API_KEY=%s\n%s\nk=%s\n", fakeToken(uint64(40+i), 32), minified(4<<10), fakeSkLive(uint64(50+i)))))
	}
	want := make([][]Finding, len(inputs))
	for i, in := range inputs {
		want[i] = detectAll(d, &Target{Data: in})
		if len(want[i]) != 2 {
			t.Fatalf("input %d: %d findings, want 2", i, len(want[i]))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 20 {
				i := (g + r) % len(inputs)
				got := detectAll(d, &Target{Data: inputs[i]})
				if len(got) != len(want[i]) || got[0].Raw() != want[i][0].Raw() || got[1].Column != want[i][1].Column {
					errs <- fmt.Sprintf("goroutine %d input %d: findings differ", g, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// FuzzDetect checks that no input panics the detector and that every
// finding points inside the input: its line exists, its column is on that
// line, and the secret is the bytes at that position.
func FuzzDetect(f *testing.F) {
	for _, s := range []string{
		"", "clay", "CLAY_API_KEY=", "CLAY_API_KEY=" + fakeToken(60, 32),
		"a\r\nk=" + fakeSkLive(61) + "\r\n", "caf\xe9 " + fakeSkLive(62) + "\xff",
		`curl -H "Authorization: Bearer ` + fakeToken(63, 40) + `" https://api.clay.com/v1`,
		"https://api.clay.com/v3/sources/webhook/x-" + "0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b",
		"clay_ent_" + fakeToken(64, 32), "x-clay-webhook-auth: " + strings.ToLower(fakeToken(65, 20)),
		minified(3000),
	} {
		f.Add([]byte(s))
	}
	d := newTestDetector(f)
	// slow runs every rule's regex over whole windows, without the
	// keyword-anchored matching and its gates. Whatever it finds, the fast
	// path must find too. (The fast path may find more: it tries every
	// keyword hit, also one inside a longer match the window matcher
	// rejected, as in CLAY_KEY=AAAAAAAA CLAY_KEY=<key> without the space.)
	slow := *d
	slow.starts = make([]lazyAnchored, len(d.starts))
	for i := range slow.starts {
		slow.starts[i].once.Do(func() {}) // no anchored form
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		type key struct {
			rule, secret string
			line, col    int
		}
		var fast, full []key
		d.Detect(&Target{Data: data}, func(f Finding) { fast = append(fast, key{f.RuleID, f.Raw(), f.Line, f.Column}) })
		slow.Detect(&Target{Data: data}, func(f Finding) { full = append(full, key{f.RuleID, f.Raw(), f.Line, f.Column}) })
		for _, k := range full {
			if !slices.Contains(fast, k) {
				t.Fatalf("anchored matching missed %v that window matching found (fast: %v)", k, fast)
			}
		}
		lines := bytes.Split(data, []byte("\n"))
		d.Detect(&Target{Data: data}, func(fd Finding) {
			if fd.Line < 1 || fd.Line > len(lines) {
				t.Fatalf("line %d outside 1..%d", fd.Line, len(lines))
			}
			if fd.start < 0 || fd.start+len(fd.Raw()) > len(data) || string(data[fd.start:fd.start+len(fd.Raw())]) != fd.Raw() {
				t.Fatalf("secret offset %d does not hold the secret", fd.start)
			}
			line := lines[fd.Line-1]
			if fd.Column < 1 || fd.Column > utf8.RuneCount(line)+1 || fd.EndColumn < fd.Column || fd.EndColumn > utf8.RuneCount(line)+1 {
				t.Fatalf("column %d..%d outside line of %d characters", fd.Column, fd.EndColumn, utf8.RuneCount(line))
			}
			if fd.Raw() == "" {
				t.Fatal("empty secret")
			}
		})
	})
}

// The keyword-anchored fast path finds what running each rule's regex over
// whole windows finds, on text full of keys and near-misses.
func TestAnchoredMatchesWindowed(t *testing.T) {
	d := newTestDetector(t)
	slow := *d
	slow.starts = make([]lazyAnchored, len(d.starts))
	for i := range slow.starts {
		slow.starts[i].once.Do(func() {}) // no anchored form
	}
	var b strings.Builder
	for i := range 200 {
		tok, key := fakeToken(uint64(300+i), 32), fakeSkLive(uint64(600+i))
		hex := strings.ToLower(fakeToken(uint64(900+i), 20))
		fmt.Fprintf(&b, "CLAY_API_KEY=%s\nexport clay_secret='%s'\n{\"clayApiKey\": \"%s\"}\n", tok, tok, key)
		fmt.Fprintf(&b, "curl -H \"x-clay-webhook-auth: %s\" -H \"Authorization: Bearer %s\" https://api.clay.com/v1\n", hex, tok)
		fmt.Fprintf(&b, "os.Setenv(\"CLAY_TOKEN\", \"%s\") // clay_api_key, clay-api-key: %s\n", tok, tok)
		fmt.Fprintf(&b, "GET https://api.clay.com/v1/t?api_key=%s clay_ent_%s\n", tok, tok)
	}
	data := []byte(b.String() + string(nearMissText(64<<10)) + minified(64<<10))
	var fast, full []string
	d.Detect(&Target{Data: data}, func(f Finding) { fast = append(fast, fmt.Sprint(f.RuleID, f.Line, f.Column, f.Raw())) })
	slow.Detect(&Target{Data: data}, func(f Finding) { full = append(full, fmt.Sprint(f.RuleID, f.Line, f.Column, f.Raw())) })
	if len(full) < 1000 {
		t.Fatalf("window matching found only %d findings", len(full))
	}
	if !slices.Equal(fast, full) {
		t.Errorf("anchored matching: %d findings, window matching: %d", len(fast), len(full))
		for _, k := range full {
			if !slices.Contains(fast, k) {
				t.Errorf("missed: %s", k)
				break
			}
		}
	}
}
