// Package redact masks secrets in strings that clayscan prints outside a
// finding: error messages, hints, warnings and logs. Users paste keys where
// they do not belong (clayscan ignore add sk_live_…, --range "KEY..HEAD", a
// config entry), and an error that quotes its input back would print the
// key in a CI log. Every such string passes through String (or Error) on
// its way out.
//
// String masks what the built-in rules would report, and anything
// key-shaped besides: a known key prefix followed by a token, or a long
// token mixing upper case, lower case and digits. Commit SHAs, paths and
// words are left alone.
package redact

import (
	"regexp"
	"strings"
	"sync"

	"github.com/clayscan/clayscan/rules"
	"github.com/clayscan/clayscan/scanner"
)

var detector = sync.OnceValue(func() *scanner.Detector {
	d, err := scanner.NewDetector(rules.Default())
	if err != nil {
		// The built-in rules are validated by their own tests.
		panic("redact: built-in rules: " + err.Error())
	}
	return d
})

// keyShaped finds tokens that look like credentials whatever the rules say:
// a known prefix (sk_live_, sk_test_, rk_live_, clay_…_) with a tail, or a
// token of 24 or more characters from a key alphabet ("/" excluded, so a
// path splits into its names).
var keyShaped = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i:\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{6,})|(?i:\bclay_[a-z]+_[A-Za-z0-9_-]{6,})|[A-Za-z0-9_+=-]{24,}`)
})

// String returns s with every secret in it masked as scanner.Mask masks
// findings (sk_live_Ab…wxyz).
func String(s string) string {
	if len(s) < 8 {
		return s
	}
	var secrets []string
	detector().Detect(&scanner.Target{Path: "redact", Data: []byte(s)}, func(f scanner.Finding) {
		if raw := f.Raw(); raw != "" {
			secrets = append(secrets, raw)
		}
	})
	for _, raw := range secrets {
		s = strings.ReplaceAll(s, raw, scanner.Mask(raw))
	}
	var b strings.Builder
	last := 0
	for _, m := range keyShaped().FindAllStringIndex(s, -1) {
		tok := s[m[0]:m[1]]
		if !looksLikeKey(tok) && !(genericKey(tok) && !inPath(s, m[0], m[1])) {
			continue
		}
		b.WriteString(s[last:m[0]])
		b.WriteString(scanner.Mask(tok))
		last = m[1]
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// inPath reports whether s[i:j] is a name in a path (next to "/" or "."):
// a long CamelCase directory or test name is not masked there, while a
// prefixed key is, wherever it is.
func inPath(s string, i, j int) bool {
	return i > 0 && (s[i-1] == '/' || s[i-1] == '.') || j < len(s) && (s[j] == '/' || s[j] == '.')
}

// looksLikeKey reports a token with a known key prefix.
func looksLikeKey(tok string) bool {
	lower := strings.ToLower(tok)
	for _, p := range []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "clay_"} {
		if strings.HasPrefix(lower, p) {
			return true
		}
	}
	return false
}

// genericKey keeps the generic pattern from masking SHAs and identifiers: a
// key without a known prefix mixes upper case, lower case and digits.
func genericKey(tok string) bool {
	var upper, low, digit bool
	for i := 0; i < len(tok); i++ {
		switch c := tok[i]; {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			low = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	return upper && low && digit
}

// Error returns err with its message redacted; errors.Is and errors.As
// still see the original chain.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if red := String(msg); red != msg {
		return &redacted{msg: red, err: err}
	}
	return err
}

type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
