package rules

import (
	"math"
	"strings"
)

// Entropy returns the Shannon entropy of s in bits per byte.
func Entropy(s string) float64 {
	if s == "" {
		return 0
	}
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	n := float64(len(s))
	var h float64
	for _, c := range counts {
		if c == 0 {
			continue
		}
		p := float64(c) / n
		h -= p * math.Log2(p)
	}
	return h
}

// placeholderWords are substrings (lowercase) that mark a value as an
// example rather than a key.
var placeholderWords = []string{
	"example", "sample", "placeholder", "dummy", "changeme", "change_me", "change-me",
	"redacted", "your_", "your-", "yourkey", "yourapikey", "your_key", "_here", "-here",
	"key_here", "replace", "insert", "xxxx", "****", "....", "…", "<", ">",
	"fake", "notreal", "not_real", "not-a-real", "todo", "tbd", "<nil>", "null", "undefined",
}

// referencePrefixes start a value that refers to a secret held elsewhere.
var referencePrefixes = []string{"$", "%", "{{", "#{", "@", "<%", "&"}

// referenceMarkers inside a value mean it reads the secret from elsewhere.
var referenceMarkers = []string{
	"process.env", "os.environ", "getenv", "environ[", "env[", "env(", "env.", "secrets.", "vars.",
	"config.", "settings.", "import.meta", "${", "%(", "os.getenv", "system.getenv",
}

var (
	// refIdent is a dotted identifier like config.clay.apiKey.
	refIdent = lazyRegexp(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$`)
	// envName is an environment variable name used as a value
	// (CLAY_API_KEY=CLAY_API_KEY_PROD in a mapping file).
	envName = lazyRegexp(`^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z][A-Z_]*$`)
	// regexLike is a pattern describing a key, not a key.
	regexLike = lazyRegexp(`\[[^\]]*\]|\\[dwsb]|\{\d+(,\d*)?\}|\(\?`)
)

// LooksLikePlaceholder reports whether a candidate secret is a placeholder,
// a reference to a secret stored elsewhere, a regex describing a key, or
// otherwise not a real credential: empty, repeated or sequential characters.
func LooksLikePlaceholder(secret string) bool {
	s := strings.TrimSpace(secret)
	if s == "" {
		return true
	}
	lower := strings.ToLower(s)
	for _, p := range referencePrefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	for _, m := range referenceMarkers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	for _, w := range placeholderWords {
		if strings.Contains(lower, w) {
			return true
		}
	}
	if refIdent().MatchString(s) || envName().MatchString(s) || regexLike().MatchString(s) {
		return true
	}
	// "CLAY_API_KEY="+key+"\n": the quotes close and reopen string
	// literals, and what sits between them is the code joining them.
	if t := strings.Trim(s, "+"); t != s && (identifierLike(t) || refIdent().MatchString(t)) {
		return true
	}
	rest := stripKnownPrefix(s)
	return lowVariety(rest) || identifierLike(rest)
}

// identWords matches a name made of letters with separators and at most a
// short number at the end: clayApiKey, webhook_auth_token, secret123.
var identWords = lazyRegexp(`^[A-Za-z]+(?:[_.-][A-Za-z]+)*[0-9]{0,4}$`)

// identifierLike reports whether s reads as the name of a setting or a
// variable rather than a random key: letters only (a random key of any
// length almost always holds digits), split into camelCase or snake_case
// words that each contain a vowel and none of which is a lone lowercase
// letter between capitals (aBcDeF is random, ApiKey is not).
func identifierLike(s string) bool {
	if !identWords().MatchString(s) {
		return false
	}
	s = strings.TrimRight(s, "0123456789")
	words := 0
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '_' || r == '.' || r == '-' }) {
		for _, w := range splitCamel(part) {
			words++
			if len(w) == 1 && words > 1 {
				return false
			}
			if !strings.ContainsAny(strings.ToLower(w), "aeiouy") {
				return false
			}
		}
	}
	return words > 0
}

// splitCamel splits ApiKeyID into Api, Key, ID.
func splitCamel(s string) []string {
	var out []string
	start := 0
	isUp := func(c byte) bool { return 'A' <= c && c <= 'Z' }
	for i := 1; i < len(s); i++ {
		// a lower→Upper edge, or the last capital of a run followed by a
		// lowercase letter (IDToken → ID, Token).
		if (!isUp(s[i-1]) && isUp(s[i])) || (isUp(s[i-1]) && isUp(s[i]) && i+1 < len(s) && !isUp(s[i+1])) {
			out = append(out, s[start:i])
			start = i
		}
	}
	return append(out, s[start:])
}

// stripKnownPrefix removes a vendor prefix so that sk_live_aaaaaaaa is judged
// on its random part.
func stripKnownPrefix(s string) string {
	for _, p := range []string{"sk_live_", "clay_ent_"} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):]
		}
	}
	return s
}

// lowVariety reports repeated characters (aaaaaaaa, abababab), and runs of
// sequential characters (12345678, abcdefgh) that make up most of s.
func lowVariety(s string) bool {
	if len(s) == 0 {
		return true
	}
	distinct := map[byte]bool{}
	for i := 0; i < len(s); i++ {
		distinct[s[i]] = true
	}
	if len(distinct) <= 2 || (len(s) >= 8 && len(distinct) <= 3) {
		return true
	}
	// Longest run where each byte is the previous plus or minus one.
	run, best := 1, 1
	for i := 1; i < len(s); i++ {
		d := int(s[i]) - int(s[i-1])
		if d == 1 || d == -1 {
			run++
			if run > best {
				best = run
			}
		} else {
			run = 1
		}
	}
	return best*2 > len(s) || (best >= 8 && best*3 >= len(s))
}
