// Package rules holds clayscan's detection rules as data: the built-in Clay
// rule pack (Default), the checks that tell a real key from a placeholder
// (LooksLikePlaceholder, Entropy), validation of rules loaded from a config
// file (Validate), the path rules of the .env policy and suppression-changed
// (DefaultPathRules), and the guidance they give (guidance.go).
//
// A content rule knows bytes and a path rule knows facts about a path
// (PathFact: tracked, ignored, staged, first commit); neither knows git.
package rules

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Severity ranks how urgent a finding is. The values are part of the JSON and
// SARIF contract.
type Severity string

const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
)

// Valid reports whether s is one of the known severities.
func (s Severity) Valid() bool {
	switch s {
	case Critical, High, Medium, Low:
		return true
	}
	return false
}

// Rank orders severities: higher is more severe.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	}
	return 0
}

// ContextTitle refines a finding's title when one of Near occurs close to the
// match, e.g. to say "Clay" or "Stripe" for a bare sk_live_ key.
type ContextTitle struct {
	Near  []string // lowercase substrings looked for around the match
	Title string
	// Guidance, when set, replaces the rule's guidance for findings with
	// this title (a Stripe key is rotated in Stripe's dashboard).
	Guidance string
}

// Rule is one detector. Rules are values: the detector never mutates them.
type Rule struct {
	// ID is stable and used in fingerprints, ignores and baselines.
	ID       string
	Title    string
	Severity Severity
	// Keywords gate the regex: it runs only near an occurrence of one of
	// them. They are matched case-insensitively and must be lowercase.
	Keywords []string
	// Regex finds the secret; SecretGroup names the capture group that holds
	// the secret itself (0 for the whole match, FirstGroup for whichever
	// group matched first, for alternatives such as quoted or bare values).
	Regex       *Pattern
	SecretGroup int
	// CheckGroup, when > 0, names the capture group that the entropy and
	// placeholder checks look at instead of the secret: a webhook URL is
	// reported whole, but only its UUID has to look random.
	CheckGroup int
	// MinEntropy, when > 0, drops secrets whose Shannon entropy (bits per
	// character) is lower: a low-entropy value is a placeholder.
	MinEntropy float64
	// Near, when set, requires one of these lowercase substrings within
	// NearBytes of the match (e.g. a Bearer token is only Clay's when
	// api.clay.com is nearby).
	Near      []string
	NearBytes int
	// Hosts, when set, require that the host nearest the match (a URL's,
	// or one of Hosts written bare), within NearBytes either side, is one
	// of these lowercase hosts.
	Hosts []string
	// Titles refine Title from the surrounding text: the one whose Near
	// occurs closest to the match wins (the first listed on a tie).
	Titles []ContextTitle
	// Lines is how many lines after the keyword's line the regex may read,
	// for settings nested under a section (clay:\n  api_key: …). The
	// default, 0, keeps a match on the keyword's line.
	Lines int
	// KeepPlaceholders turns off the placeholder check, for rules whose
	// match is a credential whatever its shape (a webhook URL).
	KeepPlaceholders bool
	// NameShapedValues keeps values shaped like names (ACME_[A-Z0-9]{20}
	// reads as an environment variable name): the rule's own regex says
	// what its secrets look like. Custom rules from a config file set it
	// (issue 11); the other placeholder checks still apply.
	NameShapedValues bool
	// Guidance tells the user what to do about the credential, in blocks
	// separated by a blank line (guidance.go); the finding adds a block
	// for where it was found, and reports print each block once.
	Guidance string
}

// FirstGroup as a SecretGroup takes the first capture group that matched.
const FirstGroup = -1

// DefaultNearBytes is the window used for Near and Titles when a rule does
// not set NearBytes.
const DefaultNearBytes = 512

// Validate checks one rule. It is used for the built-in pack in tests and for
// custom rules from a config file.
func (r *Rule) Validate() error {
	var errs []error
	if r.ID == "" {
		errs = append(errs, errors.New("id is empty"))
	} else if !validID().MatchString(r.ID) {
		errs = append(errs, fmt.Errorf("id %q must be lowercase letters, digits and dashes", r.ID))
	}
	if r.Title == "" {
		errs = append(errs, errors.New("title is empty"))
	}
	if !r.Severity.Valid() {
		errs = append(errs, fmt.Errorf("severity %q is not one of critical, high, medium, low", r.Severity))
	}
	if len(r.Keywords) == 0 {
		errs = append(errs, errors.New("no keywords: every rule needs at least one keyword to gate its regex"))
	}
	for _, k := range r.Keywords {
		if k == "" {
			errs = append(errs, errors.New("empty keyword"))
		} else if k != strings.ToLower(k) {
			errs = append(errs, fmt.Errorf("keyword %q must be lowercase", k))
		}
	}
	for _, n := range r.Near {
		if n != strings.ToLower(n) {
			errs = append(errs, fmt.Errorf("near %q must be lowercase", n))
		}
	}
	for _, h := range r.Hosts {
		if h == "" || h != strings.ToLower(h) {
			errs = append(errs, fmt.Errorf("host %q must be non-empty and lowercase", h))
		}
	}
	if r.Regex == nil {
		errs = append(errs, errors.New("regex is missing"))
	} else if n, err := r.Regex.NumSubexp(); err != nil {
		errs = append(errs, fmt.Errorf("invalid regex: %v", err))
	} else {
		if r.SecretGroup < FirstGroup || r.SecretGroup > n || (r.SecretGroup == FirstGroup && n == 0) {
			errs = append(errs, fmt.Errorf("secret group %d is out of range: the regex has %d groups", r.SecretGroup, n))
		}
		if r.CheckGroup < 0 || r.CheckGroup > n {
			errs = append(errs, fmt.Errorf("check group %d is out of range: the regex has %d groups", r.CheckGroup, n))
		}
	}
	for _, t := range r.Titles {
		if t.Title == "" || len(t.Near) == 0 {
			errs = append(errs, errors.New("a context title needs a title and at least one near string"))
		}
		for _, n := range t.Near {
			if n == "" || n != strings.ToLower(n) {
				errs = append(errs, fmt.Errorf("context title near %q must be non-empty and lowercase", n))
			}
		}
	}
	if r.Lines < 0 || r.Lines > 20 {
		errs = append(errs, fmt.Errorf("lines %d is out of range 0..20", r.Lines))
	}
	if r.MinEntropy < 0 || r.MinEntropy > 8 {
		errs = append(errs, fmt.Errorf("entropy %v is out of range 0..8", r.MinEntropy))
	}
	if err := errors.Join(errs...); err != nil {
		if r.ID != "" {
			return fmt.Errorf("rule %q: %w", r.ID, err)
		}
		return fmt.Errorf("rule: %w", err)
	}
	return nil
}

// lazyRegexp compiles expr at its first use: a package-level regexp is
// compiled at every start of the binary, and a pre-commit run needs few of
// them.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}

var validID = lazyRegexp(`^[a-z0-9][a-z0-9-]*$`)

// Validate checks a rule set: every rule valid, no duplicate IDs.
func Validate(rs []Rule) error {
	seen := make(map[string]bool, len(rs))
	var errs []error
	for i := range rs {
		if err := rs[i].Validate(); err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[rs[i].ID] {
			errs = append(errs, fmt.Errorf("rule %q: duplicate id", rs[i].ID))
		}
		seen[rs[i].ID] = true
	}
	return errors.Join(errs...)
}
