package rules

import (
	"regexp"
	"regexp/syntax"
	"sync"
)

// Pattern is a rule's regular expression, compiled at its first use. The
// built-in pack has nine; compiling them all cost a pre-commit run about
// 0.6 ms and 40 fresh pages, and such a run seldom meets a Clay keyword,
// so it seldom needs any of them.
type Pattern struct {
	expr string

	once sync.Once
	re   *regexp.Regexp

	subsOnce sync.Once
	subs     int
	subsErr  error
}

// MustPattern returns a pattern that is compiled at its first use; it
// panics then if expr does not compile. It is for the built-in rules, whose
// patterns the tests compile.
func MustPattern(expr string) *Pattern { return &Pattern{expr: expr} }

// compiledPattern wraps a regexp compiled already (a config file's, whose
// errors belong at load time, with the line they came from).
func compiledPattern(re *regexp.Regexp) *Pattern {
	p := &Pattern{expr: re.String(), re: re, subs: re.NumSubexp()}
	p.once.Do(func() {})
	p.subsOnce.Do(func() {})
	return p
}

// String returns the pattern's source text.
func (p *Pattern) String() string { return p.expr }

// Regexp returns the compiled pattern.
func (p *Pattern) Regexp() *regexp.Regexp {
	p.once.Do(func() { p.re = regexp.MustCompile(p.expr) })
	return p.re
}

// NumSubexp returns the number of capture groups, reading the pattern's
// syntax without compiling it.
func (p *Pattern) NumSubexp() (int, error) {
	p.subsOnce.Do(func() {
		var re *syntax.Regexp
		if re, p.subsErr = syntax.Parse(p.expr, syntax.Perl); p.subsErr == nil {
			p.subs = re.MaxCap()
		}
	})
	return p.subs, p.subsErr
}
