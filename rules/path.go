package rules

import (
	"errors"
	"fmt"
	"time"
)

// Where says which view of a repository a path fact comes from.
type Where string

const (
	// InWorktree: a file the working-tree scan covers.
	InWorktree Where = "worktree"
	// InStaged: a file the next commit would add or modify.
	InStaged Where = "staged"
	// InHistory: a file some commit in the scanned history holds.
	InHistory Where = "history"
	// InConfig: a file that configures the scan itself (config, ignore
	// file, baseline).
	InConfig Where = "config"
)

// IgnoreMatch is the ignore-file line that decides a path, as
// `git check-ignore -v` reports it. The zero value: no line matches.
type IgnoreMatch struct {
	Ignored bool
	File    string // e.g. ".gitignore" or "svc/.gitignore"
	Line    int
	Pattern string // the line as written, e.g. "!.env.example"
}

// Matched reports whether some line decided the path.
func (m IgnoreMatch) Matched() bool { return m.Pattern != "" || m.File != "" }

// String is "FILE:LINE:PATTERN", or "" when no line matched.
func (m IgnoreMatch) String() string {
	if !m.Matched() {
		return ""
	}
	return fmt.Sprintf("%s:%d:%s", m.File, m.Line, m.Pattern)
}

// PathFact is what a source knows about one path apart from its content.
// Path rules judge facts; they never look at git, which the sources did.
type PathFact struct {
	// Path is slash-separated and relative to the repository root.
	Path  string
	Where Where
	// Tracked (worktree): git tracks the file.
	Tracked bool
	// Ignore (worktree, staged): the ignore line that decides the path.
	Ignore IgnoreMatch
	// Commit and Date (history): the oldest scanned commit whose tree has
	// the path. InHead: the tip's tree still has it.
	Commit string
	Date   time.Time
	InHead bool
	// RootIgnore (worktree, on the fact for ".gitignore") decides a
	// root-level name by the root .gitignore alone, nil when the
	// repository has none: what every clone gets, unlike a user's global
	// excludes.
	RootIgnore func(name string) IgnoreMatch
	// Changed (config): a pull request changed the file against its base.
	// Digest is the new content's SHA-256 in hex; Deleted when it is gone.
	Changed bool
	Deleted bool
	Digest  string
}

// PathFinding is what a path rule reports about one fact.
type PathFinding struct {
	// Title replaces the rule's title when set.
	Title         string
	Guidance      string
	GitignoreRule string
	// Key identifies the finding in its fingerprint; the path when empty.
	Key string
}

// PathRule is a check on path facts rather than content: the .env policy
// and the report of a changed suppression file. Like a content rule it has
// an ID, a severity, a title and guidance, is listed by `clayscan rules`
// and can be disabled in the config.
type PathRule struct {
	ID       string
	Title    string
	Severity Severity
	// Guidance summarises what the rule asks for (for `clayscan rules` and
	// the docs); each finding carries guidance for its own path.
	Guidance string
	// Where is the view the rule looks at; facts from others are not
	// passed to Check.
	Where Where
	// Wants reports whether the rule looks at path at all; sources gather
	// facts only for paths some rule wants.
	Wants func(path string) bool
	// Check judges one fact.
	Check func(f *PathFact) (PathFinding, bool)
}

// Validate checks a path rule.
func (r *PathRule) Validate() error {
	var errs []error
	if r.ID == "" || !validID().MatchString(r.ID) {
		errs = append(errs, fmt.Errorf("id %q must be lowercase letters, digits and dashes", r.ID))
	}
	if r.Title == "" {
		errs = append(errs, errors.New("title is empty"))
	}
	if !r.Severity.Valid() {
		errs = append(errs, fmt.Errorf("severity %q is not one of critical, high, medium, low", r.Severity))
	}
	if r.Guidance == "" {
		errs = append(errs, errors.New("guidance is empty"))
	}
	switch r.Where {
	case InWorktree, InStaged, InHistory, InConfig:
	default:
		errs = append(errs, fmt.Errorf("where %q is not one of worktree, staged, history, config", r.Where))
	}
	if r.Wants == nil || r.Check == nil {
		errs = append(errs, errors.New("wants and check must be set"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("path rule %q: %w", r.ID, err)
	}
	return nil
}

// SuppressionChangedID is the rule that reports a pull request changing a
// file that controls suppression.
const SuppressionChangedID = "suppression-changed"

func suppressionChanged() PathRule {
	return PathRule{
		ID:       SuppressionChangedID,
		Title:    "Pull request changes a file that controls what clayscan reports",
		Severity: Medium,
		Where:    InConfig,
		Guidance: "The scan used the base branch's version of the file; a reviewer checks every new ignore, allowlist or baseline entry.",
		Wants:    func(string) bool { return true },
		Check: func(f *PathFact) (PathFinding, bool) {
			if !f.Changed {
				return PathFinding{}, false
			}
			what := "changed"
			if f.Deleted {
				what = "deleted"
			}
			return PathFinding{
				Title: fmt.Sprintf("This pull request %s %s, which controls what clayscan reports", what, f.Path),
				Key:   f.Path + "\x00" + f.Digest,
				Guidance: "This scan used the base branch's version of the file, so the change cannot hide a key in this pull request.\n" +
					"A reviewer should check that every new ignore, allowlist entry or baseline entry is for a placeholder or a key that was already rotated.",
			}, true
		},
	}
}

// DefaultPathRules returns the built-in path rules with the built-in .env
// policy, in a stable order.
func DefaultPathRules() []PathRule { return PathRules(EnvSettings{}) }

// PathRules returns the built-in path rules with the .env policy extended
// by the config's [env] settings.
func PathRules(env EnvSettings) []PathRule {
	p := DefaultEnvPolicy()
	p.Extra = append(p.Extra, env.Files...)
	p.Templates = append(p.Templates, env.Templates...)
	return append(p.Rules(), suppressionChanged())
}

// PathRuleSet returns defaults minus the rules the config disables. A nil
// config returns defaults unchanged.
func (c *Config) PathRuleSet(defaults []PathRule) []PathRule {
	if c == nil {
		return defaults
	}
	off := map[string]bool{}
	for _, id := range c.Disable {
		off[id] = true
	}
	out := make([]PathRule, 0, len(defaults))
	for _, r := range defaults {
		if !off[r.ID] {
			out = append(out, r)
		}
	}
	return out
}
