// Package wildmatch is a port of git's wildmatch.c (the matcher behind .gitignore,
// pathspecs and attributes). It is ported rather than approximated with
// path.Match or a regexp because the corner cases are what users hit:
// "**" is special only as a whole path segment, "[!a]" and "[^a]" both
// negate, "[]a]" starts a class with a literal ']', "[[:alpha:]]" classes,
// a backslash escapes inside and outside classes, and a malformed class
// matches nothing rather than being taken literally.
package wildmatch

import "strings"

// Flags for Match.
const (
	// Pathname makes '*', '?' and classes stop at '/', and gives "**" its
	// directory-spanning meaning (git's WM_PATHNAME).
	Pathname = 1 << iota
	// CaseFold compares ASCII letters case-insensitively (core.ignorecase).
	CaseFold
)

// dowild's results. The two abort values cut backtracking short and only
// ever mean "no match" to callers, as in git.
const (
	wmMatch           = 0
	wmNoMatch         = 1
	wmAbortAll        = -1
	wmAbortToStarStar = -2
)

// Match reports whether text matches the glob pattern exactly as git's
// wildmatch() would with the given flags.
func Match(pattern, text string, flags int) bool {
	return dowild(cstr(pattern), cstr(text), flags) == wmMatch
}

// cstr cuts s at its first NUL, as the C code sees it.
func cstr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

func at(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return 0
}

func isGlobSpecial(c byte) bool { return c == '*' || c == '?' || c == '[' || c == '\\' }

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func toLower(c byte) byte {
	if isUpper(c) {
		return c + 'a' - 'A'
	}
	return c
}
func toUpper(c byte) byte {
	if isLower(c) {
		return c - ('a' - 'A')
	}
	return c
}

