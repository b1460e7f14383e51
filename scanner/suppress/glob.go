package suppress

import (
	"strings"

	gitignore "github.com/sabhiram/go-gitignore"
)

// Globs matches slash-separated, repository-relative paths against
// gitignore-style patterns ("testdata/**", "*.md", "!keep.md").
//
// Matching is done by github.com/sabhiram/go-gitignore, whose translation to
// regular expressions has gaps (see glob_test.go): "?" matches only a
// literal question mark, "[!a]" means "! or a", regex metacharacters such as
// "+" or "(" leak through, and a pattern with a slash in the middle is not
// anchored to the root. Each pattern is rewritten first (translate) into a
// form the library handles as git would.
type Globs struct {
	gi *gitignore.GitIgnore
}

// CompileGlobs compiles patterns; blank lines and # comments are skipped.
func CompileGlobs(patterns []string) *Globs {
	lines := make([]string, len(patterns))
	for i, p := range patterns {
		lines[i] = translate(p)
	}
	return &Globs{gi: gitignore.CompileIgnoreLines(lines...)}
}

// Match reports whether path (slash-separated, relative) is matched.
func (g *Globs) Match(path string) bool {
	return g != nil && g.gi.MatchesPath(strings.TrimPrefix(path, "./"))
}

// translate rewrites a gitignore pattern so that go-gitignore, which passes
// most characters straight into a regular expression, matches it the way
// git does.
func translate(p string) string {
	p = strings.TrimRight(p, "\r")
	if t := strings.TrimSpace(p); t == "" || strings.HasPrefix(t, "#") {
		return p
	}
	p = strings.TrimSpace(p)
	var b strings.Builder
	if strings.HasPrefix(p, "!") {
		b.WriteByte('!')
		p = p[1:]
	}
	// git anchors a pattern with a slash at its start or in its middle to
	// the root; the library only anchors some of them.
	body := strings.TrimSuffix(p, "/")
	if strings.Contains(body, "/") && !strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "**/") {
		b.WriteByte('/')
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch c {
		case '\\':
			if i+1 < len(p) {
				i++
				b.WriteString(literal(p[i]))
			} else {
				b.WriteString(`\\`)
			}
		case '?':
			b.WriteString("[^/]")
		case '[':
			if j := classEnd(p, i); j > 0 {
				b.WriteString(class(p[i+1 : j]))
				i = j
			} else {
				b.WriteString(`\[`)
			}
		case '+', '(', ')', '{', '}', '|', '^', '$', ']':
			b.WriteByte('\\')
			b.WriteByte(c)
		default: // letters, '*' and '/' (the library handles them), '.' (it escapes dots)
			b.WriteByte(c)
		}
	}
	return b.String()
}

// literal is the library input for an escaped character c.
func literal(c byte) string {
	switch c {
	case '*':
		return `\*` // the library's own escaped star
	case '.', '?':
		return string(c) // the library escapes these itself
	case '+', '(', ')', '{', '}', '|', '^', '$', '[', ']', '\\', '#', '!':
		return `\` + string(c)
	}
	return string(c)
}

// classEnd returns the index of the ']' closing the bracket expression
// that starts at p[i], or -1.
func classEnd(p string, i int) int {
	j := i + 1
	if j < len(p) && (p[j] == '!' || p[j] == '^') {
		j++
	}
	if j < len(p) && p[j] == ']' { // a leading ']' is a member
		j++
	}
	for ; j < len(p); j++ {
		switch p[j] {
		case '\\':
			j++
		case ']':
			return j
		}
	}
	return -1
}

// class rewrites the inside of a bracket expression as a regex class.
func class(in string) string {
	var b strings.Builder
	b.WriteByte('[')
	if strings.HasPrefix(in, "!") || strings.HasPrefix(in, "^") {
		b.WriteByte('^')
		in = in[1:]
	}
	for i := 0; i < len(in); i++ {
		c := in[i]
		switch c {
		case '\\':
			if i+1 < len(in) {
				i++
				if !isAlnum(in[i]) {
					b.WriteByte('\\')
				}
				b.WriteByte(in[i])
			}
		case '*', '[', ']', '^':
			// '*' would be rewritten by the library; the others would end
			// or negate the class.
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(']')
	return b.String()
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
