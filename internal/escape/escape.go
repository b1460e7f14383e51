// Package escape makes untrusted strings safe to print. Paths, ref names,
// commit messages, author names and rule titles come from the scanned
// repository (or its config), and clayscan's output is read by terminals,
// CI logs that execute workflow commands, and Markdown renderers. Every
// writer passes such strings through this package, so that none of them can
// start or end a line early, run a workflow command, move the cursor, open a
// hyperlink or inject markup.
//
// One function per output context:
//
//   - Path: a path in text output, C-quoted the way git quotes it.
//   - Text: any other untrusted string inside one line of text output.
//   - WorkflowData, WorkflowProperty: a GitHub Actions workflow command's
//     message and property values.
//   - MarkdownCode, MarkdownText: the GitHub job summary (Markdown).
//   - SARIFText: a SARIF message, whose [text](link) syntax is live.
package escape

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Path returns p unchanged when it is safe and unambiguous on a line of
// text, or else quoted the way git quotes a path (core.quotePath): in
// double quotes, with C escapes (\n, \t, \", \\) and octal escapes for the
// other control bytes, invalid UTF-8 and unprintable characters (ESC is
// \033, U+202E is \342\200\256). Printable non-ASCII characters are kept,
// as git does with core.quotePath=false. A path that a GitHub runner could
// read as a workflow command is quoted too: one that starts with ":" (a
// second colon may follow it in the output) or holds "##["; the line then
// starts with the quote, and the "[" of "##[" is written \133 (the runner
// reads "##[" anywhere in a line).
func Path(p string) string {
	if !needsQuote(p) {
		return p
	}
	var b strings.Builder
	b.Grow(len(p) + 2)
	b.WriteByte('"')
	write(&b, p, true)
	b.WriteByte('"')
	return b.String()
}

// Text escapes an untrusted string for use inside one line of text output:
// control bytes, invalid UTF-8 and unprintable characters as C or octal
// escapes (as in Path, without the quotes, and leaving backslashes and
// double quotes alone), "##[" as "##\133", and a leading ":" as "\072",
// so the line cannot end early, hold a terminal escape sequence, or read
// as a GitHub workflow command.
func Text(s string) string {
	if !needsText(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	write(&b, s, false)
	return b.String()
}

// Lines escapes each line of a multi-line untrusted string with Text, for
// output that prints it line by line.
func Lines(s string) []string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = Text(l)
	}
	return lines
}

func needsQuote(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c == '"' || c == '\\' {
			return true
		}
	}
	return needsText(p)
}

func needsText(s string) bool {
	if leadingColons(s) || strings.Contains(s, "##[") {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return true
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !unicode.IsPrint(r) {
			return true
		}
		i += n
	}
	return false
}

// leadingColons reports whether s starts with ":" after spaces: a GitHub
// runner trims leading white space and then reads "::name ...::" as a
// workflow command, and a single colon becomes "::" when the output puts
// one after the name ("NAME: …").
func leadingColons(s string) bool {
	return strings.HasPrefix(strings.TrimLeft(s, " "), ":")
}

const octdigits = "01234567"

func octal(b *strings.Builder, c byte) {
	b.WriteByte('\\')
	b.WriteByte(octdigits[c>>6])
	b.WriteByte(octdigits[c>>3&7])
	b.WriteByte(octdigits[c&7])
}

