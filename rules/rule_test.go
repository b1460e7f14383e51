package rules

import (
	"strings"
	"testing"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Validate(Default()); err != nil {
		t.Fatal(err)
	}
}

// Default returns the same rules in the same order every time: output,
// fingerprints and overlap resolution depend on it.
func TestDefaultIsStable(t *testing.T) {
	a, b := Default(), Default()
	if len(a) != len(b) {
		t.Fatal("rule count changed between calls")
	}
	for i := range a {
		if a[i].ID != b[i].ID {
			t.Fatalf("rule %d: %s then %s", i, a[i].ID, b[i].ID)
		}
	}
}

func TestValidate(t *testing.T) {
	good := func() Rule {
		return Rule{
			ID: "acme-key", Title: "Acme key", Severity: High, Keywords: []string{"acme_"},
			Regex: MustPattern(`acme_([a-z0-9]{16})`), SecretGroup: 1,
		}
	}
	if err := Validate([]Rule{good()}); err != nil {
		t.Fatalf("good rule: %v", err)
	}
	for _, c := range []struct {
		name  string
		edit  func(*Rule)
		wants string
	}{
		{"empty id", func(r *Rule) { r.ID = "" }, "id is empty"},
		{"bad id", func(r *Rule) { r.ID = "Acme Key" }, "lowercase letters"},
		{"no title", func(r *Rule) { r.Title = "" }, "title is empty"},
		{"bad severity", func(r *Rule) { r.Severity = "urgent" }, `severity "urgent"`},
		{"empty severity", func(r *Rule) { r.Severity = "" }, "severity"},
		{"no keyword", func(r *Rule) { r.Keywords = nil }, "no keywords"},
		{"empty keyword", func(r *Rule) { r.Keywords = []string{""} }, "empty keyword"},
		{"uppercase keyword", func(r *Rule) { r.Keywords = []string{"ACME_"} }, `keyword "ACME_" must be lowercase`},
		{"uppercase near", func(r *Rule) { r.Near = []string{"Acme.com"} }, "near"},
		{"no regex", func(r *Rule) { r.Regex = nil }, "regex is missing"},
		{"regex does not parse", func(r *Rule) { r.Regex = MustPattern(`acme_(`) }, "invalid regex"},
		{"secret group too high", func(r *Rule) { r.SecretGroup = 2 }, "secret group 2 is out of range"},
		{"secret group negative", func(r *Rule) { r.SecretGroup = -2 }, "secret group -2 is out of range"},
		{"first group without groups", func(r *Rule) {
			r.Regex, r.SecretGroup = MustPattern(`acme_[a-z]+`), FirstGroup
		}, "secret group -1 is out of range"},
		{"check group out of range", func(r *Rule) { r.CheckGroup = 3 }, "check group 3"},
		{"entropy out of range", func(r *Rule) { r.MinEntropy = 9 }, "entropy"},
		{"lines out of range", func(r *Rule) { r.Lines = 50 }, "lines 50"},
		{"bad context title", func(r *Rule) { r.Titles = []ContextTitle{{Title: "x"}} }, "context title"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := good()
			c.edit(&r)
			err := Validate([]Rule{r})
			if err == nil || !strings.Contains(err.Error(), c.wants) {
				t.Fatalf("Validate = %v, want an error containing %q", err, c.wants)
			}
		})
	}
	t.Run("duplicate id", func(t *testing.T) {
		err := Validate([]Rule{good(), good()})
		if err == nil || !strings.Contains(err.Error(), `rule "acme-key": duplicate id`) {
			t.Fatalf("Validate = %v, want a duplicate id error", err)
		}
	})
	t.Run("all problems at once", func(t *testing.T) {
		r := good()
		r.Keywords, r.Severity = nil, "bad"
		err := Validate([]Rule{r})
		if err == nil || !strings.Contains(err.Error(), "no keywords") || !strings.Contains(err.Error(), "severity") {
			t.Fatalf("Validate = %v, want both problems reported", err)
		}
	})
}

func TestLooksLikePlaceholder(t *testing.T) {
	for _, s := range []string{
		"", "   ", "changeme", "REDACTED", "your_key_here", "new_key_here", "<your-clay-api-key>",
		"${CLAY_API_KEY}", "$CLAY_API_KEY", "%CLAY_API_KEY%", "{{ secrets.CLAY_API_KEY }}",
		"process.env.CLAY_API_KEY", `os.getenv("CLAY_API_KEY")`, "config.clay.apiKey",
		"AKIAEXAMPLEKEY1234", "aaaaaaaaaaaa", "abababababab", "1234567890", "abcdefghijklmnop",
		"CLAY_API_KEY_PROD", "[0-9a-zA-Z]{24}", `\w{32}`, "clayApiKey", "webhook_auth_token",
		"secret123", "mysecretvalue", "ApiKeyID",
	} {
		if !LooksLikePlaceholder(s) {
			t.Errorf("LooksLikePlaceholder(%q) = false, want true", s)
		}
	}
	// Random-looking values of many shapes are not placeholders. They are
	// assembled so this file holds no key-shaped literal.
	for _, s := range []string{
		"q8Zt" + "3mWv" + "Lr7x" + "Np2K" + "c9Hd",
		"9f3a" + "c1e0" + "7b42" + "d8a5" + "16ce",
		"KqPz" + "RtWm",
		"tZ4o" + "Qe1L" + "s0Xn" + "W5aR" + "y7Gu" + "D2vB",
	} {
		if LooksLikePlaceholder(s) {
			t.Errorf("LooksLikePlaceholder(%q) = true, want false", s)
		}
	}
}

func TestEntropy(t *testing.T) {
	if e := Entropy(""); e != 0 {
		t.Errorf("Entropy(\"\") = %v", e)
	}
	if e := Entropy("aaaa"); e != 0 {
		t.Errorf("Entropy(aaaa) = %v", e)
	}
	if e := Entropy("abcd"); e != 2 {
		t.Errorf("Entropy(abcd) = %v, want 2", e)
	}
}

// TestDefaultPatternsCompile compiles the built-in patterns, which the
// scanner compiles only at a rule's first keyword hit, and checks that the
// group count Validate reads from their syntax is the compiled one.
func TestDefaultPatternsCompile(t *testing.T) {
	for _, r := range Default() {
		n, err := r.Regex.NumSubexp()
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		re := r.Regex.Regexp()
		if re.NumSubexp() != n || re.String() != r.Regex.String() {
			t.Errorf("%s: %d groups compiled, %d read from the syntax", r.ID, re.NumSubexp(), n)
		}
	}
}
