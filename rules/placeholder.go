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
func LooksLikePlaceholder(secret string) bool { return IsPlaceholder(secret, false) }

// IsPlaceholder is LooksLikePlaceholder for a rule: with nameShaped, values
// shaped like names (ACME_ABCDEFGHIJ0123456789 reads as an environment
// variable name, AcmeTokenValue as an identifier) are not placeholders,
// for rules whose own regex says what a secret looks like (custom rules,
// issue 11). Placeholder words, references, masks and low variety still
// are.
func IsPlaceholder(secret string, nameShaped bool) bool {
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
	if regexLike().MatchString(s) || !nameShaped && (refIdent().MatchString(s) || envName().MatchString(s)) {
		return true
	}
	if Masked(s) || secretManagerRef(s) {
		return true
	}
	// "CLAY_API_KEY="+key+"\n": the quotes close and reopen string
	// literals, and what sits between them is the code joining them.
	if t := strings.Trim(s, "+"); t != s && (identifierLike(t) || refIdent().MatchString(t)) {
		return true
	}
	rest := stripKnownPrefix(s)
	return lowVariety(rest) || !nameShaped && identifierLike(rest)
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

// knownPrefixes are vendor prefixes that say nothing about randomness:
// live and test-mode keys alike (issue 11).
var knownPrefixes = []string{"sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_", "whsec_", "clay_ent_"}

// SecretBody removes a known vendor prefix (sk_live_, sk_test_, whsec_,
// clay_ent_…) so that a value is judged on its random part: entropy and
// placeholder checks look at what follows the prefix.
func SecretBody(s string) string { return stripKnownPrefix(s) }

func stripKnownPrefix(s string) string {
	for _, p := range knownPrefixes {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			return s[len(p):]
		}
	}
	return s
}

// maskRunes are characters that documentation uses to mask a key.
const maskRunes = "*•●·∙"

// Masked reports whether s is a masked example: any run of three or more
// mask characters (***, •••) or dots (...), or an ellipsis character
// (sk_test_dev_***, whsec_•••, sk_live_Ab…yz). A run of x is a mask from
// four on (xxxx): three in a row occur in real random keys about once in
// a thousand.
func Masked(s string) bool {
	run, prev := 0, rune(0)
	for _, c := range s {
		switch {
		case c == '…':
			return true
		case strings.ContainsRune(maskRunes, c) || c == '.':
			if c == prev || (c != '.' && strings.ContainsRune(maskRunes, prev)) {
				run++
			} else {
				run = 1
			}
			if run >= 3 {
				return true
			}
		default:
			run = 0
		}
		prev = c
	}
	return false
}

// MaskedAfter reports whether the text right after a match starts with a
// mask (three mask characters or dots, or an ellipsis): a rule whose
// character set stops at the mask captured only the unmasked start of
// sk_test_dev_***.
func MaskedAfter(after []byte) bool {
	run := 0
	for _, c := range string(after[:min(len(after), 16)]) {
		switch {
		case c == '…':
			return run == 0
		case strings.ContainsRune(maskRunes, c) || c == '.':
			if run++; run >= 3 {
				return true
			}
		default:
			return false
		}
	}
	return false
}

var (
	// gcpSecretVersion is gcloud's --set-secrets NAME=SECRET:VERSION.
	gcpSecretVersion = lazyRegexp(`^[A-Za-z][A-Za-z0-9_-]*:(?:latest|[0-9]+)$`)
	// vaultPath is a HashiCorp Vault KV path, with an optional field.
	vaultPath = lazyRegexp(`^(?:secret|kv)/(?:data/)?[\w./-]+(?:[#:][\w.-]+)?$`)
)

// secretRefPrefixes start a reference to a secret manager's entry.
var secretRefPrefixes = []string{"arn:aws:", "arn:aws-", "vault:", "ref+", "op://", "sm://", "gcpsm://", "awssm://", "azkv://", "projects/"}

// secretManagerRef reports a reference to a secret manager entry rather
// than a secret (issue 11): gcloud's clay-api-key:latest, GCP's
// projects/*/secrets/*, AWS ARNs (Secrets Manager, SSM), Vault paths,
// 1Password op:// and vals ref+ URLs.
func secretManagerRef(s string) bool {
	lower := strings.ToLower(s)
	for _, p := range secretRefPrefixes {
		if strings.HasPrefix(lower, p) {
			return p != "projects/" || strings.Contains(lower, "/secrets/")
		}
	}
	return strings.Contains(lower, "/secrets/") && strings.Contains(lower, "projects/") ||
		gcpSecretVersion().MatchString(s) || vaultPath().MatchString(s)
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
