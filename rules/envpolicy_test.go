package rules

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clayscan/clayscan/scanner/ignore"
)

func TestClassification(t *testing.T) {
	p := DefaultEnvPolicy()
	tests := []struct {
		path          string
		env, template bool
	}{
		{".env", true, false},
		{"svc/api/.env", true, false},
		{".env.local", true, false},
		{".env.production", true, false},
		{".env.staging.local", true, false},
		{"config/app.env", true, false},
		{"prod.env", true, false},
		{".env.example", true, true},
		{"web/.env.sample", true, true},
		{".env.template", true, true},
		{".env.dist", true, true},
		{".env.defaults", true, true},
		{".envrc", false, false},
		{"env", false, false},
		{".env.", false, false},
		{"environment.ts", false, false},
		{".env/bin/activate", false, false}, // a virtualenv named .env
		{"README.md", false, false},
	}
	for _, tt := range tests {
		if got := p.IsEnvFile(tt.path); got != tt.env {
			t.Errorf("IsEnvFile(%q) = %v, want %v", tt.path, got, tt.env)
		}
		if got := p.IsTemplate(tt.path); got != tt.template {
			t.Errorf("IsTemplate(%q) = %v, want %v", tt.path, got, tt.template)
		}
		if got := p.Applies(tt.path); got != (tt.env && !tt.template) {
			t.Errorf("Applies(%q) = %v", tt.path, got)
		}
	}
	p.Extra = []string{"secrets.*.json"}
	p.Templates = append(p.Templates, ".env.ci")
	if !p.Applies("deploy/secrets.prod.json") || p.Applies(".env.ci") {
		t.Error("Extra and Templates are not honoured")
	}
}

// IgnoreLine must ignore exactly the file, whatever characters its name
// holds.
func TestIgnoreLine(t *testing.T) {
	for _, f := range []string{".env", "svc/.env.production", "a b/x.env", "[ab].env", "q?.env", "st*r.env", "back\\slash.env", "#hash.env", "!bang.env", "trail.env  "} {
		l := ignore.Parse([]byte(IgnoreLine(f)+"\n"), "", ".gitignore")
		if d, _ := l.Match(f, false); !d.Ignored {
			t.Errorf("IgnoreLine(%q) = %q does not ignore it", f, IgnoreLine(f))
		}
		for _, other := range []string{f + "x", "x" + f, "sub/" + f} {
			if d, _ := l.Match(other, false); d.Ignored {
				t.Errorf("IgnoreLine(%q) = %q also ignores %q", f, IgnoreLine(f), other)
			}
		}
	}
}

func TestMissingPatterns(t *testing.T) {
	tests := []struct {
		gitignore string // "-" for no file
		missing   []string
		rule      string
	}{
		{"-", []string{".env", ".env.local", ".env.*.local"}, ""},
		{".env\n.env.local\n.env.*.local\n", nil, ""},
		{".env*\n", nil, ""},
		{"/.env*\n!.env.example\n", nil, ""},
		{"*.local\n.env\n", nil, ""},
		{".env\n.env.local\n", []string{".env.*.local"}, ""},
		{".env*\n!.env.local\n", []string{".env.local"}, ".gitignore:2:!.env.local"},
		{".env/\n", []string{".env", ".env.local", ".env.*.local"}, ""}, // dir-only: not the file
		{"# .env\n", []string{".env", ".env.local", ".env.*.local"}, ""},
	}
	for _, tt := range tests {
		var root func(string) IgnoreMatch
		if tt.gitignore != "-" {
			l := ignore.Parse([]byte(tt.gitignore), "", ".gitignore")
			root = func(name string) IgnoreMatch { d, _ := l.Match(name, false); return IgnoreMatchOf(d) }
		}
		f, ok := DefaultEnvPolicy().MissingPatterns(root)
		if ok != (len(tt.missing) > 0) {
			t.Errorf("%q: finding=%v, want missing %v", tt.gitignore, ok, tt.missing)
			continue
		}
		if !ok {
			continue
		}
		for _, m := range tt.missing {
			if !strings.Contains(f.Guidance, "  "+m+"\n") {
				t.Errorf("%q: guidance does not suggest %q:\n%s", tt.gitignore, m, f.Guidance)
			}
		}
		if f.GitignoreRule != tt.rule {
			t.Errorf("%q: finding = %+v", tt.gitignore, f)
		}
	}
}

