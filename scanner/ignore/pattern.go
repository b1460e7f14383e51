package ignore

import (
	"bytes"
	"strconv"
	"strings"
)

// Pattern flags, as git's dir.c names them.
const (
	flagNegative  = 1 << iota // "!pattern"
	flagMustBeDir             // "pattern/"
	flagNoDir                 // no '/' except a trailing one: match the basename
	flagEndsWith              // "*literal"
)

// pattern is one parsed ignore line.
type pattern struct {
	line  string // as written, after trimming: what Decision.Pattern shows
	body  string // without '!' and the trailing '/'
	flags int
	// noWild is the length of body's leading run without glob characters.
	noWild int
	// base is the directory holding the ignore file, with a trailing
	// slash ("" at the root): patterns with a slash are relative to it.
	base   string
	file   string
	lineNo int
}

// List is the patterns of one ignore file, in file order.
type List struct {
	patterns []pattern
}

// Len is the number of patterns in the list.
func (l *List) Len() int {
	if l == nil {
		return 0
	}
	return len(l.patterns)
}

// Parse reads an ignore file the way git does: an optional UTF-8 BOM, lines
// split on '\n' with one '\r' before it dropped, '#' comments, unescaped
// trailing spaces trimmed. Every other line is a pattern, even one git can
// never match (an empty line after trimming, "!", a malformed class): git
// keeps those too, and they must keep their line numbers. base is the
// directory of the file relative to the work tree ("" for the root, no
// trailing slash); file names it in decisions.
func Parse(data []byte, base, file string) *List {
	if base != "" && !strings.HasSuffix(base, "/") {
		base += "/"
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	l := &List{}
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil // git appends the missing final newline
		}
		if len(raw) == 0 || raw[0] == '#' {
			continue
		}
		raw = bytes.TrimSuffix(raw, []byte("\r"))
		line := trimTrailingSpaces(cstr(string(raw)))
		l.patterns = append(l.patterns, parsePattern(line, base, file, lineNo))
	}
	return l
}

// trimTrailingSpaces drops trailing spaces unless escaped with a backslash
// (tabs are kept, as in git).
func trimTrailingSpaces(s string) string {
	lastSpace := -1
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ':
			if lastSpace < 0 {
				lastSpace = i
			}
		case '\\':
			i++
			if i >= len(s) {
				return s
			}
			lastSpace = -1
		default:
			lastSpace = -1
		}
	}
	if lastSpace >= 0 {
		return s[:lastSpace]
	}
	return s
}

func parsePattern(line, base, file string, lineNo int) pattern {
	p := pattern{line: line, base: base, file: file, lineNo: lineNo}
	body := line
	if strings.HasPrefix(body, "!") {
		p.flags |= flagNegative
		body = body[1:]
	}
	if strings.HasSuffix(body, "/") {
		p.flags |= flagMustBeDir
		body = body[:len(body)-1]
	}
	if !strings.Contains(body, "/") {
		p.flags |= flagNoDir
	}
	p.noWild = simpleLength(body)
	if strings.HasPrefix(body, "*") && simpleLength(body[1:]) == len(body)-1 {
		p.flags |= flagEndsWith
	}
	p.body = body
	return p
}

func simpleLength(s string) int {
	for i := 0; i < len(s); i++ {
		if isGlobSpecial(s[i]) {
			return i
		}
	}
	return len(s)
}

// match tests one path (slash-separated, relative to the work tree) against
// the pattern, as git's last_matching_pattern_from_list does for one entry.
func (p *pattern) match(path, basename string, isDir, fold bool) bool {
	if p.flags&flagMustBeDir != 0 && !isDir {
		return false
	}
	if p.flags&flagNoDir != 0 {
		return p.matchBasename(basename, fold)
	}
	return p.matchPathname(path, fold)
}

func (p *pattern) matchBasename(name string, fold bool) bool {
	body := p.body
	switch {
	case p.noWild == len(body):
		return len(name) == len(body) && pathEqual(body, name, fold)
	case p.flags&flagEndsWith != 0:
		return len(body)-1 <= len(name) && pathEqual(body[1:], name[len(name)-(len(body)-1):], fold)
	}
	return Wildmatch(body, name, foldFlag(fold))
}

func (p *pattern) matchPathname(path string, fold bool) bool {
	body, prefix := p.body, p.noWild
	if strings.HasPrefix(body, "/") {
		body, prefix = body[1:], prefix-1
	}
	baseLen := len(p.base) - 1 // without the trailing slash
	if baseLen < 0 {
		baseLen = 0
	}
	if len(path) < baseLen+1 || (baseLen > 0 && path[baseLen] != '/') || !pathEqual(path[:baseLen], p.base[:baseLen], fold) {
		return false
	}
	name := path
	if baseLen > 0 {
		name = path[baseLen+1:]
	}
	if prefix > 0 {
		// Compare the literal head directly; git then wildmatches only the
		// rest, so "a**/b" behaves as "a" + "**/b" (the "**" counts as a
		// whole segment there). Keep that quirk: it is what git does.
		if prefix > len(name) || !pathEqual(body[:prefix], name[:prefix], fold) {
			return false
		}
		body, name = body[prefix:], name[prefix:]
		if body == "" && name == "" {
			return true
		}
	}
	return Wildmatch(body, name, Pathname|foldFlag(fold))
}

func foldFlag(fold bool) int {
	if fold {
		return CaseFold
	}
	return 0
}

func pathEqual(a, b string, fold bool) bool {
	if fold {
		return asciiFoldEqual(a, b)
	}
	return a == b
}

// asciiFoldEqual is strncasecmp: only ASCII letters fold.
func asciiFoldEqual(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if toLower(a[i]) != toLower(b[i]) {
			return false
		}
	}
	return true
}

// Match returns the decision of the last pattern in the list that matches
// path, and false when none does. It looks at this list only: parent
// directories and other files are the Matcher's job.
func (l *List) Match(path string, isDir bool) (Decision, bool) {
	return l.match(path, isDir, false)
}

func (l *List) match(path string, isDir, fold bool) (Decision, bool) {
	if l == nil {
		return Decision{}, false
	}
	basename := path[strings.LastIndexByte(path, '/')+1:]
	for i := len(l.patterns) - 1; i >= 0; i-- {
		p := &l.patterns[i]
		if p.match(path, basename, isDir, fold) {
			return p.decision(), true
		}
	}
	return Decision{}, false
}

func (p *pattern) decision() Decision {
	return Decision{
		Ignored: p.flags&flagNegative == 0,
		Pattern: p.line,
		File:    p.file,
		Line:    p.lineNo,
		Source:  p.file + ":" + strconv.Itoa(p.lineNo),
	}
}
