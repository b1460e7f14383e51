package git

// The syntax of one configuration file, ported from git's config.c
// (git_parse_source and its helpers) so that what git reads, and the line
// it names when it refuses a file, are what clayscan reads and names.

import (
	"fmt"
	"strings"
)

// rawEntry is one "name = value" line of a file, before includes.
type rawEntry struct {
	key     string // canonical: section and name lowercased
	value   string
	noValue bool // "name" alone: true as a boolean
	line    int
}

// configParser walks a file as git's get_next_char does: CRLF reads as
// LF, and the end of the file as one more LF.
type configParser struct {
	data []byte
	pos  int
	line int
	eof  bool
}

const eofByte = -1

func (p *configParser) raw() int {
	if p.pos >= len(p.data) {
		return eofByte
	}
	c := p.data[p.pos]
	p.pos++
	return int(c)
}

func (p *configParser) next() int {
	c := p.raw()
	if c == '\r' {
		c2 := p.raw()
		if c2 != '\n' {
			if c2 != eofByte {
				p.pos--
			}
		} else {
			c = '\n'
		}
	}
	if c == '\n' {
		p.line++
	}
	if c == eofByte {
		p.eof = true
		p.line++
		c = '\n'
	}
	return c
}

// git's sane_ctype: ASCII only, and \v, \f are not spaces.
func isSpace(c int) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func isAlpha(c int) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isKeyChar(c int) bool {
	return isAlpha(c) || c >= '0' && c <= '9' || c == '-'
}

func lower(c int) byte {
	if c >= 'A' && c <= 'Z' {
		return byte(c + 'a' - 'A')
	}
	return byte(c)
}

// parseError is a line git would refuse, with why.
type parseError struct {
	line int
	why  string
}

// parseConfig returns the entries of one file in order. An error carries
// the line number git reports for the same file ("bad config line N").
func parseConfig(data []byte) ([]rawEntry, *parseError) {
	p := &configParser{data: data, line: 1}
	var out []rawEntry
	var section strings.Builder // "section." or "section.subsection."
	comment := false
	bom := "\xef\xbb\xbf"
	bomAt := 0
	for {
		c := p.next()
		if bomAt >= 0 && bomAt < len(bom) {
			if !p.eof && c == int(bom[bomAt]) {
				bomAt++
				continue
			}
			if bomAt != 0 {
				return nil, &parseError{p.line, "partial byte order mark"}
			}
			bomAt = -1
		}
		if c == '\n' {
			if p.eof {
				return out, nil
			}
			comment = false
			continue
		}
		if comment || isSpace(c) {
			continue
		}
		if c == '#' || c == ';' {
			comment = true
			continue
		}
		if c == '[' {
			section.Reset()
			if why := p.sectionHeader(&section); why != "" {
				return nil, &parseError{p.line, why}
			}
			if section.Len() < 1 {
				return nil, &parseError{p.line, "empty section name"}
			}
			section.WriteByte('.')
			continue
		}
		if !isAlpha(c) {
			return nil, &parseError{p.line, "a variable name must start with a letter"}
		}
		e, why := p.entry(section.String(), c)
		if why != "" {
			return nil, &parseError{p.line, why}
		}
		out = append(out, e)
	}
}

// sectionHeader reads "[section]", "[section.sub]" or
// `[section "subsection"]` after the '[' (get_base_var).
func (p *configParser) sectionHeader(name *strings.Builder) string {
	for {
		c := p.next()
		if p.eof {
			return "unterminated section header"
		}
		if c == ']' {
			return ""
		}
		if isSpace(c) {
			return p.subsection(name, c)
		}
		if !isKeyChar(c) && c != '.' {
			return fmt.Sprintf("invalid character %q in a section name", rune(c))
		}
		name.WriteByte(lower(c))
	}
}

// subsection reads ` "subsection"]`, where only \ escapes (and keeps) the
// next character (get_extended_base_var).
func (p *configParser) subsection(name *strings.Builder, c int) string {
	for {
		if c == '\n' {
			p.line--
			return "unterminated section header"
		}
		c = p.next()
		if !isSpace(c) {
			break
		}
	}
	if c != '"' {
		return "a subsection name must be quoted"
	}
	name.WriteByte('.')
	for {
		c := p.next()
		if c == '\n' {
			p.line--
			return "unterminated subsection name"
		}
		if c == '"' {
			break
		}
		if c == '\\' {
			if c = p.next(); c == '\n' {
				p.line--
				return "unterminated subsection name"
			}
		}
		name.WriteByte(byte(c))
	}
	if p.next() != ']' {
		return "missing ] after the subsection name"
	}
	return ""
}

// entry reads "name", "name = value" (get_value); c is the name's first
// letter.
func (p *configParser) entry(section string, c int) (rawEntry, string) {
	var name strings.Builder
	name.WriteString(section)
	name.WriteByte(lower(c))
	for {
		c = p.next()
		if p.eof || !isKeyChar(c) {
			break
		}
		name.WriteByte(lower(c))
	}
	for c == ' ' || c == '\t' {
		c = p.next()
	}
	e := rawEntry{key: name.String(), noValue: true}
	if c != '\n' {
		if c != '=' {
			return e, "invalid character in a variable name, or no '=' after it"
		}
		v, why := p.value()
		if why != "" {
			return e, why
		}
		e.value, e.noValue = v, false
	}
	// The newline is read; the entry is on the line before it.
	e.line = p.line - 1
	return e, ""
}

// value reads a value up to the end of its line (parse_value): quotes
// group, \ escapes \t \b \n \\ \" and the newline, ; and # start a comment
// outside quotes, and the spaces around it are dropped.
func (p *configParser) value() (string, string) {
	var v []byte
	quote, comment := false, false
	trim := 0
	for {
		c := p.next()
		if c == '\n' {
			if quote {
				p.line--
				return "", "unterminated quoted value"
			}
			if trim > 0 {
				v = v[:trim]
			}
			return string(v), ""
		}
		if comment {
			continue
		}
		if isSpace(c) && !quote {
			if trim == 0 {
				trim = len(v)
			}
			if len(v) > 0 {
				v = append(v, byte(c))
			}
			continue
		}
		if !quote && (c == ';' || c == '#') {
			comment = true
			continue
		}
		trim = 0
		if c == '\\' {
			switch c = p.next(); c {
			case '\n':
				continue
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'n':
				c = '\n'
			case '\\', '"':
			default:
				return "", "unknown escape sequence in a value"
			}
			v = append(v, byte(c))
			continue
		}
		if c == '"' {
			quote = !quote
			continue
		}
		v = append(v, byte(c))
	}
}

// canonicalKey validates a key given on the command line or asked for
// ("Core.HooksPath") and returns git's form of it: section and variable
// name lowercased, a subsection as written (git_config_parse_key).
func canonicalKey(key string) (string, error) {
	last := strings.LastIndexByte(key, '.')
	if last <= 0 {
		return "", fmt.Errorf("key %q does not contain a section", key)
	}
	if last == len(key)-1 {
		return "", fmt.Errorf("key %q does not contain a variable name", key)
	}
	b := []byte(key)
	dot := false
	for i := 0; i < len(b); i++ {
		c := int(b[i])
		if c == '.' {
			dot = true
		}
		if !dot || i > last {
			if !isKeyChar(c) || (i == last+1 && !isAlpha(c)) {
				return "", fmt.Errorf("invalid key %q", key)
			}
			b[i] = lower(c)
		} else if c == '\n' {
			return "", fmt.Errorf("invalid key %q (newline)", key)
		}
	}
	return string(b), nil
}
