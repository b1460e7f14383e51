package scanner

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// Keys hidden by an encoding are found, at the encoded text, with how they
// were decoded (issue 11).
func TestDetectEncoded(t *testing.T) {
	d := newTestDetector(t)
	sk := fakeSkLive(61)
	tok := fakeToken(62, 32)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	b64url := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, c := range []struct {
		name, text, encoded   string // encoded: the token the finding points at
		rule, secret, decoded string
	}{
		{"k8s secret", "apiVersion: v1\nkind: Secret\ndata:\n  api-key: " + b64(sk) + "\n", b64(sk), "clay-sk-live-key", sk, "base64"},
		{"url alphabet unpadded", `{"blob":"` + b64url("x "+sk+"?") + `"}`, b64url("x " + sk + "?"), "clay-sk-live-key", sk, "base64"},
		{"env file in base64", "ENV_B64=" + b64("A=1\nCLAY_API_KEY="+tok+"\n"), b64("A=1\nCLAY_API_KEY=" + tok + "\n"), "clay-credential-assignment", tok, "base64"},
		{"hex", "key_hex: " + hex.EncodeToString([]byte(sk)), hex.EncodeToString([]byte(sk)), "clay-sk-live-key", sk, "hex"},
		{"percent", "https://example.com/cb?state=" + url.QueryEscape(`{"clay_api_key":"`+tok+`"}`), url.QueryEscape(`{"clay_api_key":"` + tok + `"}`), "clay-credential-assignment", tok, "percent"},
		{"base64 of percent", "v: " + b64("q="+url.QueryEscape(`{"clay_secret":"`+tok+`"}`)), b64("q=" + url.QueryEscape(`{"clay_secret":"`+tok+`"}`)), "clay-credential-assignment", tok, "base64,percent"},
		{"base64 of base64", "v: " + b64(b64(sk)), b64(b64(sk)), "clay-sk-live-key", sk, "base64,base64"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := detectAll(d, &Target{Data: []byte(c.text)})
			if len(fs) != 1 {
				t.Fatalf("%d findings %+v in %q", len(fs), fs, c.text)
			}
			f := fs[0]
			i := strings.Index(c.text, c.encoded)
			line := strings.Count(c.text[:i], "\n") + 1
			col := i - strings.LastIndex(c.text[:i], "\n")
			if f.RuleID != c.rule || f.Raw() != c.secret || f.Decoded != c.decoded || f.Line != line || f.Column != col || f.EndColumn != col+len(c.encoded) {
				t.Errorf("got %s %q decoded %q at %d:%d-%d, want %s %q decoded %q at %d:%d-%d",
					f.RuleID, f.Raw(), f.Decoded, f.Line, f.Column, f.EndColumn, c.rule, c.secret, c.decoded, line, col, col+len(c.encoded))
			}
			if f.Fingerprint != Fingerprint(c.rule, c.secret) {
				t.Errorf("fingerprint %s is not the decoded secret's", f.Fingerprint)
			}
		})
	}
}

// Encoded text without a key, and encoded placeholders, report nothing;
// a key in plain text inside a percent-encoded URL is reported once.
func TestDetectEncodedNegatives(t *testing.T) {
	d := newTestDetector(t)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	sk := fakeSkLive(63)
	for _, text := range []string{
		"cert: " + b64(strings.Repeat("random bytes without any keyword ", 20)),
		"api-key: " + b64("sk_"+"live_xxxxxxxxxxxxxxxxxxxxxxxx"),
		"api-key: " + b64("CLAY_API_KEY=${CLAY_API_KEY}"),
		"sha: 3f786850e387550fdab836ed7e6dc881de23001b3f786850e387550fdab836ed",
		"https://example.com/?q=clay%20tables%20docs",
		"thisIsAVeryLongCamelCaseIdentifierWithClayInIt := 1",
	} {
		if fs := detectAll(d, &Target{Data: []byte(text)}); len(fs) != 0 {
			t.Errorf("%q: %d findings, first %s %q decoded %q", text, len(fs), fs[0].RuleID, fs[0].Raw(), fs[0].Decoded)
		}
	}
	text := "https://example.com/cb?next=%2Fhome&key=" + sk
	fs := detectAll(d, &Target{Data: []byte(text)})
	if len(fs) != 1 || fs[0].Decoded != "" {
		t.Errorf("plain key in a percent-encoded URL: %d findings %+v", len(fs), fs)
	}
}

// Streaming finds encoded keys too, at the right line.
func TestDetectEncodedStreamed(t *testing.T) {
	d := newTestDetector(t)
	sk := fakeSkLive(64)
	var b strings.Builder
	for i := 0; b.Len() < 300<<10; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
		if i%997 == 0 {
			fmt.Fprintf(&b, "  token: %s\n", base64.StdEncoding.EncodeToString([]byte(sk)))
		}
	}
	data := []byte(b.String())
	want := locate(detectAll(d, &Target{Data: data}))
	got := locate(streamed(t, d, data, 4096, 3))
	if len(want) < 10 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("streamed %d findings, whole %d", len(got), len(want))
	}
}
