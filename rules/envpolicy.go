package rules

// The .env policy (issue 4): which files are env files, which of those are
// templates meant to be committed, and the path rules that say an env file
// is (or could be, or was) committed. The rules judge facts the sources
// gathered — whether git tracks a path, which ignore line decides it, the
// commit that added it — and never look at git themselves. EnvPolicy is a
// value so that the config file can extend its lists.

import (
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/clayscan/clayscan/scanner/ignore"
)

// Requirement is one line the root .gitignore must cover. Coverage is
// decided by matching Samples against the file, not by comparing text,
// so ".env*" covers ".env.local".
type Requirement struct {
	Line    string   // the line to suggest, e.g. ".env.*.local"
	Samples []string // root-level names that must all be ignored
}

// EnvPolicy is the configurable part of the .env checks.
type EnvPolicy struct {
	// Templates are the basenames of env files meant to be committed
	// (.env.example …). They get no policy finding; their contents are
	// still scanned like any file.
	Templates []string
	// Extra are more basename globs (git wildmatch syntax, e.g.
	// "secrets.*.json") to treat as env files.
	Extra []string
	// Required are the patterns the root .gitignore must cover.
	Required []Requirement
}

// DefaultEnvPolicy is the built-in policy.
func DefaultEnvPolicy() EnvPolicy {
	return EnvPolicy{
		Templates: []string{".env.example", ".env.sample", ".env.template", ".env.dist", ".env.defaults"},
		Required: []Requirement{
			{Line: ".env", Samples: []string{".env"}},
			{Line: ".env.local", Samples: []string{".env.local"}},
			{Line: ".env.*.local", Samples: []string{".env.development.local", ".env.production.local", ".env.test.local"}},
		},
	}
}

// IsEnvFile reports whether the file at p (slash-separated) is an env file:
// ".env", ".env.<anything>", "<name>.env", or one of Extra — templates
// included.
func (p EnvPolicy) IsEnvFile(file string) bool {
	base := path.Base(file)
	switch {
	case base == ".env",
		len(base) > len(".env.") && strings.HasPrefix(base, ".env."),
		len(base) > len(".env") && strings.HasSuffix(base, ".env"):
		return true
	}
	for _, g := range p.Extra {
		if ignore.Wildmatch(g, base, 0) {
			return true
		}
	}
	return false
}

// IsTemplate reports whether file's basename is one of Templates.
func (p EnvPolicy) IsTemplate(file string) bool {
	base := path.Base(file)
	for _, t := range p.Templates {
		if base == t {
			return true
		}
	}
	return false
}

// Applies reports whether the policy findings apply to file: an env file
// that is not a template.
func (p EnvPolicy) Applies(file string) bool { return p.IsEnvFile(file) && !p.IsTemplate(file) }