func TestFindings(t *testing.T) {
	m := IgnoreMatch{Ignored: true, Pattern: ".env", File: ".gitignore", Line: 3}
	tr := envTracked("svc/.env", m)
	if tr.GitignoreRule != ".gitignore:3:.env" || !strings.Contains(tr.Guidance, "git rm --cached svc/.env") || !strings.Contains(tr.Guidance, "otate") {
		t.Errorf("Tracked = %+v", tr)
	}
	ni := envNotIgnored("a b/.env.production", IgnoreMatch{})
	if ni.GitignoreRule != "" || !strings.Contains(ni.Guidance, "\n  /a b/.env.production\n") {
		t.Errorf("NotIgnored = %+v", ni)
	}
	neg := envNotIgnored(".env.production", IgnoreMatch{Pattern: "!.env.production", File: ".gitignore", Line: 2})
	if neg.GitignoreRule != ".gitignore:2:!.env.production" || !strings.Contains(neg.Guidance, "re-includes") {
		t.Errorf("NotIgnored with negation = %+v", neg)
	}
	st := envStaged("it's.env", IgnoreMatch{})
	if !strings.Contains(st.Guidance, `git restore --staged 'it'\''s.env'`) {
		t.Errorf("Staged guidance does not quote the path: %s", st.Guidance)
	}
	h := envInHistory(".env", "0123456789abcdef0123", time.Time{}, false)
	if !strings.Contains(h.Guidance, "0123456789ab") {
		t.Errorf("InHistory = %+v", h)
	}
}

// Every path rule is valid, and no path rule shares an ID with a content
// rule: `clayscan rules` lists both and `disable` accepts both (issue 13).
func TestPathRulesValid(t *testing.T) {
	ids := map[string]bool{}
	for _, r := range Default() {
		ids[r.ID] = true
	}
	for _, r := range DefaultPathRules() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		if ids[r.ID] {
			t.Errorf("duplicate id %q", r.ID)
		}
		ids[r.ID] = true
	}
}

func ExampleEnvPolicy_MissingPatterns() {
	pol := DefaultEnvPolicy()
	root := ignore.Parse([]byte("node_modules/\n.env\n"), "", ".gitignore")
	f, ok := pol.MissingPatterns(func(name string) IgnoreMatch { d, _ := root.Match(name, false); return IgnoreMatchOf(d) })
	fmt.Println(ok)
	fmt.Println(f.Guidance)
	// Output:
	// true
	// Add these lines to the root .gitignore:
	//   .env.local
	//   .env.*.local
	// and keep templates such as .env.example committed with placeholder values (add !.env.example if a broader pattern hides it).
}

func ExampleEnvPolicy_Applies() {
	pol := DefaultEnvPolicy()
	for _, p := range []string{".env", "svc/.env.production", "config/app.env", ".env.example", ".envrc"} {
		fmt.Println(p, pol.Applies(p))
	}
	// Output:
	// .env true
	// svc/.env.production true
	// config/app.env true
	// .env.example false
	// .envrc false
}

// A changed suppression file is a finding whose fingerprint follows the new
// content; a deleted one says so.
func TestSuppressionChanged(t *testing.T) {
	r := suppressionChanged()
	a, ok := r.Check(&PathFact{Path: ".clayscanignore", Where: InConfig, Changed: true, Digest: "aa"})
	b, _ := r.Check(&PathFact{Path: ".clayscanignore", Where: InConfig, Changed: true, Digest: "bb"})
	if !ok || a.Key == b.Key || !strings.Contains(a.Title, "changed .clayscanignore") {
		t.Errorf("changed = %+v, %+v", a, b)
	}
	if d, _ := r.Check(&PathFact{Path: ".clayscan.toml", Where: InConfig, Changed: true, Deleted: true}); !strings.Contains(d.Title, "deleted") {
		t.Errorf("deleted: %q", d.Title)
	}
	if _, ok := r.Check(&PathFact{Path: ".clayscan.toml", Where: InConfig}); ok {
		t.Error("an unchanged file is a finding")
	}
}