func write(b *strings.Builder, s string, quoted bool) {
	colonAt := -1
	if !quoted && leadingColons(s) {
		colonAt = strings.IndexByte(s, ':')
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case i == colonAt:
				octal(b, c)
			case c == '[' && i >= 2 && s[i-1] == '#' && s[i-2] == '#':
				octal(b, c)
			case c == '\a':
				b.WriteString(`\a`)
			case c == '\b':
				b.WriteString(`\b`)
			case c == '\t':
				b.WriteString(`\t`)
			case c == '\n':
				b.WriteString(`\n`)
			case c == '\v':
				b.WriteString(`\v`)
			case c == '\f':
				b.WriteString(`\f`)
			case c == '\r':
				b.WriteString(`\r`)
			case c < 0x20 || c == 0x7f:
				octal(b, c)
			case quoted && (c == '"' || c == '\\'):
				b.WriteByte('\\')
				b.WriteByte(c)
			default:
				b.WriteByte(c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || !unicode.IsPrint(r) {
			for j := 0; j < n; j++ {
				octal(b, s[i+j])
			}
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
}

// WorkflowData escapes the message of a GitHub Actions workflow command
// ("::error ...::MESSAGE"), as the runner unescapes it: % as %25, CR as
// %0D, LF as %0A. Callers pass repository strings through Text first (the
// runner's log shows other control bytes raw); newlines the caller puts in
// the message on purpose survive as %0A.
func WorkflowData(s string) string {
	return dataReplacer.Replace(s)
}

// WorkflowProperty escapes a workflow command's property value (file=,
// title=), where ":" and "," also delimit: %3A and %2C besides WorkflowData's.
func WorkflowProperty(s string) string {
	return propertyReplacer.Replace(s)
}

var (
	dataReplacer     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyReplacer = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// MarkdownCode shows an untrusted string as a Markdown code span: nothing
// inside a code span is markup, a link, an autolink, a mention or HTML.
// Control characters are escaped with Text first (a code span cannot hold a
// line break); the fence is one backtick longer than the longest run of
// backticks in s. In a GFM table cell (inTable) "|" is written "\|", which
// GFM reads as a literal pipe even inside a code span. An empty s gives "".
func MarkdownCode(s string, inTable bool) string {
	if s == "" {
		return ""
	}
	s = Text(s)
	if inTable {
		s = strings.ReplaceAll(s, "|", `\|`)
	}
	run, longest := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	// A space on each side when s starts or ends with a backtick or a
	// space: CommonMark strips one space from each side of such a span.
	if s[0] == '`' || s[len(s)-1] == '`' || s[0] == ' ' && s[len(s)-1] == ' ' {
		return fence + " " + s + " " + fence
	}
	return fence + s + fence
}

// MarkdownText escapes an untrusted string for running Markdown text (a
// table cell, or a line of text): control characters with Text, then a
// backslash before each ASCII character that can start a link, image, HTML
// tag, entity, code span, emphasis or table cell, which CommonMark reads as
// the literal character. GFM autolinks are broken as well: "www." becomes
// "www\.", "://" becomes "\://" and "@" becomes "\@", and an autolink needs
// them as plain text. Headings and list markers are left alone (text that
// may start a line is clayscan's own or a rule's guidance). Prefer
// MarkdownCode for names: a code span also stops GitHub's mentions.
func MarkdownText(s string) string {
	s = Text(s)
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.IndexByte(markdownPunct, c) >= 0:
			b.WriteByte('\\')
		case c == ':' && strings.HasPrefix(s[i:], "://"):
			b.WriteByte('\\')
		case c == '.' && i >= 3 && strings.EqualFold(s[i-3:i], "www"):
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// markdownPunct are the ASCII characters MarkdownText always escapes.
const markdownPunct = "\\`*_[]<>|~&!@"

// SARIFText escapes a string for a SARIF message's text: GitHub code
// scanning renders "[text](uri)" in a message as a link (SARIF §3.11.6), so
// "[", "]" and "\" are escaped with a backslash, after Text.
func SARIFText(s string) string {
	return sarifReplacer.Replace(Text(s))
}

var sarifReplacer = strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`)

// JSON rewrites encoded JSON so that it is also safe in a log: inside
// strings, "##[" becomes "##\u005b" (a GitHub runner reads "##[" anywhere
// in a line as a workflow command), and DEL, C1 controls and other
// unprintable characters (bidirectional overrides such as U+202E) become
// \uXXXX escapes. The decoded values are unchanged. encoding/json already
// escapes the other control characters; outside strings JSON holds only
// ASCII punctuation, digits and literals, so the rewrite never touches
// structure.
func JSON(b []byte) []byte {
	if !needsJSON(b) {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '[' && i >= 2 && b[i-1] == '#' && b[i-2] == '#':
				out = append(out, `\u005b`...)
			case c == 0x7f:
				out = append(out, `\u007f`...)
			default:
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			out = append(out, `\ufffd`...)
		case !unicode.IsPrint(r):
			out = appendU(out, r)
		default:
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

func needsJSON(b []byte) bool {
	for i := 0; i < len(b); i++ {
		if c := b[i]; c >= utf8.RuneSelf || c == 0x7f || c == '[' && i >= 2 && b[i-1] == '#' && b[i-2] == '#' {
			return true
		}
	}
	return false
}

const hex = "0123456789abcdef"

func appendU(out []byte, r rune) []byte {
	if r > 0xffff {
		r -= 0x10000
		out = appendU(out, 0xd800+(r>>10))
		return appendU(out, 0xdc00+(r&0x3ff))
	}
	return append(out, '\\', 'u', hex[r>>12&15], hex[r>>8&15], hex[r>>4&15], hex[r&15])
}