// IgnoreLine is the root .gitignore line that ignores exactly file: anchored
// with a leading '/', glob characters escaped, and a trailing space kept.
func IgnoreLine(file string) string {
	var b strings.Builder
	b.WriteByte('/')
	for i := 0; i < len(file); i++ {
		switch c := file[i]; c {
		case '*', '?', '[', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case ' ':
			if strings.Trim(file[i:], " ") == "" {
				b.WriteString("\\ ") // trailing spaces would be trimmed
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// shellQuote quotes a path for a command line when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/+@%:,=") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

const rotate = "Rotate every key it has held: anything that reaches a commit, a push or a CI log is leaked, and only rotating helps."

// Rule IDs of the .env policy; they are part of the JSON contract.
const (
	RuleEnvNotIgnored      = "env-file-not-ignored"
	RuleEnvTracked         = "env-file-tracked"
	RuleEnvStaged          = "env-file-staged"
	RuleEnvInHistory       = "env-file-in-history"
	RuleEnvMissingPatterns = "gitignore-missing-env-patterns"
)

// Rules returns the policy's five path rules.
func (p EnvPolicy) Rules() []PathRule {
	return []PathRule{
		{
			ID: RuleEnvTracked, Title: "Env file is tracked by git", Severity: High, Where: InWorktree,
			Guidance: "Stop tracking it (git rm --cached), ignore it, and rotate every key it has held.",
			Wants:    p.Applies,
			Check: func(f *PathFact) (PathFinding, bool) {
				if !f.Tracked {
					return PathFinding{}, false
				}
				return envTracked(f.Path, f.Ignore), true
			},
		},
		{
			ID: RuleEnvNotIgnored, Title: "Env file is not ignored by git", Severity: Medium, Where: InWorktree,
			Guidance: "Add the file to the root .gitignore (or drop the negation that re-includes it) before `git add .` commits it.",
			Wants:    p.Applies,
			Check: func(f *PathFact) (PathFinding, bool) {
				// With --include-ignored, ignored files are listed too.
				if f.Tracked || f.Ignore.Ignored {
					return PathFinding{}, false
				}
				return envNotIgnored(f.Path, f.Ignore), true
			},
		},
		{
			ID: RuleEnvMissingPatterns, Title: ".gitignore does not ignore env files", Severity: Low, Where: InWorktree,
			Guidance: "Advice: add .env, .env.local and .env.*.local to the root .gitignore so that no clone commits one by accident.",
			Wants:    func(file string) bool { return file == ".gitignore" },
			Check: func(f *PathFact) (PathFinding, bool) {
				if f.Path != ".gitignore" {
					return PathFinding{}, false
				}
				return p.MissingPatterns(f.RootIgnore)
			},
		},
		{
			ID: RuleEnvStaged, Title: "Commit would add an env file", Severity: High, Where: InStaged,
			Guidance: "Unstage it (git restore --staged) and ignore it; env files never belong in a commit.",
			Wants:    p.Applies,
			Check: func(f *PathFact) (PathFinding, bool) {
				return envStaged(f.Path, f.Ignore), true
			},
		},
		{
			ID: RuleEnvInHistory, Title: "Env file was committed", Severity: High, Where: InHistory,
			Guidance: "Rotate every key it has held; then decide whether to purge it from history.",
			Wants:    p.Applies,
			Check: func(f *PathFact) (PathFinding, bool) {
				return envInHistory(f.Path, f.Commit, f.Date, f.InHead), true
			},
		},
	}
}

// envNotIgnored is an untracked env file that no ignore rule excludes: one
// `git add .` away from a commit. m is the line that left it visible (a
// negation such as "!.env.production"), or none.
func envNotIgnored(file string, m IgnoreMatch) PathFinding {
	f := PathFinding{GitignoreRule: m.String()}
	if m.Matched() {
		// A deeper or later negation wins over any line added to the root
		// .gitignore, so the negation itself has to go.
		f.Guidance = fmt.Sprintf("Line %d of %s (%q) re-includes it, so `git add .` would commit it. "+
			"Delete or narrow that line; if nothing else ignores the file then, add this line to the root .gitignore:\n  %s", m.Line, m.File, m.Pattern, IgnoreLine(file))
	} else {
		f.Guidance = "Nothing in .gitignore, .git/info/exclude or the global excludes file ignores it, so `git add .` would commit it. " +
			"Add this line to the root .gitignore:\n  " + IgnoreLine(file)
	}
	f.Guidance += "\nKeep keys in environment variables or a secret manager, and commit a .env.example with placeholder values instead."
	return f
}

// envTracked is an env file that git tracks, whether or not an ignore rule now
// matches it (m): ignoring a file does not untrack it.
func envTracked(file string, m IgnoreMatch) PathFinding {
	var b strings.Builder
	b.WriteString("Stop tracking it and keep your local copy:\n  git rm --cached " + shellQuote(file) + "\n")
	if m.Ignored {
		fmt.Fprintf(&b, "It is already ignored (%s:%d %q), but ignoring a tracked file does not untrack it. ", m.File, m.Line, m.Pattern)
	} else {
		b.WriteString("Add this line to the root .gitignore so it stays out:\n  " + IgnoreLine(file) + "\n")
	}
	b.WriteString("Commit the removal. Its contents stay in history. " + rotate)
	return PathFinding{GitignoreRule: m.String(), Guidance: b.String()}
}

// envStaged is an env file that the next commit would add or modify. It
// blocks the commit even when the file holds no key. m is the ignore line
// for the path: an ignored file was staged with `git add -f` or was
// tracked already.
func envStaged(file string, m IgnoreMatch) PathFinding {
	var b strings.Builder
	b.WriteString("Env files never belong in a commit, even without a key in them today. Unstage it:\n" +
		"  git restore --staged " + shellQuote(file) + "\n" +
		"(if it was committed before: git rm --cached " + shellQuote(file) + ").\n")
	if m.Ignored {
		fmt.Fprintf(&b, "It is ignored (%s:%d %q), so it was added with -f or tracked earlier; ignoring does not stop either.", m.File, m.Line, m.Pattern)
	} else {
		b.WriteString("Then add this line to the root .gitignore:\n  " + IgnoreLine(file))
	}
	return PathFinding{GitignoreRule: m.String(), Guidance: b.String()}
}

// envInHistory is an env file committed at some point, reported once per path
// at the first commit that added it (commit, on date); inHead says whether
// the tip still tracks it.
func envInHistory(file, commit string, date time.Time, inHead bool) PathFinding {
	var b strings.Builder
	short := commit
	if len(short) > 12 {
		short = short[:12]
	}
	when := ""
	if !date.IsZero() {
		when = " on " + date.UTC().Format("2006-01-02")
	}
	fmt.Fprintf(&b, "Commit %s added it%s, so every key it has held is in history, readable by anyone with a clone. %s\n", short, when, rotate)
	if inHead {
		fmt.Fprintf(&b, "It is still tracked: git rm --cached %s, add %s to the root .gitignore, and commit.\n", shellQuote(file), IgnoreLine(file))
	} else {
		b.WriteString("It is no longer tracked, but deleting a file does not remove it from history.\n")
	}
	fmt.Fprintf(&b, "After rotating, you may purge it (git filter-repo --invert-paths --path %s) and force-push; clones and forks keep their copies.", shellQuote(file))
	return PathFinding{Guidance: b.String()}
}

// MissingPatterns checks the root .gitignore (root decides a root-level
// name; nil when there is no root .gitignore) against the required
// patterns, and returns the finding when some are not covered.
func (p EnvPolicy) MissingPatterns(root func(name string) IgnoreMatch) (PathFinding, bool) {
	var missing []string
	var decided IgnoreMatch
	for _, req := range p.Required {
		for _, s := range req.Samples {
			var m IgnoreMatch
			if root != nil {
				m = root(s)
			}
			if !m.Ignored {
				missing = append(missing, req.Line)
				if m.Matched() && !decided.Matched() {
					decided = m
				}
				break
			}
		}
	}
	if len(missing) == 0 {
		return PathFinding{}, false
	}
	var b strings.Builder
	if root == nil {
		b.WriteString("The repository has no root .gitignore. Create it with these lines:\n")
	} else {
		b.WriteString("Add these lines to the root .gitignore")
		if decided.Matched() {
			fmt.Fprintf(&b, " (after line %d, %q, which re-includes an env file)", decided.Line, decided.Pattern)
		}
		b.WriteString(":\n")
	}
	for _, l := range missing {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("and keep templates such as .env.example committed with placeholder values (add !.env.example if a broader pattern hides it).")
	return PathFinding{GitignoreRule: decided.String(), Guidance: b.String()}, true
}

// IgnoreMatchOf converts the ignore engine's decision.
func IgnoreMatchOf(d ignore.Decision) IgnoreMatch {
	return IgnoreMatch{Ignored: d.Ignored, File: d.File, Line: d.Line, Pattern: d.Pattern}
}
