package suppress

import (
	"regexp"
	"strings"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

// Allowlist is the config's [allow] table as a filter. Suppress checks what
// a finding carries (path, secret); SuppressLine checks the line's text,
// which findings never keep, and is called by the scanner while the line is
// at hand (scanner.Options.LineFilter).
type Allowlist struct {
	paths       *Globs
	regexes     []*regexp.Regexp
	lineRegexes []*regexp.Regexp
	stopwords   []string
}

// NewAllowlist builds the filter; it returns nil for an empty table.
func NewAllowlist(a rules.Allow) *Allowlist {
	if a.Empty() {
		return nil
	}
	al := &Allowlist{regexes: a.Regexes, lineRegexes: a.LineRegexes, stopwords: a.Stopwords}
	if len(a.Paths) > 0 {
		al.paths = CompileGlobs(a.Paths)
	}
	return al
}

// Suppress implements scanner.Filter: path globs, secret regexes and
// stopwords.
func (a *Allowlist) Suppress(f *scanner.Finding) string {
	if a == nil || protected(f) {
		return ""
	}
	if a.paths.Match(f.Path) {
		return "allowlist"
	}
	secret := f.Raw()
	if secret == "" {
		return ""
	}
	for _, re := range a.regexes {
		if re.MatchString(secret) {
			return "allowlist"
		}
	}
	if len(a.stopwords) > 0 {
		lower := strings.ToLower(secret)
		for _, w := range a.stopwords {
			if strings.Contains(lower, w) {
				return "allowlist"
			}
		}
	}
	return ""
}

// HasLineRules reports whether SuppressLine can suppress anything.
func (a *Allowlist) HasLineRules() bool { return a != nil && len(a.lineRegexes) > 0 }

// SuppressLine suppresses a finding whose line matches a line regex. It is
// safe for concurrent use.
func (a *Allowlist) SuppressLine(f *scanner.Finding, line []byte) string {
	if a == nil || protected(f) {
		return ""
	}
	for _, re := range a.lineRegexes {
		if re.Match(line) {
			return "allowlist"
		}
	}
	return ""
}
