package suppress

import (
	"regexp"
	"strings"
	"testing"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

func finding(rule, secret, path string) *scanner.Finding {
	f := &scanner.Finding{RuleID: rule, Path: path, Fingerprint: scanner.Fingerprint(rule, secret)}
	f.SetRaw(secret)
	return f
}

var (
	keyA = "sk_" + "live_" + "Aa1Bb2Cc3Dd4Ee5Ff6Gg7Hh8"
	keyB = "sk_" + "live_" + "Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2"
)

func TestIgnores(t *testing.T) {
	fa := finding("clay-sk-live-key", keyA, "src/app.go")
	fb := finding("clay-sk-live-key", keyB, "src/app.go")
	file := "# header comment\n\n" +
		fa.Fingerprint + "  # test fixture, rotated 2024-01\n" +
		strings.ToUpper(fb.Fingerprint[:4]) + fb.Fingerprint[4:] + " docs/**\n" +
		"clay-ent-key:0123456789abcdef\n"
	ig, err := ParseIgnores(".clayscanignore", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if len(ig.Entries) != 3 || ig.Entries[0].Reason != "test fixture, rotated 2024-01" || ig.Entries[1].Path != "docs/**" || ig.Entries[0].Line != 3 {
		t.Fatalf("entries = %+v", ig.Entries)
	}
	if got := ig.Suppress(fa); got != "ignore" {
		t.Errorf("unscoped entry: %q", got)
	}
	moved := finding("clay-sk-live-key", keyA, "renamed/elsewhere.go")
	moved.Line = 99
	if got := ig.Suppress(moved); got != "ignore" {
		t.Errorf("entry stopped matching after a move: %q", got)
	}
	if got := ig.Suppress(fb); got != "" {
		t.Errorf("path-scoped entry matched outside its path: %q", got)
	}
	if got := ig.Suppress(finding("clay-sk-live-key", keyB, "docs/setup.md")); got != "ignore" {
		t.Errorf("path-scoped entry: %q", got)
	}
	if got := ig.Suppress(finding("clay-sk-live-key", keyA+"x", "src/app.go")); got != "" {
		t.Errorf("changed key still ignored: %q", got)
	}
	if got := ig.Suppress(&scanner.Finding{RuleID: ChangedRuleID, Fingerprint: fa.Fingerprint}); got != "" {
		t.Errorf("suppression-changed was suppressed")
	}
	unused := ig.Unused()
	if len(unused) != 1 || unused[0].Line != 5 {
		t.Errorf("unused = %+v", unused)
	}
	if !ig.Has(fb.Fingerprint, "docs/**") || ig.Has(fb.Fingerprint, "") {
		t.Errorf("Has is wrong")
	}
}

func TestIgnoresErrors(t *testing.T) {
	_, err := ParseIgnores(".clayscanignore", []byte("ok-rule:0123456789abcdef\nsrc/app.go:12\nclay-ent-key:0123456789abcdef a b\n"))
	if err == nil {
		t.Fatal("no error")
	}
	for _, want := range []string{".clayscanignore:2: not a fingerprint", ".clayscanignore:3: too many fields"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
}

func TestIgnoreEntryRoundTrip(t *testing.T) {
	e := IgnoreEntry{Fingerprint: "clay-ent-key:0123456789abcdef", Path: "test/**", Reason: "fake key in a fixture"}
	got, ok, err := ParseIgnoreLine(e.String())
	if err != nil || !ok || got.Fingerprint != e.Fingerprint || got.Path != e.Path || got.Reason != e.Reason {
		t.Errorf("round trip of %q = %+v, %v", e.String(), got, err)
	}
}

func TestBaseline(t *testing.T) {
	fa := finding("clay-sk-live-key", keyA, "a.go")
	b, err := ParseBaseline("base.json", []byte(`{"tool":{"name":"clayscan"},"findings":[{"rule_id":"clay-sk-live-key","fingerprint":"`+fa.Fingerprint+`"}],"summary":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	if b.Suppress(fa) != "baseline" || b.Suppress(finding("clay-sk-live-key", keyB, "a.go")) != "" {
		t.Error("baseline matched wrongly")
	}
	for _, bad := range []string{``, `[]`, `{"results":[]}`, `{"findings":[{"path":"x"}]}`, `{"findings":[` + "\n" + `{"fingerprint": 1}]}`} {
		if _, err := ParseBaseline("base.json", []byte(bad)); err == nil || !strings.HasPrefix(err.Error(), "base.json: ") {
			t.Errorf("ParseBaseline(%q) error = %v", bad, err)
		}
	}
	if b, err := ParseBaseline("b", []byte(`{"findings":[]}`)); err != nil || b.Len() != 0 {
		t.Errorf("empty baseline: %v", err)
	}
}

func TestAllowlist(t *testing.T) {
	if NewAllowlist(rules.Allow{}) != nil {
		t.Error("empty allowlist is not nil")
	}
	al := NewAllowlist(rules.Allow{
		Paths:       []string{"testdata/**", "*.md"},
		Regexes:     []*regexp.Regexp{regexp.MustCompile(`Aa1Bb2`)},
		LineRegexes: []*regexp.Regexp{regexp.MustCompile(`(?i)example only`)},
		Stopwords:   []string{"zz9yy"},
	})
	for _, tc := range []struct {
		f    *scanner.Finding
		want string
	}{
		{finding("r", "plainsecretvalue1", "testdata/x/key.env"), "allowlist"},
		{finding("r", "plainsecretvalue1", "docs/README.md"), "allowlist"},
		{finding("r", "plainsecretvalue1", "src/app.go"), ""},
		{finding("r", keyA, "src/app.go"), "allowlist"},
		{finding("r", keyB, "src/app.go"), "allowlist"}, // stopword, case-insensitive
		{&scanner.Finding{RuleID: ChangedRuleID, Path: "docs/a.md"}, ""},
	} {
		if got := al.Suppress(tc.f); got != tc.want {
			t.Errorf("Suppress(%s in %s) = %q, want %q", tc.f.Fingerprint, tc.f.Path, got, tc.want)
		}
	}
	f := finding("r", "plainsecretvalue1", "src/app.go")
	if !al.HasLineRules() || al.SuppressLine(f, []byte(`key = "plainsecretvalue1" # Example only`)) != "allowlist" || al.SuppressLine(f, []byte(`key = "plainsecretvalue1"`)) != "" {
		t.Error("line regex")
	}
}