func dowild(p, text string, flags int) int {
	fold := flags&CaseFold != 0
	pathname := flags&Pathname != 0
	pi, ti := 0, 0
	for ; pi < len(p); pi, ti = pi+1, ti+1 {
		pch := p[pi]
		tch := at(text, ti)
		if tch == 0 && pch != '*' {
			return wmAbortAll
		}
		if fold {
			tch, pch = toLower(tch), toLower(pch)
		}
		switch pch {
		case '\\':
			// Literal match with the next character; git does not fold it.
			pi++
			if tch != at(p, pi) {
				return wmNoMatch
			}
			continue
		default:
			if tch != pch {
				return wmNoMatch
			}
			continue
		case '?':
			if pathname && tch == '/' {
				return wmNoMatch
			}
			continue
		case '*':
			var matchSlash bool
			pi++
			if at(p, pi) == '*' {
				prev := pi
				for pi++; at(p, pi) == '*'; pi++ {
				}
				switch {
				case !pathname:
					matchSlash = true
				case (prev < 2 || p[prev-2] == '/') &&
					(at(p, pi) == 0 || at(p, pi) == '/' || (at(p, pi) == '\\' && at(p, pi+1) == '/')):
					// "**/" may match no directory at all: try the rest
					// of the pattern right here first.
					if at(p, pi) == '/' && dowild(p[pi+1:], text[ti:], flags) == wmMatch {
						return wmMatch
					}
					matchSlash = true
				default:
					matchSlash = false
				}
			} else {
				matchSlash = !pathname
			}
			if pi >= len(p) {
				// A trailing "**" matches everything; a trailing '*' only
				// up to the next slash.
				if !matchSlash && strings.IndexByte(text[ti:], '/') >= 0 {
					return wmAbortToStarStar
				}
				return wmMatch
			}
			if !matchSlash && p[pi] == '/' {
				// One '*' then '/' matches the rest of this segment.
				slash := strings.IndexByte(text[ti:], '/')
				if slash < 0 {
					return wmAbortAll
				}
				ti += slash
				continue // the loop step consumes both slashes
			}
			for {
				if tch == 0 {
					break
				}
				if !isGlobSpecial(p[pi]) {
					// Skip ahead to the next occurrence of the literal
					// that follows the star.
					want := p[pi]
					if fold {
						want = toLower(want)
					}
					for {
						tch = at(text, ti)
						if tch == 0 || (!matchSlash && tch == '/') {
							break
						}
						if fold {
							tch = toLower(tch)
						}
						if tch == want {
							break
						}
						ti++
					}
					if tch != want {
						if matchSlash {
							return wmAbortAll
						}
						return wmAbortToStarStar
					}
				}
				if m := dowild(p[pi:], text[ti:], flags); m != wmNoMatch {
					if !matchSlash || m != wmAbortToStarStar {
						return m
					}
				} else if !matchSlash && tch == '/' {
					return wmAbortToStarStar
				}
				ti++
				tch = at(text, ti)
			}
			return wmAbortAll
		case '[':
			pi++
			pch = at(p, pi)
			if pch == '^' {
				pch = '!'
			}
			negated := pch == '!'
			if negated {
				pi++
				pch = at(p, pi)
			}
			var prev byte
			matched := false
			for {
				if pch == 0 {
					return wmAbortAll
				}
				switch {
				case pch == '\\':
					pi++
					pch = at(p, pi)
					if pch == 0 {
						return wmAbortAll
					}
					if tch == pch {
						matched = true
					}
				case pch == '-' && prev != 0 && at(p, pi+1) != 0 && at(p, pi+1) != ']':
					pi++
					pch = p[pi]
					if pch == '\\' {
						pi++
						pch = at(p, pi)
						if pch == 0 {
							return wmAbortAll
						}
					}
					if tch <= pch && tch >= prev {
						matched = true
					} else if fold && isLower(tch) {
						if u := toUpper(tch); u <= pch && u >= prev {
							matched = true
						}
					}
					pch = 0 // so that prev becomes 0: no range after a range
				case pch == '[' && at(p, pi+1) == ':':
					pi += 2
					s := pi
					for pch = at(p, pi); pch != 0 && pch != ']'; pch = at(p, pi) {
						pi++
					}
					if pch == 0 {
						return wmAbortAll
					}
					n := pi - s - 1
					if n < 0 || p[pi-1] != ':' {
						// Not "[:class:]": a plain '['.
						pi = s - 2
						pch = '['
						if tch == pch {
							matched = true
						}
						break
					}
					ok, valid := charClass(p[s:s+n], tch, fold)
					if !valid {
						return wmAbortAll
					}
					if ok {
						matched = true
					}
					pch = 0
				default:
					if tch == pch {
						matched = true
					}
				}
				prev = pch
				pi++
				pch = at(p, pi)
				if pch == ']' {
					break
				}
			}
			if matched == negated || (pathname && tch == '/') {
				return wmNoMatch
			}
			continue
		}
	}
	if ti < len(text) {
		return wmNoMatch
	}
	return wmMatch
}

// charClass tests c against a POSIX class name with git's ASCII-only
// ctype; valid is false for an unknown name.
func charClass(name string, c byte, fold bool) (ok, valid bool) {
	digit := c >= '0' && c <= '9'
	alpha := isUpper(c) || isLower(c)
	switch name {
	case "alnum":
		return alpha || digit, true
	case "alpha":
		return alpha, true
	case "blank":
		return c == ' ' || c == '\t', true
	case "cntrl":
		return c < 0x20 || c == 0x7f, true
	case "digit":
		return digit, true
	case "graph":
		return c > 0x20 && c < 0x7f, true
	case "lower":
		return isLower(c), true
	case "print":
		return c >= 0x20 && c < 0x7f, true
	case "punct":
		return c > 0x20 && c < 0x7f && !alpha && !digit, true
	case "space":
		// git's own isspace: no \v or \f.
		return c == ' ' || c == '\t' || c == '\n' || c == '\r', true
	case "upper":
		return isUpper(c) || (fold && isLower(c)), true
	case "xdigit":
		return digit || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'), true
	}
	return false, false
}
