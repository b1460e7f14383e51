package scanner

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Finding is one detected credential or policy violation. Its JSON form is
// clayscan's public contract (see docs/formats.md, "JSON").
type Finding struct {
	RuleID   string `json:"rule_id"`
	Title    string `json:"title"`
	Severity string `json:"severity"`
	// Repository names the repository in a report that covers several
	// (clayscan history with several paths, clayscan merge); empty
	// otherwise.
	Repository string `json:"repository,omitempty"`
	Path       string `json:"path"`
	Line       int    `json:"line"`
	Column     int    `json:"column"`
	EndColumn  int    `json:"end_column"`
	Commit     string `json:"commit"`
	// Kind is set when the finding is not in a file: "commit_message" or
	// "tag_message" (Path is then "commit message" or "tag NAME message",
	// Line counts from the message's first line, and Commit is the commit
	// or tag object).
	Kind   Kind   `json:"kind,omitempty"`
	Author string `json:"author,omitempty"`
	Email  string `json:"email,omitempty"`
	// Date is RFC 3339 in UTC.
	Date string `json:"date,omitempty"`
	// InHead is set for history findings: whether the secret is still in
	// HEAD's tree.
	InHead *bool `json:"in_head,omitempty"`
	// Secret is masked unless the user asked for --show-secrets.
	Secret      string `json:"secret"`
	Fingerprint string `json:"fingerprint"`
	// GitignoreRule is the ignore-file line that decided a policy finding.
	GitignoreRule string `json:"gitignore_rule,omitempty"`
	Guidance      string `json:"guidance"`
	// RuleGuidance is the rule's own guidance, without the block about
	// where this finding was found: what a report that describes rules
	// rather than findings (SARIF's rule help) shows.
	RuleGuidance string `json:"-"`
	// Decoded, for a secret found in encoded text, lists the encodings
	// undone to find it, outermost first, joined by commas: "base64",
	// "hex", "percent", "base64,percent". Line and columns are the encoded
	// text's; Secret and Fingerprint are the decoded secret's.
	Decoded string `json:"decoded,omitempty"`
	// SameSecretAs, on a finding that another finding proved to be a
	// credential (the same value quoted in a README, sent through a
	// proxy), names that first finding: "path:line". The rule and
	// fingerprint are the first finding's.
	SameSecretAs string `json:"same_secret_as,omitempty"`
	// SuppressedBy names what suppressed the finding (inline, allowlist,
	// ignore, baseline); only suppressed findings carry it.
	SuppressedBy string `json:"suppressed_by,omitempty"`

	raw   string // the full secret; never serialised
	order int64
	// tracked and untracked are the target's, for the guidance.
	tracked, untracked bool
	content            bool // from the detector, not a path rule
	start              int  // byte offset of the secret in its target
}

// Raw returns the unmasked secret. Only code acting on --show-secrets and
// fingerprinting may use it.
func (f *Finding) Raw() string { return f.raw }

// SetRaw sets the unmasked secret, for findings built outside the detector
// (custom checks, tests).
func (f *Finding) SetRaw(s string) { f.raw = s }

// Fingerprint identifies a secret for a rule without revealing it: the rule
// ID and a truncated SHA-256 of rule and secret. It does not depend on path,
// line or commit, so ignores and baselines survive refactors and rebases.
func Fingerprint(ruleID, secret string) string {
	h := sha256.Sum256([]byte("clayscan\x00" + ruleID + "\x00" + secret))
	return ruleID + ":" + hex.EncodeToString(h[:8])
}

var uuidTail = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
})

// Mask shows enough of a secret to recognise it and never enough to use it:
// a known non-secret prefix, the first two and the last four characters of
// the rest (sk_live_Ab…wxyz). Short secrets are hidden entirely.
func Mask(s string) string {
	prefix := ""
	for _, p := range []string{"sk_live_", "clay_ent_"} {
		if len(s) > len(p) && strings.EqualFold(s[:len(p)], p) {
			prefix, s = s[:len(p)], s[len(p):]
			break
		}
	}
	if prefix == "" && strings.HasPrefix(strings.ToLower(s), "http") {
		if loc := uuidTail().FindStringIndex(s); loc != nil {
			prefix, s = s[:loc[0]], s[loc[0]:]
		}
	}
	r := []rune(s)
	switch n := len(r); {
	case n >= 16:
		return prefix + string(r[:2]) + "…" + string(r[n-4:])
	case n >= 10:
		return prefix + string(r[:1]) + "…" + string(r[n-2:])
	default:
		return prefix + "…"
	}
}

func formatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
