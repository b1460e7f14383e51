package envpolicy

import (
	"strings"
	"testing"

	"github.com/clayscan/clayscan/scanner"
	"github.com/clayscan/clayscan/scanner/ignore"
)

func TestClassification(t *testing.T) {
	p := Default()
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
		var l *ignore.List
		if tt.gitignore != "-" {
			l = ignore.Parse([]byte(tt.gitignore), "", ".gitignore")
		}
		f, ok := Default().MissingPatterns(l)
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
		if f.GitignoreRule != tt.rule || f.RuleID != RuleMissingPatterns || f.Severity != "low" || f.Path != ".gitignore" {
			t.Errorf("%q: finding = %+v", tt.gitignore, f)
		}
	}
}

func TestFindings(t *testing.T) {
	d := ignore.Decision{Ignored: true, Pattern: ".env", File: ".gitignore", Line: 3}
	tr := Tracked("svc/.env", d)
	if tr.RuleID != RuleTracked || tr.GitignoreRule != ".gitignore:3:.env" || !strings.Contains(tr.Guidance, "git rm --cached svc/.env") || !strings.Contains(tr.Guidance, "otate") {
		t.Errorf("Tracked = %+v", tr)
	}
	if tr.Fingerprint != scanner.Fingerprint(RuleTracked, "svc/.env") {
		t.Errorf("fingerprint %q is not stable", tr.Fingerprint)
	}
	ni := NotIgnored("a b/.env.production", ignore.Decision{})
	if ni.GitignoreRule != "" || !strings.Contains(ni.Guidance, "\n  /a b/.env.production\n") {
		t.Errorf("NotIgnored = %+v", ni)
	}
	neg := NotIgnored(".env.production", ignore.Decision{Pattern: "!.env.production", File: ".gitignore", Line: 2})
	if neg.GitignoreRule != ".gitignore:2:!.env.production" || !strings.Contains(neg.Guidance, "re-includes") {
		t.Errorf("NotIgnored with negation = %+v", neg)
	}
	st := Staged("it's.env", ignore.Decision{})
	if !strings.Contains(st.Guidance, `git restore --staged 'it'\''s.env'`) {
		t.Errorf("Staged guidance does not quote the path: %s", st.Guidance)
	}
	h := InHistory(".env", &scanner.Commit{Hash: "0123456789abcdef0123", Author: "Ada"}, false)
	if h.Commit != "0123456789abcdef0123" || h.InHead == nil || *h.InHead || !strings.Contains(h.Guidance, "0123456789ab") {
		t.Errorf("InHistory = %+v", h)
	}
}
